"""Write the request URLs of the server benchmark, one per line.

Usage: python3 urls.py TRUTH_JSON BASE_URL TOKEN [--order shuffled|rank] > urls.txt

Small lookups on every registrable domain of a generated web (hrefdex gen's
truth.json), three per domain: its domain_rating, its top 10 referring domains, its
top 10 backlinks.

The load generator sends the URLs in turn from the first, so their order decides which
domains a run of a few seconds reaches. `shuffled` (the default) puts the domains in a
fixed pseudo-random order (seed 1): every stretch of the list is a uniform sample of the
web's domains, large and small in their real proportions. `rank` keeps the generator's
order, largest domains first: a short run then measures mostly the heaviest targets.
"""

import json
import random
import sys

args = sys.argv[1:]
order = "shuffled"
if "--order" in args:
    i = args.index("--order")
    order = args[i + 1]
    del args[i : i + 2]
if len(args) != 3 or order not in ("shuffled", "rank"):
    sys.exit(__doc__)
truth_file, base, token = args
with open(truth_file) as f:
    domains = [d["domain"] for d in json.load(f)["domain_rank"]]
if order == "shuffled":
    random.Random(1).shuffle(domains)
for d in domains:
    for q in (
        f"from=domain_rating&target={d}&mode=domain",
        f"from=refdomains&target={d}&mode=domain&limit=10",
        f"from=backlinks&target={d}&mode=domain&limit=10",
    ):
        print(f"{base.rstrip('/')}/?token={token}&{q}")
