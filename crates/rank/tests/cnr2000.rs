//! PageRank of the real LAW cnr-2000 web graph against its shipped reference values.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::Instant;

use hrefdex_rank::{
    GraphBuilder, Method, PageRankOptions, SelfLoops, ahrefs_top, domain_rating, pagerank,
    read_edge_list_path,
};

fn data_dir() -> Option<PathBuf> {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/webgraph-cnr-2000"
    ));
    if dir.join("cnr-2000.arcs.tsv.gz").exists() {
        Some(dir.to_path_buf())
    } else {
        eprintln!(
            "SKIP: {} not found; cnr-2000 PageRank test not run",
            dir.display()
        );
        None
    }
}

/// `node<TAB>pagerank` lines after one header line.
fn read_reference(path: &Path) -> Vec<f64> {
    let file = std::fs::File::open(path).expect("reference file opens");
    let reader = std::io::BufReader::new(flate2::read::GzDecoder::new(file));
    let mut scores = Vec::new();
    for (i, line) in reader.lines().enumerate().skip(1) {
        let line = line.expect("reference file reads");
        let (node, value) = line.split_once('\t').expect("two fields");
        assert_eq!(node.parse::<usize>().expect("node id"), i - 1);
        scores.push(value.parse::<f64>().expect("pagerank value"));
    }
    scores
}

/// The default solver (Gauss–Seidel); about 5 s in the debug profile.
#[test]
fn cnr2000_matches_reference_pagerank() {
    check(Method::GaussSeidel);
}

/// The power iteration: needs about 5 s more in the debug profile, so it runs on demand
/// (`cargo test -p hrefdex-rank -- --ignored`); the random-graph tests cover it always.
#[test]
#[ignore = "about 5 s in the debug profile; run with --ignored"]
fn cnr2000_power_iteration_matches_reference() {
    check(Method::Power);
}

fn check(method: Method) {
    let Some(dir) = data_dir() else { return };
    let t = Instant::now();
    let edges = read_edge_list_path(&dir.join("cnr-2000.arcs.tsv.gz")).expect("edge list parses");
    let graph = GraphBuilder::new()
        .self_loops(SelfLoops::Keep)
        .build(&edges)
        .expect("builds");
    assert_eq!((graph.num_nodes(), graph.num_edges()), (325_557, 3_216_152));
    let expected = read_reference(&dir.join("cnr-2000.pagerank-alpha0.85.tsv.gz"));
    eprintln!("loaded in {:?}", t.elapsed());

    {
        let t = Instant::now();
        let options = PageRankOptions {
            method,
            ..PageRankOptions::default()
        };
        let got = pagerank(&graph, &options).expect("valid options");
        let diff = got
            .scores
            .iter()
            .zip(&expected)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        eprintln!(
            "{method:?}: {} sweeps, L1 change {:e}, max abs diff {diff:e}, {:?}",
            got.sweeps,
            got.l1_change,
            t.elapsed()
        );
        assert!(got.converged);
        assert!(diff <= 1e-9, "{method:?}: max abs diff {diff:e}");
        if method == Method::GaussSeidel {
            // 95 sweeps without the extrapolation of steady decay, 53 with it.
            assert!(
                got.sweeps <= 60,
                "{} sweeps: extrapolation did not help",
                got.sweeps
            );
        }

        let top = ahrefs_top(&got.scores);
        assert_eq!(top[60595], 1, "60595 is the top node");
        let dr = domain_rating(&got.scores);
        assert_eq!(dr[60595], 100);
        assert_eq!(dr.iter().min(), Some(&0));
    }
}
