//! `broken_links`: Outgoing links from the target whose destination is broken.

use crate::catalogue::ColumnType::{Bool, Date, Int, Str};
use crate::catalogue::{Cost, DataSource, Direction, Shape, Table, col};

/// The `broken_links` table.
pub static TABLE: Table = Table {
    name: "broken_links",
    about: "Outgoing links from the target whose destination is broken.",
    response_key: "links",
    row_element: "link",
    shape: Shape::Rows,
    source: DataSource::LinksOut,
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
    default_order: &[
        ("ahrefs_rank", Direction::Desc),
        ("url_from", Direction::Asc),
        ("url_to", Direction::Asc),
    ],
    columns: &[
        col("url_from", Str).where_having().holds_host(),
        col("url_to", Str).where_having().holds_host(),
        col("ahrefs_rank", Int).where_having(),
        col("domain_to_rating", Int)
            .having_only()
            .aliases(&["domain_rating"]),
        col("ip_from", Str).where_having(),
        col("links_internal", Int).where_having(),
        col("links_external", Int).where_having(),
        col("page_size", Int).where_having(),
        col("encoding", Str).where_having(),
        col("language", Str).where_having(),
        col("title", Str).where_having(),
        col("first_seen", Date).where_having(),
        col("last_visited", Date).where_having(),
        col("prev_visited", Date).where_having(),
        col("original", Bool).where_having(),
        col("link_type", Str).where_having(),
        col("redirect", Int).where_having(),
        col("nofollow", Bool).where_having(),
        col("alt", Str).where_having(),
        col("anchor", Str).where_having(),
        col("text_pre", Str).where_having(),
        col("text_post", Str).where_having(),
        col("broken_at", Date).where_having(),
        col("http_code", Int).where_having(),
        col("error", Str).where_having(),
        col("domain_to_ahrefs_top", Int).having_only(),
        col("url_from_first_seen", Date).where_having(),
        col("sitewide", Bool).where_having().older_docs(),
        col("first_origin", Str).observed(),
        col("last_origin", Str).observed(),
    ],
};
