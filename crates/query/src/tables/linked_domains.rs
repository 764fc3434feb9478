//! `linked_domains`: external registrable domains the target links to (live links), one
//! row per domain.

use datafusion::functions_aggregate::expr_fn::{count, count_distinct, max};
use datafusion::logical_expr::{col, lit};
use hrefdex_api::Request;
use hrefdex_api::encode::{Answer, Extras};
use hrefdex_url::registrable_domain;

use super::finish_grouped;
use crate::engine::{QueryError, Snapshot};

pub(super) async fn answer(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    let predicate = col("lost_at").is_null().and(col("internal").eq(lit(false)));
    let domain_from =
        registrable_domain(request.target.as_ref().map_or("", |t| t.host())).to_owned();
    let df = snapshot.target("links_out")?.filter(predicate)?.aggregate(
        vec![col("to_domain").alias("domain_to")],
        vec![
            count(lit(1i64)).alias("links"),
            count_distinct(col("url_from")).alias("unique_pages"),
            max(col("domain_to_rating")).alias("domain_to_rating"),
            max(col("domain_to_ahrefs_top")).alias("domain_to_ahrefs_top"),
        ],
    )?;
    let df = df.with_column("domain_from", lit(domain_from))?;
    // No column of this table is usable in `where`; `having` filters the groups.
    let found = finish_grouped(request, df, |_| None).await?;
    Ok(Answer {
        table: request.table,
        columns: request.select.clone(),
        rows: found,
        extras: Extras::default(),
    })
}
