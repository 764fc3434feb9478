//! Preparing a graph for PageRank: components, renumbering, in-arc lists.

use rayon::prelude::*;

use super::{Method, PageRank, PageRankOptions, gauss_seidel, power};
use crate::error::RankError;
use crate::graph::Graph;
use crate::scc::strongly_connected_components;

/// A graph prepared for PageRank (see the [module docs](super) for the method).
///
/// Nodes are renumbered ("positions") so that strongly connected components are contiguous
/// and in topological order; within a component, nodes follow the reverse postorder of the
/// depth-first search (most arcs then point forward). Holds the
/// in-arcs without self-loops, rows ascending by position, the out-degrees and the
/// self-loop counts. Preparing costs a few passes over the arcs; keep the solver to run
/// several times.
#[derive(Clone, Debug)]
pub struct PageRankSolver {
    /// Original node id at each position.
    pub(super) node_at: Vec<u32>,
    /// Component boundaries in positions: `[0, …, n]`, topological order.
    pub(super) components: Vec<usize>,
    /// Row offsets of the in-arc lists (`n + 1` entries).
    pub(super) in_offsets: Vec<usize>,
    /// Positions of the sources of in-arcs (self-loops removed), each row ascending.
    pub(super) in_sources: Vec<u32>,
    /// Out-degree per position (self-loops and repeats included).
    pub(super) out_degree: Vec<u32>,
    /// Self-loop count per position.
    pub(super) loops: Vec<u32>,
}

impl PageRankSolver {
    /// Prepare `graph`: strongly connected components, renumbering, transposition.
    #[must_use]
    pub fn new(graph: &Graph) -> Self {
        let n = graph.num_nodes();
        let (offsets, targets) = (graph.offsets(), graph.targets());
        let scc = strongly_connected_components(graph);

        // Counting sort of nodes by component; within one, reverse DFS postorder, so that
        // most arcs inside a component point forward and Gauss–Seidel uses fresh values.
        let mut components = vec![0usize; scc.count + 1];
        for &c in &scc.component {
            components[c as usize + 1] += 1;
        }
        for c in 1..=scc.count {
            components[c] += components[c - 1];
        }
        let mut cursor = components[..scc.count].to_vec();
        let mut node_at = vec![0u32; n];
        let mut position = vec![0u32; n];
        for &v in scc.postorder.iter().rev() {
            let v = v as usize;
            let c = scc.component[v];
            let p = cursor[c as usize];
            cursor[c as usize] += 1;
            node_at[p] = v as u32;
            position[v] = p as u32;
        }

        let mut out_degree = vec![0u32; n];
        let mut loops = vec![0u32; n];
        let mut in_offsets = vec![0usize; n + 1];
        for (s, row) in offsets.windows(2).enumerate() {
            let p = position[s] as usize;
            let row = &targets[row[0]..row[1]];
            out_degree[p] = row.len() as u32;
            for &t in row {
                if t as usize == s {
                    loops[p] += 1;
                } else {
                    in_offsets[position[t as usize] as usize + 1] += 1;
                }
            }
        }
        for i in 1..=n {
            in_offsets[i] += in_offsets[i - 1];
        }
        // Scatter walking sources by position, so every in-row comes out ascending.
        let mut cursor = in_offsets[..n].to_vec();
        let mut in_sources = vec![0u32; in_offsets[n]];
        for (p, &v) in node_at.iter().enumerate() {
            let v = v as usize;
            for &t in &targets[offsets[v]..offsets[v + 1]] {
                if t as usize != v {
                    let q = position[t as usize] as usize;
                    in_sources[cursor[q]] = p as u32;
                    cursor[q] += 1;
                }
            }
        }
        Self {
            node_at,
            components,
            in_offsets,
            in_sources,
            out_degree,
            loops,
        }
    }

    /// Number of nodes.
    #[must_use]
    pub fn num_nodes(&self) -> usize {
        self.node_at.len()
    }

    /// Number of strongly connected components.
    #[must_use]
    pub fn num_components(&self) -> usize {
        self.components.len() - 1
    }

    /// Run PageRank with `options`; scores are indexed by the original node ids.
    ///
    /// # Errors
    /// [`RankError::InvalidOption`] if an option is out of its domain.
    pub fn run(&self, options: &PageRankOptions) -> Result<PageRank, RankError> {
        options.validate()?;
        if self.num_nodes() == 0 {
            return Ok(PageRank {
                scores: Vec::new(),
                sweeps: 0,
                l1_change: 0.0,
                converged: true,
            });
        }
        let mut result = match options.method {
            Method::GaussSeidel => gauss_seidel::solve(self, options),
            Method::Power => power::solve(self, options),
        };
        // From positions back to node ids, normalised to sum 1.
        let mass: f64 = result.scores.iter().sum();
        let mut scores = vec![0.0; self.num_nodes()];
        for (&v, &y) in self.node_at.iter().zip(&result.scores) {
            scores[v as usize] = y;
        }
        scores.par_iter_mut().for_each(|x| *x /= mass);
        result.scores = scores;
        Ok(result)
    }

    /// In-arc sources (positions) of position `i`.
    pub(super) fn in_row(&self, i: usize) -> &[u32] {
        &self.in_sources[self.in_offsets[i]..self.in_offsets[i + 1]]
    }
}
