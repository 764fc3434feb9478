//! Strongly connected components (iterative Tarjan), numbered in topological order.
//!
//! PageRank flows along arcs, so once every component upstream of a component is solved,
//! that component's in-flow from outside is fixed: [`crate::PageRankSolver`] solves the
//! components one by one in this order, each singleton exactly in one step.

use crate::graph::Graph;

const UNVISITED: u32 = u32::MAX;

/// The strongly connected components of a graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Components {
    /// Component of every node. Components are numbered in topological order: every arc
    /// `u → v` has `component[u] <= component[v]`.
    pub component: Vec<u32>,
    /// Number of components.
    pub count: usize,
    /// Every node once, in the order the depth-first search finished it (postorder).
    pub postorder: Vec<u32>,
}

/// Compute the strongly connected components of `graph` in `O(nodes + arcs)`, without
/// recursion.
#[must_use]
pub fn strongly_connected_components(graph: &Graph) -> Components {
    let n = graph.num_nodes();
    let (offsets, targets) = (graph.offsets(), graph.targets());
    let mut index = vec![UNVISITED; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<u32> = Vec::new();
    let mut calls: Vec<(u32, usize)> = Vec::new();
    // Tarjan emits components sinks first; number them so, then flip at the end.
    let mut emitted = vec![0u32; n];
    let (mut counter, mut count) = (0u32, 0u32);
    let mut postorder = Vec::with_capacity(n);
    for root in 0..n {
        if index[root] != UNVISITED {
            continue;
        }
        index[root] = counter;
        low[root] = counter;
        counter += 1;
        stack.push(root as u32);
        on_stack[root] = true;
        calls.push((root as u32, offsets[root]));
        while let Some(&mut (v, ref mut pos)) = calls.last_mut() {
            let v = v as usize;
            if *pos < offsets[v + 1] {
                let w = targets[*pos] as usize;
                *pos += 1;
                if index[w] == UNVISITED {
                    index[w] = counter;
                    low[w] = counter;
                    counter += 1;
                    stack.push(w as u32);
                    on_stack[w] = true;
                    calls.push((w as u32, offsets[w]));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            calls.pop();
            postorder.push(v as u32);
            if let Some(&(u, _)) = calls.last() {
                low[u as usize] = low[u as usize].min(low[v]);
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w as usize] = false;
                    emitted[w as usize] = count;
                    if w as usize == v {
                        break;
                    }
                }
                count += 1;
            }
        }
    }
    let component = emitted.iter().map(|&c| count - 1 - c).collect();
    Components {
        component,
        count: count as usize,
        postorder,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_collapse_and_order_is_topological() {
        // 0 → 1 → 2 → 0 is one component; 3 → 0; 2 → 4 → 5 → 4.
        let edges = [(0, 1), (1, 2), (2, 0), (3, 0), (2, 4), (4, 5), (5, 4)];
        let graph = Graph::from_edges(&edges);
        let c = strongly_connected_components(&graph);
        assert_eq!(c.count, 3);
        let comp = &c.component;
        assert!(comp[0] == comp[1] && comp[1] == comp[2]);
        assert_eq!(comp[4], comp[5]);
        assert_eq!(comp[3], 0);
        for &(u, v) in &edges {
            assert!(comp[u as usize] <= comp[v as usize]);
        }
    }

    #[test]
    fn a_long_path_needs_no_recursion() {
        let edges: Vec<(u32, u32)> = (0..200_000).map(|i| (i, i + 1)).collect();
        let c = strongly_connected_components(&Graph::from_edges(&edges));
        assert_eq!(c.count, 200_001);
        assert!(c.component.windows(2).all(|w| w[0] < w[1]));
    }
}
