//! PageRank over a [`Graph`]: the definition, and two exact solvers for it.
//!
//! # Definition
//!
//! For a graph with `N` nodes, out-degrees `d(j)` (arcs counted after the graph's self-loop
//! and duplicate policies; a self-loop counts like any arc) and damping factor `α`, the
//! PageRank vector `x` is the unique probability vector (`Σ x = 1`, all `x(i) > 0`) with
//!
//! ```text
//! x(i) = α · Σ_{arcs j→i} x(j) / d(j)  +  α · D / N  +  (1 − α) / N,
//! D    = Σ_{j : d(j) = 0} x(j)                        (dangling mass, spread uniformly)
//! ```
//!
//! that is, the stationary distribution of a surfer who follows a random out-arc with
//! probability `α`, otherwise jumps to a uniformly random node, and always jumps uniformly
//! from a node without out-arcs. An arc repeated `k` times (with [`crate::Duplicates::Keep`])
//! carries `k` shares. This is the convention of the LAW/WebGraph reference PageRank and of
//! igraph's PRPACK.
//!
//! # Solvers ([`Method`])
//!
//! Both first cut the graph into strongly connected components ([`crate::scc`]) and
//! renumber nodes so that every component is a contiguous range and arcs only go from
//! earlier to later components (within a component, nodes follow the reverse postorder
//! of the depth-first search, so most arcs point forward).
//!
//! * [`Method::GaussSeidel`] (default) solves the equivalent linear system
//!   `y = α Pᵀ y + (1 − α)/N · 1`, in which dangling nodes simply leak, and returns
//!   `x = y / Σ y`: the two have the same solution up to that scaling (dangling mass only
//!   changes the uniform term, a scalar multiple of `1`). Like PRPACK it goes through the
//!   components in topological order, when everything upstream is final:
//!   - a component of one node is solved exactly in one step, its self-loops included
//!     (`y(i) = (α Σ_{j≠i} y(j)/d(j) + (1−α)/N) / (1 − α k(i)/d(i))`, `k(i)` self-loops);
//!   - a larger component `C` is swept Gauss–Seidel style (each new value is used at once
//!     by the nodes after it) until one sweep changes `y` on `C` by less than
//!     `tolerance · |C| / M · L` in L1 norm, `M` being the number of nodes in components
//!     of more than one node and `L ≤ Σ y` a lower bound of the final total (everything
//!     solved so far plus `(1−α)/N` per node still to come). The budgets add up to
//!     `tolerance`, so the changes of the last sweeps of all components, added up, are below
//!     `tolerance` on the normalised vector, as for one global sweep. With one block,
//!     once the L1 changes of three successive sweeps shrink at the same rate `r` (within
//!     2 %), the error is dominated by one mode and the rest of the way is taken in one
//!     step: `y += r/(1−r) · Δy` of the last sweep (Aitken extrapolation, at most every
//!     5 sweeps). Sweeps still decide convergence, so the fixed point and the stopping
//!     rule are unchanged; on cnr-2000 it cuts the sweeps from 95 to 53 at `1e-12`.
//!     Components of at least [`PARALLEL_COMPONENT`] nodes are cut into
//!     [`PageRankOptions::blocks`] contiguous blocks balanced by arcs, swept in parallel
//!     (rayon); a block sees the other blocks' values of the previous sweep. The result
//!     depends on `blocks` (within the tolerance) but never on thread count or scheduling:
//!     it is bit-for-bit reproducible.
//! * [`Method::Power`] is the textbook power iteration of the formula above, pull-based
//!   over the transposed CSR, parallel over nodes, until one sweep changes `x` by less than
//!   `tolerance` in L1 norm; it needs many more passes over all arcs.
//!
//! Both are pull-based over the transposed graph: no atomics, no locks.

mod gauss_seidel;
mod power;
mod solver;

pub use solver::PageRankSolver;

use crate::error::RankError;
use crate::graph::Graph;

/// Which iteration computes the fixed point (both converge to the same vector).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Method {
    /// Block-parallel Gauss–Seidel on the linear-system form (default; fewest sweeps).
    #[default]
    GaussSeidel,
    /// Plain power (Jacobi) iteration, parallel over nodes.
    Power,
}

/// Parameters of a PageRank run.
#[derive(Clone, Copy, Debug)]
pub struct PageRankOptions {
    /// Damping factor `α` in `[0, 1)`; default 0.85.
    pub alpha: f64,
    /// Stop when one sweep changes the normalised vector by less than this in L1 norm;
    /// default `1e-12`. Must be positive.
    pub tolerance: f64,
    /// Give up after this many sweeps (of one component, for Gauss–Seidel; then
    /// [`PageRank::converged`] is false); default 10 000.
    pub max_sweeps: usize,
    /// The solver; default [`Method::GaussSeidel`].
    pub method: Method,
    /// Number of Gauss–Seidel blocks of a large component, at least 1; default 1.
    /// Results are reproducible for a fixed value whatever the number of threads. More
    /// blocks run in parallel, but every sweep waits for its slowest block: this pays on
    /// idle cores only. On the shared 2-core machine of docs/perf-log.md, 2 blocks were
    /// slower than 1. Only one block extrapolates (see the module docs), so more
    /// blocks also take more sweeps. Ignored by [`Method::Power`].
    pub blocks: usize,
}

impl Default for PageRankOptions {
    fn default() -> Self {
        Self {
            alpha: 0.85,
            tolerance: 1e-12,
            max_sweeps: 10_000,
            method: Method::GaussSeidel,
            blocks: 1,
        }
    }
}

/// Components with at least this many nodes are swept in parallel blocks.
pub const PARALLEL_COMPONENT: usize = 4096;

impl PageRankOptions {
    fn validate(&self) -> Result<(), RankError> {
        if !(0.0..1.0).contains(&self.alpha) {
            return Err(RankError::InvalidOption("alpha must be in [0, 1)"));
        }
        if !(self.tolerance > 0.0 && self.tolerance.is_finite()) {
            return Err(RankError::InvalidOption(
                "tolerance must be positive and finite",
            ));
        }
        if self.blocks == 0 {
            return Err(RankError::InvalidOption("blocks must be at least 1"));
        }
        Ok(())
    }
}

/// The outcome of a PageRank run.
#[derive(Clone, Debug)]
pub struct PageRank {
    /// PageRank of every node, summing to 1 (up to rounding); empty for an empty graph.
    pub scores: Vec<f64>,
    /// Sweeps performed: for Gauss–Seidel, the most sweeps any component needed.
    pub sweeps: usize,
    /// L1 change of the normalised vector in the last sweep (for Gauss–Seidel, the last
    /// sweeps of all components added up).
    pub l1_change: f64,
    /// Whether the tolerance was met (by every component) within `max_sweeps`.
    pub converged: bool,
}

/// Compute PageRank of `graph` (see the [module docs](self) for the exact definition).
///
/// Runs on the current rayon pool; wrap the call in `ThreadPool::install` to choose threads.
///
/// # Errors
/// [`RankError::InvalidOption`] if an option is out of its domain.
pub fn pagerank(graph: &Graph, options: &PageRankOptions) -> Result<PageRank, RankError> {
    PageRankSolver::new(graph).run(options)
}
