//! `ahrefs_rank`: Pages under the target with their URL Rating.

use crate::catalogue::ColumnType::{Int, Str};
use crate::catalogue::{Cost, DataSource, Direction, Shape, Table, col};

/// The `ahrefs_rank` table.
pub static TABLE: Table = Table {
    name: "ahrefs_rank",
    about: "Pages under the target with their URL Rating.",
    response_key: "pages",
    row_element: "page",
    shape: Shape::Rows,
    source: DataSource::Pages,
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
    default_order: &[("ahrefs_rank", Direction::Desc), ("url", Direction::Asc)],
    columns: &[
        col("url", Str).where_having().holds_host(),
        col("ahrefs_rank", Int).having_only(),
    ],
};
