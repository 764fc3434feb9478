//! `domain_rating`: Domain Rating and Ahrefs Rank of the target domain (single object).

use crate::catalogue::ColumnType::Int;
use crate::catalogue::{Cost, DataSource, Shape, Table, col};
use hrefdex_url::Mode;

/// The `domain_rating` table.
pub static TABLE: Table = Table {
    name: "domain_rating",
    about: "Domain Rating and Ahrefs Rank of the target domain (single object).",
    response_key: "domain",
    row_element: "domain",
    shape: Shape::Object,
    source: DataSource::Domains,
    needs_target: true,
    default_mode: Some(Mode::Domain),
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
        col("domain_rating", Int).having_only(),
        col("ahrefs_top", Int).having_only(),
    ],
};
