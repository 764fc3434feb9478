//! `backlinks_new_lost`: Backlinks that appeared (new) or disappeared (lost) on a given date.

use crate::catalogue::ColumnType::{Bool, Date, Day, Int, Str};
use crate::catalogue::{Cost, DataSource, Direction, Shape, Table, col};

/// The `backlinks_new_lost` table.
pub static TABLE: Table = Table {
    name: "backlinks_new_lost",
    about: "Backlinks that appeared (new) or disappeared (lost) on a given date.",
    response_key: "refpages",
    row_element: "refpage",
    shape: Shape::Rows,
    source: DataSource::LinkEvents,
    needs_target: true,
    default_mode: None,
    cost: Cost {
        request: 1,
        per_result_milli: 200,
        where_: 5,
        having: 5,
        offset: 5,
    },
    extras: &[],
    group_by: &[],
    default_order: &[
        ("date", Direction::Desc),
        ("url_from", Direction::Asc),
        ("url_to", Direction::Asc),
    ],
    columns: &[
        col("date", Day).where_having(),
        col("type", Str).where_having(),
        col("ahrefs_rank", Int).where_having(),
        col("domain_rating", Int).where_having(),
        col("url_from", Str).where_having().holds_host(),
        col("url_to", Str).where_having().holds_host(),
        col("links_internal", Int).where_having(),
        col("links_external", Int).where_having(),
        col("encoding", Str).where_having(),
        col("http_code", Int).where_having(),
        col("title", Str).where_having(),
        col("origin", Str).where_having(),
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
        col("sitewide", Bool).where_having().older_docs(),
    ],
};
