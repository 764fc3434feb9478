//! PageRank benchmark on the LAW cnr-2000 web graph (or any `src<TAB>dst` edge list).
//!
//! ```text
//! cargo run --release -p hrefdex-rank --bin pagerank_bench -- \
//!     [--runs 7] [--tolerance 1e-12] [--method gs|power] [--blocks 8] [--threads T] [EDGES.tsv.gz [REFERENCE.tsv.gz]]
//! ```
//!
//! Self-loops are kept (the convention of the reference). Each run is one full
//! [`pagerank()`] call: preparing the solver (components, renumbering, transposition) plus iterating. Prints min and median
//! seconds, arcs/s (arcs divided by the median time) and, when a reference file
//! (`node<TAB>pagerank`, one header line) is given or found next to the edges, the max
//! absolute difference.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use hrefdex_rank::{
    GraphBuilder, Method, PageRankOptions, PageRankSolver, SelfLoops, log_rating, pagerank,
    read_edge_list_path, scc::strongly_connected_components,
};

const DEFAULT_EDGES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/webgraph-cnr-2000/cnr-2000.arcs.tsv.gz"
);

struct Args {
    runs: usize,
    threads: Option<usize>,
    options: PageRankOptions,
    edges: PathBuf,
    reference: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        runs: 7,
        threads: None,
        options: PageRankOptions::default(),
        edges: PathBuf::from(DEFAULT_EDGES),
        reference: None,
    };
    let mut positional = Vec::new();
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--runs" => {
                args.runs = value("--runs")?
                    .parse()
                    .map_err(|e| format!("--runs: {e}"))?
            }
            "--threads" => {
                args.threads = Some(
                    value("--threads")?
                        .parse()
                        .map_err(|e| format!("--threads: {e}"))?,
                );
            }
            "--tolerance" => {
                args.options.tolerance = value("--tolerance")?
                    .parse()
                    .map_err(|e| format!("--tolerance: {e}"))?;
            }
            "--blocks" => {
                args.options.blocks = value("--blocks")?
                    .parse()
                    .map_err(|e| format!("--blocks: {e}"))?;
            }
            "--method" => {
                args.options.method = match value("--method")?.as_str() {
                    "gs" => Method::GaussSeidel,
                    "power" => Method::Power,
                    other => return Err(format!("--method: unknown {other:?} (gs|power)")),
                };
            }
            _ if arg.starts_with("--") => return Err(format!("unknown flag {arg}")),
            _ => positional.push(PathBuf::from(arg)),
        }
    }
    let mut positional = positional.into_iter();
    if let Some(edges) = positional.next() {
        args.edges = edges;
    }
    args.reference = positional.next().or_else(|| {
        let name = args
            .edges
            .file_name()?
            .to_str()?
            .replace(".arcs.tsv.gz", ".pagerank-alpha0.85.tsv.gz");
        let path = args.edges.with_file_name(name);
        (path != args.edges && path.exists()).then_some(path)
    });
    Ok(args)
}

fn read_reference(path: &PathBuf) -> Result<Vec<f64>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let reader = std::io::BufReader::new(flate2::read::MultiGzDecoder::new(file));
    let mut scores = Vec::new();
    for (i, line) in reader.lines().enumerate().skip(1) {
        let line = line.map_err(|e| format!("{}: {e}", path.display()))?;
        let value = line
            .split('\t')
            .nth(1)
            .and_then(|v| v.parse().ok())
            .ok_or(format!("{}: line {}: bad value", path.display(), i + 1))?;
        scores.push(value);
    }
    Ok(scores)
}

fn run(args: &Args) -> Result<(), String> {
    let t = Instant::now();
    let edges = read_edge_list_path(&args.edges).map_err(|e| e.to_string())?;
    let graph = GraphBuilder::new()
        .self_loops(SelfLoops::Keep)
        .build(&edges)
        .map_err(|e| e.to_string())?;
    drop(edges);
    println!(
        "graph: {} nodes, {} arcs, read and built in {:.2} s",
        graph.num_nodes(),
        graph.num_edges(),
        t.elapsed().as_secs_f64()
    );
    println!(
        "options: {:?}, threads {}",
        args.options,
        rayon::current_num_threads()
    );
    let t = Instant::now();
    let solver = PageRankSolver::new(&graph);
    let prep = t.elapsed().as_secs_f64();
    let scc = strongly_connected_components(&graph);
    let mut sizes = vec![0usize; scc.count];
    for &c in &scc.component {
        sizes[c as usize] += 1;
    }
    let largest = sizes.iter().copied().max().unwrap_or(0);
    let big = sizes.iter().position(|&s| s == largest).unwrap_or(0) as u32;
    let internal_arcs = (0..graph.num_nodes() as u32)
        .filter(|&v| scc.component[v as usize] == big)
        .flat_map(|v| graph.successors(v))
        .filter(|&&t| scc.component[t as usize] == big)
        .count();
    let t = Instant::now();
    let solved = solver.run(&args.options).map_err(|e| e.to_string())?;
    println!(
        "components: {} ({} of one node), largest {largest} nodes with {internal_arcs} internal arcs; prepare {prep:.4} s, iterate {:.4} s ({} sweeps)",
        scc.count,
        sizes.iter().filter(|&&s| s == 1).count(),
        t.elapsed().as_secs_f64(),
        solved.sweeps,
    );
    let mut times = Vec::with_capacity(args.runs);
    let mut last = None;
    for _ in 0..args.runs.max(1) {
        let t = Instant::now();
        let result = pagerank(&graph, &args.options).map_err(|e| e.to_string())?;
        times.push(t.elapsed().as_secs_f64());
        last = Some(result);
    }
    let result = last.ok_or("no run")?;
    times.sort_by(f64::total_cmp);
    let (min, median) = (times[0], times[times.len() / 2]);
    println!(
        "pagerank: {} runs, min {min:.4} s, median {median:.4} s, {} sweeps, L1 change {:.3e}, {:.1} M arcs/s ({:.0} M arc-updates/s)",
        times.len(),
        result.sweeps,
        result.l1_change,
        graph.num_edges() as f64 / median / 1e6,
        (graph.num_edges() * result.sweeps) as f64 / median / 1e6,
    );
    if let Some(path) = &args.reference {
        let expected = read_reference(path)?;
        let diff = result
            .scores
            .iter()
            .zip(&expected)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        println!("max abs difference vs {}: {diff:.3e}", path.display());
    }
    let mut histogram = [0usize; 11];
    for r in log_rating(&result.scores) {
        histogram[usize::from(r / 10)] += 1;
    }
    println!("rating histogram (0-9, 10-19, …, 100): {histogram:?}");
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("pagerank_bench: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(threads) = args.threads
        && let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
    {
        eprintln!("pagerank_bench: {e}");
        return ExitCode::from(2);
    }
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pagerank_bench: {e}");
            ExitCode::FAILURE
        }
    }
}
