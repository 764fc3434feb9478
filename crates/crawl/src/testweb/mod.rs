//! A small web on 127.0.0.1 for tests and the benchmark (feature `test-web`): one
//! HTTP/1.1 server, many virtual hosts told apart by the `Host` header (point them at
//! the server with `--resolve HOST:PORT:127.0.0.1`), and a record of every hit (URL and
//! time) so that tests can check what was fetched, how often, and how fast.
//!
//! - [`fixture::FixtureWeb`]: hosts with robots.txt rules, Crawl-delay, a sitemap,
//!   redirect chains and a loop, 404/500/503, a timeout, a slow host, an oversized
//!   page, non-HTML files and a calendar trap.
//! - [`generated::GeneratedWeb`]: many hosts of plain linked pages (the benchmark).

pub mod fixture;
pub mod generated;

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

/// One answer of a test site.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Headers besides `Content-Length`.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Bytes,
    /// Wait this long before answering.
    pub delay: Duration,
}

impl Reply {
    /// A `text/html` page.
    pub fn html(body: impl Into<String>) -> Reply {
        Reply::typed(200, "text/html; charset=utf-8", body.into().into_bytes())
    }

    /// Any status, content type and body.
    pub fn typed(status: u16, content_type: &str, body: Vec<u8>) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".to_owned(), content_type.to_owned())],
            body: Bytes::from(body),
            delay: Duration::ZERO,
        }
    }

    /// A redirect to `location`.
    pub fn redirect(status: u16, location: &str) -> Reply {
        let mut r = Reply::typed(status, "text/html", Vec::new());
        r.headers.push(("Location".to_owned(), location.to_owned()));
        r
    }

    /// `404 Not Found`.
    pub fn not_found() -> Reply {
        Reply::typed(
            404,
            "text/html",
            b"<html><title>not found</title></html>".to_vec(),
        )
    }

    /// The same reply after `delay`.
    pub fn after(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

/// What a test site answers.
pub trait Site: Send + Sync + 'static {
    /// The reply for `host` (without port) and `path_and_query`; `port` is the
    /// server's (for absolute links), `hits` how many times this URL was asked for
    /// before (0 the first time).
    fn reply(&self, host: &str, port: u16, path_and_query: &str, hits: u32) -> Reply;
}

/// One request the server saw.
#[derive(Debug, Clone)]
pub struct Hit {
    /// `host/path?query` (host without port).
    pub url: String,
    /// The host.
    pub host: String,
    /// When it arrived.
    pub at: Instant,
}

#[derive(Default)]
struct HitLog {
    hits: Vec<Hit>,
    counts: HashMap<String, u32>,
}

/// A running test web.
#[derive(Clone)]
pub struct TestWeb {
    addr: SocketAddr,
    log: Arc<Mutex<HitLog>>,
}

impl std::fmt::Debug for TestWeb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestWeb").field("addr", &self.addr).finish()
    }
}

impl TestWeb {
    /// Starts serving `site` on 127.0.0.1 (a free port) from a thread of its own with
    /// `threads` runtime workers; it runs until the process ends.
    pub fn spawn(site: impl Site, threads: usize) -> std::io::Result<TestWeb> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let log = Arc::new(Mutex::new(HitLog::default()));
        let web = TestWeb {
            addr,
            log: Arc::clone(&log),
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads.max(1))
            .enable_all()
            .build()?;
        let site: Arc<dyn Site> = Arc::new(site);
        std::thread::spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                while let Ok((stream, _)) = listener.accept().await {
                    let site = Arc::clone(&site);
                    let log = Arc::clone(&log);
                    tokio::spawn(async move {
                        let service = service_fn(move |req| {
                            serve(Arc::clone(&site), Arc::clone(&log), addr.port(), req)
                        });
                        let _ = http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
            });
        });
        Ok(web)
    }

    /// The port every virtual host is served on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `--resolve` values for `hosts`, all pointing at this server.
    pub fn resolve_args(&self, hosts: &[&str]) -> Vec<String> {
        hosts
            .iter()
            .map(|h| format!("{h}:{}:127.0.0.1", self.port()))
            .collect()
    }

    /// Every hit so far, in arrival order.
    pub fn hits(&self) -> Vec<Hit> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .hits
            .clone()
    }

    /// Hits per URL (`host/path?query`).
    pub fn counts(&self) -> HashMap<String, u32> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .counts
            .clone()
    }
}

async fn serve(
    site: Arc<dyn Site>,
    log: Arc<Mutex<HitLog>>,
    port: u16,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let host = req
        .headers()
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .split(':')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let pq = req
        .uri()
        .path_and_query()
        .map_or("/".to_owned(), |p| p.as_str().to_owned());
    let url = format!("{host}{pq}");
    let before = {
        let mut log = log.lock().unwrap_or_else(PoisonError::into_inner);
        let n = log.counts.entry(url.clone()).or_default();
        let before = *n;
        *n += 1;
        log.hits.push(Hit {
            url,
            host: host.clone(),
            at: Instant::now(),
        });
        before
    };
    let reply = site.reply(&host, port, &pq, before);
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let mut builder = Response::builder().status(reply.status);
    for (k, v) in &reply.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    Ok(builder
        .body(Full::new(reply.body))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new()))))
}
