//! PageRank against a plain, obviously-correct reference implementation.

use std::collections::BTreeMap;

use hrefdex_rank::pagerank::PARALLEL_COMPONENT;
use hrefdex_rank::scc::strongly_connected_components;
use hrefdex_rank::{Duplicates, Graph, GraphBuilder, Method, PageRankOptions, SelfLoops, pagerank};
use proptest::prelude::*;

/// The definition, written out: arcs as a map (src, dst) -> multiplicity, a dense power
/// iteration with dangling mass spread uniformly, no cleverness.
fn reference_pagerank(
    n: usize,
    edges: &[(u32, u32)],
    self_loops: SelfLoops,
    duplicates: Duplicates,
    alpha: f64,
) -> Vec<f64> {
    let mut arcs: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    for &(s, t) in edges {
        if s == t && self_loops == SelfLoops::Drop {
            continue;
        }
        let m = arcs.entry((s as usize, t as usize)).or_insert(0.0);
        *m = match duplicates {
            Duplicates::Merge => 1.0,
            Duplicates::Keep => *m + 1.0,
        };
    }
    let mut out_degree = vec![0.0; n];
    for (&(s, _), &m) in &arcs {
        out_degree[s] += m;
    }
    let mut x = vec![1.0 / n as f64; n];
    for _ in 0..100_000 {
        let dangling: f64 = (0..n).filter(|&j| out_degree[j] == 0.0).map(|j| x[j]).sum();
        let mut next = vec![(alpha * dangling + 1.0 - alpha) / n as f64; n];
        for (&(s, t), &m) in &arcs {
            next[t] += alpha * x[s] * m / out_degree[s];
        }
        let change: f64 = next.iter().zip(&x).map(|(a, b)| (a - b).abs()).sum();
        x = next;
        if change < 1e-15 {
            break;
        }
    }
    x
}

fn largest_component(graph: &Graph) -> usize {
    let scc = strongly_connected_components(graph);
    let mut sizes = vec![0usize; scc.count];
    for &c in &scc.component {
        sizes[c as usize] += 1;
    }
    sizes.into_iter().max().unwrap_or(0)
}

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// A deterministic power-law-ish random graph (xorshift; no extra dependencies).
fn seeded_graph(n: u32, m: usize, mut seed: u64) -> Vec<(u32, u32)> {
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    (0..m)
        .map(|_| {
            let s = (next() % u64::from(n)) as u32;
            // Skewed targets: squaring a uniform draw favours low ids, like popular pages.
            let u = (next() % 1_000_000) as f64 / 1_000_000.0;
            let t = ((u * u) * f64::from(n)) as u32;
            (s, t.min(n - 1))
        })
        .collect()
}

#[test]
fn seeded_graph_matches_reference_for_every_method_and_policy() {
    // Large enough for a component above PARALLEL_COMPONENT, so blocks are exercised.
    let n = 6_000;
    let edges = seeded_graph(n, 48_000, 0x9E37_79B9_7F4A_7C15);
    for self_loops in [SelfLoops::Keep, SelfLoops::Drop] {
        for duplicates in [Duplicates::Merge, Duplicates::Keep] {
            let expected = reference_pagerank(n as usize, &edges, self_loops, duplicates, 0.85);
            let graph = GraphBuilder::new()
                .self_loops(self_loops)
                .duplicates(duplicates)
                .build(&edges)
                .expect("ids in range");
            let largest = largest_component(&graph);
            assert!(largest >= PARALLEL_COMPONENT, "largest component {largest}");
            for (method, blocks) in [
                (Method::GaussSeidel, 1),
                (Method::GaussSeidel, 7),
                (Method::Power, 1),
            ] {
                let options = PageRankOptions {
                    method,
                    blocks,
                    ..PageRankOptions::default()
                };
                let got = pagerank(&graph, &options).expect("valid options");
                assert!(got.converged);
                let diff = max_abs_diff(&got.scores, &expected);
                assert!(
                    diff <= 1e-12,
                    "{self_loops:?} {duplicates:?} {method:?}/{blocks}: max abs diff {diff:e}"
                );
            }
        }
    }
}

#[test]
fn graph_without_arcs_is_uniform() {
    let graph = GraphBuilder::new()
        .num_nodes(5)
        .build(&[(3, 3)])
        .expect("in range");
    let got = pagerank(&graph, &PageRankOptions::default()).expect("valid options");
    assert!(got.scores.iter().all(|&x| (x - 0.2).abs() < 1e-15));
}

#[test]
fn bad_options_are_refused() {
    let graph = GraphBuilder::new().build(&[(0, 1)]).expect("in range");
    for options in [
        PageRankOptions {
            alpha: 1.0,
            ..PageRankOptions::default()
        },
        PageRankOptions {
            tolerance: 0.0,
            ..PageRankOptions::default()
        },
        PageRankOptions {
            blocks: 0,
            ..PageRankOptions::default()
        },
    ] {
        assert!(pagerank(&graph, &options).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn random_graphs_match_reference(
        n in 1u32..40,
        raw_edges in prop::collection::vec((0u32..40, 0u32..40), 0..200),
        keep_loops: bool,
        keep_duplicates: bool,
        alpha in 0.0f64..0.95,
        power: bool,
        blocks in 1usize..6,
    ) {
        let edges: Vec<(u32, u32)> = raw_edges.into_iter().map(|(s, t)| (s % n, t % n)).collect();
        let self_loops = if keep_loops { SelfLoops::Keep } else { SelfLoops::Drop };
        let duplicates = if keep_duplicates { Duplicates::Keep } else { Duplicates::Merge };
        let graph = GraphBuilder::new()
            .num_nodes(n as usize)
            .self_loops(self_loops)
            .duplicates(duplicates)
            .build(&edges)
            .expect("ids in range");
        let method = if power { Method::Power } else { Method::GaussSeidel };
        let options = PageRankOptions { alpha, method, blocks, tolerance: 1e-14, ..PageRankOptions::default() };
        let got = pagerank(&graph, &options).expect("valid options");
        let expected = reference_pagerank(n as usize, &edges, self_loops, duplicates, alpha);
        prop_assert!(got.converged);
        prop_assert!((got.scores.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let diff = max_abs_diff(&got.scores, &expected);
        prop_assert!(diff <= 1e-12, "max abs diff {:e}", diff);
    }
}
