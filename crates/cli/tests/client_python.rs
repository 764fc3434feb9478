//! A real third-party client against the real server: PyPI `ahrefs-api-python` 0.0.1 in
//! a throwaway virtualenv, driven by tests/clients/drive_ahrefs_api_python.py.
//!
//! Skips (printing `SKIP`) when python3 with `venv` is missing, or when
//! `HREFDEX_SKIP_PYPI` is set; a failing `pip install` fails the test.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod server_support;

use std::path::Path;
use std::process::Command;

use server_support::{Running, Web, get, test_settings};

fn python_with_venv() -> bool {
    Command::new("python3")
        .args(["-c", "import venv, ensurepip"])
        .status()
        .is_ok_and(|s| s.success())
}

fn install_client(venv: &Path) {
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(venv)
        .status()
        .unwrap();
    assert!(made.success(), "python3 -m venv failed");
    let pip = Command::new(venv.join("bin/pip"))
        .args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "ahrefs-api-python==0.0.1",
        ])
        .output()
        .unwrap();
    assert!(
        pip.status.success(),
        "pip install ahrefs-api-python==0.0.1 failed (set HREFDEX_SKIP_PYPI=1 offline): {}",
        String::from_utf8_lossy(&pip.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ahrefs_api_python_gets_spec_answers_and_the_exact_error() {
    if std::env::var_os("HREFDEX_SKIP_PYPI").is_some() {
        println!("SKIP: HREFDEX_SKIP_PYPI is set");
        return;
    }
    if !python_with_venv() {
        println!("SKIP: python3 with venv not found");
        return;
    }
    let venv = tempfile::tempdir().unwrap();
    let install = {
        let path = venv.path().to_owned();
        tokio::task::spawn_blocking(move || install_client(&path))
    };
    let web = Web::new(1).await;
    install.await.unwrap();
    let server = Running::start(&web.index_dir(), test_settings()).await;
    let new = server
        .accounts
        .create("py", "Python plan", 100_000)
        .await
        .unwrap();
    // The client pastes the target into the URL as it is: raw ':' and '/'.
    let target = format!("http://{}/", web.top_domain());
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/clients/drive_ahrefs_api_python.py");
    let base = format!("http://{}/", server.addr);
    let out = {
        let python = venv.path().join("bin/python");
        let (base, token, target) = (base.clone(), new.token.clone(), target.clone());
        tokio::task::spawn_blocking(move || {
            Command::new(python)
                .arg(script)
                .args([&base, &token, &target])
                .output()
                .unwrap()
        })
        .await
        .unwrap()
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let exchanges = report["exchanges"].as_array().unwrap();
    let outcomes = report["outcomes"].as_array().unwrap();
    assert_eq!(exchanges.len(), 3, "{report}");

    // 1. refdomains in mode 'domain': the data the spec says, then the client's own error.
    let sent = exchanges[0]["url"].as_str().unwrap();
    assert!(sent.contains(&format!("&target={target}&")), "{sent}");
    assert!(sent.contains("&where=backlinks%3E%3D1"), "{sent}");
    let direct = get(
        &reqwest::Client::new(),
        &server.url(&format!(
            "token={}&from=refdomains&target={}&mode=domain&output=json&where=backlinks%3E%3D1&order_by=domain_rating%3Adesc",
            new.token,
            web.top_domain()
        )),
    )
    .await;
    assert_eq!(direct.header("x-status"), "", "{}", direct.text());
    assert_eq!(exchanges[0]["body"].as_str().unwrap(), direct.text());
    assert_eq!(exchanges[0]["x_status"], serde_json::Value::Null);
    assert_eq!(
        exchanges[0]["content_type"],
        "application/json; charset=utf-8"
    );
    assert!(direct.number("x-results-count") > 0);
    assert_eq!(
        outcomes[0]["raised"],
        serde_json::json!(["refdomains", "not implemented mode"])
    );

    // 2. mode='json': the exact v2 message reaches the client's exception.
    assert_eq!(exchanges[1]["body"], "{\"error\":\"bad mode: 'json'\"}");
    assert_eq!(exchanges[1]["x_status"], "error");
    assert_eq!(exchanges[1]["status"], 200);
    assert_eq!(
        outcomes[1]["raised"],
        serde_json::json!(["backlinks", "bad mode: 'json'"])
    );

    // 3. subscription_info is parsed and shows the account after the two requests.
    let account = server.accounts.get(new.account.id).await.unwrap().unwrap();
    let info = &outcomes[2]["returned"]["info"];
    assert_eq!(
        info["rows_left"],
        account.rows_left + direct.number("x-rows-charged")
    );
    assert_eq!(info["rows_limit"], 100_000);
    assert_eq!(info["subscription"], "Python plan");
    server.stop().await;
}
