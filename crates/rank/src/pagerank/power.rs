//! The textbook power iteration, pull-based and parallel over nodes.

use rayon::prelude::*;

use super::{PageRank, PageRankOptions, PageRankSolver};

/// Iterate `x ← α (Pᵀ x + D/N) + (1 − α)/N` from the uniform vector; scores by position.
pub(super) fn solve(solver: &PageRankSolver, options: &PageRankOptions) -> PageRank {
    let n = solver.num_nodes();
    let alpha = options.alpha;
    let inv_n = 1.0 / n as f64;
    let mut x = vec![inv_n; n];
    let mut z = vec![0.0f64; n];
    let mut x_new = vec![0.0f64; n];
    let (mut sweeps, mut l1_change, mut converged) = (0, f64::INFINITY, false);
    while sweeps < options.max_sweeps {
        sweeps += 1;
        // z(j) = x(j) / d(j), and the dangling mass D.
        let dangling: f64 = z
            .par_iter_mut()
            .zip(&x)
            .zip(&solver.out_degree)
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
                let s: f64 = solver.in_row(i).iter().map(|&j| z[j as usize]).sum();
                let v = alpha * (s + f64::from(solver.loops[i]) * z[i]) + base;
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
    PageRank {
        scores: x,
        sweeps,
        l1_change,
        converged,
    }
}
