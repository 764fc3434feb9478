//! `hrefdex explain` through the real binary: JSON and exit 0 for valid requests, the
//! exact error body and exit 2 for rejected ones.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::process::Command;

fn explain(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hrefdex"))
        .arg("explain")
        .args(args)
        .output()
        .expect("run hrefdex");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("utf-8 stdout"),
    )
}

#[test]
fn valid_request_prints_the_plan() {
    let (code, out) = explain(&[
        "https://apiv2.ahrefs.com/?from=refdomains&target=www.example.com%2Fblog%2F&mode=prefix&having=backlinks%3E2&limit=5",
    ]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["table"], "refdomains");
    assert_eq!(v["key_ranges"][0]["lower"], "com,example)/blog/");
    assert_eq!(v["key_ranges"][0]["upper_exclusive"], "com,example)/blog0");
    assert_eq!(v["having"][0]["column"], "backlinks");
    assert_eq!(v["order_by"][0]["column"], "domain_rating");
    assert_eq!(v["cost_rows"]["if_full"], 1 + 5 + 5);
}

#[test]
fn api_errors_exit_2_with_the_exact_body() {
    assert_eq!(
        explain(&["from=backlinks&target=a.com&mode=json"]),
        (2, "{\"error\":\"bad mode: 'json'\"}\n".to_owned())
    );
    assert_eq!(
        explain(&["from=backlinks&target=a.com&mode=exact&output=php&order_by=x"]),
        (
            2,
            "a:1:{s:5:\"error\";s:30:\"order_by: column 'x' not found\";}\n".to_owned()
        )
    );
    assert_eq!(explain(&["--require-token", "from=subscription_info"]).0, 2);
    assert_eq!(explain(&["from=subscription_info"]).0, 0);
}
