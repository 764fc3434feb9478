//! `pages_extended` and `pages_info`: crawled pages under the target, one row per URL,
//! with what is known of each beyond the `pages` table.
//!
//! * `pages_extended` adds the page's live external backlinks: `backlinks`, `dofollow`,
//!   `nofollow`, `redirects` (redirect links to it), `refdomains`, `refips`, `refclass_c`.
//! * `pages_info` adds `ip`, `canonical_url`, `links_images` (live image links on the
//!   page) and what the extractor read on the page: `words`, `h1`, `h2`, `description`,
//!   `meta_social`, `images_alt`, `powered_by` (several values joined with ` | `). Not
//!   known, and answered as 0 or empty: `time` (fetch duration; archives do not record
//!   it) and `render_result` (pages are not rendered). docs/api.md says so too.
//!
//! Both are one join of the target's `pages` rows with per-URL link aggregates; every
//! `where` and `having` condition then applies to the joined rows by API name.

use crate::plans::Run;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{JoinType, ScalarValue};
use datafusion::dataframe::DataFrame;
use datafusion::functions::expr_fn::coalesce;
use datafusion::functions_aggregate::expr_fn::{count, count_distinct};
use datafusion::logical_expr::{Expr, col, lit, when};
use hrefdex_api::Request;
use hrefdex_api::encode::{Answer, Extras};

use super::kinds::{count_if, kind};
use super::{live_backlinks, named, order_and_page, single_row};
use crate::convert::rows;
use crate::engine::{QueryError, Snapshot};
use crate::{exprs, host_udf};

/// The columns of `pages` that both tables return under their own names.
const PAGE_COLUMNS: [&str; 13] = [
    "url",
    "ahrefs_rank",
    "first_seen",
    "last_visited",
    "http_code",
    "size",
    "links_internal",
    "links_external",
    "encoding",
    "title",
    "redirect_url",
    "content_encoding",
    "url_key",
];

/// `pages_extended`.
pub(super) async fn extended(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    let non_empty_ip = when(col("ip_from").not_eq(lit("")), col("ip_from")).end()?;
    let of_kind = |k: &str| kind(k, "from_domain").unwrap_or_else(|| lit(false));
    let counts = live_backlinks(snapshot, request, |_| None)
        .await?
        .aggregate(
            vec![col("to_key").alias("counted_key")],
            vec![
                count(lit(1i64)).alias("backlinks"),
                count_if(of_kind("dofollow")).alias("dofollow"),
                count_if(of_kind("nofollow")).alias("nofollow"),
                count_if(of_kind("redirect")).alias("redirects"),
                count_distinct(col("from_domain")).alias("refdomains"),
                count_distinct(non_empty_ip).alias("refips"),
                count_distinct(host_udf::class_c_of(col("ip_from"))).alias("refclass_c"),
            ],
        )?;
    let counted = [
        "backlinks",
        "dofollow",
        "nofollow",
        "redirects",
        "refdomains",
        "refips",
        "refclass_c",
    ];
    let rows_df = joined(snapshot, request, counts, &counted, &[]).await?;
    finish(request, rows_df).await
}

/// `pages_info`.
pub(super) async fn info(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    let images = snapshot
        .target("links_out")?
        .filter(col("lost_at").is_null().and(col("image")))?
        .aggregate(
            vec![col("from_key").alias("counted_key")],
            vec![count(lit(1i64)).alias("links_images")],
        )?;
    let null_text = || lit(ScalarValue::Utf8(None));
    let from_page = [
        ("ip", col("ip")),
        ("canonical_url", col("canonical_url")),
        ("time", lit(0i64)),
        ("words", col("words")),
        ("description", col("description")),
        ("meta_social", col("meta_social")),
        ("h1", col("h1")),
        ("h2", col("h2")),
        ("images_alt", col("images_alt")),
        ("powered_by", col("powered_by")),
        ("render_result", null_text()),
    ];
    let rows_df = joined(snapshot, request, images, &["links_images"], &from_page).await?;
    finish(request, rows_df).await
}

/// The target's pages left-joined with `counts` (keyed by `counted_key`), the counted
/// columns 0 where a page has none, plus `more` columns computed from the page row.
async fn joined(
    snapshot: &Snapshot,
    request: &Request,
    counts: DataFrame,
    counted: &[&str],
    more: &[(&str, Expr)],
) -> Result<DataFrame, QueryError> {
    let pages = snapshot.target("pages")?;
    let joined = pages.join(counts, JoinType::Left, &["url_key"], &["counted_key"], None)?;
    let mut columns: Vec<Expr> = PAGE_COLUMNS.iter().map(|&c| col(c)).collect();
    columns.extend(counted.iter().map(|&c| {
        coalesce(vec![
            datafusion::logical_expr::cast(col(c), DataType::Int64),
            lit(0i64),
        ])
        .alias(c)
    }));
    columns.extend(more.iter().map(|(name, e)| e.clone().alias(*name)));
    let mut df = joined.select(columns)?;
    for c in request.where_.iter().chain(&request.having) {
        df = df.filter(exprs::condition(c, named))?;
    }
    Ok(df)
}

/// Order, page and select the rows; `stats.pages` counts every matching page.
async fn finish(request: &Request, matching: DataFrame) -> Result<Answer, QueryError> {
    let page =
        order_and_page(matching.clone(), request, named)?.select(super::selected(request))?;
    let found = rows(&page.run().await?, &request.select)?;
    let mut extras = Extras::default();
    if !request.table.extras.is_empty() {
        let total =
            single_row(matching.aggregate(vec![], vec![count(lit(1i64)).alias("pages")])?).await?;
        extras.stats = vec![("pages", total.get("pages").copied().unwrap_or(0))];
    }
    Ok(Answer {
        table: request.table,
        columns: request.select.clone(),
        rows: found,
        extras,
    })
}
