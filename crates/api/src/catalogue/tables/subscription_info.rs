//! `subscription_info`: Remaining and total rows of the caller's plan (single object); target/mode not needed.

use crate::catalogue::ColumnType::{Int, Str};
use crate::catalogue::{Cost, DataSource, Shape, Table, col};

/// The `subscription_info` table.
pub static TABLE: Table = Table {
    name: "subscription_info",
    about: "Remaining and total rows of the caller's plan (single object); target/mode not needed.",
    response_key: "info",
    row_element: "info",
    shape: Shape::Object,
    source: DataSource::Account,
    needs_target: false,
    default_mode: None,
    cost: Cost {
        request: 0,
        per_result_milli: 0,
        where_: 0,
        having: 0,
        offset: 0,
    },
    extras: &[],
    group_by: &[],
    default_order: &[],
    columns: &[
        col("rows_left", Int).output_only(),
        col("rows_limit", Int).output_only(),
        col("subscription", Str).output_only(),
    ],
};
