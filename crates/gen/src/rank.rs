//! A plain PageRank power iteration, independent of `hrefdex-rank`, for the truth file.

/// PageRank with damping `alpha` over `n` nodes and deduplicated `edges` (no self loops):
/// each node's rank is split equally over its out-edges, dangling rank is spread
/// uniformly, iterated until the L1 change is below `tolerance` (or 10,000 rounds).
/// Scores sum to 1.
pub fn pagerank(n: usize, edges: &[(u32, u32)], alpha: f64, tolerance: f64) -> Vec<f64> {
    if n == 0 {
        return Vec::new();
    }
    let mut out_degree = vec![0u32; n];
    for &(a, _) in edges {
        out_degree[a as usize] += 1;
    }
    let inv_n = 1.0 / n as f64;
    let mut x = vec![inv_n; n];
    let mut next = vec![0.0; n];
    for _ in 0..10_000 {
        let dangling: f64 = (0..n).filter(|&i| out_degree[i] == 0).map(|i| x[i]).sum();
        let base = (alpha * dangling + 1.0 - alpha) * inv_n;
        next.iter_mut().for_each(|v| *v = base);
        for &(a, b) in edges {
            next[b as usize] += alpha * x[a as usize] / f64::from(out_degree[a as usize]);
        }
        let diff: f64 = x.iter().zip(&next).map(|(a, b)| (a - b).abs()).sum();
        std::mem::swap(&mut x, &mut next);
        if diff < tolerance {
            break;
        }
    }
    let sum: f64 = x.iter().sum();
    x.iter_mut().for_each(|v| *v /= sum);
    x
}

#[cfg(test)]
mod tests {
    use super::pagerank;

    #[test]
    fn a_star_ranks_its_centre_first() {
        let edges = [(1, 0), (2, 0), (3, 0), (0, 1)];
        let r = pagerank(4, &edges, 0.85, 1e-14);
        assert!((r.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(r[0] > r[1] && r[1] > r[2]);
        assert!((r[2] - r[3]).abs() < 1e-15);
    }
}
