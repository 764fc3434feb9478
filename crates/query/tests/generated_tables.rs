//! Every table answered from a generated web, checked against the generator's ground
//! truth (`truth.json`) where it states the number, and against the other tables and
//! the unfiltered answer where it does not (a `where`, `having`, `order_by`, `offset`
//! or `limit` must give exactly the rows of the plain answer it selects).
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use hrefdex_api::catalogue;
use hrefdex_api::params::Params;
use hrefdex_api::{OutputFormat, ParseOptions, Request};
use hrefdex_gen::{GenOptions, Truth, crawl_file_name, generate};
use hrefdex_index::import::Quiet;
use hrefdex_index::store::heads::{HeadOptions, head_key};
use hrefdex_index::{Index, import};
use hrefdex_query::Engine;
use serde_json::Value as Json;

struct Web {
    _dir: tempfile::TempDir,
    engine: Engine,
    truth: Truth,
}

/// One generated web (3 crawls), imported crawl by crawl, shared by the tests.
fn web() -> &'static Web {
    static WEB: OnceLock<Web> = OnceLock::new();
    WEB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let opts = GenOptions {
            pages: 1_500,
            domains: 40,
            crawls: 3,
            seed: 7,
            ..GenOptions::default()
        };
        let out = dir.path().join("web");
        let truth = generate(&opts, &out).unwrap();
        let root = dir.path().join("index");
        let index = Index::open(&root).unwrap();
        for k in 0..opts.crawls {
            import(&index, &[out.join(crawl_file_name(k))], 1, &Quiet).unwrap();
        }
        drop(index);
        let engine = Engine::open(&root).unwrap();
        Web {
            _dir: dir,
            engine,
            truth,
        }
    })
}

fn request(q: &str) -> Request {
    Request::parse(
        &Params::from_query(q.as_bytes()),
        ParseOptions {
            require_token: false,
        },
    )
    .unwrap_or_else(|e| panic!("{q}: {e:?}"))
}

/// The JSON body of a request.
fn ask(q: &str) -> Json {
    let request = request(q);
    let answer = web()
        .engine
        .answer(&request)
        .unwrap_or_else(|e| panic!("{q}: {e}"));
    serde_json::from_slice(&answer.encode(OutputFormat::Json)).unwrap()
}

fn rows(body: &Json) -> Vec<BTreeMap<String, Json>> {
    let (_, v) = body
        .as_object()
        .unwrap()
        .iter()
        .find(|(k, _)| *k != "stats" && *k != "tlds")
        .unwrap();
    match v {
        Json::Array(a) => a
            .iter()
            .map(|r| serde_json::from_value(r.clone()).unwrap())
            .collect(),
        Json::Object(_) => vec![serde_json::from_value(v.clone()).unwrap()],
        other => panic!("not rows: {other}"),
    }
}

fn int(row: &BTreeMap<String, Json>, c: &str) -> i64 {
    row.get(c)
        .and_then(Json::as_i64)
        .unwrap_or_else(|| panic!("{c} in {row:?}"))
}

fn target_query(t: &hrefdex_gen::truth::TargetTruth) -> String {
    format!("target={}&mode={}", t.target, t.mode)
}

#[test]
fn counts_match_the_ground_truth_in_every_mode() {
    for t in &web().truth.targets {
        let q = target_query(t);
        let what = format!("{} ({})", t.target, t.mode);
        let m = &rows(&ask(&format!("from=metrics_extended&{q}")))[0];
        assert_eq!(
            int(m, "backlinks") as u64,
            t.live_external_backlinks,
            "metrics backlinks of {what}"
        );
        assert_eq!(
            int(m, "nofollow") as u64,
            t.live_external_nofollow,
            "nofollow of {what}"
        );
        assert_eq!(
            int(m, "refdomains") as u64,
            t.live_external_refdomains,
            "refdomains of {what}"
        );
        assert_eq!(
            int(m, "text") + int(m, "image") + int(m, "redirect"),
            int(m, "backlinks"),
            "kinds of {what} add up"
        );
        assert_eq!(int(m, "dofollow") + int(m, "nofollow"), int(m, "backlinks"));
        assert_eq!(
            int(m, "sitewide") + int(m, "not_sitewide"),
            int(m, "backlinks")
        );
        let plain = &rows(&ask(&format!("from=metrics&{q}")))[0];
        assert_eq!(int(plain, "backlinks"), int(m, "backlinks"));

        let n = t.live_external_refdomains as usize;
        let backlinks = rows(&ask(&format!(
            "from=backlinks&{q}&limit=1000000&select=url_from,anchor"
        )));
        assert_eq!(
            backlinks.len() as u64,
            t.live_external_backlinks,
            "backlinks rows of {what}"
        );

        let by_anchor = rows(&ask(&format!("from=anchors_refdomains&{q}&limit=100000")));
        assert_eq!(by_anchor.len(), n, "anchors_refdomains rows of {what}");
        let sum: i64 = by_anchor.iter().map(|r| int(r, "backlinks")).sum();
        assert_eq!(sum as u64, t.live_external_backlinks);

        let by_type = ask(&format!("from=refdomains_by_type&{q}&limit=100000"));
        assert_eq!(rows(&by_type).len(), n, "refdomains_by_type rows of {what}");
        assert_eq!(by_type["stats"]["refdomains"].as_u64(), Some(n as u64));
        assert_eq!(
            by_type["stats"]["total_backlinks"].as_u64(),
            Some(t.live_external_backlinks)
        );
        let tld_sum: u64 = by_type["tlds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["count"].as_u64().unwrap())
            .sum();
        assert_eq!(tld_sum, n as u64, "tlds of {what} count every domain once");

        let one = rows(&ask(&format!(
            "from=backlinks_one_per_domain&{q}&limit=100000"
        )));
        assert_eq!(one.len(), n, "backlinks_one_per_domain rows of {what}");
        let total: i64 = one.iter().map(|r| int(r, "total_backlinks")).sum();
        assert_eq!(total as u64, t.live_external_backlinks);
        let domains: BTreeSet<String> = one
            .iter()
            .map(|r| {
                hrefdex_url::registrable_domain(&host(r["url_from"].as_str().unwrap())).to_owned()
            })
            .collect();
        assert_eq!(domains.len(), n, "one row per domain for {what}");
    }
}

fn host(url: &str) -> String {
    hrefdex_url::NormalUrl::parse(url)
        .unwrap()
        .host()
        .to_owned()
}

#[test]
fn one_per_domain_keeps_the_best_linking_page() {
    let t = &web().truth.targets[0];
    let q = target_query(t);
    let all = rows(&ask(&format!(
        "from=backlinks&{q}&limit=1000000&select=url_from,ahrefs_rank"
    )));
    let mut best: BTreeMap<String, i64> = BTreeMap::new();
    for r in &all {
        let d = hrefdex_url::registrable_domain(&host(r["url_from"].as_str().unwrap())).to_owned();
        let e = best.entry(d).or_insert(i64::MIN);
        *e = (*e).max(int(r, "ahrefs_rank"));
    }
    for r in rows(&ask(&format!(
        "from=backlinks_one_per_domain&{q}&limit=100000"
    ))) {
        let d = hrefdex_url::registrable_domain(&host(r["url_from"].as_str().unwrap())).to_owned();
        assert_eq!(int(&r, "ahrefs_rank"), best[&d], "{d}");
    }
}

/// Every counter of `metrics_extended` that the backlink rows show equals the count over
/// those rows, in every mode: links by kind, and distinct pages, domains, IPs and class-C
/// networks.
#[test]
fn metrics_count_what_the_backlink_rows_show() {
    use hrefdex_query::host_udf::class_c;
    use hrefdex_url::domain::{is_edu, is_gov};
    for t in &web().truth.targets {
        let q = target_query(t);
        let m = &rows(&ask(&format!("from=metrics_extended&{q}")))[0];
        let links = rows(&ask(&format!(
            "from=backlinks&{q}&limit=1000000&select=url_from,ip_from,nofollow,link_type,sitewide"
        )));
        let text = |r: &BTreeMap<String, Json>, c: &str| r[c].as_str().unwrap().to_owned();
        let domain = |r: &BTreeMap<String, Json>| {
            hrefdex_url::registrable_domain(&host(&text(r, "url_from"))).to_owned()
        };
        let distinct = |f: &dyn Fn(&BTreeMap<String, Json>) -> Option<String>| {
            links.iter().filter_map(f).collect::<BTreeSet<_>>().len() as i64
        };
        let counted = |f: &dyn Fn(&BTreeMap<String, Json>) -> bool| {
            links.iter().filter(|r| f(r)).count() as i64
        };
        let expected = [
            ("backlinks", links.len() as i64),
            ("refpages", distinct(&|r| Some(text(r, "url_from")))),
            ("refdomains", distinct(&|r| Some(domain(r)))),
            (
                "refips",
                distinct(&|r| Some(text(r, "ip_from")).filter(|ip| !ip.is_empty())),
            ),
            ("refclass_c", distinct(&|r| class_c(&text(r, "ip_from")))),
            ("nofollow", counted(&|r| r["nofollow"] == true)),
            ("dofollow", counted(&|r| r["nofollow"] == false)),
            ("redirect", counted(&|r| r["link_type"] == "redirect")),
            ("canonical", counted(&|r| r["link_type"] == "canonical")),
            ("sitewide", counted(&|r| r["sitewide"] == true)),
            ("gov", counted(&|r| is_gov(&domain(r)))),
            ("edu", counted(&|r| is_edu(&domain(r)))),
        ];
        for (c, n) in expected {
            assert_eq!(int(m, c), n, "{c} of {} ({})", t.target, t.mode);
        }
    }
}

/// `metrics` planned for a large target (links grouped by domain and IP first) gives the
/// answers of the one-aggregate plan for a small one.
#[test]
fn metrics_for_large_targets_equal_the_one_aggregate_answers() {
    plans_for_large_targets_answer_alike(&["from=metrics_extended", "from=metrics&output=xml"]);
}

/// Every shape in `shapes`, for every target, gets the same body from an engine that
/// takes the plans made for large targets on every target and from one that never does.
fn plans_for_large_targets_answer_alike(shapes: &[&str]) {
    let root = web()._dir.path().join("index");
    let large = Engine::open(&root).unwrap();
    large.set_late_materialisation_rows(0);
    let small = Engine::open(&root).unwrap();
    small.set_late_materialisation_rows(usize::MAX);
    for t in &web().truth.targets {
        for shape in shapes {
            let q = format!("{shape}&{}", target_query(t));
            let request = request(&q);
            let body = |engine: &Engine| match engine.answer(&request) {
                Ok(answer) => answer.encode(request.output),
                Err(e) => format!("error: {e}").into_bytes(),
            };
            let (got, expected) = (body(&large), body(&small));
            assert!(
                got == expected,
                "{q}:\n large-target plan: {}\n small-target plan: {}",
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&expected)
            );
        }
    }
}

#[test]
fn exact_target_page_counts_agree_with_metrics() {
    for t in web().truth.targets.iter().filter(|t| t.mode == "exact") {
        let q = target_query(t);
        let pages = rows(&ask(&format!("from=pages_extended&{q}")));
        assert_eq!(pages.len(), 1, "the target page {} was crawled", t.target);
        let m = &rows(&ask(&format!("from=metrics_extended&{q}")))[0];
        for c in [
            "backlinks",
            "dofollow",
            "nofollow",
            "refdomains",
            "refips",
            "refclass_c",
        ] {
            assert_eq!(int(&pages[0], c), int(m, c), "{c} of {}", t.target);
        }
        let info = rows(&ask(&format!("from=pages_info&{q}")));
        assert_eq!(info[0]["url"], pages[0]["url"]);
        assert_eq!(info[0]["http_code"], pages[0]["http_code"]);
    }
}

#[test]
fn new_lost_counters_sum_the_event_rows() {
    for t in &web().truth.targets {
        let q = target_query(t);
        let events = rows(&ask(&format!(
            "from=backlinks_new_lost&{q}&limit=1000000&select=date,type,url_to"
        )));
        let mut expected: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
        for e in &events {
            let day = e["date"].as_str().unwrap()[..10].to_owned();
            let slot = expected
                .entry((day, e["url_to"].as_str().unwrap().to_owned()))
                .or_default();
            if e["type"] == "new" {
                slot.0 += 1;
            } else {
                slot.1 += 1;
            }
        }
        let counters = rows(&ask(&format!(
            "from=backlinks_new_lost_counters&{q}&limit=1000000"
        )));
        assert_eq!(
            counters.len(),
            expected.len(),
            "days × urls of {}",
            t.target
        );
        for c in &counters {
            let key = (
                c["date"].as_str().unwrap().to_owned(),
                c["url_to"].as_str().unwrap().to_owned(),
            );
            let (new, lost) = expected[&key];
            assert_eq!(
                (int(c, "new_total"), int(c, "lost_total")),
                (new, lost),
                "{key:?}"
            );
            assert_eq!(
                (int(c, "new"), int(c, "lost")),
                (new, lost),
                "no where: all count"
            );
        }
        // `where` restricts new/lost, never the totals.
        let only_new = rows(&ask(&format!(
            "from=backlinks_new_lost_counters&{q}&limit=1000000&where=type%3D%22new%22"
        )));
        for c in &only_new {
            assert_eq!(int(c, "lost"), 0);
            assert_eq!(int(c, "new"), int(c, "new_total"));
        }
    }
}

#[test]
fn where_having_order_and_paging_select_from_the_plain_answer() {
    let t = web()
        .truth
        .targets
        .iter()
        .find(|t| t.mode == "domain")
        .unwrap();
    let q = target_query(t);
    let all = rows(&ask(&format!("from=refdomains_by_type&{q}&limit=100000")));

    // having on an aggregate
    let having = rows(&ask(&format!(
        "from=refdomains_by_type&{q}&limit=100000&having=backlinks%3E5"
    )));
    let expected: Vec<_> = all
        .iter()
        .filter(|r| int(r, "backlinks") > 5)
        .cloned()
        .collect();
    assert_eq!(having, expected);

    // where on a group-level flag: domains with at least one nofollow link
    let nofollow = rows(&ask(&format!(
        "from=refdomains_by_type&{q}&limit=100000&where=nofollow%3Dtrue"
    )));
    let with_nofollow: BTreeSet<String> = rows(&ask(&format!(
        "from=backlinks&{q}&limit=1000000&select=url_from&where=nofollow%3Dtrue"
    )))
    .iter()
    .map(|r| hrefdex_url::registrable_domain(&host(r["url_from"].as_str().unwrap())).to_owned())
    .collect();
    let got: BTreeSet<String> = nofollow
        .iter()
        .map(|r| r["refdomain"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(got, with_nofollow);

    // order, offset, limit
    let mut sorted = all.clone();
    sorted.sort_by(|a, b| {
        int(b, "backlinks")
            .cmp(&int(a, "backlinks"))
            .then(a["refdomain"].as_str().cmp(&b["refdomain"].as_str()))
    });
    let page = rows(&ask(&format!(
        "from=refdomains_by_type&{q}&order_by=backlinks%3Adesc%2Crefdomain&offset=2&limit=5"
    )));
    assert_eq!(page, sorted[2..7.min(sorted.len())].to_vec());

    // anchors_refdomains with an anchor filter equals the backlinks with that anchor
    let anchor = rows(&ask(&format!(
        "from=backlinks&{q}&limit=1&select=anchor&where=anchor%3C%3E%22%22"
    )))[0]["anchor"]
        .as_str()
        .unwrap()
        .to_owned();
    let quoted = anchor.replace('"', "\\\"");
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let with_anchor = rows(&ask(&format!(
        "from=backlinks&{q}&limit=1000000&select=url_from&where={}",
        enc(&format!("anchor=\"{quoted}\""))
    )));
    let grouped = rows(&ask(&format!(
        "from=anchors_refdomains&{q}&limit=100000&where={}",
        enc(&format!("anchor=\"{quoted}\""))
    )));
    let sum: i64 = grouped.iter().map(|r| int(r, "backlinks")).sum();
    assert_eq!(sum as usize, with_anchor.len());
    assert!(grouped.iter().all(|r| int(r, "anchors") == 1));
}

#[test]
fn linked_domains_by_type_agrees_with_linked_domains() {
    for t in web().truth.targets.iter().filter(|t| t.mode != "exact") {
        let q = target_query(t);
        let plain = rows(&ask(&format!("from=linked_domains&{q}&limit=100000")));
        let typed = ask(&format!("from=linked_domains_by_type&{q}&limit=100000"));
        let typed_rows = rows(&typed);
        assert_eq!(typed_rows.len(), plain.len());
        for (a, b) in plain.iter().zip(&typed_rows) {
            assert_eq!(a["domain_to"], b["domain_to"]);
            assert_eq!(a["links"], b["links"]);
            assert_eq!(
                int(b, "text") + int(b, "image") + int(b, "redirect"),
                int(b, "all"),
                "kinds of {}",
                b["domain_to"]
            );
        }
        let total: i64 = plain.iter().map(|r| int(r, "links")).sum();
        assert_eq!(typed["stats"]["total_links"].as_i64(), Some(total));
        assert_eq!(
            typed["stats"]["linked_domains"].as_u64(),
            Some(plain.len() as u64)
        );
    }
}

#[test]
fn positions_metrics_sums_imported_rankings() {
    // A separate index: rankings change the answer.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("web");
    let opts = GenOptions {
        pages: 200,
        domains: 10,
        crawls: 1,
        ..GenOptions::default()
    };
    let truth = generate(&opts, &out).unwrap();
    let index = Index::open(dir.path().join("index")).unwrap();
    import(&index, &[out.join(crawl_file_name(0))], 1, &Quiet).unwrap();
    let target = &truth.targets[0].target;
    let engine = Engine::open(&dir.path().join("index")).unwrap();
    let q = format!("from=positions_metrics&target={target}&mode=exact");
    let zero = engine.answer(&request(&q)).unwrap();
    assert!(zero.rows[0].iter().all(|v| matches!(
        v,
        hrefdex_api::value::Value::Int(0) | hrefdex_api::value::Value::Float(0.0)
    )));

    let csv = format!(
        "keyword,country,position,url,volume,cpc\n\
         one,us,1,{target},1000,2.0\n\
         two,us,7,{target},500,1.0\n\
         three,de,2,{target},100,1.0\n\
         other,us,1,http://elsewhere.example/,9999,9.0\n"
    );
    let rankings = hrefdex_index::keywords::read_csv(csv.as_bytes()).unwrap();
    index.replace_keywords(&rankings).unwrap();
    let body: Json = serde_json::from_slice(
        &engine
            .answer(&request(&q))
            .unwrap()
            .encode(OutputFormat::Json),
    )
    .unwrap();
    let m = &body["metrics"];
    assert_eq!(m["positions"], 3);
    assert_eq!(m["positions_top3"], 2);
    assert_eq!(m["positions_top10"], 3);
    let traffic = 1000.0 * 0.28 + 500.0 * 0.03 + 100.0 * 0.15;
    assert!((m["traffic"].as_f64().unwrap() - traffic).abs() < 1e-9);
    let us: Json = serde_json::from_slice(
        &engine
            .answer(&request(&format!("{q}&where=country%3D%22us%22")))
            .unwrap()
            .encode(OutputFormat::Json),
    )
    .unwrap();
    assert_eq!(us["metrics"]["positions"], 2);
    let cost = (1000.0 * 0.28 * 2.0 + 500.0 * 0.03 * 1.0) * 100.0;
    assert!((us["metrics"]["cost"].as_f64().unwrap() - cost).abs() < 1e-6);
}

#[test]
fn every_table_answers_in_every_format() {
    let t = &web().truth.targets[0];
    for table in catalogue::all()
        .iter()
        .filter(|t| t.name != "subscription_info")
    {
        for output in ["json", "xml", "php"] {
            let q = format!(
                "from={}&{}&limit=3&output={output}",
                table.name,
                target_query(t)
            );
            let request = request(&q);
            let answer = web()
                .engine
                .answer(&request)
                .unwrap_or_else(|e| panic!("{q}: {e}"));
            let body = String::from_utf8(answer.encode(request.output)).unwrap();
            match output {
                "json" => {
                    let v: Json = serde_json::from_str(&body).unwrap();
                    assert!(v.get(table.response_key).is_some(), "{q}: {body}");
                }
                "xml" => assert!(
                    body.starts_with("<?xml")
                        && body.contains(&format!("<{}>", table.response_key)),
                    "{q}: {body}"
                ),
                _ => assert!(body.starts_with("a:"), "{q}: {body}"),
            }
        }
    }
}

#[test]
fn prefix_mode_at_a_host_root_is_domain_mode() {
    for t in web().truth.targets.iter().filter(|t| t.mode == "exact") {
        let url = hrefdex_url::NormalUrl::parse(&t.target).unwrap();
        let host = url.host();
        for table in [
            "metrics_extended",
            "refdomains_by_type",
            "backlinks_one_per_domain",
        ] {
            let by_domain = ask(&format!(
                "from={table}&target={host}&mode=domain&limit=100000"
            ));
            let by_prefix = ask(&format!(
                "from={table}&target=https%3A%2F%2F{host}%2F&mode=prefix&limit=100000"
            ));
            assert_eq!(by_domain, by_prefix, "{table} of {host}");
        }
        // A narrower prefix selects a subset of the host's backlinks.
        let dir = url
            .path_and_query()
            .rsplit_once('/')
            .map_or("/", |(d, _)| d);
        let narrow = ask(&format!("from=metrics&target={host}{dir}%2F&mode=prefix"));
        let whole = ask(&format!("from=metrics&target={host}&mode=domain"));
        assert!(
            narrow["metrics"]["backlinks"].as_i64() <= whole["metrics"]["backlinks"].as_i64(),
            "{host}{dir}/"
        );
    }
}

#[test]
fn anchors_count_exactly_what_the_backlinks_hold() {
    for t in &web().truth.targets {
        let q = target_query(t);
        let links = rows(&ask(&format!(
            "from=backlinks&{q}&limit=1000000&select=anchor,url_from"
        )));
        // anchor → (backlinks, referring pages, referring domains)
        let mut expected: BTreeMap<String, (i64, BTreeSet<String>, BTreeSet<String>)> =
            BTreeMap::new();
        for l in &links {
            let url = l["url_from"].as_str().unwrap();
            let e = expected
                .entry(l["anchor"].as_str().unwrap().to_owned())
                .or_default();
            e.0 += 1;
            e.1.insert(url.to_owned());
            e.2.insert(hrefdex_url::registrable_domain(&host(url)).to_owned());
        }
        let body = ask(&format!("from=anchors&{q}&limit=1000000"));
        let got = rows(&body);
        assert_eq!(got.len(), expected.len(), "anchors of {q}");
        for r in &got {
            let (n, pages, domains) = &expected[r["anchor"].as_str().unwrap()];
            assert_eq!(int(r, "backlinks"), *n, "{q} {r:?}");
            assert_eq!(int(r, "refpages"), pages.len() as i64, "{q} {r:?}");
            assert_eq!(int(r, "refdomains"), domains.len() as i64, "{q} {r:?}");
        }
        let distinct_pages: BTreeSet<&str> = links
            .iter()
            .map(|l| l["url_from"].as_str().unwrap())
            .collect();
        assert_eq!(body["stats"]["backlinks"], Json::from(links.len()), "{q}");
        assert_eq!(
            body["stats"]["refpages"],
            Json::from(distinct_pages.len()),
            "{q}"
        );
    }
}

/// A plan is made once per request shape and reused for every target (the target is
/// read at execution): each answer must be the one a fresh engine, which has planned
/// nothing before, gives — whatever was asked before it, and however often.
#[test]
fn answers_do_not_depend_on_the_targets_asked_before() {
    let root = web()._dir.path().join("index");
    let shapes: Vec<String> = catalogue::all()
        .iter()
        .filter(|t| t.name != "subscription_info")
        .flat_map(|t| {
            [
                format!("from={}&limit=7", t.name),
                format!("from={}&limit=3&offset=2&output=xml", t.name),
            ]
        })
        .chain([
            "from=backlinks&limit=5&order_by=url_from:asc&where=nofollow=false".to_owned(),
            "from=refdomains&limit=4&having=backlinks>1&order_by=refdomain:desc".to_owned(),
            "from=anchors&limit=4&where=backlinks>1".to_owned(),
        ])
        .collect();
    let targets: Vec<String> = web()
        .truth
        .targets
        .iter()
        .take(4)
        .map(target_query)
        .collect();
    // Target-major then shape-major, so every plan is reused for several targets in
    // both orders.
    let mut order: Vec<(usize, usize)> = Vec::new();
    for t in 0..targets.len() {
        order.extend((0..shapes.len()).map(|s| (s, t)));
    }
    for s in 0..shapes.len() {
        order.extend((0..targets.len()).rev().map(|t| (s, t)));
    }
    let shared = Engine::open(&root).unwrap();
    let mut fresh_answers = BTreeMap::new();
    for (s, t) in order {
        let q = format!("{}&{}", shapes[s], targets[t]);
        let request = request(&q);
        let body = |engine: &Engine| match engine.answer(&request) {
            Ok(answer) => answer.encode(request.output),
            Err(e) => format!("error: {e}").into_bytes(),
        };
        let expected = fresh_answers
            .entry(q.clone())
            .or_insert_with(|| body(&Engine::open(&root).unwrap()));
        let got = body(&shared);
        assert!(
            got == *expected,
            "{q}:\n reused plan: {}\n fresh plan:  {}",
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(expected)
        );
    }
}

/// A memory budget is enforced while the plan runs: a grouping that needs more than it
/// fails with `MemoryBudget`, and a budget it fits in changes nothing.
#[test]
fn memory_budget_stops_a_grouping_that_outgrows_it() {
    let snapshot = web().engine.latest().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let t = web()
        .truth
        .targets
        .iter()
        .max_by_key(|t| t.live_refdomains)
        .unwrap();
    let q = format!("from=refdomains&limit=1000&{}", target_query(t));
    let request = request(&q);
    let fits = rt
        .block_on(snapshot.answer_within(&request, 256 << 20))
        .unwrap();
    let plain = rt.block_on(snapshot.answer(&request)).unwrap();
    assert!(!plain.rows.is_empty(), "{q}: no rows to group");
    assert_eq!(fits.rows, plain.rows);
    match rt.block_on(snapshot.answer_within(&request, 64)) {
        Err(hrefdex_query::QueryError::MemoryBudget(why)) => assert!(!why.is_empty()),
        other => panic!("{q}: expected the memory budget to stop it, got {other:?}"),
    }
}

/// Requests answered at once from the same snapshot (as a server does) read the same
/// files at the same time; each must get the answer it gets alone.
#[test]
fn concurrent_answers_equal_the_answers_alone() {
    let queries: Vec<String> = web()
        .truth
        .targets
        .iter()
        .flat_map(|t| {
            [
                "backlinks",
                "refdomains",
                "anchors",
                "metrics",
                "linked_domains",
            ]
            .map(|table| format!("from={table}&limit=50&{}", target_query(t)))
        })
        .collect();
    let alone: Vec<Vec<u8>> = queries
        .iter()
        .map(|q| {
            web()
                .engine
                .answer(&request(q))
                .unwrap()
                .encode(OutputFormat::Json)
        })
        .collect();
    let snapshot = web().engine.latest().unwrap();
    std::thread::scope(|scope| {
        for thread in 0..8 {
            let (snapshot, queries, alone) = (&snapshot, &queries, &alone);
            scope.spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .build()
                    .unwrap();
                for round in 0..4 {
                    for i in 0..queries.len() {
                        // Each thread walks the queries from its own starting point.
                        let i = (i * 7 + thread * 13 + round) % queries.len();
                        let answer = rt.block_on(snapshot.answer(&request(&queries[i])));
                        let body = answer.unwrap().encode(OutputFormat::Json);
                        assert!(body == alone[i], "{}: differs when concurrent", queries[i]);
                    }
                }
            });
        }
    });
}

/// Late materialisation (the first sort key, then the full sort key of the rows it leaves,
/// then every column of the answer's rows) gives the answers of the one-pass plan,
/// whatever the filters, order, ties and paging.
#[test]
fn late_materialised_backlinks_equal_the_one_pass_answers() {
    let shapes = [
        "from=backlinks&limit=5",
        "from=backlinks&limit=3&offset=4",
        "from=backlinks&limit=6&order_by=url_from:asc",
        "from=backlinks&limit=4&order_by=first_seen:desc&where=nofollow=false",
        "from=backlinks&limit=1000",
        "from=backlinks&limit=2&offset=1&having=domain_rating>10&output=xml",
        // Many ties on the first key: the candidates are narrowed by the full key first.
        "from=backlinks&limit=2&order_by=nofollow:asc,url_from:desc",
        "from=backlinks&limit=3&offset=2&order_by=domain_rating:asc",
        "from=backlinks&limit=1&order_by=link_type:desc",
    ];
    plans_for_large_targets_answer_alike(&shapes);
}

/// The shared web imported again into an index of its own, with heads for every target of
/// more than 50 links, 30 links each (the shared index has none: its targets are below
/// the default threshold).
fn headed() -> &'static Engine {
    static HEADED: OnceLock<Engine> = OnceLock::new();
    HEADED.get_or_init(|| {
        let dir = web()._dir.path();
        let root = dir.join("headed");
        let index = Index::open(&root).unwrap().with_heads(HeadOptions {
            min_rows: 50,
            rows: HEAD_ROWS,
        });
        for k in 0..3 {
            import(
                &index,
                &[dir.join("web").join(crawl_file_name(k))],
                1,
                &Quiet,
            )
            .unwrap();
        }
        drop(index);
        Engine::open(&root).unwrap()
    })
}

const HEAD_ROWS: usize = 30;

/// `backlinks` answered from heads is the answer of the general path, byte for byte:
/// for pages inside the head, pages that run past its end (answered by the general
/// path), explicit default orders, every format; requests that cannot use a head (a
/// `where`, another order) are unchanged too.
#[test]
fn heads_answer_backlinks_like_the_general_path() {
    let engine = headed();
    let version = engine.index().resolve(None).unwrap().unwrap();
    let stored = engine.index().read_table(&version, "links_head").unwrap();
    // Rows per head key.
    let mut heads: BTreeMap<String, u64> = BTreeMap::new();
    for b in &stored {
        let keys = b.column_by_name("head").unwrap();
        let keys = keys
            .as_any()
            .downcast_ref::<datafusion::arrow::array::StringArray>()
            .unwrap();
        for key in keys.iter().flatten() {
            *heads.entry(key.to_owned()).or_default() += 1;
        }
    }
    // Each shape, and the (offset, limit) it asks when a head can answer it.
    let shapes = [
        ("limit=5", Some((0, 5))),
        ("limit=3&offset=4", Some((4, 3))),
        ("limit=30", Some((0, 30))),
        ("limit=10&offset=20", Some((20, 10))),
        ("limit=10&offset=25", Some((25, 10))),
        ("limit=1000", Some((0, 1000))),
        ("limit=7&order_by=ahrefs_rank:desc&output=xml", Some((0, 7))),
        (
            "limit=6&order_by=ahrefs_rank:desc,url_from:asc,url_to:asc&output=php",
            Some((0, 6)),
        ),
        ("limit=0", Some((0, 0))),
        ("limit=5&select=url_from,anchor,ahrefs_rank", Some((0, 5))),
        ("limit=5&where=nofollow=false", None),
        ("limit=5&order_by=first_seen:desc", None),
    ];
    let (mut headed_targets, mut expected) = (0, 0);
    let from_heads = engine.latest().unwrap().answers_from_heads();
    for t in &web().truth.targets {
        let q = target_query(t);
        let head_rows = heads
            .get(&head_key(
                &request(&format!("from=backlinks&{q}")).key_ranges(),
            ))
            .copied();
        headed_targets += usize::from(head_rows.is_some());
        for (shape, page) in shapes {
            // A head answers a page that lies inside it.
            if let (Some(rows), Some((offset, limit))) = (head_rows, page)
                && offset + limit <= rows
            {
                expected += 1;
            }
            let q = format!("from=backlinks&{q}&{shape}");
            let request = request(&q);
            let body = |engine: &Engine| engine.answer(&request).unwrap().encode(request.output);
            let (got, plain) = (body(engine), body(&web().engine));
            assert!(
                got == plain,
                "{q}:\n with heads: {}\n without: {}",
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&plain)
            );
        }
    }
    assert!(
        headed_targets >= 3,
        "only {headed_targets} targets have a head"
    );
    let answered = engine.latest().unwrap().answers_from_heads() - from_heads;
    assert_eq!(answered, expected, "answers read from heads");
    assert!(expected >= 5 * headed_targets as u64);
}

/// `as_of` answers from an earlier index version: version 0 of the shared index (three
/// crawls, one version each) answers exactly as an index of the first crawl alone, table
/// by table and target by target; a date before the first commit is an error, and one
/// after the last answers as the latest.
#[test]
fn as_of_answers_from_an_earlier_version() {
    let dir = web()._dir.path();
    let root = dir.join("first-crawl");
    let index = Index::open(&root).unwrap();
    import(
        &index,
        &[dir.join("web").join(crawl_file_name(0))],
        1,
        &Quiet,
    )
    .unwrap();
    drop(index);
    let first = Engine::open(&root).unwrap();
    let body = |engine: &Engine, q: &str| {
        let request = request(q);
        match engine.answer(&request) {
            Ok(answer) => answer.encode(request.output),
            Err(e) => format!("error: {e}").into_bytes(),
        }
    };
    let mut differ_from_latest = 0;
    for t in &web().truth.targets {
        let q = target_query(t);
        for table in [
            "backlinks",
            "refdomains",
            "anchors",
            "metrics_extended",
            "backlinks_new_lost",
        ] {
            let q = format!("from={table}&{q}&limit=50");
            let old = body(&web().engine, &format!("{q}&as_of=0"));
            let alone = body(&first, &q);
            assert!(
                old == alone,
                "{q}&as_of=0:\n {}\n first crawl alone: {}",
                String::from_utf8_lossy(&old),
                String::from_utf8_lossy(&alone)
            );
            differ_from_latest += usize::from(old != body(&web().engine, &q));
            assert_eq!(
                body(&web().engine, &format!("{q}&as_of=2100-01-01")),
                body(&web().engine, &q),
                "{q}: a date after the last commit is the latest"
            );
        }
    }
    // The later crawls changed something, so version 0 was really read.
    assert!(differ_from_latest > 0);
    let early = request("from=backlinks&target=example.com&mode=domain&as_of=2000-01-01");
    assert!(web().engine.snapshot(early.as_of).is_err());
}
