//! The kinds of link the counting tables split by (`text`, `image`, `nofollow`, …), as
//! predicates over a link row, and the aggregates built from them. One definition for
//! `metrics`, `metrics_extended`, `refdomains_by_type` and `linked_domains_by_type`:
//!
//! | kind | a link of this kind |
//! |---|---|
//! | `all` | any live external link |
//! | `text` | an `href` link that is not an image |
//! | `image` | an image link (`<a>` around `<img>`) |
//! | `nofollow` / `dofollow` | with / without `rel=nofollow` (or page-level nofollow) |
//! | `redirect`, `canonical`, `rss`, `alternate` | of that `link_type` |
//! | `ugc`, `sponsored` | with that `rel` |
//! | `gov`, `edu` | whose referring domain (linked domain, on outbound tables) is one |
//! | `sitewide` / `not_sitewide` | flagged sitewide, or not |

use datafusion::arrow::datatypes::DataType;
use datafusion::functions_aggregate::expr_fn::{bool_or, sum};
use std::ops::Not;

use datafusion::logical_expr::{Expr, cast, col, lit};

use crate::host_udf;

/// The kinds and their predicates; `domain` is the column whose domain decides `gov`/`edu`.
pub fn kinds(domain: &str) -> Vec<(&'static str, Expr)> {
    let of_type = |t: &str| col("link_type").eq(lit(t.to_owned()));
    vec![
        ("all", lit(true)),
        ("text", of_type("href").and(col("image").not())),
        ("image", col("image")),
        ("nofollow", col("nofollow")),
        ("dofollow", col("nofollow").not()),
        ("redirect", of_type("redirect")),
        ("canonical", of_type("canonical")),
        ("rss", of_type("rss")),
        ("alternate", of_type("alternate")),
        ("ugc", col("ugc")),
        ("sponsored", col("sponsored")),
        ("gov", host_udf::gov(col(domain))),
        ("edu", host_udf::edu(col(domain))),
        ("sitewide", col("sitewide")),
        ("not_sitewide", col("sitewide").not()),
    ]
}

/// The predicate of one kind.
pub fn kind(name: &str, domain: &str) -> Option<Expr> {
    kinds(domain)
        .into_iter()
        .find_map(|(n, e)| (n == name).then_some(e))
}

/// How many rows of the group are of the kind `predicate` says (0 for none).
pub fn count_if(predicate: Expr) -> Expr {
    sum(cast(predicate, DataType::Int64))
}

/// Whether at least one row of the group is of the kind.
pub fn any(predicate: Expr) -> Expr {
    bool_or(predicate)
}
