//! `positions_metrics`: Organic search footprint of the target (single object).

use crate::catalogue::ColumnType::{Float, Int, Str};
use crate::catalogue::{Cost, DataSource, Shape, Table, col};

/// The `positions_metrics` table.
pub static TABLE: Table = Table {
    name: "positions_metrics",
    about: "Organic search footprint of the target (single object).",
    response_key: "metrics",
    row_element: "metrics",
    shape: Shape::Object,
    source: DataSource::Keywords,
    needs_target: true,
    default_mode: None,
    cost: Cost {
        request: 1,
        per_result_milli: 0,
        where_: 5,
        having: 5,
        offset: 5,
    },
    extras: &[],
    group_by: &[],
    default_order: &[],
    columns: &[
        col("positions", Int).output_only(),
        col("positions_top3", Int).output_only(),
        col("positions_top10", Int).output_only(),
        col("traffic", Float).output_only(),
        col("traffic_top3", Float).output_only(),
        col("traffic_top10", Float).output_only(),
        col("cost", Float).output_only(),
        col("cost_top3", Float).output_only(),
        col("cost_top10", Float).output_only(),
        col("country", Str).where_only(),
    ],
};
