//! `refdomains`: Referring domains linking to the target, aggregated per domain, plus totals.

use crate::catalogue::ColumnType::{Date, Int, Str};
use crate::catalogue::{Cost, DataSource, Direction, Extra, Shape, Table, col};

/// The `refdomains` table.
pub static TABLE: Table = Table {
    name: "refdomains",
    about: "Referring domains linking to the target, aggregated per domain, plus totals.",
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
    extras: &[Extra::Stats(&["refdomains", "ips", "class_c"])],
    group_by: &["refdomain"],
    default_order: &[
        ("domain_rating", Direction::Desc),
        ("refdomain", Direction::Asc),
    ],
    columns: &[
        col("url", Str).where_only().holds_host(),
        col("ip", Str).where_only(),
        col("refdomain", Str).where_having().holds_host(),
        col("backlinks", Int).where_having(),
        col("refpages", Int).where_having(),
        col("first_seen", Date).where_having(),
        col("last_visited", Date).where_having(),
        col("domain_rating", Int).having_only(),
    ],
};
