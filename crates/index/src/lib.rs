//! The backlink index: from crawl batches to link history, ratings and stored tables.
//!
//! * [`visit`]: the input, one [`PageVisit`] per HTTP response with its [`LinkSeen`]s.
//! * [`state`]: the index in memory ([`IndexState`]): interned URLs, pages, links with
//!   history, the event log, ratings.
//! * [`merge`](mod@merge): the merge rules, one batch at a time ([`IndexState::merge`]).
//! * [`sitewide`], [`authority`]: derived flags and DR/UR after a merge.
//! * [`events`]: new/lost referring domains from link events.
//! * [`store`]: the Delta tables and the manifest; [`import`](mod@import): the whole path
//!   from archive files to a committed version.
//!
//! Flow: batch of visits → [`IndexState::merge`] → [`IndexState::compute_ratings`]
//! (sitewide flags, DR, UR) → stored as one new index version.

pub mod authority;
pub mod batch;
pub mod events;
pub mod from_extract;
pub mod import;
mod interner;
pub mod keywords;
pub mod merge;
pub mod page_table;
pub mod sitewide;
pub mod state;
pub mod store;
pub mod texts;
pub mod time;
pub mod visit;

pub use batch::{Batch, BatchLink, BatchTables, Room};
/// The Arrow and Parquet versions the index is written with, for callers that read or
/// write the same formats.
pub use deltalake::{arrow, parquet};
pub use import::{ImportError, ImportReport, Progress, import};
pub use merge::{MergeError, MergeSummary};
pub use state::{IndexState, LinkState, LostReason, PageState};
pub use store::{AsOf, Index, IndexVersion, StoreError};
pub use texts::LinkTexts;
pub use visit::{LinkFlags, LinkSeen, LinkType, LinkTypeExt, PageVisit};
