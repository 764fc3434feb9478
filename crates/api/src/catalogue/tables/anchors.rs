//! `anchors`: Anchor texts of backlinks to the target, aggregated per anchor.

use crate::catalogue::ColumnType::{Date, Int, Str};
use crate::catalogue::{Cost, DataSource, Direction, Extra, Shape, Table, col};

/// The `anchors` table.
pub static TABLE: Table = Table {
    name: "anchors",
    about: "Anchor texts of backlinks to the target, aggregated per anchor.",
    response_key: "anchors",
    row_element: "anchor",
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
    extras: &[Extra::Stats(&["backlinks", "refpages"])],
    group_by: &["anchor"],
    default_order: &[("anchor", Direction::Asc)],
    columns: &[
        col("anchor", Str).where_having(),
        col("backlinks", Int).where_having(),
        col("refpages", Int).where_having(),
        col("refdomain", Str).where_only().holds_host(),
        col("refdomains", Int).having_only(),
        col("first_seen", Date).where_having(),
        col("last_visited", Date).where_having(),
    ],
};
