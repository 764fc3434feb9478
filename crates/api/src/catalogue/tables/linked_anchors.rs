//! `linked_anchors`: Anchor texts used in the target's outgoing links, aggregated per anchor.

use crate::catalogue::ColumnType::{Bool, Date, Int, Str};
use crate::catalogue::{Cost, DataSource, Direction, Shape, Table, col};

/// The `linked_anchors` table.
pub static TABLE: Table = Table {
    name: "linked_anchors",
    about: "Anchor texts used in the target's outgoing links, aggregated per anchor.",
    response_key: "anchors",
    row_element: "anchor",
    shape: Shape::Rows,
    source: DataSource::LinksOut,
    needs_target: true,
    default_mode: None,
    cost: Cost {
        request: 1,
        per_result_milli: 1000,
        where_: 5,
        having: 5,
        offset: 5,
    },
    extras: &[],
    group_by: &["anchor"],
    default_order: &[("anchor", Direction::Asc)],
    columns: &[
        col("anchor", Str).where_having(),
        col("links_internal", Int).where_having(),
        col("links_external", Int).where_having(),
        col("url_from", Str).where_only().holds_host(),
        col("url_to", Str).where_only().holds_host(),
        col("ahrefs_rank", Int).where_only(),
        col("domain_rating", Int).where_only(),
        col("ip", Str).where_only(),
        col("page_size", Int).where_only(),
        col("encoding", Str).where_only(),
        col("title", Str).where_only(),
        col("first_seen", Date).where_only(),
        col("last_visited", Date).where_only(),
        col("prev_visited", Date).where_only(),
        col("original", Bool).where_only(),
        col("link_type", Str).where_only(),
        col("redirect", Int).where_only(),
        col("nofollow", Bool).where_only(),
        col("alt", Str).where_only(),
        col("text_pre", Str).where_only(),
        col("text_post", Str).where_only(),
        col("sitewide", Bool).where_only().older_docs(),
    ],
};
