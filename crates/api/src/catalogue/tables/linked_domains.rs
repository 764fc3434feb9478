//! `linked_domains`: External domains the target links to, one row per destination domain.

use crate::catalogue::ColumnType::{Int, Str};
use crate::catalogue::{Cost, DataSource, Direction, Shape, Table, col};

/// The `linked_domains` table.
pub static TABLE: Table = Table {
    name: "linked_domains",
    about: "External domains the target links to, one row per destination domain.",
    response_key: "domains",
    row_element: "domain",
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
    group_by: &["domain_to"],
    default_order: &[("domain_to", Direction::Asc)],
    columns: &[
        col("domain_from", Str).having_only().holds_host(),
        col("domain_to", Str).having_only().holds_host(),
        col("links", Int).having_only(),
        col("unique_pages", Int).having_only(),
        col("domain_to_rating", Int).having_only(),
        col("domain_to_ahrefs_top", Int).having_only(),
    ],
};
