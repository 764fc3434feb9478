//! `refdomains_new_lost`: Referring domains gained or lost on a date.

use crate::catalogue::ColumnType::{Day, Int, Str};
use crate::catalogue::{Cost, DataSource, Direction, Shape, Table, col};

/// The `refdomains_new_lost` table.
pub static TABLE: Table = Table {
    name: "refdomains_new_lost",
    about: "Referring domains gained or lost on a date.",
    response_key: "refdomains",
    row_element: "refdomain",
    shape: Shape::Rows,
    source: DataSource::LinkEvents,
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
    group_by: &[],
    default_order: &[("date", Direction::Desc), ("refdomain", Direction::Asc)],
    columns: &[
        col("date", Day).where_having(),
        col("type", Str).where_having(),
        col("refdomain", Str).where_having().holds_host(),
        col("domain_rating", Int).having_only(),
        col("refdomain_top", Str).observed().holds_host(),
    ],
};
