//! Authority metrics for hrefdex: CSR graphs, exact PageRank, Domain Rating and URL Rating.
//!
//! This crate owns one job: from a link graph with dense `u32` node ids to a raw PageRank
//! per node, and from that to the 0–100 ratings and positions the API serves. It has no
//! idea what a node is; the index builder numbers domains (for DR) or pages (for UR).
//!
//! * [`Graph`] / [`GraphBuilder`] (module [`graph`]): CSR arrays built from an unsorted edge
//!   list by counting sort, with stated self-loop ([`SelfLoops`]) and duplicate
//!   ([`Duplicates`]) policies.
//! * [`pagerank()`] / [`PageRankSolver`] (module [`pagerank`](mod@pagerank)): the exact
//!   definition in rustdoc; Gauss–Seidel per strongly connected component in topological
//!   order (default, PRPACK-style, optionally block-parallel) or the power iteration, both
//!   to an L1 tolerance you choose ([`PageRankOptions`]).
//! * [`scc::strongly_connected_components`] (module [`scc`]): iterative Tarjan, components
//!   numbered in topological order.
//! * [`domain_rating`], [`url_rating`], [`ahrefs_top`] (module [`rating`]): the log-scale
//!   0–100 mapping, formula in the module docs, and positions by raw PageRank.
//! * [`read_edge_list_path`] (module [`edges`]): text edge lists, plain or gzip.
//!
//! Data flow for the index builder (DESIGN.md §4):
//!
//! ```
//! use hrefdex_rank::{GraphBuilder, PageRankOptions, ahrefs_top, domain_rating, pagerank};
//!
//! // Domain ids 0..3; (from, to) for every followed link between different domains.
//! let links = [(0, 1), (1, 2), (2, 0), (0, 2), (0, 2), (1, 1)];
//! let graph = GraphBuilder::new().num_nodes(4).build(&links)?; // self-links dropped, repeats merged
//! let raw = pagerank(&graph, &PageRankOptions::default())?.scores;
//! let dr = domain_rating(&raw);
//! let top = ahrefs_top(&raw);
//! assert_eq!(top[2], 1); // domain 2 has the most rank
//! assert_eq!((dr[2], dr[3]), (100, 0)); // domain 3 has no links at all
//! # Ok::<(), hrefdex_rank::RankError>(())
//! ```

pub mod edges;
mod error;
pub mod graph;
pub mod pagerank;
pub mod rating;
pub mod scc;

pub use edges::{read_edge_list, read_edge_list_path};
pub use error::RankError;
pub use graph::{Duplicates, Graph, GraphBuilder, SelfLoops};
pub use pagerank::{Method, PageRank, PageRankOptions, PageRankSolver, pagerank};
pub use rating::{ahrefs_top, domain_rating, log_rating, url_rating};
