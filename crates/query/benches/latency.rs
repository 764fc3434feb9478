//! Single-target query latency on an existing index, the way the server runs a request
//! (one cached snapshot, the plan on a Tokio runtime, the answer encoded as JSON).
//!
//! ```text
//! cargo bench -p hrefdex-query --bench latency -- --index DIR [--iterations 200] [--targets-out FILE]
//! ```
//!
//! Targets are three registrable domains picked by their number of live external backlinks:
//! the largest, the median and the smallest (`mode=domain`). For each target and table it prints p50, p99, min and max in
//! milliseconds. `--targets-out` writes the targets and their SURT key ranges as JSON, so
//! that a peer (`crates/query/bench/duckdb_latency.py`) runs the same lookups.
#![allow(clippy::unwrap_used)] // a benchmark: a panic is the report

use std::path::PathBuf;
use std::time::Instant;

use datafusion::arrow::array::{AsArray, RecordBatch};
use datafusion::arrow::datatypes::Int64Type;
use datafusion::functions_aggregate::expr_fn::count;
use datafusion::prelude::{col, lit};
use hrefdex_api::params::Params;
use hrefdex_api::{OutputFormat, ParseOptions, Request};
use hrefdex_query::Engine;
use hrefdex_url::KeyRange;

/// What each measured request asks (the target is appended).
const QUERIES: [(&str, &str); 4] = [
    ("backlinks", "from=backlinks&limit=1000"),
    ("refdomains", "from=refdomains&limit=1000"),
    ("anchors", "from=anchors&limit=1000"),
    ("metrics", "from=metrics"),
];

struct Options {
    index: PathBuf,
    iterations: usize,
    targets_out: Option<PathBuf>,
}

fn options() -> Options {
    let mut opts = Options {
        index: PathBuf::new(),
        iterations: 200,
        targets_out: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--index" => opts.index = args.next().expect("--index DIR").into(),
            "--iterations" => {
                opts.iterations = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("--iterations N")
            }
            "--targets-out" => opts.targets_out = args.next().map(PathBuf::from),
            "--bench" => {}
            other => panic!(
                "unknown argument {other:?} (expected --index DIR [--iterations N] [--targets-out FILE])"
            ),
        }
    }
    assert!(
        !opts.index.as_os_str().is_empty(),
        "--index DIR is required"
    );
    opts
}

fn request(q: &str) -> Request {
    Request::parse(
        &Params::from_query(q.as_bytes()),
        ParseOptions {
            require_token: false,
        },
    )
    .unwrap()
}

fn column<'a>(batches: &'a [RecordBatch], i: usize) -> impl Iterator<Item = i64> + 'a {
    batches.iter().flat_map(move |b| {
        b.column(i)
            .as_primitive::<Int64Type>()
            .values()
            .iter()
            .copied()
    })
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let opts = options();
    let engine = Engine::open(&opts.index).unwrap();
    let snapshot = engine.latest().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    // Targets: domains by referring-domain count.
    let (names, counts) = rt.block_on(async {
        let df = snapshot
            .ctx
            .table("links_in")
            .await
            .unwrap()
            .filter(col("lost_at").is_null().and(col("internal").eq(lit(false))))
            .unwrap()
            .aggregate(
                vec![col("to_domain")],
                vec![count(lit(1i64)).alias("backlinks")],
            )
            .unwrap()
            .sort(vec![
                col("backlinks").sort(false, false),
                col("to_domain").sort(true, false),
            ])
            .unwrap();
        let batches = df.collect().await.unwrap();
        let names: Vec<String> = batches
            .iter()
            .flat_map(|b| {
                b.column(0)
                    .as_string::<i32>()
                    .iter()
                    .map(|s| s.unwrap_or("").to_owned())
                    .collect::<Vec<_>>()
            })
            .collect();
        let counts: Vec<i64> = column(&batches, 1).collect();
        (names, counts)
    });
    assert!(!names.is_empty(), "the index has no backlinks");
    let picks = [
        ("huge", 0),
        ("median", names.len() / 2),
        ("small", names.len() - 1),
    ];

    let mut targets_json = Vec::new();
    println!(
        "index {} version {}: {} iterations per cell, times in ms",
        opts.index.display(),
        snapshot.version.version,
        opts.iterations
    );
    println!("| target | backlinks | table | rows | p50 | p99 | min | max |");
    println!("|---|---:|---|---:|---:|---:|---:|---:|");
    for (label, i) in picks {
        let target = &names[i];
        let target_q = format!("target={target}&mode=domain");
        let ranges: Vec<serde_json::Value> = request(&format!("from=backlinks&{target_q}"))
            .key_ranges()
            .iter()
            .map(|r| match r {
                KeyRange::Exact(k) => serde_json::json!({"exact": k}),
                KeyRange::Prefix(k) => {
                    serde_json::json!({"lower": k, "upper": r.upper_exclusive()})
                }
            })
            .collect();
        targets_json.push(serde_json::json!({"label": label, "target": target, "backlinks": counts[i], "ranges": ranges}));
        for (name, q) in QUERIES {
            let req = request(&format!("{q}&{target_q}"));
            let mut rows = 0;
            for _ in 0..3 {
                rows = rt.block_on(snapshot.answer(&req)).unwrap().rows.len();
            }
            let mut times: Vec<f64> = (0..opts.iterations)
                .map(|_| {
                    let t = Instant::now();
                    let answer = rt.block_on(snapshot.answer(&req)).unwrap();
                    std::hint::black_box(answer.encode(OutputFormat::Json));
                    t.elapsed().as_secs_f64() * 1e3
                })
                .collect();
            times.sort_by(f64::total_cmp);
            println!(
                "| {label} ({target}) | {} | {name} | {rows} | {:.2} | {:.2} | {:.2} | {:.2} |",
                counts[i],
                percentile(&times, 0.5),
                percentile(&times, 0.99),
                times[0],
                times[times.len() - 1]
            );
        }
    }
    if let Some(path) = opts.targets_out {
        let files: Vec<String> = engine
            .index()
            .table_files(&snapshot.version, "links_in")
            .unwrap()
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        let doc = serde_json::json!({"links_in_files": files, "targets": targets_json});
        std::fs::write(&path, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
        println!("targets written to {}", path.display());
    }
}
