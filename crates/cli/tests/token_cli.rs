//! `hrefdex token …` and `hrefdex serve` as processes: tokens shown once and usable at
//! once, top-ups and revocations seen by a running server, config precedence (flag >
//! environment > file), and a clean stop on SIGTERM.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod server_support;

use server_support::{Child, Web, get, hrefdex};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_and_a_served_binary_with_config_precedence() {
    let web = Web::new(1).await;
    let index = web.index_dir();
    let index = index.to_str().unwrap();
    let out = hrefdex(&[
        "token", "create", "--index", index, "--rows", "500", "--name", "alice", "--plan", "Gold",
    ]);
    let token = out.lines().last().unwrap().to_owned();
    assert_eq!(token.len(), 64, "{out}");
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()), "{out}");
    hrefdex(&["token", "topup", "--index", index, "1", "--rows", "100"]);
    let list = hrefdex(&["token", "list", "--index", index]);
    assert!(
        list.contains("Gold") && list.contains("alice") && list.contains(" 600 "),
        "{list}"
    );
    assert!(
        list.contains(&token[..6]) && !list.contains(&token),
        "{list}"
    );

    // The file refuses every answer (memory budget 0); the environment overrides it; the
    // flag overrides an unusable environment value for the address.
    let config = web.index.path().join("hrefdex.toml");
    std::fs::write(
        &config,
        "memory_budget_mb = 0\nrate_limit = 0\nlisten = \"127.0.0.1:1\"\n",
    )
    .unwrap();
    let server = Child::spawn(
        &[
            "serve",
            "--index",
            index,
            "--config",
            config.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ],
        &[
            ("HREFDEX_MEMORY_BUDGET_MB", "64"),
            ("HREFDEX_LISTEN", "not-an-address"),
        ],
    );
    let base = server.base_url();
    let client = reqwest::Client::new();
    let info = get(
        &client,
        &format!("{base}/?token={token}&from=subscription_info"),
    )
    .await;
    assert_eq!(
        info.text(),
        "{\"info\":{\"rows_left\":600,\"rows_limit\":600,\"subscription\":\"Gold\"}}"
    );
    let q = format!(
        "{base}/?token={token}&from=refdomains&target={}&mode=domain&limit=2",
        web.top_domain()
    );
    let got = get(&client, &q).await;
    assert_eq!(got.header("x-status"), "", "{}", got.text());
    assert!(got.number("x-rows-charged") > 0);

    hrefdex(&["token", "revoke", "--index", index, "1"]);
    let got = get(&client, &q).await;
    assert_eq!(got.text(), "{\"error\":\"invalid token\"}");
    let list = hrefdex(&["token", "list", "--index", index]);
    assert!(list.contains("revoked"), "{list}");
    server.terminate();
}
