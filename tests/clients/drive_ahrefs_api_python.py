"""Drive the PyPI client `ahrefs-api-python` 0.0.1 against a local hrefdex server.

The client is Python 2.7 code; on Python 3 it runs with two standard-library aliases:
`urllib2` -> `urllib.request` and `urllib.quote_plus` -> `urllib.parse.quote_plus`.
Its own bugs are part of the test: it never URL-encodes the target, and it parses the
body only when called with mode='json', which it then also sends as the mode.

Usage: python drive_ahrefs_api_python.py BASE_URL TOKEN TARGET
Prints one JSON object: every HTTP exchange the client made, and what each call
returned or raised. The Rust test crates/cli/tests/client_python.rs checks it.
"""

import json
import sys
import urllib
import urllib.parse
import urllib.request

sys.modules["urllib2"] = urllib.request  # alias 1: urllib2 -> urllib.request
urllib.quote_plus = urllib.parse.quote_plus  # alias 2: urllib.quote_plus

from ahrefs_api_python.api import AhrefsApi  # noqa: E402  (needs the aliases first)

exchanges = []
real_urlopen = urllib.request.urlopen


class Recorded:
    """The response the client reads, after we kept a copy of it."""

    def __init__(self, body):
        self.body = body

    def read(self):
        return self.body


def recording_urlopen(url, *args, **kwargs):
    response = real_urlopen(url, *args, **kwargs)
    body = response.read()
    exchanges.append(
        {
            "url": url,
            "status": response.status,
            "x_status": response.headers.get("X-Status"),
            "results": response.headers.get("X-Results-Count"),
            "content_type": response.headers.get("Content-Type"),
            "body": body.decode("utf8"),
        }
    )
    return Recorded(body)


urllib.request.urlopen = recording_urlopen


def call(name, request):
    try:
        return {"call": name, "returned": request.get()}
    except Exception as e:  # the client reports everything as a bare Exception
        return {"call": name, "raised": [str(a) for a in e.args]}


def main():
    base_url, token, target = sys.argv[1:4]
    api = AhrefsApi(base_url, token)
    outcomes = [
        # A normal request (mode 'domain'): answered with data; the client then raises
        # 'not implemented mode' because it only parses bodies in mode 'json'.
        call("refdomains", api.refdomains(target).where("backlinks>=1").order_by("domain_rating:desc")),
        # mode='json': the client sends mode=json, the server must answer bad mode.
        call("backlinks", api.backlinks(target, mode="json")),
        # subscription_info takes no mode, so mode=json is parsed and returned.
        call("subscription_info", api.subscription_info(target, mode="json")),
    ]
    print(json.dumps({"exchanges": exchanges, "outcomes": outcomes}))


main()
