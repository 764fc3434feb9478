//! `hrefdex quickstart` on an empty directory: it generates, imports, creates a token,
//! prints a curl line that works, and stops cleanly on SIGTERM; a second run reuses the
//! index.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod server_support;

use server_support::{Child, get};

fn curl_url(server: &Child) -> String {
    let line = server.line_with("curl -s '", 600);
    line.split('\'').nth(1).unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quickstart_serves_a_generated_web_and_its_curl_line_works() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "quickstart",
        "--dir",
        dir.path().to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
        "--pages",
        "200",
        "--domains",
        "10",
    ];
    let client = reqwest::Client::new();
    for _ in 0..2 {
        let server = Child::spawn(&args, &[]);
        let url = curl_url(&server);
        let got = get(&client, &url).await;
        assert_eq!(got.status, 200);
        assert_eq!(got.header("x-status"), "", "{}", got.text());
        assert!(got.number("x-results-count") > 0, "{}", got.text());
        assert!(
            got.text().starts_with("{\"refdomains\":[{"),
            "{}",
            got.text()
        );
        server.terminate();
    }
    assert!(dir.path().join("index/accounts.sqlite").exists());
}
