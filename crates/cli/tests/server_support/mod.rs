//! A real `hrefdex-server` on a loopback port over a freshly generated and imported web.
// Shared by several test binaries; each uses part of it.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use hrefdex_accounts::Accounts;
use hrefdex_gen::{GenOptions, Truth, generate};
use hrefdex_index::import::Quiet;
use hrefdex_index::{Index, import};
use hrefdex_query::Engine;
use hrefdex_server::{Server, Settings};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A generated web (two crawls) and an index holding the first `imported` of them.
pub struct Web {
    /// The generated files.
    pub web: tempfile::TempDir,
    /// The index directory (accounts.sqlite lives here too).
    pub index: tempfile::TempDir,
    /// The generator's ground truth.
    pub truth: Truth,
}

impl Web {
    /// Generates a small web and imports its first `imported` crawls.
    pub async fn new(imported: usize) -> Web {
        tokio::task::spawn_blocking(move || {
            let web = tempfile::tempdir().unwrap();
            let options = GenOptions {
                pages: 300,
                domains: 20,
                crawls: 2,
                seed: 11,
                ..GenOptions::default()
            };
            let truth = generate(&options, web.path()).unwrap();
            let index = tempfile::tempdir().unwrap();
            let w = Web { web, index, truth };
            for i in 0..imported {
                w.import_crawl(i);
            }
            w
        })
        .await
        .unwrap()
    }

    /// Imports crawl `i` (blocking).
    pub fn import_crawl(&self, i: usize) {
        let index = Index::open(self.index.path()).unwrap();
        let file = self.web.path().join(&self.truth.crawls[i].file);
        import(&index, &[file], 1, &Quiet).unwrap();
    }

    /// The index directory.
    pub fn index_dir(&self) -> PathBuf {
        self.index.path().to_owned()
    }

    /// The best-linked registrable domain.
    pub fn top_domain(&self) -> String {
        self.truth.domain_rank[0].domain.clone()
    }
}

/// A server running on its own task until dropped or stopped.
pub struct Running {
    /// The bound address.
    pub addr: SocketAddr,
    /// The server's accounts store (same database).
    pub accounts: Accounts,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Running {
    /// Starts a server on 127.0.0.1:0 over `index`.
    pub async fn start(index: &Path, settings: Settings) -> Running {
        let url = hrefdex_accounts::default_url(index);
        let accounts = Accounts::open(&url).await.unwrap();
        let engine = {
            let index = index.to_owned();
            tokio::task::spawn_blocking(move || Engine::open(&index).unwrap())
                .await
                .unwrap()
        };
        let server_accounts = Accounts::open(&url).await.unwrap();
        let server = Server::bind(
            "127.0.0.1:0".parse().unwrap(),
            engine,
            server_accounts,
            settings,
        )
        .await
        .unwrap();
        let addr = server.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async {
            let _ = stopped.await;
        }));
        Running {
            addr,
            accounts,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// `http://addr/?query`.
    pub fn url(&self, query: &str) -> String {
        format!("http://{}/?{query}", self.addr)
    }

    /// Stops the server and waits until it has finished.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }
}

/// Settings for tests: no rate limit, quick refresh.
pub fn test_settings() -> Settings {
    Settings {
        rate_limit: 0.0,
        refresh_interval: std::time::Duration::from_millis(200),
        ..Settings::default()
    }
}

/// One HTTP answer, read whole.
#[derive(Debug)]
pub struct Got {
    /// HTTP status.
    pub status: u16,
    /// Headers.
    pub headers: reqwest::header::HeaderMap,
    /// Body bytes (as sent, possibly gzip).
    pub body: Vec<u8>,
}

impl Got {
    /// A header as text ("" when absent).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// A numeric header.
    pub fn number(&self, name: &str) -> u64 {
        self.header(name)
            .parse()
            .unwrap_or_else(|_| panic!("header {name} is not a number: {:?}", self.header(name)))
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
}

/// GET `url`.
pub async fn get(client: &reqwest::Client, url: &str) -> Got {
    read(client.get(url).send().await.unwrap()).await
}

/// Reads a response whole.
pub async fn read(response: reqwest::Response) -> Got {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await.unwrap().to_vec();
    Got {
        status,
        headers,
        body,
    }
}

/// A child process of the real `hrefdex` binary whose stdout lines arrive on a channel.
pub struct Child {
    /// The process.
    pub child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Child {
    /// Starts `hrefdex args…` with extra environment variables.
    pub fn spawn(args: &[&str], env: &[(&str, &str)]) -> Child {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_hrefdex"));
        cmd.args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Child { child, lines }
    }

    /// The next stdout line that contains `needle`, waiting at most `secs` seconds.
    pub fn line_with(&self, needle: &str, secs: u64) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(e) => panic!("no line with {needle:?} on stdout: {e}"),
            }
        }
    }

    /// The base URL from the "serving … on http://ADDR/" line.
    pub fn base_url(&self) -> String {
        let line = self.line_with(" on http://", 600);
        line.rsplit(" on ")
            .next()
            .unwrap()
            .trim_end_matches('/')
            .to_owned()
    }

    /// Sends SIGTERM and waits (at most 30 s) for a clean exit.
    pub fn terminate(mut self) {
        let pid = self.child.id().to_string();
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        assert!(killed.success());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "exit status {status}");
                return;
            }
            if std::time::Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the server did not stop within 30 s of SIGTERM");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

/// Runs `hrefdex args…` to completion; returns stdout (panics on failure).
pub fn hrefdex(args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hrefdex"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "hrefdex {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
