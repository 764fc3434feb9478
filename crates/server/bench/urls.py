"""Write the request URLs of the server benchmark, one per line.

Usage: python3 urls.py TRUTH_JSON BASE_URL TOKEN > urls.txt

Small lookups on every registrable domain of a generated web (hrefdex gen's
truth.json), in turn: its domain_rating, its top 10 referring domains, its top 10
backlinks.
"""

import json
import sys

truth_file, base, token = sys.argv[1:4]
with open(truth_file) as f:
    domains = [d["domain"] for d in json.load(f)["domain_rank"]]
for d in domains:
    for q in (
        f"from=domain_rating&target={d}&mode=domain",
        f"from=refdomains&target={d}&mode=domain&limit=10",
        f"from=backlinks&target={d}&mode=domain&limit=10",
    ):
        print(f"{base.rstrip('/')}/?token={token}&{q}")
