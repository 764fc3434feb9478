//! `refips`: Referring IP addresses (with their domain) linking to the target.

use crate::catalogue::ColumnType::{Int, Str};
use crate::catalogue::{Cost, DataSource, Direction, Shape, Table, col};

/// The `refips` table.
pub static TABLE: Table = Table {
    name: "refips",
    about: "Referring IP addresses (with their domain) linking to the target.",
    response_key: "refips",
    row_element: "refip",
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
    group_by: &["refip", "refdomain"],
    default_order: &[
        ("backlinks", Direction::Desc),
        ("refip", Direction::Asc),
        ("refdomain", Direction::Asc),
    ],
    columns: &[
        col("refip", Str).where_having(),
        col("refdomain", Str).where_having().holds_host(),
        col("backlinks", Int).where_having(),
    ],
};
