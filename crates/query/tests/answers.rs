//! Requests answered from a small hand-built index whose answers are known exactly.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::path::PathBuf;

use hrefdex_api::encode::Answer;
use hrefdex_api::params::Params;
use hrefdex_api::value::Value;
use hrefdex_api::{OutputFormat, ParseOptions, Request};
use hrefdex_index::{Index, IndexState, LinkSeen, LinkTexts, PageVisit};
use hrefdex_query::Engine;
use hrefdex_url::NormalUrl;

const T1: i64 = 1_700_000_000;
const T2: i64 = T1 + 7 * 86_400;

fn visit(url: &str, t: i64, links: &[(&str, &str, bool)]) -> PageVisit {
    let mut v = PageVisit::new(NormalUrl::parse(url).unwrap(), t, 200);
    v.title = format!("Title of {url}");
    v.ip = if url.contains("a.com") {
        "10.1.2.3".into()
    } else if url.contains("b.org") {
        "10.1.2.4".into()
    } else {
        String::new()
    };
    v.links = links
        .iter()
        .map(|(to, anchor, nofollow)| {
            let mut l = LinkSeen::href(NormalUrl::parse(to).unwrap(), anchor);
            l.flags.nofollow = *nofollow;
            l.texts = LinkTexts::new(&format!("before {anchor}"), &format!("after {anchor}"), "");
            l
        })
        .collect();
    v
}

/// t.com is the target; a.com, b.org, c.net link to it; d.com did and stopped.
fn build() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open(dir.path()).unwrap();
    let mut s = IndexState::default();
    s.merge(vec![
        visit("http://a.com/1", T1, &[("http://t.com/", "Home", false)]),
        visit("http://a.com/2", T1, &[("http://t.com/", "Home", true)]),
        visit("http://b.org/x", T1, &[("http://t.com/a", "Read A", false)]),
        visit("https://c.net/", T1, &[("https://www.t.com/", "T", false)]),
        visit("http://d.com/", T1, &[("http://t.com/", "Gone", false)]),
        visit(
            "http://t.com/a",
            T1,
            &[
                ("http://t.com/", "home", false),
                ("http://x.com/", "X", false),
            ],
        ),
        PageVisit::new(NormalUrl::parse("http://x.com/").unwrap(), T1, 404),
    ])
    .unwrap();
    s.merge(vec![visit("http://d.com/", T2, &[])]).unwrap();
    s.compute_ratings().unwrap();
    index.commit(&s, &serde_json::json!({})).unwrap();
    let engine = Engine::open(dir.path()).unwrap();
    (dir, engine)
}

fn ask(engine: &Engine, q: &str) -> Answer {
    let request = Request::parse(
        &Params::from_query(q.as_bytes()),
        ParseOptions {
            require_token: false,
        },
    )
    .unwrap();
    engine.answer(&request).unwrap()
}

fn column(a: &Answer, name: &str) -> Vec<Value> {
    let i = a.columns.iter().position(|c| c.name == name).unwrap();
    a.rows.iter().map(|r| r[i].clone()).collect()
}

fn strs(a: &Answer, name: &str) -> Vec<String> {
    column(a, name)
        .into_iter()
        .map(|v| v.as_text().unwrap_or_default())
        .collect()
}

#[test]
fn backlinks_follow_the_modes_and_skip_internal_and_lost_links() {
    let (_dir, e) = build();
    let mut domain = strs(
        &ask(&e, "from=backlinks&target=t.com&mode=domain"),
        "url_from",
    );
    domain.sort();
    assert_eq!(
        domain,
        [
            "http://a.com/1",
            "http://a.com/2",
            "http://b.org/x",
            "https://c.net/"
        ]
    );
    assert_eq!(
        ask(&e, "from=backlinks&target=www.t.com/&mode=exact")
            .rows
            .len(),
        3
    );
    assert_eq!(
        strs(
            &ask(&e, "from=backlinks&target=t.com/a&mode=prefix"),
            "anchor"
        ),
        ["Read A"]
    );
    assert_eq!(
        ask(&e, "from=backlinks&target=nobody.com&mode=subdomains")
            .rows
            .len(),
        0
    );
}

#[test]
fn backlinks_filter_sort_and_page() {
    let (_dir, e) = build();
    let a = ask(
        &e,
        "from=backlinks&target=t.com&mode=domain&where=nofollow=false&select=url_from,anchor,nofollow&order_by=url_from:desc",
    );
    assert_eq!(
        strs(&a, "url_from"),
        ["https://c.net/", "http://b.org/x", "http://a.com/1"]
    );
    assert_eq!(a.columns.len(), 3);
    let a = ask(
        &e,
        "from=backlinks&target=t.com&mode=domain&order_by=url_from&limit=2&offset=1&select=url_from",
    );
    assert_eq!(strs(&a, "url_from"), ["http://a.com/2", "http://b.org/x"]);
    let a = ask(
        &e,
        r#"from=backlinks&target=t.com&mode=domain&where=substring(title,"OF HTTP://A"),word(anchor,"home")&select=url_from"#,
    );
    assert_eq!(a.rows.len(), 2);
    let a = ask(
        &e,
        r#"from=backlinks&target=t.com&mode=domain&having=subdomain(url_from,"c.net")&select=url_from,first_seen"#,
    );
    assert_eq!(column(&a, "first_seen"), [Value::Date(T1)]);
}

#[test]
fn refdomains_group_by_registrable_domain_with_stats() {
    let (_dir, e) = build();
    let a = ask(
        &e,
        "from=refdomains&target=t.com&mode=domain&order_by=refdomain",
    );
    assert_eq!(strs(&a, "refdomain"), ["a.com", "b.org", "c.net"]);
    assert_eq!(
        column(&a, "backlinks"),
        [Value::Int(2), Value::Int(1), Value::Int(1)]
    );
    assert_eq!(
        column(&a, "refpages"),
        [Value::Int(2), Value::Int(1), Value::Int(1)]
    );
    assert_eq!(a.extras.stats[0], ("refdomains", 3));
    let a = ask(
        &e,
        "from=refdomains&target=t.com&mode=domain&having=backlinks>1",
    );
    assert_eq!(strs(&a, "refdomain"), ["a.com"]);
    assert_eq!(
        a.extras.stats[0],
        ("refdomains", 3),
        "stats cover the filtered links, not the having"
    );
}

#[test]
fn anchors_group_by_text_in_anchor_order() {
    let (_dir, e) = build();
    let a = ask(&e, "from=anchors&target=t.com&mode=domain");
    assert_eq!(strs(&a, "anchor"), ["Home", "Read A", "T"]);
    assert_eq!(
        column(&a, "backlinks"),
        [Value::Int(2), Value::Int(1), Value::Int(1)]
    );
    assert_eq!(
        column(&a, "refdomains"),
        [Value::Int(1), Value::Int(1), Value::Int(1)]
    );
    assert_eq!(a.extras.stats, [("backlinks", 4), ("refpages", 4)]);
    let a = ask(
        &e,
        r#"from=anchors&target=t.com&mode=domain&where=refdomain="a.com""#,
    );
    assert_eq!(strs(&a, "anchor"), ["Home"]);
}

#[test]
fn linked_anchors_count_internal_and_external_outgoing_links() {
    let (_dir, e) = build();
    let a = ask(&e, "from=linked_anchors&target=t.com&mode=domain");
    assert_eq!(strs(&a, "anchor"), ["X", "home"]);
    assert_eq!(column(&a, "links_internal"), [Value::Int(0), Value::Int(1)]);
    assert_eq!(column(&a, "links_external"), [Value::Int(1), Value::Int(0)]);
}

#[test]
fn every_format_encodes() {
    let (_dir, e) = build();
    for q in [
        "from=backlinks&target=t.com&mode=domain",
        "from=refdomains&target=t.com&mode=domain",
        "from=anchors&target=t.com&mode=domain",
    ] {
        let a = ask(&e, q);
        let json: serde_json::Value =
            serde_json::from_slice(&a.encode(OutputFormat::Json)).unwrap();
        assert_eq!(
            json[a.table.response_key].as_array().unwrap().len(),
            a.rows.len()
        );
        assert!(
            String::from_utf8(a.encode(OutputFormat::Xml))
                .unwrap()
                .ends_with("</AhrefsApiResponse>")
        );
        assert!(
            String::from_utf8(a.encode(OutputFormat::Php))
                .unwrap()
                .starts_with("a:")
        );
    }
}

#[test]
fn a_known_books_toscrape_link_is_found_with_its_anchor() {
    let data = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    if !data.is_dir() {
        eprintln!("SKIP: ../shared/data not found");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open(dir.path()).unwrap();
    hrefdex_index::import(
        &index,
        &[data.join("warc-node-warc-tests/books.toscrape.warc")],
        1,
        &hrefdex_index::import::Quiet,
    )
    .unwrap();
    let e = Engine::open(dir.path()).unwrap();
    // All of this crawl's links are internal: they are the site's outgoing links.
    let a = ask(
        &e,
        r#"from=linked_anchors&target=books.toscrape.com&mode=exact&where=url_to="http://books.toscrape.com/catalogue/a-light-in-the-attic_1000/index.html""#,
    );
    assert!(
        strs(&a, "anchor").contains(&"A Light in the ...".to_owned()),
        "{:?}",
        a.rows
    );
    assert_eq!(
        column(&a, "links_external"),
        vec![Value::Int(0); a.rows.len()]
    );
    // What the extractor read on the page, through pages_info.
    let p = ask(
        &e,
        "from=pages_info&target=http://books.toscrape.com/&mode=exact&select=url,words,h1,description,images_alt",
    );
    assert_eq!(p.rows.len(), 1, "{:?}", p.rows);
    assert_eq!(strs(&p, "h1"), ["All products"]);
    let Value::Int(words) = column(&p, "words")[0] else {
        panic!("int expected")
    };
    assert!(words > 100, "words {words}");
    assert!(strs(&p, "images_alt")[0].contains("A Light in the Attic"));
    assert_eq!(
        strs(&p, "description"),
        [""],
        "the page's description is empty"
    );
}

#[test]
fn domain_rating_pages_ahrefs_rank_and_refips() {
    let (_dir, e) = build();
    let a = ask(&e, "from=domain_rating&target=www.t.com/a");
    assert_eq!(a.rows.len(), 1);
    let Value::Int(dr) = column(&a, "domain_rating")[0] else {
        panic!("int expected")
    };
    let Value::Int(top) = column(&a, "ahrefs_top")[0] else {
        panic!("int expected")
    };
    // t.com is the most linked domain, but its one outgoing link hands all its rank to
    // x.com, which therefore comes first.
    assert!(dr > 0 && top == 2, "t.com: dr {dr}, top {top}");
    assert_eq!(
        column(&ask(&e, "from=domain_rating&target=x.com"), "ahrefs_top"),
        [Value::Int(1)]
    );
    assert_eq!(
        column(
            &ask(&e, "from=domain_rating&target=never-seen.org"),
            "domain_rating"
        ),
        [Value::Int(0)]
    );

    let a = ask(&e, "from=pages&target=a.com&mode=domain&order_by=url");
    assert_eq!(strs(&a, "url"), ["http://a.com/1", "http://a.com/2"]);
    assert_eq!(
        strs(&a, "title"),
        ["Title of http://a.com/1", "Title of http://a.com/2"]
    );
    assert_eq!(a.extras.stats, [("pages", 2)]);
    let a = ask(
        &e,
        "from=ahrefs_rank&target=t.com&mode=domain&select=url,ahrefs_rank",
    );
    assert_eq!(strs(&a, "url"), ["http://t.com/a"], "only crawled pages");

    let a = ask(&e, "from=refips&target=t.com&mode=domain");
    assert_eq!(strs(&a, "refip"), ["10.1.2.3", "10.1.2.4"]);
    assert_eq!(column(&a, "backlinks"), [Value::Int(2), Value::Int(1)]);
    let r = ask(&e, "from=refdomains&target=t.com&mode=domain");
    assert_eq!(&r.extras.stats[1..], [("ips", 2), ("class_c", 1)]);
}

#[test]
fn new_lost_broken_and_linked_domains() {
    let (_dir, e) = build();
    let a = ask(
        &e,
        "from=backlinks_new_lost&target=t.com&mode=domain&select=date,type,url_from",
    );
    assert_eq!(a.rows.len(), 6, "five links appear, one disappears");
    assert_eq!(
        column(&a, "type")[0],
        Value::Str("lost".into()),
        "newest first"
    );
    assert_eq!(strs(&a, "url_from")[0], "http://d.com/");
    assert_eq!(
        column(&a, "date")[0],
        Value::Day(hrefdex_index::time::day(T2))
    );
    let a = ask(
        &e,
        r#"from=backlinks_new_lost&target=t.com&mode=domain&where=type="new",date="2023-11-14"&select=url_from"#,
    );
    assert_eq!(a.rows.len(), 5);

    let a = ask(
        &e,
        "from=broken_links&target=t.com&mode=domain&select=url_from,url_to,http_code,broken_at,error",
    );
    assert_eq!(strs(&a, "url_to"), ["http://x.com/"]);
    assert_eq!(column(&a, "http_code"), [Value::Int(404)]);
    assert_eq!(column(&a, "broken_at"), [Value::Date(T1)]);
    assert_eq!(strs(&a, "error"), [""]);
    let a = ask(
        &e,
        "from=broken_backlinks&target=x.com&mode=domain&select=url_from,anchor,http_code",
    );
    assert_eq!(strs(&a, "url_from"), ["http://t.com/a"]);
    assert_eq!(
        ask(&e, "from=broken_backlinks&target=t.com&mode=domain")
            .rows
            .len(),
        0
    );

    let a = ask(&e, "from=linked_domains&target=t.com&mode=domain");
    assert_eq!(strs(&a, "domain_from"), ["t.com"]);
    assert_eq!(strs(&a, "domain_to"), ["x.com"]);
    assert_eq!(column(&a, "links"), [Value::Int(1)]);
    assert_eq!(column(&a, "unique_pages"), [Value::Int(1)]);
}

/// `links_out` leaves the snippets to `links_in`: outgoing tables that select, filter or
/// sort on them get them from there, for the right link.
#[test]
fn outgoing_snippets_are_read_from_links_in() {
    let (_dir, e) = build();
    let a = ask(
        &e,
        "from=broken_links&target=t.com&mode=domain&select=url_to,anchor,text_pre,text_post",
    );
    assert_eq!(strs(&a, "url_to"), ["http://x.com/"]);
    assert_eq!(strs(&a, "text_pre"), ["before X"]);
    assert_eq!(strs(&a, "text_post"), ["after X"]);
    // Every column by default, the snippets among them.
    let a = ask(&e, "from=broken_links&target=t.com&mode=domain");
    assert_eq!(strs(&a, "text_post"), ["after X"]);
    let a = ask(
        &e,
        r#"from=broken_links&target=t.com&mode=domain&where=text_pre="before Y"&select=url_to"#,
    );
    assert!(a.rows.is_empty());

    let a = ask(
        &e,
        r#"from=linked_anchors&target=t.com&mode=domain&where=text_post="after home""#,
    );
    assert_eq!(strs(&a, "anchor"), ["home"]);
    let a = ask(
        &e,
        r#"from=linked_anchors&target=t.com&mode=domain&where=text_pre="before X",url_to="http://x.com/""#,
    );
    assert_eq!(strs(&a, "anchor"), ["X"]);
    let a = ask(
        &e,
        "from=linked_anchors&target=a.com&mode=domain&where=text_pre=\"before Home\"",
    );
    assert_eq!(strs(&a, "anchor"), ["Home"]);
    assert_eq!(column(&a, "links_external"), [Value::Int(2)]);
}

#[test]
fn referring_domains_gained_and_lost() {
    let (_dir, e) = build();
    let day = |t| Value::Day(hrefdex_index::time::day(t));
    let a = ask(&e, "from=refdomains_new_lost&target=t.com&mode=domain");
    assert_eq!(strs(&a, "type"), ["lost", "new", "new", "new", "new"]);
    assert_eq!(
        strs(&a, "refdomain"),
        ["d.com", "a.com", "b.org", "c.net", "d.com"]
    );
    assert_eq!(column(&a, "date")[0], day(T2));
    let a = ask(
        &e,
        r#"from=refdomains_new_lost&target=t.com&mode=domain&where=type="new"&order_by=refdomain:desc&limit=1"#,
    );
    assert_eq!(strs(&a, "refdomain"), ["d.com"]);

    let a = ask(
        &e,
        "from=refdomains_new_lost_counters&target=t.com&mode=domain",
    );
    assert_eq!(column(&a, "date"), [day(T2), day(T1)]);
    assert_eq!(column(&a, "new"), [Value::Int(0), Value::Int(4)]);
    assert_eq!(column(&a, "lost"), [Value::Int(1), Value::Int(0)]);
    let a = ask(
        &e,
        r#"from=refdomains_new_lost_counters&target=t.com&mode=domain&where=type:"lost""#,
    );
    assert_eq!(
        column(&a, "new"),
        [Value::Int(0), Value::Int(0)],
        "where counts only lost"
    );
    assert_eq!(
        column(&a, "new_total"),
        [Value::Int(0), Value::Int(4)],
        "totals ignore where"
    );
    let a = ask(
        &e,
        "from=refdomains_new_lost_counters&target=t.com&mode=domain&having=lost_total>0",
    );
    assert_eq!(column(&a, "date"), [day(T2)]);
}

/// A `link_events` row naming a row outside `links_in` (a corrupt or hand-edited index) is
/// a clear error, not an event quietly left out.
#[test]
fn an_event_naming_a_row_outside_links_in_is_an_error() {
    use std::sync::Arc;

    use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int64Array, RecordBatch};
    use datafusion::arrow::datatypes::Int64Type;
    use datafusion::parquet::arrow::ArrowWriter;
    use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let (dir, e) = build();
    let q = "from=backlinks_new_lost&target=t.com&mode=domain&select=date,type,url_from";
    assert_eq!(ask(&e, q).rows.len(), 6);

    // Every event's `link` moved a million rows on, past the end of `links_in`.
    let events = std::fs::read_dir(dir.path().join("link_events"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "parquet"))
        .unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&events).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<RecordBatch> = reader
        .map(|b| {
            let b = b.unwrap();
            let at = b.schema().index_of("link").unwrap();
            let moved: Int64Array = b
                .column(at)
                .as_primitive::<Int64Type>()
                .iter()
                .map(|v| v.map(|v| v + 1_000_000))
                .collect();
            let mut columns: Vec<ArrayRef> = b.columns().to_vec();
            columns[at] = Arc::new(moved);
            assert!(columns[at].null_count() == 0);
            RecordBatch::try_new(b.schema(), columns).unwrap()
        })
        .collect();
    let file = std::fs::File::create(&events).unwrap();
    let mut writer = ArrowWriter::try_new(file, batches[0].schema(), None).unwrap();
    for b in &batches {
        writer.write(b).unwrap();
    }
    writer.close().unwrap();

    let reopened = Engine::open(dir.path()).unwrap();
    let request = Request::parse(
        &Params::from_query(q.as_bytes()),
        ParseOptions {
            require_token: false,
        },
    )
    .unwrap();
    let error = reopened.answer(&request).unwrap_err().to_string();
    assert!(
        error.contains("names a row outside links_in"),
        "unexpected error: {error}"
    );
}
