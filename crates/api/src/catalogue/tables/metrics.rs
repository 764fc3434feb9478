//! `metrics`: Overview counters for the target (single object).

use crate::catalogue::ColumnType::Int;
use crate::catalogue::{Cost, DataSource, Shape, Table, col};

/// The `metrics` table.
pub static TABLE: Table = Table {
    name: "metrics",
    about: "Overview counters for the target (single object).",
    response_key: "metrics",
    row_element: "metrics",
    shape: Shape::Object,
    source: DataSource::LinksIn,
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
        col("backlinks", Int).output_only(),
        col("refpages", Int).output_only(),
        col("pages", Int).output_only(),
        col("text", Int).output_only(),
        col("image", Int).output_only(),
        col("nofollow", Int).output_only(),
        col("dofollow", Int).output_only(),
        col("redirect", Int).output_only(),
        col("canonical", Int).output_only(),
        col("gov", Int).output_only(),
        col("edu", Int).output_only(),
        col("html_pages", Int).output_only(),
        col("links_internal", Int).output_only(),
        col("links_external", Int).output_only(),
        col("sitewide", Int).output_only(),
        col("not_sitewide", Int).output_only(),
    ],
};
