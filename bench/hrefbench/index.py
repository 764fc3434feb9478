"""The benchmark web and index of one size: `hrefdex gen` (cached: the same seed gives the
same bytes), `hrefdex import` (links/s, peak memory), `hrefdex stats` (bytes per link)."""

import json
import os
import shutil
import urllib.parse

from .util import BenchError, log, run, size_label

SEED = 5
LINKS_PER_PAGE = 15  # what `hrefdex gen` makes per page on average (12 body links + others)


def web_shape(links):
    """Pages and domains for about `links` links: 70,000 pages on 1,000 domains make ~1.05M."""
    pages = max(200, round(links / LINKS_PER_PAGE))
    return pages, max(20, round(pages / 70))


def generate(ctx, links):
    pages, domains = web_shape(links)
    web = os.path.join(ctx.results_dir, "webs", f"p{pages}-d{domains}-s{SEED}")
    warc = os.path.join(web, "crawl-000.warc.gz")
    done = os.path.join(web, "gen.json")
    if os.path.exists(done) and os.path.exists(warc):
        log(f"size {size_label(links)}: reusing the generated web {web}")
        return web, json.load(open(done))
    shutil.rmtree(web, ignore_errors=True)
    log(f"size {size_label(links)}: hrefdex gen --pages {pages} --domains {domains}")
    res = run([ctx.hrefdex, "gen", "--pages", str(pages), "--domains", str(domains), "--crawls", "1",
               "--seed", str(SEED), "--no-requests", "--out", web], f"gen-{size_label(links)}",
              max_rss_kib=ctx.max_rss_kib)
    info = {"pages": pages, "domains": domains, "seed": SEED, "seconds": res.seconds,
            "warc_bytes": os.path.getsize(warc), "summary": res.out.strip()}
    with open(done, "w") as f:
        json.dump(info, f)
    return web, info


def build(ctx, links):
    """Generate and import one size; returns what was measured (or an "error")."""
    label = size_label(links)
    web, gen = generate(ctx, links)
    idx = os.path.join(ctx.results_dir, "work", f"index-{label}")
    shutil.rmtree(idx, ignore_errors=True)
    os.makedirs(os.path.dirname(idx), exist_ok=True)
    log(f"size {label}: hrefdex import ({gen['warc_bytes'] / 1e6:.0f} MB of WARC)")
    res = run([ctx.hrefdex, "import", "--json", "--index", idx, os.path.join(web, "crawl-000.warc.gz")],
              f"import-{label}", max_rss_kib=ctx.max_rss_kib, check=False)
    out = {"size": links, "label": label, "web": web, "gen": gen, "index": idx,
           "import_peak_rss_bytes": res.max_rss_kib * 1024, "import_wall_s": res.seconds}
    if not res.ok:
        out["error"] = f"import failed: {res.failure()}"
        log(f"size {label}: {out['error']}")
        shutil.rmtree(idx, ignore_errors=True)
        return out
    try:
        report = json.loads(res.out)
    except ValueError:
        raise BenchError(f"hrefdex import --json printed no JSON; see {res.log}")
    links_total = report.get("links_total") or report["merge"]["new_links"]
    seconds = report.get("seconds") or res.seconds
    out.update({"links": links_total, "import_s": seconds, "links_per_s": links_total / seconds,
                "pages": report["merge"]["new_pages"],
                "payload_bytes": report["extract"].get("payload_bytes"),
                "phases": report.get("phases")})  # [[name, seconds], …] in newer builds
    stats = json.loads(run([ctx.hrefdex, "stats", "--json", "--index", idx], f"stats-{label}").out)
    tables = {t["table"]: t for t in stats["tables"]}
    total = sum(t["bytes"] for t in tables.values())
    out["tables"] = tables
    out["bytes_total"] = total
    out["bytes_per_link"] = total / links_total
    log(f"size {label}: {links_total:,} links imported in {seconds:.1f} s "
        f"({links_total / seconds:,.0f} links/s, peak {res.max_rss_kib / 2**20:.1f} GiB), "
        f"{total / links_total:.1f} bytes/link")
    return out


def table_files(index, table, version):
    """The Parquet files of a Delta table at `version`, by replaying its JSON log."""
    log_dir = os.path.join(index, table, "_delta_log")
    live = {}
    for v in range(version + 1):
        path = os.path.join(log_dir, f"{v:020d}.json")
        if not os.path.exists(path):
            raise BenchError(f"{path} is missing (a checkpointed Delta log is not supported here)")
        with open(path) as f:
            for line in f:
                action = json.loads(line)
                if "add" in action:
                    live[action["add"]["path"]] = True
                elif "remove" in action:
                    live.pop(action["remove"]["path"], None)
    return [os.path.join(index, table, urllib.parse.unquote(p)) for p in live]
