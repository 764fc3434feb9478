//! `backlinks`: live external links into the target, one row per link.
//!
//! A target with many more backlinks than the answer wants is read in passes that each
//! decode less than the whole target (late materialisation):
//!
//! 1. the first sort key of every live link (for the default order `ahrefs_rank`, a small
//!    integer), which gives the value the `offset + limit`-th row has and so the rows that
//!    can be in the answer at all: those whose first key is at least that early;
//! 2. the full sort key of those rows, which picks the `offset + limit` first;
//! 3. every column of the rows picked.
//!
//! Pass 2 runs only when pass 1 leaves many more rows than wanted (many ties on the first
//! key); otherwise pass 3 reads the candidates directly.
//!
//! Before all that, the commonest request of all (no `where` or `having`, the default
//! order) is answered from the target's *head* when it has one: its first live external
//! links in that order, stored apart by the import ([`hrefdex_index::store::heads`]).

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, ArrowPrimitiveType, AsArray, PrimitiveArray, Scalar,
};
use datafusion::arrow::compute::kernels::cmp::{gt_eq, lt_eq};
use datafusion::arrow::compute::{SortOptions, concat, filter, sort_to_indices};
use datafusion::arrow::datatypes::{Int32Type, Int64Type, TimestampMicrosecondType, UInt64Type};
use datafusion::dataframe::DataFrame;
use datafusion::error::DataFusionError;
use datafusion::logical_expr::{Expr, col, lit};
use hrefdex_api::Request;
use hrefdex_api::catalogue::Direction;
use hrefdex_api::encode::Answer;
use hrefdex_index::store::LINKS_HEAD;
use hrefdex_index::store::heads::head_key;

use super::{finish_rows, live_backlinks, order_and_page};
use crate::engine::{QueryError, Snapshot};
use crate::exprs;
use crate::keyed::ROW_ID;
use crate::plans::Run;

/// Every API column of `backlinks` is stored under its own name in `links_in`.
fn stored(name: &str) -> Expr {
    col(name)
}

/// How many candidate rows per wanted row pass 3 reads directly, every column of each;
/// past it, pass 2 first narrows them to the wanted rows by their full sort key.
const DIRECT_READ_FACTOR: usize = 4;

pub(super) async fn answer(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    if let Some(answer) = from_head(snapshot, request).await? {
        return Ok(answer);
    }
    let wanted =
        usize::try_from(request.offset.saturating_add(request.limit)).unwrap_or(usize::MAX);
    if !snapshot.late_materialisation("links_in", wanted)? {
        let df = live_backlinks(snapshot, request, |n| Some(stored(n))).await?;
        return finish_rows(df, request, stored).await;
    }
    // Pass 1: the rows that can be among the wanted ones.
    let narrowed;
    let mut snapshot = snapshot;
    if let Some(candidates) =
        leading_rows(matching(snapshot, request).await?, request, wanted).await?
    {
        let direct = candidates.len() <= wanted.saturating_mul(DIRECT_READ_FACTOR);
        narrowed = snapshot.with_row_ids("links_in", candidates)?;
        snapshot = &narrowed;
        if direct {
            let df = live_backlinks(snapshot, request, |n| Some(stored(n))).await?;
            return finish_rows(df, request, stored).await;
        }
    }

    // Pass 2: the position of the `offset + limit` first in the request's order.
    let mut top = request.clone();
    top.offset = 0;
    top.limit = request.offset.saturating_add(request.limit);
    let ids = order_and_page(matching(snapshot, request).await?, &top, stored)?
        .select(vec![col(ROW_ID)])?
        .run()
        .await?;
    let mut rows: Vec<u64> = ids
        .iter()
        .filter_map(|b| b.column(0).as_primitive_opt::<UInt64Type>())
        .flat_map(|a| a.values().iter().copied())
        .collect();
    rows.sort_unstable();

    // Pass 3: the same request over those rows alone, every column read.
    let snapshot = snapshot.with_row_ids("links_in", rows)?;
    let df = live_backlinks(&snapshot, request, |n| Some(stored(n))).await?;
    finish_rows(df, request, stored).await
}

/// The answer read from the target's head, when that is the answer: the request has no
/// `where` or `having`, takes the default order, and gets a whole page back. A head is the
/// first rows of the target's answer in that order (ties broken by the row's position,
/// which the head keeps in the order it stores its rows), but it may stop short of the
/// target's links, so a page that runs past its end is answered by the general path.
/// `None` when the version or the target has no head, or the request cannot use it.
async fn from_head(snapshot: &Snapshot, request: &Request) -> Result<Option<Answer>, QueryError> {
    let default_order = request
        .effective_order()
        .iter()
        .map(|k| (k.column.name, k.direction))
        .eq(request.table.default_order.iter().copied());
    if !request.where_.is_empty()
        || !request.having.is_empty()
        || !default_order
        || !snapshot.has_head(&head_key(&request.key_ranges()))
    {
        return Ok(None);
    }
    let head = snapshot
        .target(LINKS_HEAD)?
        .filter(col("lost_at").is_null().and(col("internal").eq(lit(false))))?;
    let answer = finish_rows(head, request, stored).await?;
    if answer.rows.len() as u64 != request.limit {
        return Ok(None);
    }
    snapshot.answered_from_head();
    Ok(Some(answer))
}

/// The target's live backlinks that pass the request's `where` and `having`.
async fn matching(snapshot: &Snapshot, request: &Request) -> Result<DataFrame, QueryError> {
    let mut df = live_backlinks(snapshot, request, |n| Some(stored(n))).await?;
    for c in &request.having {
        df = df.filter(exprs::condition(c, stored))?;
    }
    Ok(df)
}

/// The positions (sorted) of the rows of `df` that can be among its `wanted` first in the
/// request's order: those whose first sort key is at least as early as the `wanted`-th
/// row's. `None` when that does not narrow the rows: nothing wanted, or the `wanted`-th
/// row's key is null (nulls sort last, so every row could still be among them).
async fn leading_rows(
    df: DataFrame,
    request: &Request,
    wanted: usize,
) -> Result<Option<Vec<u64>>, QueryError> {
    let Some(first) = request.effective_order().into_iter().next() else {
        return Ok(None);
    };
    if wanted == 0 {
        return Ok(None);
    }
    let batches = df
        .select(vec![col(ROW_ID), stored(first.column.name)])?
        .run()
        .await?;
    let rows: Vec<&dyn Array> = batches.iter().map(|b| b.column(0).as_ref()).collect();
    let keys: Vec<&dyn Array> = batches.iter().map(|b| b.column(1).as_ref()).collect();
    if rows.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let (rows, keys) = (concat(&rows)?, concat(&keys)?);
    if keys.len() <= wanted {
        let mut all = positions(&rows)?;
        all.sort_unstable();
        return Ok(Some(all));
    }
    let descending = first.direction == Direction::Desc;
    let Some(threshold) = wanted_key(&keys, wanted, descending)? else {
        return Ok(None);
    };
    let threshold = Scalar::new(threshold);
    let keep = if descending {
        gt_eq(&keys, &threshold)?
    } else {
        lt_eq(&keys, &threshold)?
    };
    let mut kept = positions(&filter(&rows, &keep)?)?;
    kept.sort_unstable();
    Ok(Some(kept))
}

/// The `wanted`-th key of `keys` in the request's direction, nulls last, as a one-value
/// array; `None` when that key is null.
///
/// Integer and timestamp keys (`ahrefs_rank`, `domain_rating`, the dates: every default
/// order) take a selection in linear time; a top-`wanted` sort of half a million keys was
/// a tenth of a huge target's lookup. Other types sort.
fn wanted_key(
    keys: &ArrayRef,
    wanted: usize,
    descending: bool,
) -> Result<Option<ArrayRef>, QueryError> {
    if let Some(keys) = keys.as_primitive_opt::<Int32Type>() {
        return Ok(select_nth(keys, wanted, descending));
    }
    if let Some(keys) = keys.as_primitive_opt::<Int64Type>() {
        return Ok(select_nth(keys, wanted, descending));
    }
    if let Some(keys) = keys.as_primitive_opt::<TimestampMicrosecondType>() {
        return Ok(select_nth(keys, wanted, descending));
    }
    let options = SortOptions {
        descending,
        nulls_first: false,
    };
    let order = sort_to_indices(keys, Some(options), Some(wanted))?;
    let last = order.value(wanted - 1) as usize;
    Ok((!keys.is_null(last)).then(|| keys.slice(last, 1)))
}

/// [`wanted_key`] for keys with a total order.
fn select_nth<T: ArrowPrimitiveType>(
    keys: &PrimitiveArray<T>,
    wanted: usize,
    descending: bool,
) -> Option<ArrayRef>
where
    T::Native: Ord,
{
    let mut values: Vec<T::Native> = keys.iter().flatten().collect();
    let index = wanted.checked_sub(1)?;
    if index >= values.len() {
        return None;
    }
    let (_, nth, _) = if descending {
        values.select_nth_unstable_by(index, |a, b| b.cmp(a))
    } else {
        values.select_nth_unstable(index)
    };
    let nth = PrimitiveArray::<T>::from_value(*nth, 1).with_data_type(keys.data_type().clone());
    Some(Arc::new(nth))
}

/// The row positions in an array of [`ROW_ID`] values (an error for any other array:
/// an empty list would silently empty the answer).
fn positions(rows: &ArrayRef) -> Result<Vec<u64>, QueryError> {
    rows.as_primitive_opt::<UInt64Type>()
        .map(|a| a.values().to_vec())
        .ok_or_else(|| {
            DataFusionError::Internal(format!("{ROW_ID} is {}, not UInt64", rows.data_type()))
                .into()
        })
}
