//! Generated crawls (hrefdex-gen) → import one by one, each twice → the index equals the
//! generator's ground truth (`truth.json`, computed by the generator's own model).
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::collections::{BTreeMap, BTreeSet};

use hrefdex_gen::{GenOptions, Truth, generate};
use hrefdex_index::import::Quiet;
use hrefdex_index::state::EventKind;
use hrefdex_index::{Index, IndexState, IndexVersion, LinkState, import};
use hrefdex_url::{Mode, NormalUrl, Target};

fn time(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn date(t: i64) -> String {
    time(t)[..10].to_owned()
}

/// Links into a target, as the API's target modes select them.
fn links_into<'a>(state: &'a IndexState, target: &str, mode: &str) -> Vec<&'a LinkState> {
    let mode = Mode::parse(mode).unwrap();
    let t = Target::parse(target).unwrap();
    let ranges = t.key_ranges(mode);
    state
        .links
        .iter()
        .filter(|l| {
            let key = &state.urls.info(l.key.to).key;
            ranges.iter().any(|r| r.contains(key))
        })
        .collect()
}

fn domain_of(state: &IndexState, url: u32) -> &str {
    state.domains.get(state.urls.info(url).domain)
}

fn check_targets(state: &IndexState, truth: &Truth) {
    let link_index: BTreeMap<*const LinkState, u32> = state
        .links
        .iter()
        .enumerate()
        .map(|(i, l)| (l as *const LinkState, i as u32))
        .collect();
    for t in &truth.targets {
        let links = links_into(state, &t.target, &t.mode);
        let what = format!("{} ({})", t.target, t.mode);
        let live: Vec<&&LinkState> = links.iter().filter(|l| l.is_live()).collect();
        assert_eq!(
            live.len() as u64,
            t.live_backlinks,
            "live backlinks of {what}"
        );
        assert_eq!(
            links.len() as u64,
            t.total_backlinks,
            "total backlinks of {what}"
        );
        assert_eq!(
            live.iter().filter(|l| l.is_followed()).count() as u64,
            t.live_followed,
            "followed of {what}"
        );
        let live_domains: BTreeSet<&str> =
            live.iter().map(|l| domain_of(state, l.key.from)).collect();
        let all_domains: BTreeSet<&str> =
            links.iter().map(|l| domain_of(state, l.key.from)).collect();
        assert_eq!(
            live_domains.len() as u64,
            t.live_refdomains,
            "live refdomains of {what}"
        );
        assert_eq!(
            all_domains.len() as u64,
            t.total_refdomains,
            "refdomains of {what}"
        );
        let lost = |r: &str| {
            links
                .iter()
                .filter(|l| l.lost_reason.map(|x| x.as_str()) == Some(r))
                .count() as u64
        };
        assert_eq!(
            (lost("removed"), lost("broken"), lost("redirect")),
            (t.lost_removed, t.lost_broken, t.lost_redirect),
            "lost by reason of {what}"
        );
        let ids: BTreeSet<u32> = links
            .iter()
            .map(|l| link_index[&(*l as *const LinkState)])
            .collect();
        let mut per_day: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for e in state.events.iter().filter(|e| ids.contains(&e.link)) {
            let slot = per_day.entry(date(e.time)).or_default();
            match e.kind {
                EventKind::New => slot.0 += 1,
                EventKind::Lost => slot.1 += 1,
            }
        }
        for d in &t.events {
            assert_eq!(
                per_day.remove(&d.date).unwrap_or_default(),
                (d.new, d.lost),
                "events of {what} on {}",
                d.date
            );
        }
        assert!(
            per_day.is_empty(),
            "events of {what} on days without a crawl: {per_day:?}"
        );
    }
}

fn check_events(state: &IndexState, truth: &Truth) {
    let mut per_day: BTreeMap<String, [u64; 5]> = BTreeMap::new();
    for e in &state.events {
        let c = per_day.entry(date(e.time)).or_default();
        match (e.kind, e.reason.map(|r| r.as_str())) {
            (EventKind::New, _) => c[0] += 1,
            (EventKind::Lost, r) => {
                c[1] += 1;
                match r {
                    Some("removed") => c[2] += 1,
                    Some("broken") => c[3] += 1,
                    Some("redirect") => c[4] += 1,
                    _ => panic!("lost event without a reason"),
                }
            }
        }
    }
    for c in &truth.crawls {
        assert_eq!(
            per_day.remove(&c.date).unwrap_or_default(),
            [
                c.new_links,
                c.lost_links,
                c.lost_removed,
                c.lost_broken,
                c.lost_redirect
            ],
            "new, lost, removed, broken, redirect events on {}",
            c.date
        );
    }
    assert!(per_day.is_empty(), "{per_day:?}");
}

fn check_links(state: &IndexState, truth: &Truth) {
    assert_eq!(
        state.links.len() as u64,
        truth.totals.links_total,
        "link identities"
    );
    assert_eq!(
        state.live_links().count() as u64,
        truth.totals.links_live,
        "live links"
    );
    for s in &truth.links {
        let from = state
            .urls
            .lookup(&s.from)
            .unwrap_or_else(|| panic!("no page {}", s.from));
        let to = state
            .urls
            .lookup(&s.to)
            .unwrap_or_else(|| panic!("no url {}", s.to));
        let l = state
            .links_of(from)
            .iter()
            .map(|&i| &state.links[i as usize])
            .find(|l| {
                l.key.to == to
                    && l.key.link_type.as_str() == s.link_type
                    && state.anchors.get(l.key.anchor) == s.anchor
            })
            .unwrap_or_else(|| panic!("no link {s:?}"));
        let got = (
            time(l.first_seen),
            time(l.last_visited),
            l.prev_visited.get().map(time),
            l.lost_at.get().map(time),
            l.lost_reason.map(|r| r.as_str().to_owned()),
            l.original,
            l.flags.nofollow,
        );
        let want = (
            s.first_seen.clone(),
            s.last_visited.clone(),
            s.prev_visited.clone(),
            s.lost_at.clone(),
            s.lost_reason.clone(),
            s.original,
            s.nofollow,
        );
        assert_eq!(
            got, want,
            "history of {} -> {} {:?}",
            s.from, s.to, s.anchor
        );
    }
}

fn check_sitewide(state: &IndexState, truth: &Truth) {
    let flagged: Vec<&LinkState> = state.links.iter().filter(|l| l.sitewide).collect();
    assert_eq!(
        flagged.len() as u64,
        truth.sitewide.live_links,
        "sitewide links"
    );
    let pairs: BTreeSet<(String, String)> = flagged
        .iter()
        .map(|l| {
            (
                state.urls.info(l.key.from).host.to_string(),
                state.urls.info(l.key.to).url.to_string(),
            )
        })
        .collect();
    assert_eq!(
        pairs.len() as u64,
        truth.sitewide.pairs_total,
        "sitewide (host, target) pairs"
    );
    for p in &truth.sitewide.pairs {
        assert!(
            pairs.contains(&(p.host.clone(), p.target.clone())),
            "sitewide {p:?}"
        );
    }
}

/// Raw DR and `ahrefs_top` per domain, as the committed `domains` table stores them.
fn stored_ranks(index: &Index, version: &IndexVersion) -> BTreeMap<String, (f64, i64)> {
    use deltalake::arrow::array::{Array, Float64Array, Int64Array, StringArray};
    let mut out = BTreeMap::new();
    for batch in index.read_table(version, "domains").unwrap() {
        let col = |name: &str| {
            batch
                .column_by_name(name)
                .unwrap_or_else(|| panic!("domains.{name}"))
        };
        let names = col("domain")
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap()
            .clone();
        let raw = col("dr_raw")
            .as_any()
            .downcast_ref::<Float64Array>()
            .unwrap()
            .clone();
        let top = col("ahrefs_top")
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap()
            .clone();
        for i in 0..names.len() {
            out.insert(names.value(i).to_owned(), (raw.value(i), top.value(i)));
        }
    }
    out
}

/// `links_in` is sorted by target key and, within one target URL, by the referring
/// page's UR (`ahrefs_rank`) highest first: the default order of `backlinks`.
fn check_links_in_order(index: &Index, version: &IndexVersion) {
    use deltalake::arrow::array::{Array, Int32Array, StringArray};
    let mut rows: Vec<(String, String, i32)> = Vec::new();
    for batch in index.read_table(version, "links_in").unwrap() {
        let text = |name: &str| {
            batch
                .column_by_name(name)
                .and_then(|c| c.as_any().downcast_ref::<StringArray>())
                .unwrap_or_else(|| panic!("links_in.{name}"))
                .clone()
        };
        let (key, to) = (text("to_key"), text("url_to"));
        let rank = batch
            .column_by_name("ahrefs_rank")
            .and_then(|c| c.as_any().downcast_ref::<Int32Array>())
            .expect("links_in.ahrefs_rank")
            .clone();
        for i in 0..batch.num_rows() {
            rows.push((
                key.value(i).to_owned(),
                to.value(i).to_owned(),
                rank.value(i),
            ));
        }
    }
    assert!(rows.len() > 1000, "{} links", rows.len());
    let mut steps = 0;
    for pair in rows.windows(2) {
        let ((key_a, to_a, rank_a), (key_b, to_b, rank_b)) = (&pair[0], &pair[1]);
        assert!(
            key_a <= key_b,
            "target keys out of order: {key_a} > {key_b}"
        );
        if to_a == to_b {
            assert!(rank_a >= rank_b, "{to_a}: UR {rank_a} before {rank_b}");
            steps += usize::from(rank_a != rank_b);
        }
    }
    assert!(
        steps > 0,
        "no target URL has referring pages of differing UR"
    );
}

fn check_domain_rank(ranks: &BTreeMap<String, (f64, i64)>, truth: &Truth) {
    let get = |d: &str| *ranks.get(d).unwrap_or_else(|| panic!("no domain {d}"));
    assert_eq!(ranks.len(), truth.domain_rank.len(), "domains");
    let mut compared = 0;
    for w in truth.domain_rank.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        if a.score - b.score < 1e-8 {
            continue; // a tie within the iterations' tolerance: either order is right
        }
        let ((ra, ta), (rb, tb)) = (get(&a.domain), get(&b.domain));
        assert!(
            ra > rb && ta < tb,
            "{} ({}) should outrank {} ({}): index has {ra} #{ta} and {rb} #{tb}",
            a.domain,
            a.score,
            b.domain,
            b.score
        );
        compared += 1;
    }
    assert!(
        compared > truth.domain_rank.len() / 2,
        "too many ties: {compared}"
    );
    for d in &truth.domain_rank {
        let (raw, _) = get(&d.domain);
        assert!(
            (raw - d.score).abs() < 1e-8,
            "{}: index {raw}, truth {}",
            d.domain,
            d.score
        );
    }
    assert_eq!(get(&truth.domain_rank[0].domain).1, 1);
}

#[test]
fn generated_web_imports_to_its_ground_truth() {
    let web = tempfile::tempdir().unwrap();
    let opts = GenOptions {
        pages: 2_000,
        domains: 60,
        crawls: 3,
        seed: 42,
        ..GenOptions::default()
    };
    let truth = generate(&opts, web.path()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open(dir.path()).unwrap();
    let mut last = None;
    for c in &truth.crawls {
        let file = web.path().join(&c.file);
        let report = import(&index, std::slice::from_ref(&file), 1, &Quiet).unwrap();
        assert_eq!(report.extract.total_skipped(), 0, "{}", c.file);
        assert_eq!(report.merge.visits, c.pages_fetched);
        // The same crawl again changes nothing.
        let again = import(&index, &[file], 1, &Quiet).unwrap();
        assert_eq!(
            again.merge.already_imported, again.merge.visits,
            "{}",
            c.file
        );
        assert_eq!(
            (
                again.merge.new_links,
                again.merge.lost_links,
                again.merge.new_pages
            ),
            (0, 0, 0)
        );
        last = Some(again.version);
    }
    let state = index.load_state(last.as_ref()).unwrap();
    assert_eq!(state.pages.len() as u64, truth.totals.pages);
    for s in &truth.links {
        assert!(
            NormalUrl::parse(&s.from).unwrap().as_str() == s.from,
            "generator URLs are in normal form"
        );
    }
    check_events(&state, &truth);
    check_links(&state, &truth);
    check_targets(&state, &truth);
    check_sitewide(&state, &truth);
    check_domain_rank(&stored_ranks(&index, last.as_ref().unwrap()), &truth);
    check_links_in_order(&index, last.as_ref().unwrap());
}
