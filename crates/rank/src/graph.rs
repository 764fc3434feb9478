//! A directed graph in compressed sparse row (CSR) form, built from an edge list.
//!
//! Node ids are dense `u32`s `0..num_nodes`. The successors of node `v` are
//! `targets[offsets[v]..offsets[v + 1]]`, sorted ascending. Building never allocates per
//! edge: two counting-sort passes (by target, then stably by source) lay the arcs out in
//! `O(nodes + edges)` time and three flat arrays.
//!
//! Policies, chosen with [`GraphBuilder`]:
//!
//! * **Duplicates** ([`Duplicates`]): by default the graph is an arc *set*: repeated
//!   `(src, dst)` pairs are merged into one arc, so a page (or domain) that links to the
//!   same target many times splits its rank over distinct targets only.
//!   [`Duplicates::Keep`] keeps a multigraph instead (an arc repeated `k` times carries
//!   `k` shares).
//! * **Self-loops** ([`SelfLoops`]): DESIGN.md §4 ignores self-links for DR and UR
//!   ([`SelfLoops::Drop`], the default). The LAW reference PageRank of cnr-2000 counts a
//!   self-loop as an ordinary arc ([`SelfLoops::Keep`]).

use crate::error::RankError;

/// What to do with an edge from a node to itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SelfLoops {
    /// Drop self-loops while building (DESIGN.md §4: self-links are ignored for DR and UR).
    #[default]
    Drop,
    /// Keep self-loops as ordinary arcs: they count in the out-degree and feed rank back
    /// to the node itself (the convention of the LAW/WebGraph reference PageRank).
    Keep,
}

/// What to do with an edge that appears more than once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Duplicates {
    /// Merge repeated `(src, dst)` pairs into one arc (the graph is a set of arcs).
    #[default]
    Merge,
    /// Keep every copy (a multigraph: an arc repeated `k` times gets `k` shares of rank).
    Keep,
}

/// Options for building a [`Graph`] from an edge list.
#[derive(Clone, Copy, Debug, Default)]
pub struct GraphBuilder {
    num_nodes: Option<usize>,
    self_loops: SelfLoops,
    duplicates: Duplicates,
}

impl GraphBuilder {
    /// A builder with the defaults: node count inferred, self-loops dropped, duplicates merged.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Declare the node count. Nodes without edges still get a rank; an edge naming a
    /// node `>= num_nodes` is an error. Without this, the count is `max id + 1`.
    #[must_use]
    pub fn num_nodes(mut self, num_nodes: usize) -> Self {
        self.num_nodes = Some(num_nodes);
        self
    }

    /// Choose the self-loop policy (default [`SelfLoops::Drop`]).
    #[must_use]
    pub fn self_loops(mut self, policy: SelfLoops) -> Self {
        self.self_loops = policy;
        self
    }

    /// Choose the duplicate-arc policy (default [`Duplicates::Merge`]).
    #[must_use]
    pub fn duplicates(mut self, policy: Duplicates) -> Self {
        self.duplicates = policy;
        self
    }

    /// Build the graph from `(src, dst)` pairs in any order.
    ///
    /// # Errors
    /// [`RankError::NodeOutOfRange`] if a node count was declared and an edge exceeds it.
    pub fn build(&self, edges: &[(u32, u32)]) -> Result<Graph, RankError> {
        let num_nodes = self.node_count(edges)?;
        let keep_loops = self.self_loops == SelfLoops::Keep;
        let kept = |&(s, t): &(u32, u32)| keep_loops || s != t;

        // Pass 1: counting sort by target. `by_target[in_off[t]..in_off[t+1]]` holds the
        // sources of t's in-arcs in input order.
        let mut in_off = vec![0usize; num_nodes + 1];
        for &(_, t) in edges.iter().filter(|e| kept(e)) {
            in_off[t as usize + 1] += 1;
        }
        prefix_sum(&mut in_off);
        let mut by_target = vec![0u32; in_off[num_nodes]];
        let mut cursor = in_off[..num_nodes].to_vec();
        for &(s, t) in edges.iter().filter(|e| kept(e)) {
            by_target[cursor[t as usize]] = s;
            cursor[t as usize] += 1;
        }

        // Pass 2: walking targets in ascending order, scatter by source. The sort is stable,
        // so every row of the forward CSR comes out sorted by target.
        let mut out_off = vec![0usize; num_nodes + 1];
        for &s in &by_target {
            out_off[s as usize + 1] += 1;
        }
        prefix_sum(&mut out_off);
        let mut targets = vec![0u32; by_target.len()];
        cursor.copy_from_slice(&out_off[..num_nodes]);
        for (t, row) in in_off.windows(2).enumerate() {
            for &s in &by_target[row[0]..row[1]] {
                targets[cursor[s as usize]] = t as u32;
                cursor[s as usize] += 1;
            }
        }
        drop(by_target);

        let mut graph = Graph {
            offsets: out_off,
            targets,
        };
        if self.duplicates == Duplicates::Merge {
            graph.dedup_sorted_rows();
        }
        Ok(graph)
    }

    fn node_count(&self, edges: &[(u32, u32)]) -> Result<usize, RankError> {
        match self.num_nodes {
            Some(n) => {
                for (i, &(s, t)) in edges.iter().enumerate() {
                    let node = s.max(t);
                    if node as usize >= n {
                        return Err(RankError::NodeOutOfRange {
                            edge: i,
                            node,
                            num_nodes: n,
                        });
                    }
                }
                Ok(n)
            }
            None => Ok(edges
                .iter()
                .map(|&(s, t)| s.max(t) as usize + 1)
                .max()
                .unwrap_or(0)),
        }
    }
}

/// Turn per-slot counts (`counts[v + 1]` = count of v) into row offsets in place.
fn prefix_sum(offsets: &mut [usize]) {
    for i in 1..offsets.len() {
        offsets[i] += offsets[i - 1];
    }
}

/// A directed graph in CSR form: `offsets` (`num_nodes + 1` entries) and `targets`.
///
/// Rows are sorted ascending; with [`Duplicates::Merge`] they hold no repeats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Graph {
    offsets: Vec<usize>,
    targets: Vec<u32>,
}

impl Graph {
    /// Build with the default policies (self-loops dropped, duplicates merged); the node
    /// count is `max id + 1`. See [`GraphBuilder`] for the other choices.
    #[must_use]
    pub fn from_edges(edges: &[(u32, u32)]) -> Self {
        // Infallible: without a declared node count every id is in range.
        GraphBuilder::new()
            .build(edges)
            .unwrap_or_else(|_| unreachable!("no declared node count"))
    }

    /// Number of nodes.
    #[must_use]
    pub fn num_nodes(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Number of arcs (after the self-loop and duplicate policies).
    #[must_use]
    pub fn num_edges(&self) -> usize {
        self.targets.len()
    }

    /// Row offsets: the successors of `v` are `targets()[offsets()[v]..offsets()[v + 1]]`.
    #[must_use]
    pub fn offsets(&self) -> &[usize] {
        &self.offsets
    }

    /// Concatenated successor lists.
    #[must_use]
    pub fn targets(&self) -> &[u32] {
        &self.targets
    }

    /// Successors of `node`, ascending.
    ///
    /// # Panics
    /// If `node >= num_nodes()`.
    #[must_use]
    pub fn successors(&self, node: u32) -> &[u32] {
        let v = node as usize;
        &self.targets[self.offsets[v]..self.offsets[v + 1]]
    }

    /// Out-degree of `node`.
    ///
    /// # Panics
    /// If `node >= num_nodes()`.
    #[must_use]
    pub fn out_degree(&self, node: u32) -> usize {
        let v = node as usize;
        self.offsets[v + 1] - self.offsets[v]
    }

    /// The reverse graph (every arc flipped), rows again sorted; `O(nodes + edges)`.
    #[must_use]
    pub fn transpose(&self) -> Graph {
        let n = self.num_nodes();
        let mut offsets = vec![0usize; n + 1];
        for &t in &self.targets {
            offsets[t as usize + 1] += 1;
        }
        prefix_sum(&mut offsets);
        let mut cursor = offsets[..n].to_vec();
        let mut targets = vec![0u32; self.targets.len()];
        for (s, row) in self.offsets.windows(2).enumerate() {
            for &t in &self.targets[row[0]..row[1]] {
                targets[cursor[t as usize]] = s as u32;
                cursor[t as usize] += 1;
            }
        }
        Graph { offsets, targets }
    }

    /// Remove repeats inside each (sorted) row, compacting in place.
    fn dedup_sorted_rows(&mut self) {
        let mut write = 0usize;
        let mut start = 0usize;
        for v in 0..self.num_nodes() {
            let end = self.offsets[v + 1];
            let mut prev: Option<u32> = None;
            for read in start..end {
                let t = self.targets[read];
                if prev != Some(t) {
                    self.targets[write] = t;
                    write += 1;
                    prev = Some(t);
                }
            }
            start = end;
            self.offsets[v + 1] = write;
        }
        self.targets.truncate(write);
        self.targets.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EDGES: [(u32, u32); 7] = [(2, 0), (0, 1), (0, 1), (1, 1), (0, 2), (3, 0), (2, 1)];

    #[test]
    fn defaults_drop_loops_and_merge_duplicates() {
        let g = Graph::from_edges(&EDGES);
        assert_eq!(g.num_nodes(), 4);
        assert_eq!(g.successors(0), &[1, 2]);
        assert_eq!(g.successors(1), &[] as &[u32]);
        assert_eq!(g.successors(2), &[0, 1]);
        assert_eq!(g.successors(3), &[0]);
        assert_eq!(g.num_edges(), 5);
    }

    #[test]
    fn keep_policies() {
        let g = GraphBuilder::new()
            .self_loops(SelfLoops::Keep)
            .duplicates(Duplicates::Keep)
            .num_nodes(6)
            .build(&EDGES)
            .expect("in range");
        assert_eq!(g.num_nodes(), 6);
        assert_eq!(g.successors(0), &[1, 1, 2]);
        assert_eq!(g.successors(1), &[1]);
        assert_eq!(g.out_degree(5), 0);
        assert_eq!(g.num_edges(), 7);
    }

    #[test]
    fn out_of_range_is_an_error() {
        let err = GraphBuilder::new().num_nodes(3).build(&EDGES).unwrap_err();
        assert!(matches!(
            err,
            RankError::NodeOutOfRange {
                edge: 5,
                node: 3,
                num_nodes: 3
            }
        ));
    }

    #[test]
    fn transpose_flips_every_arc() {
        let g = Graph::from_edges(&EDGES);
        let t = g.transpose();
        assert_eq!(t.successors(0), &[2, 3]);
        assert_eq!(t.successors(1), &[0, 2]);
        assert_eq!(t.successors(2), &[0]);
        assert_eq!(t.transpose(), g);
    }

    #[test]
    fn empty_graph() {
        let g = Graph::from_edges(&[]);
        assert_eq!((g.num_nodes(), g.num_edges()), (0, 0));
    }
}
