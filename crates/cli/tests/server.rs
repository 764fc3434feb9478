//! The real server on a loopback port: every table in json/xml/php, error bodies and
//! headers, gzip, POST, billing on every table's cost rule, `no credit`, revoked tokens,
//! 1,000 parallel requests charging exactly, limits, metrics, and an index swap while
//! serving.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod server_support;

use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hrefdex_api::catalogue::{self, ColumnType, Cost, Table};
use hrefdex_api::encode::encode_error;
use hrefdex_api::params::Params;
use hrefdex_api::{ApiError, OutputFormat, ParseOptions, Request};
use hrefdex_query::{Engine, QueryError};
use server_support::{Running, Web, get, read, test_settings};

const FORMATS: [OutputFormat; 3] = [OutputFormat::Json, OutputFormat::Xml, OutputFormat::Php];

fn format_name(f: OutputFormat) -> &'static str {
    match f {
        OutputFormat::Json => "json",
        OutputFormat::Xml => "xml",
        OutputFormat::Php => "php",
    }
}

/// The rows a table's cost rule charges (spec/DECISIONS.md §11), from the catalogue's
/// numbers: request + per result × rows + surcharges, rounded up to a whole row.
fn rule(cost: &Cost, rows: u64, where_: bool, having: bool, offset: bool) -> u64 {
    let mut milli = 1000 * u64::from(cost.request) + rows * u64::from(cost.per_result_milli);
    for (used, surcharge) in [
        (where_, cost.where_),
        (having, cost.having),
        (offset, cost.offset),
    ] {
        if used {
            milli += 1000 * u64::from(surcharge);
        }
    }
    milli.div_ceil(1000)
}

/// The surcharges the decisions fix: 5 rows each, 10 on the `*_by_type` tables, none on
/// `subscription_info`.
fn check_surcharges(t: &Table) {
    let expected = match t.name {
        "subscription_info" => 0,
        n if n.ends_with("_by_type") => 10,
        _ => 5,
    };
    assert_eq!(
        (t.cost.where_, t.cost.having, t.cost.offset),
        (expected, expected, expected),
        "{}",
        t.name
    );
}

/// A query string for `table` in `format`, with a where/having/offset variant.
fn query(t: &Table, target: &str, format: OutputFormat, filtered: bool) -> String {
    let mut q = format!("from={}&limit=3&output={}", t.name, format_name(format));
    if t.needs_target {
        q.push_str(&format!("&target={target}&mode=domain"));
    }
    if filtered {
        q.push_str("&offset=1");
        if let Some(c) = t
            .columns
            .iter()
            .find(|c| c.where_ && c.ty == ColumnType::Int)
        {
            q.push_str(&format!("&where={}%3E%3D0", c.name));
        }
        if let Some(c) = t
            .columns
            .iter()
            .find(|c| c.having && c.ty == ColumnType::Int)
        {
            q.push_str(&format!("&having={}%3E%3D0", c.name));
        }
    }
    q
}

/// What `hrefdex query` prints for the same request: (body, results).
async fn expected(engine: &Arc<Engine>, q: &str) -> (Vec<u8>, Option<u64>, Request) {
    let request = Request::parse(
        &Params::from_query(q.as_bytes()),
        ParseOptions {
            require_token: false,
        },
    )
    .unwrap();
    let engine = Arc::clone(engine);
    let r = request.clone();
    let answered = tokio::task::spawn_blocking(move || engine.answer(&r))
        .await
        .unwrap();
    match answered {
        Ok(a) => (
            a.encode(request.output),
            Some(a.results_count() as u64),
            request,
        ),
        Err(QueryError::NotYet(_)) => (
            encode_error(&ApiError::Internal, request.output),
            None,
            request,
        ),
        Err(e) => panic!("{q}: {e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_table_in_every_format_is_answered_and_billed_by_its_rule() {
    let web = Web::new(2).await;
    let server = Running::start(&web.index_dir(), test_settings()).await;
    let start_rows = 10_000_000;
    let new = server
        .accounts
        .create("t", "Test plan", start_rows)
        .await
        .unwrap();
    let engine = Arc::new(Engine::open(&web.index_dir()).unwrap());
    let client = reqwest::Client::new();
    let target = web.top_domain();
    let mut left = start_rows;
    let mut answered_tables = 0;
    for t in catalogue::all() {
        check_surcharges(t);
        let variants = FORMATS
            .iter()
            .map(|&f| (f, false))
            .chain([(OutputFormat::Json, true)]);
        for (format, filtered) in variants {
            let q = query(t, &target, format, filtered);
            let got = get(&client, &server.url(&format!("token={}&{q}", new.token))).await;
            let what = format!("{q}: {}", got.text());
            assert_eq!(got.status, 200, "{what}");
            assert_eq!(got.header("content-type"), format.content_type(), "{what}");
            if t.name == "subscription_info" {
                assert_eq!(got.header("x-status"), "", "{what}");
                assert_eq!(got.number("x-rows-charged"), 0, "{what}");
                assert_eq!(got.number("x-rows-left"), left, "{what}");
                assert!(got.text().contains(&left.to_string()), "{what}");
                assert!(got.text().contains("Test plan"), "{what}");
                continue;
            }
            let (body, results, request) = expected(&engine, &q).await;
            assert_eq!(got.text(), String::from_utf8(body).unwrap(), "{q}");
            let Some(results) = results else {
                // Not answered yet by the engine: `internal error`, nothing charged.
                assert_eq!(got.header("x-status"), "error", "{what}");
                assert_eq!(got.number("x-rows-charged"), 0, "{what}");
                continue;
            };
            answered_tables += usize::from(!filtered && format == OutputFormat::Json);
            assert_eq!(got.header("x-status"), "", "{what}");
            assert_eq!(got.number("x-results-count"), results, "{what}");
            let charge = rule(
                &t.cost,
                if t.is_object() {
                    results.min(1)
                } else {
                    results
                },
                !request.where_.is_empty(),
                !request.having.is_empty(),
                request.offset > 0,
            );
            assert_eq!(got.number("x-rows-charged"), charge, "{what}");
            left -= charge;
            assert_eq!(got.number("x-rows-left"), left, "{what}");
        }
    }
    assert!(
        answered_tables >= 14,
        "only {answered_tables} tables answered"
    );
    let account = server.accounts.get(new.account.id).await.unwrap().unwrap();
    assert_eq!(account.rows_left, left);
    assert_eq!(account.rows_charged, start_rows - left);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_have_exact_bodies_and_headers_and_cost_nothing() {
    let web = Web::new(1).await;
    let server = Running::start(&web.index_dir(), test_settings()).await;
    let new = server.accounts.create("t", "", 1_000).await.unwrap();
    let client = reqwest::Client::new();
    let token = &new.token;
    let target = web.top_domain();
    let cases: Vec<(String, ApiError, OutputFormat)> = vec![
        (
            format!("from=backlinks&target={target}&mode=domain"),
            ApiError::Missing("token"),
            OutputFormat::Json,
        ),
        (
            format!("token=nope&from=backlinks&target={target}&mode=domain&output=xml"),
            ApiError::InvalidToken,
            OutputFormat::Xml,
        ),
        (
            format!("token={token}&from=backlinks&target={target}&mode=json&output=php"),
            ApiError::BadMode("json".into()),
            OutputFormat::Php,
        ),
        (
            format!("token={token}&from=nothing&target={target}&mode=domain"),
            ApiError::UnknownTable("nothing".into()),
            OutputFormat::Json,
        ),
        (
            format!("token={token}&from=backlinks&target={target}&mode=domain&output=csvx"),
            ApiError::BadOutput("csvx".into()),
            OutputFormat::Json,
        ),
        (
            // Checked before the token: a bad request with a bad token is `bad mode`.
            format!("token=nope&from=backlinks&target={target}&mode=x"),
            ApiError::BadMode("x".into()),
            OutputFormat::Json,
        ),
    ];
    for (q, error, format) in cases {
        let got = get(&client, &server.url(&q)).await;
        assert_eq!(got.status, 200, "{q}");
        assert_eq!(got.body, encode_error(&error, format), "{q}");
        assert_eq!(got.header("x-status"), "error", "{q}");
        assert_eq!(got.header("x-results-count"), "0", "{q}");
        assert_eq!(got.header("x-rows-charged"), "0", "{q}");
        assert_eq!(got.header("content-type"), format.content_type(), "{q}");
    }
    let account = server.accounts.get(new.account.id).await.unwrap().unwrap();
    assert_eq!(account.rows_left, 1_000);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gzip_post_no_credit_and_revoked_tokens() {
    let web = Web::new(1).await;
    let server = Running::start(&web.index_dir(), test_settings()).await;
    let new = server.accounts.create("t", "", 1_000).await.unwrap();
    let client = reqwest::Client::new();
    let q = format!(
        "token={}&from=refdomains&target={}&mode=domain&limit=20",
        new.token,
        web.top_domain()
    );
    let plain = get(&client, &server.url(&q)).await;
    assert_eq!(plain.header("x-status"), "", "{}", plain.text());
    assert!(plain.number("x-results-count") > 0);

    // gzip when asked for, same bytes once inflated (by us: whether reqwest inflates
    // depends on features other crates turn on).
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let zipped = read(
        raw.get(server.url(&q))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(zipped.header("content-encoding"), "gzip");
    let mut inflated = Vec::new();
    flate2::read::GzDecoder::new(&zipped.body[..])
        .read_to_end(&mut inflated)
        .unwrap();
    assert_eq!(inflated, plain.body);
    assert_eq!(
        zipped.header("x-results-count"),
        plain.header("x-results-count")
    );

    // POST: a form body, merged over the URL's query (the body wins).
    let posted = read(
        client
            .post(server.url(&format!("token={}&limit=1", new.token)))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(q.clone())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(posted.body, plain.body);

    // no credit: nothing is charged, the body is the v2 error.
    let left = server
        .accounts
        .get(new.account.id)
        .await
        .unwrap()
        .unwrap()
        .rows_left;
    let poor = server.accounts.create("p", "", 3).await.unwrap();
    let poor_q = q.replace(&new.token, &poor.token);
    let got = get(&client, &server.url(&poor_q)).await;
    assert_eq!(got.text(), "{\"error\":\"no credit\"}");
    assert_eq!(got.header("x-status"), "error");
    assert_eq!(got.number("x-rows-left"), 3);
    let poor_after = server.accounts.get(poor.account.id).await.unwrap().unwrap();
    assert_eq!((poor_after.rows_left, poor_after.requests), (3, 0));
    // ... and subscription_info stays free and shows it.
    let info = get(
        &client,
        &server.url(&format!("token={}&from=subscription_info", poor.token)),
    )
    .await;
    assert_eq!(
        info.text(),
        "{\"info\":{\"rows_left\":3,\"rows_limit\":3,\"subscription\":\"\"}}"
    );
    // An empty account is refused before its query runs; a top-up is seen at once,
    // though the token was looked up a moment ago.
    let empty = server.accounts.create("e", "", 0).await.unwrap();
    let empty_q = q.replace(&new.token, &empty.token);
    let got = get(&client, &server.url(&empty_q)).await;
    assert_eq!(got.text(), "{\"error\":\"no credit\"}");
    server
        .accounts
        .topup(empty.account.id, 1_000)
        .await
        .unwrap();
    let got = get(&client, &server.url(&empty_q)).await;
    assert_eq!(got.header("x-status"), "", "{}", got.text());
    assert_eq!(got.body, plain.body);

    // A revoked token stops working at once, and stays stopped.
    server.accounts.revoke(new.account.id).await.unwrap();
    for _ in 0..2 {
        let got = get(&client, &server.url(&q)).await;
        assert_eq!(got.text(), "{\"error\":\"invalid token\"}");
    }
    let after = server.accounts.get(new.account.id).await.unwrap().unwrap();
    assert_eq!(after.rows_left, left);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_parallel_requests_charge_exactly() {
    let web = Web::new(1).await;
    let server = Running::start(&web.index_dir(), test_settings()).await;
    let client = reqwest::Client::new();
    let q = format!(
        "from=refdomains&target={}&mode=domain&limit=4",
        web.top_domain()
    );
    // One request tells the cost of this answer.
    let probe = server.accounts.create("probe", "", 1_000).await.unwrap();
    let one = get(&client, &server.url(&format!("token={}&{q}", probe.token))).await;
    let cost = one.number("x-rows-charged");
    assert!(cost > 0);
    // Enough for 700 of the 1,000 requests, plus a remainder too small for another.
    let start = 700 * cost + cost - 1;
    let new = server.accounts.create("t", "", start).await.unwrap();
    let url = server.url(&format!("token={}&{q}", new.token));
    let tasks: Vec<_> = (0..1_000)
        .map(|_| {
            let client = client.clone();
            let url = url.clone();
            tokio::spawn(async move { get(&client, &url).await })
        })
        .collect();
    let (mut answers, mut no_credit, mut charged) = (0, 0, 0);
    for t in tasks {
        let got = t.await.unwrap();
        charged += got.number("x-rows-charged");
        if got.header("x-status") == "error" {
            assert_eq!(got.text(), "{\"error\":\"no credit\"}");
            no_credit += 1;
        } else {
            assert_eq!(got.body, one.body);
            answers += 1;
        }
    }
    assert_eq!((answers, no_credit), (700, 300));
    assert_eq!(charged, 700 * cost);
    let account = server.accounts.get(new.account.id).await.unwrap().unwrap();
    assert_eq!(account.rows_left, start - 700 * cost);
    assert_eq!(account.requests, 700);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_index_version_is_served_without_restart() {
    let web = Arc::new(Web::new(1).await);
    let server = Running::start(&web.index_dir(), test_settings()).await;
    let new = server.accounts.create("t", "", 1_000_000).await.unwrap();
    let client = reqwest::Client::new();
    let q = format!(
        "token={}&from=backlinks_new_lost&target={}&mode=domain&limit=1000",
        new.token,
        web.top_domain()
    );
    let health = get(&client, &format!("http://{}/health", server.addr)).await;
    assert_eq!(health.status, 200, "{}", health.text());
    let before = get(&client, &server.url(&q)).await;
    assert_eq!(before.header("x-status"), "", "{}", before.text());
    let w = Arc::clone(&web);
    tokio::task::spawn_blocking(move || w.import_crawl(1))
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let now = get(&client, &server.url(&q)).await;
        assert_eq!(now.header("x-status"), "", "{}", now.text());
        if now.body != before.body {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the server still answers from the old version"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let health2 = get(&client, &format!("http://{}/health", server.addr)).await;
    assert_ne!(health.text(), health2.text());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_budgets_and_metrics() {
    let web = Web::new(1).await;
    let q = |token: &str| {
        format!(
            "token={token}&from=refdomains&target={}&mode=domain",
            web.top_domain()
        )
    };
    let client = reqwest::Client::new();

    // 2 requests at once, then 1 per 10 s: the third is HTTP 429 with Retry-After.
    let limited = hrefdex_server::Settings {
        rate_limit: 0.1,
        rate_burst: 2,
        ..test_settings()
    };
    let server = Running::start(&web.index_dir(), limited).await;
    let new = server.accounts.create("t", "", 1_000).await.unwrap();
    for _ in 0..2 {
        let ok = get(&client, &server.url(&q(&new.token))).await;
        assert_eq!(ok.status, 200, "{}", ok.text());
    }
    let refused = get(
        &client,
        &server.url(&format!("{}&output=xml", q(&new.token))),
    )
    .await;
    assert_eq!(refused.status, 429);
    assert_eq!(
        refused.body,
        encode_error(&ApiError::RateLimited, OutputFormat::Xml)
    );
    assert_eq!(refused.header("x-status"), "error");
    let retry: u64 = refused.header("retry-after").parse().unwrap();
    assert!((1..=10).contains(&retry), "{retry}");
    let metrics = get(&client, &format!("http://{}/metrics", server.addr))
        .await
        .text();
    assert!(
        metrics.contains("hrefdex_requests_total{table=\"refdomains\",outcome=\"answer\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("hrefdex_requests_total{table=\"refdomains\",outcome=\"rate_limited\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("hrefdex_errors_total{error=\"rate limit exceeded\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("hrefdex_request_duration_seconds_count 3"),
        "{metrics}"
    );
    let charged = 1_000
        - server
            .accounts
            .get(new.account.id)
            .await
            .unwrap()
            .unwrap()
            .rows_left;
    assert!(
        metrics.contains(&format!("hrefdex_rows_charged_total {charged}")),
        "{metrics}"
    );
    server.stop().await;

    // Budgets: past the time or memory budget the answer is a clear error, uncharged.
    for (settings, text) in [
        (
            hrefdex_server::Settings {
                time_budget: Duration::from_nanos(1),
                ..test_settings()
            },
            "request too expensive: time budget exceeded",
        ),
        (
            hrefdex_server::Settings {
                memory_budget: 1,
                ..test_settings()
            },
            "request too expensive: memory budget exceeded",
        ),
    ] {
        let server = Running::start(&web.index_dir(), settings).await;
        let new = server.accounts.create("t", "", 1_000).await.unwrap();
        let got = get(&client, &server.url(&q(&new.token))).await;
        assert_eq!(got.text(), format!("{{\"error\":\"{text}\"}}"));
        assert_eq!(got.header("x-status"), "error");
        let account = server.accounts.get(new.account.id).await.unwrap().unwrap();
        assert_eq!(account.rows_left, 1_000);
        server.stop().await;
    }
}
