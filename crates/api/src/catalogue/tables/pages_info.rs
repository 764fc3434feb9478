//! `pages_info`: On-page details of crawled pages (IP, canonical, meta, headings).

use crate::catalogue::ColumnType::{Int, Str};
use crate::catalogue::{Cost, DataSource, Direction, Extra, Shape, Table, col};

/// The `pages_info` table.
pub static TABLE: Table = Table {
    name: "pages_info",
    about: "On-page details of crawled pages (IP, canonical, meta, headings).",
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
    default_order: &[("url", Direction::Asc)],
    columns: &[
        col("url", Str).where_having().holds_host(),
        col("ip", Str).where_having(),
        col("time", Int).where_having(),
        col("http_code", Int).where_having(),
        col("size", Int).where_having(),
        col("words", Int).where_having(),
        col("links_internal", Int).where_having(),
        col("links_external", Int).where_having(),
        col("links_images", Int).where_having(),
        col("encoding", Str).where_having(),
        col("title", Str).where_having(),
        col("redirect_url", Str).where_having().holds_host(),
        col("canonical_url", Str).where_having().holds_host(),
        col("content_encoding", Str).where_having(),
        col("description", Str).where_having(),
        col("meta_social", Str).where_having(),
        col("h1", Str).where_having(),
        col("h2", Str).where_having(),
        col("images_alt", Str).where_having(),
        col("powered_by", Str).where_having(),
        col("render_result", Str).where_having(),
    ],
};
