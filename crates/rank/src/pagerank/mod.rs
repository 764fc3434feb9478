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
//! * [`Method::GaussSeidel`] (default) solves the equivalent linear system
//!   `y = α Pᵀ y + (1 − α)/N · 1` in which dangling nodes simply leak, and returns
//!   `x = y / Σ y`; the two have the same solution up to that scaling (dangling mass only
//!   changes the uniform term, which is a scalar multiple of `1`). Each node's new value is
//!   used at once by the nodes after it; a node's self-loops are solved exactly for it
//!   (`y(i) = (α Σ_{j≠i} y(j)/d(j) + (1−α)/N) / (1 − α k(i)/d(i))`). Nodes are cut into
//!   [`PageRankOptions::blocks`] contiguous blocks balanced by arcs; blocks run in parallel
//!   (rayon) and see each other's values from the previous sweep. The result therefore
//!   depends on `blocks` (within the tolerance) but never on thread count or scheduling:
//!   it is bit-for-bit reproducible.
//! * [`Method::Power`] is the textbook power iteration of the formula above, pull-based
//!   over the transposed CSR, parallel over nodes; about twice as many sweeps.
//!
//! Both stop after the first sweep whose L1 change, `Σ |x_new(i) − x_old(i)|` measured on
//! the normalised vector (for Gauss–Seidel: `Σ |Δy| / Σ y`), is below
//! [`PageRankOptions::tolerance`]. Both are pull-based: no atomics, no locks.

use rayon::prelude::*;

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
    /// Give up after this many sweeps (then [`PageRank::converged`] is false); default 10 000.
    pub max_sweeps: usize,
    /// The solver; default [`Method::GaussSeidel`].
    pub method: Method,
    /// Number of Gauss–Seidel blocks, at least 1; default 8. Results are reproducible for a
    /// fixed value whatever the number of threads; more blocks allow more parallelism and
    /// cost a few more sweeps. Ignored by [`Method::Power`].
    pub blocks: usize,
}

impl Default for PageRankOptions {
    fn default() -> Self {
        Self {
            alpha: 0.85,
            tolerance: 1e-12,
            max_sweeps: 10_000,
            method: Method::GaussSeidel,
            blocks: 8,
        }
    }
}

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
    /// Sweeps performed.
    pub sweeps: usize,
    /// L1 change of the last sweep.
    pub l1_change: f64,
    /// Whether `l1_change < tolerance` was reached within `max_sweeps`.
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

/// A graph prepared for PageRank: in-arcs without self-loops, out-degrees, self-loop counts.
///
/// Preparing costs one pass over the arcs; keep the solver to run several times.
#[derive(Clone, Debug)]
pub struct PageRankSolver {
    /// Row offsets of the in-arc lists (`n + 1` entries).
    in_offsets: Vec<usize>,
    /// Sources of in-arcs (self-loops removed), each row ascending.
    in_sources: Vec<u32>,
    /// Out-degree (self-loops and repeats included).
    out_degree: Vec<u32>,
    /// Self-loop count per node.
    loops: Vec<u32>,
}

impl PageRankSolver {
    /// Prepare `graph`: transpose it and count degrees.
    #[must_use]
    pub fn new(graph: &Graph) -> Self {
        let n = graph.num_nodes();
        let offsets = graph.offsets();
        let targets = graph.targets();
        let mut in_offsets = vec![0usize; n + 1];
        let mut out_degree = vec![0u32; n];
        let mut loops = vec![0u32; n];
        for (s, row) in offsets.windows(2).enumerate() {
            let row = &targets[row[0]..row[1]];
            out_degree[s] = row.len() as u32;
            for &t in row {
                if t as usize == s {
                    loops[s] += 1;
                } else {
                    in_offsets[t as usize + 1] += 1;
                }
            }
        }
        for i in 1..=n {
            in_offsets[i] += in_offsets[i - 1];
        }
        let mut cursor = in_offsets[..n].to_vec();
        let mut in_sources = vec![0u32; in_offsets[n]];
        for (s, row) in offsets.windows(2).enumerate() {
            for &t in &targets[row[0]..row[1]] {
                if t as usize != s {
                    in_sources[cursor[t as usize]] = s as u32;
                    cursor[t as usize] += 1;
                }
            }
        }
        Self {
            in_offsets,
            in_sources,
            out_degree,
            loops,
        }
    }

    /// Number of nodes.
    #[must_use]
    pub fn num_nodes(&self) -> usize {
        self.out_degree.len()
    }

    /// Run PageRank with `options`.
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
        Ok(match options.method {
            Method::GaussSeidel => self.gauss_seidel(options),
            Method::Power => self.power(options),
        })
    }

    fn in_row(&self, i: usize) -> &[u32] {
        &self.in_sources[self.in_offsets[i]..self.in_offsets[i + 1]]
    }

    /// Block boundaries `[0, …, n]`, balanced by in-arcs plus nodes.
    fn block_bounds(&self, blocks: usize) -> Vec<usize> {
        let n = self.num_nodes();
        let total = (self.in_sources.len() + n) as f64;
        let cost = |i: usize| (self.in_offsets[i] + i) as f64;
        let mut bounds: Vec<usize> = (0..=blocks)
            .map(|b| {
                // Smallest i in [0, n] with cost(i) >= goal (cost is increasing).
                let goal = total * b as f64 / blocks as f64;
                let (mut lo, mut hi) = (0usize, n);
                while lo < hi {
                    let mid = lo + (hi - lo) / 2;
                    if cost(mid) < goal {
                        lo = mid + 1
                    } else {
                        hi = mid
                    }
                }
                lo
            })
            .collect();
        bounds[blocks] = n;
        bounds.dedup();
        bounds
    }

    fn gauss_seidel(&self, options: &PageRankOptions) -> PageRank {
        let n = self.num_nodes();
        let alpha = options.alpha;
        let teleport = (1.0 - alpha) / n as f64;
        // y(i) = (s + c) · gain(i) with s = Σ z(j) over in-arcs; z(j) = y(j) · share(j),
        // share(j) = α / d(j), is what successors read.
        let gain: Vec<f64> = (0..n)
            .map(|i| {
                let (d, k) = (self.out_degree[i], self.loops[i]);
                if k == 0 {
                    1.0
                } else {
                    1.0 / (1.0 - alpha * f64::from(k) / f64::from(d))
                }
            })
            .collect();
        let share: Vec<f64> = (0..n)
            .map(|i| match self.out_degree[i] {
                0 => 0.0,
                d => alpha / f64::from(d),
            })
            .collect();
        let bounds = self.block_bounds(options.blocks);
        let mut y = vec![0.0f64; n];
        let mut z_old = vec![0.0f64; n];
        let mut z_new = vec![0.0f64; n];
        let (mut sweeps, mut l1_change, mut converged) = (0, f64::INFINITY, false);
        while sweeps < options.max_sweeps {
            sweeps += 1;
            let parts = split_blocks(&bounds, &mut y, &mut z_new);
            let sums: Vec<(f64, f64)> = parts
                .into_par_iter()
                .map(|(lo, y_blk, z_blk)| {
                    self.gs_block(lo, y_blk, z_blk, &z_old, teleport, &gain, &share)
                })
                .collect();
            std::mem::swap(&mut z_old, &mut z_new);
            let (delta, mass) = sums
                .iter()
                .fold((0.0, 0.0), |(d, m), &(bd, bm)| (d + bd, m + bm));
            l1_change = delta / mass;
            if l1_change < options.tolerance {
                converged = true;
                break;
            }
        }
        let mass: f64 = y.iter().sum();
        y.par_iter_mut().for_each(|v| *v /= mass);
        PageRank {
            scores: y,
            sweeps,
            l1_change,
            converged,
        }
    }

    /// One Gauss–Seidel sweep over the block starting at node `lo`. In-block sources
    /// already updated this sweep are read from `z_blk`, all others from `z_old`.
    /// Returns (Σ |Δy|, Σ y) over the block.
    #[allow(clippy::too_many_arguments)]
    fn gs_block(
        &self,
        lo: usize,
        y_blk: &mut [f64],
        z_blk: &mut [f64],
        z_old: &[f64],
        teleport: f64,
        gain: &[f64],
        share: &[f64],
    ) -> (f64, f64) {
        let (mut delta, mut mass) = (0.0, 0.0);
        for k in 0..y_blk.len() {
            let i = lo + k;
            let mut s = 0.0;
            for &j in self.in_row(i) {
                let off = (j as usize).wrapping_sub(lo);
                s += if off < k {
                    z_blk[off]
                } else {
                    z_old[j as usize]
                };
            }
            let v = (s + teleport) * gain[i];
            delta += (v - y_blk[k]).abs();
            mass += v;
            y_blk[k] = v;
            z_blk[k] = v * share[i];
        }
        (delta, mass)
    }

    fn power(&self, options: &PageRankOptions) -> PageRank {
        let n = self.num_nodes();
        let alpha = options.alpha;
        let inv_n = 1.0 / n as f64;
        let mut x = vec![inv_n; n];
        let mut z = vec![0.0f64; n];
        let mut x_new = vec![0.0f64; n];
        let (mut sweeps, mut l1_change, mut converged) = (0, f64::INFINITY, false);
        while sweeps < options.max_sweeps {
            sweeps += 1;
            // z(j) = x(j) / d(j); dangling mass D.
            let dangling: f64 = z
                .par_iter_mut()
                .zip(&x)
                .zip(&self.out_degree)
                .map(|((z_j, &x_j), &d)| {
                    if d == 0 {
                        *z_j = 0.0;
                        x_j
                    } else {
                        *z_j = x_j / f64::from(d);
                        0.0
                    }
                })
                .sum();
            let base = (alpha * dangling + 1.0 - alpha) * inv_n;
            let delta: f64 = x_new
                .par_iter_mut()
                .enumerate()
                .map(|(i, out)| {
                    let s: f64 = self.in_row(i).iter().map(|&j| z[j as usize]).sum();
                    let v = alpha * (s + f64::from(self.loops[i]) * z[i]) + base;
                    *out = v;
                    (v - x[i]).abs()
                })
                .sum();
            std::mem::swap(&mut x, &mut x_new);
            l1_change = delta;
            if l1_change < options.tolerance {
                converged = true;
                break;
            }
        }
        let mass: f64 = x.iter().sum();
        x.par_iter_mut().for_each(|v| *v /= mass);
        PageRank {
            scores: x,
            sweeps,
            l1_change,
            converged,
        }
    }
}

/// Cut `y` and `z` into the blocks given by `bounds`: `(first node, y block, z block)`.
fn split_blocks<'a>(
    bounds: &[usize],
    mut y: &'a mut [f64],
    mut z: &'a mut [f64],
) -> Vec<(usize, &'a mut [f64], &'a mut [f64])> {
    let mut parts = Vec::with_capacity(bounds.len());
    for w in bounds.windows(2) {
        let len = w[1] - w[0];
        let (y_blk, y_rest) = y.split_at_mut(len);
        let (z_blk, z_rest) = z.split_at_mut(len);
        parts.push((w[0], y_blk, z_blk));
        (y, z) = (y_rest, z_rest);
    }
    parts
}
