use hrefdex_url::NormalUrl;

use super::*;
use crate::visit::LinkSeen;

const DAY: i64 = 86_400;
const T1: i64 = 1_700_000_000;
const T2: i64 = T1 + 7 * DAY;
const T3: i64 = T2 + 7 * DAY;

fn u(s: &str) -> NormalUrl {
    NormalUrl::parse(s).unwrap()
}

fn page(url: &str, t: i64, links: &[(&str, &str)]) -> PageVisit {
    let mut v = PageVisit::new(u(url), t, 200);
    v.links = links
        .iter()
        .map(|(to, a)| LinkSeen::href(u(to), a))
        .collect();
    v
}

fn link<'a>(s: &'a IndexState, from: &str, to: &str, anchor: &str) -> &'a LinkState {
    let key = LinkKey {
        from: s.urls.lookup(from).unwrap(),
        to: s.urls.lookup(to).unwrap(),
        link_type: LinkType::Href,
        anchor: s.anchors.lookup(anchor).unwrap(),
    };
    &s.links[s.link_id(&key).unwrap() as usize]
}

const A: &str = "http://a.com/";
const X: &str = "http://x.com/";
const Y: &str = "http://y.com/";

#[test]
fn first_visit_links_are_original_and_new() {
    let mut s = IndexState::default();
    let sum = s.merge(vec![page(A, T1, &[(X, "x"), (Y, "y")])]).unwrap();
    assert_eq!((sum.new_pages, sum.new_links), (1, 2));
    let l = link(&s, A, X, "x");
    assert!(l.original && l.is_live());
    assert_eq!(
        (l.first_seen, l.last_visited, l.prev_visited.get()),
        (T1, T1, None)
    );
    assert_eq!(l.first_origin, Origin::Fresh);
    assert_eq!(s.events.len(), 2);
    assert!(
        s.events
            .iter()
            .all(|e| e.kind == EventKind::New && e.time == T1)
    );
}

#[test]
fn revisit_keeps_removes_and_adds() {
    let mut s = IndexState::default();
    s.merge(vec![page(A, T1, &[(X, "x"), (Y, "y")])]).unwrap();
    let sum = s
        .merge(vec![page(A, T2, &[(X, "x"), ("http://z.com/", "z")])])
        .unwrap();
    assert_eq!((sum.kept_links, sum.new_links, sum.lost_links), (1, 1, 1));
    let kept = link(&s, A, X, "x");
    assert_eq!(
        (kept.first_seen, kept.last_visited, kept.prev_visited.get()),
        (T1, T2, Some(T1))
    );
    assert_eq!(kept.last_origin, Origin::Recrawl);
    let lost = link(&s, A, Y, "y");
    assert_eq!(
        (lost.lost_at.get(), lost.lost_reason),
        (Some(T2), Some(LostReason::Removed))
    );
    let added = link(&s, A, "http://z.com/", "z");
    assert!(!added.original && added.first_origin == Origin::Recrawl);
    let page = &s.pages[&s.urls.lookup(A).unwrap()];
    assert_eq!(
        (page.first_seen, page.last_visited, page.prev_visited),
        (T1, T2, Some(T1))
    );
}

#[test]
fn lost_reasons_follow_the_page_status() {
    for (code, reason) in [
        (404, LostReason::Broken),
        (503, LostReason::Broken),
        (301, LostReason::Redirect),
        (200, LostReason::Removed),
    ] {
        let mut s = IndexState::default();
        s.merge(vec![page(A, T1, &[(X, "x")])]).unwrap();
        let mut v = PageVisit::new(u(A), T2, code);
        if code == 301 {
            v.redirect_to = Some(u("http://a.com/new"));
        }
        s.merge(vec![v]).unwrap();
        assert_eq!(link(&s, A, X, "x").lost_reason, Some(reason), "{code}");
        let page = &s.pages[&s.urls.lookup(A).unwrap()];
        assert_eq!(page.broken_at, (code >= 400).then_some(T2));
    }
}

#[test]
fn redirects_become_redirect_links() {
    let mut s = IndexState::default();
    let mut v = PageVisit::new(u(A), T1, 302);
    v.redirect_to = Some(u(X));
    s.merge(vec![v]).unwrap();
    let l = &s.links[0];
    assert_eq!(
        (l.key.link_type, l.flags.redirect),
        (LinkType::Redirect, 302)
    );
    assert_eq!(s.urls.info(l.key.to).url.as_ref(), X);
}

#[test]
fn a_lost_link_that_returns_is_new_again() {
    let mut s = IndexState::default();
    s.merge(vec![page(A, T1, &[(X, "x")])]).unwrap();
    s.merge(vec![page(A, T2, &[])]).unwrap();
    s.merge(vec![page(A, T3, &[(X, "x")])]).unwrap();
    let l = link(&s, A, X, "x");
    assert!(l.is_live() && !l.original);
    assert_eq!(
        (l.first_seen, l.prev_visited.get(), l.lost_reason),
        (T3, None, None)
    );
    let kinds: Vec<_> = s.events.iter().map(|e| (e.kind, e.time)).collect();
    assert_eq!(
        kinds,
        [
            (EventKind::New, T1),
            (EventKind::Lost, T2),
            (EventKind::New, T3)
        ]
    );
    assert_eq!(s.links.len(), 1);
}

#[test]
fn duplicate_visits_keep_the_latest() {
    let mut s = IndexState::default();
    let sum = s
        .merge(vec![page(A, T2, &[(Y, "y")]), page(A, T1, &[(X, "x")])])
        .unwrap();
    assert_eq!(sum.duplicates, 1);
    assert_eq!(s.links.len(), 1);
    assert_eq!(s.pages[&s.urls.lookup(A).unwrap()].last_visited, T2);
}

#[test]
fn out_of_order_batches_are_refused_whole() {
    let mut s = IndexState::default();
    s.merge(vec![page(A, T2, &[(X, "x")])]).unwrap();
    let before = s.links.clone();
    let err = s
        .merge(vec![page("http://b.com/", T3, &[]), page(A, T1, &[])])
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("out-of-order batch: http://a.com/"),
        "{err}"
    );
    assert_eq!(s.links, before);
    assert!(
        s.urls.lookup("http://b.com/").is_none(),
        "nothing changes on refusal"
    );
}

#[test]
fn importing_the_same_crawl_twice_changes_nothing() {
    let mut s = IndexState::default();
    let batch = vec![page(A, T1, &[(X, "x")])];
    s.merge(batch.clone()).unwrap();
    let (links, events) = (s.links.clone(), s.events.len());
    let sum = s.merge(batch).unwrap();
    assert_eq!(sum.already_imported, 1);
    assert_eq!((s.links.clone(), s.events.len()), (links, events));
}

#[test]
fn the_same_link_twice_on_a_page_counts_once_and_flags_refresh() {
    let mut s = IndexState::default();
    s.merge(vec![page(A, T1, &[(X, "x"), (X, "x")])]).unwrap();
    assert_eq!(s.links.len(), 1);
    let mut v = page(A, T2, &[(X, "x")]);
    v.links[0].flags.nofollow = true;
    s.merge(vec![v]).unwrap();
    assert!(link(&s, A, X, "x").flags.nofollow);
}

#[test]
fn an_unchanged_revisit_keeps_every_link() {
    let mut s = IndexState::default();
    s.merge(vec![page(A, T1, &[(X, "x"), (Y, "y")])]).unwrap();
    let mut v = PageVisit::new(u(A), T2, 200);
    v.unchanged = true;
    let sum = s.merge(vec![v]).unwrap();
    assert_eq!((sum.kept_links, sum.lost_links), (2, 0));
    let l = link(&s, A, Y, "y");
    assert!(l.is_live());
    assert_eq!((l.last_visited, l.prev_visited.get()), (T2, Some(T1)));
}

#[test]
fn a_revisit_in_the_same_batch_does_not_hide_the_capture_it_repeats() {
    let mut s = IndexState::default();
    let mut revisit = PageVisit::new(u(A), T2, 200);
    revisit.unchanged = true;
    let sum = s.merge(vec![revisit, page(A, T1, &[(X, "x")])]).unwrap();
    assert_eq!(sum.duplicates, 0);
    let l = link(&s, A, X, "x");
    assert_eq!(
        (l.first_seen, l.last_visited, l.prev_visited.get()),
        (T1, T2, Some(T1))
    );
    assert!(l.original);
    let page = &s.pages[&s.urls.lookup(A).unwrap()];
    assert_eq!((page.first_seen, page.last_visited), (T1, T2));
}

#[test]
fn an_earlier_capture_before_a_changed_one_is_a_duplicate() {
    let mut s = IndexState::default();
    let mut revisit = PageVisit::new(u(A), T3, 200);
    revisit.unchanged = true;
    let sum = s
        .merge(vec![
            page(A, T1, &[(X, "x")]),
            page(A, T2, &[(Y, "y")]),
            revisit,
        ])
        .unwrap();
    assert_eq!(sum.duplicates, 1);
    assert_eq!(s.links.len(), 1);
    assert_eq!(link(&s, A, Y, "y").last_visited, T3);
}

#[test]
fn reimporting_a_crawl_with_revisits_changes_nothing() {
    let mut s = IndexState::default();
    let mut revisit = PageVisit::new(u(A), T2, 200);
    revisit.unchanged = true;
    let batch = vec![page(A, T1, &[(X, "x")]), revisit];
    s.merge(batch.clone()).unwrap();
    let (links, events) = (s.links.clone(), s.events.clone());
    let sum = s.merge(batch).unwrap();
    assert_eq!(sum.already_imported, 2);
    assert_eq!((s.links.clone(), s.events.clone()), (links, events));
}

#[test]
fn visits_a_later_batch_shares_with_the_index_are_skipped() {
    let mut s = IndexState::default();
    s.merge(vec![page(A, T1, &[(X, "x")])]).unwrap();
    let mut revisit = PageVisit::new(u(A), T3, 200);
    revisit.unchanged = true;
    // The batch repeats the T1 capture and adds a revisit at T3.
    let sum = s.merge(vec![page(A, T1, &[(X, "x")]), revisit]).unwrap();
    assert_eq!((sum.already_imported, sum.kept_links), (1, 1));
    assert_eq!(link(&s, A, X, "x").last_visited, T3);
}

#[test]
fn prefaulting_leaves_a_table_as_it_was() {
    let mut v: Vec<u64> = vec![1, 2, 3];
    v.reserve(100_000);
    let room = v.capacity();
    super::prefault(&mut v, 100_000, || 7);
    assert_eq!(v, [1, 2, 3]);
    assert_eq!(v.capacity(), room);
    v.push(4);
    assert_eq!(v, [1, 2, 3, 4]);
}

/// A load rebuilds the map of links by page in one pass (`index_links_by_page`); it must
/// be the map the merge keeps in step link by link, order of ids included.
#[test]
fn links_by_page_rebuilt_at_once_are_those_kept_in_step() {
    let mut s = IndexState::default();
    s.merge(vec![
        page(A, T1, &[(X, "x"), (Y, "y")]),
        page(X, T1, &[(A, "a"), (Y, "y")]),
    ])
    .unwrap();
    s.merge(vec![
        page(A, T2, &[(X, "x"), (Y, "why"), (X, "again")]),
        page(Y, T2, &[(A, "a")]),
    ])
    .unwrap();
    let kept = s.page_links.clone();
    assert_eq!(kept.values().map(Vec::len).sum::<usize>(), s.links.len());
    s.page_links.clear();
    s.index_links_by_page();
    assert_eq!(s.page_links, kept);
    assert_eq!(s.links_of(s.urls.lookup(A).unwrap()).len(), 4);
}
