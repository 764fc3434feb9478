//! `anchors_refdomains`: Per referring domain: how many distinct anchors and backlinks it uses (filterable by anchor).

use crate::catalogue::ColumnType::{Int, Str};
use crate::catalogue::{Cost, DataSource, Direction, Shape, Table, col};

/// The `anchors_refdomains` table.
pub static TABLE: Table = Table {
    name: "anchors_refdomains",
    about: "Per referring domain: how many distinct anchors and backlinks it uses (filterable by anchor).",
    response_key: "refdomains",
    row_element: "refdomain",
    shape: Shape::Rows,
    source: DataSource::LinksIn,
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
    group_by: &["refdomain"],
    default_order: &[
        ("backlinks", Direction::Desc),
        ("refdomain", Direction::Asc),
    ],
    columns: &[
        col("anchor", Str).where_only(),
        col("anchors", Int).having_only(),
        col("backlinks", Int).where_having(),
        col("refdomain", Str).where_having().holds_host(),
    ],
};
