//! `refdomains_new_lost_counters`: Daily counts of new and lost referring domains.

use crate::catalogue::ColumnType::{Day, Int, Str};
use crate::catalogue::{Cost, DataSource, Direction, Shape, Table, col};

/// The `refdomains_new_lost_counters` table.
pub static TABLE: Table = Table {
    name: "refdomains_new_lost_counters",
    about: "Daily counts of new and lost referring domains.",
    response_key: "counts",
    row_element: "count",
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
    group_by: &["date"],
    default_order: &[("date", Direction::Desc)],
    columns: &[
        col("date", Day).where_having(),
        col("type", Str).where_only(),
        col("refdomain", Str).where_only().holds_host(),
        col("new", Int).having_only(),
        col("lost", Int).having_only(),
        col("new_total", Int).having_only(),
        col("lost_total", Int).having_only(),
    ],
};
