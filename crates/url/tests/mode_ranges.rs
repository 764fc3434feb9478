//! Property tests: a URL's key is in a mode's key ranges exactly when the URL matches
//! the mode by a plain reference definition on hosts, ports and paths.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use hrefdex_url::surt::{is_ip, strip_www};
use hrefdex_url::{Mode, NormalUrl, Target};
use proptest::prelude::*;

/// The modes defined directly on URL parts, with no keys involved.
fn reference(target: &Target, mode: Mode, url: &NormalUrl) -> bool {
    let th = strip_www(target.url().host());
    let uh = strip_www(url.host());
    let (tp, up) = (target.url().port(), url.port());
    let same_host = th == uh;
    let subdomain = !is_ip(th)
        && uh.len() > th.len() + 1
        && uh.ends_with(th)
        && uh.as_bytes()[uh.len() - th.len() - 1] == b'.';
    let (tq, uq) = (target.url().path_and_query(), url.path_and_query());
    match mode {
        Mode::Exact => same_host && tp == up && tq == uq,
        Mode::Prefix => same_host && tp == up && uq.starts_with(tq),
        Mode::Domain => same_host && (tp.is_none() || tp == up),
        Mode::Subdomains => (same_host && (tp.is_none() || tp == up)) || subdomain,
    }
}

fn host() -> impl Strategy<Value = String> {
    let label = prop::sample::select(vec![
        "www",
        "a",
        "b",
        "example",
        "exa",
        "example-x",
        "com",
        "org",
        "co",
        "uk",
        "xn--bcher-kva",
    ]);
    prop_oneof![
        9 => prop::collection::vec(label, 1..5).prop_map(|v| v.join(".")),
        1 => Just("10.0.0.1".to_owned()),
    ]
}

fn path() -> impl Strategy<Value = String> {
    let seg = prop::sample::select(vec![
        "", "a", "b", "ab", "a b", "%7e", "%7E", "ü", "x?y=1", "x?y=%3d", "..", "A",
    ]);
    prop::collection::vec(seg, 0..4).prop_map(|v| format!("/{}", v.join("/")))
}

fn url_text() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["http", "https", "HTTP"]),
        host(),
        prop::option::of(prop::sample::select(vec![80u16, 443, 8080, 81])),
        path(),
    )
        .prop_map(|(s, h, p, path)| match p {
            Some(p) => format!("{s}://{h}:{p}{path}"),
            None => format!("{s}://{h}{path}"),
        })
}

fn target_text() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["", "http://", "https://", "//"]),
        host(),
        prop::option::of(prop::sample::select(vec![8080u16, 81])),
        prop::option::of(path()),
    )
        .prop_map(|(s, h, p, path)| {
            let port = p.map(|p| format!(":{p}")).unwrap_or_default();
            format!("{s}{h}{port}{}", path.unwrap_or_default())
        })
}

fn mode() -> impl Strategy<Value = Mode> {
    prop::sample::select(Mode::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn key_ranges_match_the_reference(t in target_text(), u in url_text(), m in mode()) {
        let (Ok(target), Ok(url)) = (Target::parse(&t), NormalUrl::parse(&u)) else { return Ok(()) };
        let by_key = target.matches(m, &url);
        prop_assert_eq!(by_key, reference(&target, m, &url), "target {:?} url {:?} mode {:?} key {}", t, url, m, url.surt_key());
    }

    #[test]
    fn ranges_agree_with_their_bounds(t in target_text(), u in url_text(), m in mode()) {
        let (Ok(target), Ok(url)) = (Target::parse(&t), NormalUrl::parse(&u)) else { return Ok(()) };
        let key = url.surt_key();
        for r in target.key_ranges(m) {
            let upper = r.upper_exclusive();
            let by_bounds = r.lower() <= key.as_str() && key.as_str() < upper.as_str();
            prop_assert_eq!(r.contains(&key), by_bounds, "range {:?} key {}", r, key);
        }
    }

    #[test]
    fn normal_form_is_idempotent(u in url_text()) {
        if let Ok(once) = NormalUrl::parse(&u) {
            let twice = NormalUrl::parse(once.as_str()).expect("normal form reparses");
            prop_assert_eq!(once, twice);
        }
    }

    #[test]
    fn a_target_matches_its_own_url_in_every_mode(t in target_text(), m in mode()) {
        if let Ok(target) = Target::parse(&t) {
            prop_assert!(target.matches(m, target.url()));
        }
    }
}
