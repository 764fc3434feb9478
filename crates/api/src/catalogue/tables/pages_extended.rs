//! `pages_extended`: pages plus per-page backlink counters.

use crate::catalogue::ColumnType::{Date, Int, Str};
use crate::catalogue::{Cost, DataSource, Direction, Extra, Shape, Table, col};

/// The `pages_extended` table.
pub static TABLE: Table = Table {
    name: "pages_extended",
    about: "pages plus per-page backlink counters.",
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
    extras: &[Extra::Stats(&["pages"])],
    group_by: &[],
    default_order: &[("ahrefs_rank", Direction::Desc), ("url", Direction::Asc)],
    columns: &[
        col("url", Str).where_having().holds_host(),
        col("ahrefs_rank", Int).where_having(),
        col("first_seen", Date).where_having(),
        col("last_visited", Date).where_having(),
        col("http_code", Int).where_having(),
        col("size", Int).where_having(),
        col("links_internal", Int).where_having(),
        col("links_external", Int).where_having(),
        col("encoding", Str).where_having(),
        col("title", Str).where_having(),
        col("redirect_url", Str).where_having().holds_host(),
        col("content_encoding", Str).where_having(),
        col("backlinks", Int).where_having(),
        col("dofollow", Int).where_having(),
        col("nofollow", Int).where_having(),
        col("redirects", Int).where_having(),
        col("refdomains", Int).where_having(),
        col("refclass_c", Int).where_having(),
        col("refips", Int).where_having(),
    ],
};
