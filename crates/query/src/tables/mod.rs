//! One module per v2 table. Each plans its answer over the registered index tables.

mod anchors;
mod anchors_refdomains;
mod backlinks;
mod backlinks_new_lost;
mod backlinks_new_lost_counters;
mod backlinks_one_per_domain;
mod broken;
mod by_link;
mod domain_rating;
mod kinds;
mod link_events;
mod linked_anchors;
mod linked_domains;
mod linked_domains_by_type;
mod links_out;
mod metrics;
mod pages;
mod pages_extended;
mod positions_metrics;
mod refdomains;
mod refdomains_by_type;
mod refdomains_new_lost;
mod refips;

use crate::plans::Run;
use datafusion::dataframe::DataFrame;
use datafusion::logical_expr::{Expr, SortExpr, col, lit};
use hrefdex_api::Request;
use hrefdex_api::catalogue::Direction;
use hrefdex_api::encode::Answer;

use crate::engine::{QueryError, Snapshot};
use crate::exprs;

/// The staged tables the tables read (see [`crate::staged`]), registered in every
/// snapshot.
pub(crate) fn staged_tables() -> Vec<crate::staged::StagedTable> {
    vec![
        crate::staged::StagedTable::new(refdomains::GROUPS, &refdomains::groups_schema()),
        crate::staged::StagedTable::new(anchors::GROUPS, &anchors::groups_schema()),
    ]
}

/// Answers `request` from `snapshot`.
pub async fn answer(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    match request.table.name {
        "backlinks" => backlinks::answer(snapshot, request).await,
        "refdomains" => refdomains::answer(snapshot, request).await,
        "anchors" => anchors::answer(snapshot, request).await,
        "linked_anchors" => linked_anchors::answer(snapshot, request).await,
        "domain_rating" => domain_rating::answer(snapshot, request).await,
        "pages" | "ahrefs_rank" => pages::answer(snapshot, request).await,
        "refips" => refips::answer(snapshot, request).await,
        "backlinks_new_lost" => backlinks_new_lost::answer(snapshot, request).await,
        "broken_backlinks" => broken::backlinks(snapshot, request).await,
        "broken_links" => broken::links(snapshot, request).await,
        "linked_domains" => linked_domains::answer(snapshot, request).await,
        "refdomains_new_lost" => refdomains_new_lost::events(snapshot, request).await,
        "refdomains_new_lost_counters" => refdomains_new_lost::counters(snapshot, request).await,
        "refdomains_by_type" => refdomains_by_type::answer(snapshot, request).await,
        "anchors_refdomains" => anchors_refdomains::answer(snapshot, request).await,
        "backlinks_one_per_domain" => backlinks_one_per_domain::answer(snapshot, request).await,
        "linked_domains_by_type" => linked_domains_by_type::answer(snapshot, request).await,
        "pages_extended" => pages_extended::extended(snapshot, request).await,
        "pages_info" => pages_extended::info(snapshot, request).await,
        "backlinks_new_lost_counters" => {
            backlinks_new_lost_counters::answer(snapshot, request).await
        }
        "positions_metrics" => positions_metrics::answer(snapshot, request).await,
        "metrics" | "metrics_extended" => metrics::answer(snapshot, request).await,
        _ => Err(QueryError::NotYet(request.table.name)),
    }
}

/// Live external links into the target's key ranges, with the request's `where`
/// conditions that apply to link rows (`row_level` says which, and what they read).
pub(crate) async fn live_backlinks(
    snapshot: &Snapshot,
    request: &Request,
    row_level: impl Fn(&str) -> Option<Expr>,
) -> Result<DataFrame, QueryError> {
    let mut predicate = col("lost_at").is_null().and(col("internal").eq(lit(false)));
    for c in &request.where_ {
        if row_level(c.column().name).is_some() {
            predicate = predicate.and(exprs::condition(c, |n| {
                row_level(n).unwrap_or_else(|| col(n))
            }));
        }
    }
    Ok(snapshot.target("links_in")?.filter(predicate)?)
}

/// The end of every grouped table: filters on the groups (`where` conditions on aggregate
/// columns, which `row_level` does not place before grouping, and every `having`), the
/// full order, offset and limit, the selected columns; returns the answer rows.
pub(crate) async fn finish_grouped(
    request: &Request,
    df: DataFrame,
    row_level: impl Fn(&str) -> Option<Expr>,
) -> Result<Vec<Vec<hrefdex_api::value::Value>>, QueryError> {
    finish_having(request, where_on_groups(request, df, row_level)?).await
}

/// The `where` conditions on columns that only exist after grouping (those `row_level`
/// does not place before it), applied to the groups.
pub(crate) fn where_on_groups(
    request: &Request,
    mut df: DataFrame,
    row_level: impl Fn(&str) -> Option<Expr>,
) -> Result<DataFrame, QueryError> {
    for c in request
        .where_
        .iter()
        .filter(|c| row_level(c.column().name).is_none())
    {
        df = df.filter(exprs::condition(c, named))?;
    }
    Ok(df)
}

/// `having`, the full order, offset and limit, and the selected columns over groups whose
/// columns carry their API names; returns the answer rows.
pub(crate) async fn finish_having(
    request: &Request,
    mut df: DataFrame,
) -> Result<Vec<Vec<hrefdex_api::value::Value>>, QueryError> {
    for c in &request.having {
        df = df.filter(exprs::condition(c, named))?;
    }
    let df = order_and_page(df, request, named)?;
    let df = df.select(selected(request))?;
    Ok(crate::convert::rows(&df.run().await?, &request.select)?)
}

/// The `stats` fields the catalogue lists for `table`, in its order, from `values` (0 for
/// one not computed).
pub(crate) fn catalogue_stats(
    table: &hrefdex_api::catalogue::Table,
    values: &std::collections::HashMap<String, i64>,
) -> Vec<(&'static str, i64)> {
    table
        .extras
        .iter()
        .filter_map(|e| match e {
            hrefdex_api::catalogue::Extra::Stats(fields) => Some(*fields),
            _ => None,
        })
        .flatten()
        .map(|&f| (f, values.get(f).copied().unwrap_or(0)))
        .collect()
}

/// The `tlds` extra table: rows of `df` counted by the top-level domain of the host in
/// `domain`, most first (ties by TLD).
pub(crate) async fn tlds(df: DataFrame, domain: &str) -> Result<Vec<(String, i64)>, QueryError> {
    use datafusion::arrow::array::AsArray;
    use datafusion::arrow::datatypes::Int64Type;
    use datafusion::functions_aggregate::expr_fn::count;

    let counted = df
        .aggregate(
            vec![crate::host_udf::top_level(col(domain)).alias("tld")],
            vec![count(lit(1i64)).alias("count")],
        )?
        .sort(vec![
            col("count").sort(false, false),
            col("tld").sort(true, false),
        ])?
        .run()
        .await?;
    let mut out = Vec::new();
    for b in &counted {
        let (tld, n) = (
            b.column(0).as_string::<i32>(),
            b.column(1).as_primitive::<Int64Type>(),
        );
        for i in 0..b.num_rows() {
            out.push((tld.value(i).to_owned(), n.value(i)));
        }
    }
    Ok(out)
}

/// What the `domains` table knows of a domain, under the names a table gives them.
pub(crate) struct ProfileNames {
    /// The domain's registrable root (the domain itself: rows are registrable domains).
    pub top: &'static str,
    /// Organic traffic: 0.0, no search data is collected.
    pub traffic: &'static str,
    /// Registrable domains it links to (live links).
    pub linked_domains: &'static str,
    /// Registrable domains linking to it (live links).
    pub refdomains: &'static str,
}

/// `df` with the `domains` profile of the domain in its column `key` joined on.
pub(crate) async fn domain_profile(
    snapshot: &Snapshot,
    df: DataFrame,
    key: &str,
    names: ProfileNames,
) -> Result<DataFrame, QueryError> {
    use datafusion::common::JoinType;
    use datafusion::functions::expr_fn::coalesce;

    let domains = snapshot.ctx.table("domains").await?.select(vec![
        col("domain").alias("profile_domain"),
        col("refdomains").alias("profile_refdomains"),
        col("linked_domains").alias("profile_linked_domains"),
    ])?;
    let joined = df.join(domains, JoinType::Left, &[key], &["profile_domain"], None)?;
    let mut columns: Vec<Expr> = joined
        .schema()
        .fields()
        .iter()
        .map(|f| f.name())
        .filter(|n| !n.starts_with("profile_"))
        .map(|n| col(n.as_str()))
        .collect();
    columns.extend([
        col(key).alias(names.top),
        lit(0.0f64).alias(names.traffic),
        coalesce(vec![col("profile_linked_domains"), lit(0i64)]).alias(names.linked_domains),
        coalesce(vec![col("profile_refdomains"), lit(0i64)]).alias(names.refdomains),
    ]);
    Ok(joined.select(columns)?)
}

/// The one row of an aggregate without grouping, as integers by column name (a null,
/// the sum over no rows, is 0).
pub(crate) async fn single_row(
    df: DataFrame,
) -> Result<std::collections::HashMap<String, i64>, QueryError> {
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::compute::cast;
    use datafusion::arrow::datatypes::{DataType, Int64Type};

    let mut out = std::collections::HashMap::new();
    for batch in df.run().await? {
        if batch.num_rows() == 0 {
            continue;
        }
        for (field, array) in batch.schema().fields().iter().zip(batch.columns()) {
            let ints = cast(array, &DataType::Int64)?;
            let ints = ints.as_primitive::<Int64Type>();
            let v = if ints.is_null(0) { 0 } else { ints.value(0) };
            out.insert(field.name().clone(), v);
        }
    }
    Ok(out)
}

/// The request's selected columns, by their API names (the names they have in the plan
/// once grouped or projected).
pub(crate) fn selected(request: &Request) -> Vec<Expr> {
    request.select.iter().map(|c| col(c.name)).collect()
}

/// A column by the name it has in the plan (the API name after grouping).
pub(crate) fn named(name: &str) -> Expr {
    col(name)
}

/// The end of every table with one row per link or page: `having`, the full order,
/// offset and limit, and the selected columns, each read through `stored`.
pub(crate) async fn finish_rows(
    mut df: DataFrame,
    request: &Request,
    stored: impl Fn(&str) -> Expr,
) -> Result<Answer, QueryError> {
    for c in &request.having {
        df = df.filter(exprs::condition(c, &stored))?;
    }
    let batches = page_and_select(df, request, &stored)?.run().await?;
    Ok(Answer {
        table: request.table,
        columns: request.select.clone(),
        rows: crate::convert::rows(&batches, &request.select)?,
        extras: hrefdex_api::encode::Extras::default(),
    })
}

/// The answer rows of a row table: sorted and paged by the request, with its selected
/// columns under their API names.
pub(crate) fn page_and_select(
    df: DataFrame,
    request: &Request,
    stored: impl Fn(&str) -> Expr,
) -> Result<DataFrame, QueryError> {
    let columns: Vec<Expr> = request
        .select
        .iter()
        .map(|c| stored(c.name).alias(c.name))
        .collect();
    Ok(order_and_page(df, request, &stored)?.select(columns)?)
}

/// Sort, offset and limit by the request's full order, over columns named as the API names them.
pub(crate) fn order_and_page(
    df: DataFrame,
    request: &Request,
    stored: impl Fn(&str) -> Expr,
) -> Result<DataFrame, QueryError> {
    let mut sort: Vec<SortExpr> = request
        .effective_order()
        .iter()
        .map(|k| stored(k.column.name).sort(k.direction == Direction::Asc, false))
        .collect();
    // Rows read by a target scan carry their position: the last tie-break, so that the
    // order is total (pages of an answer never overlap) and the same however the rows
    // were read (see `backlinks`' late materialisation).
    if df
        .schema()
        .has_column_with_unqualified_name(crate::keyed::ROW_ID)
    {
        sort.push(col(crate::keyed::ROW_ID).sort(true, false));
    }
    let offset = usize::try_from(request.offset).unwrap_or(usize::MAX);
    let limit = usize::try_from(request.limit).unwrap_or(usize::MAX);
    Ok(df.sort(sort)?.limit(offset, Some(limit))?)
}
