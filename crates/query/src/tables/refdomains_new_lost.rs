//! `refdomains_new_lost` and `refdomains_new_lost_counters`: referring domains gained or
//! lost, derived from the target's link events by the sweep of
//! [`hrefdex_index::events::refdomain_events`] (new on the day a domain's first live link
//! appears, lost on the day its last one disappears). The sweep's result is loaded back
//! into the session as a table, so filters, order and paging run as DataFusion plans.

use crate::plans::Run;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, Date32Array, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Int32Type, Schema, TimestampMicrosecondType};
use datafusion::logical_expr::{col, lit};
use hrefdex_api::Request;
use hrefdex_api::encode::{Answer, Extras};
use hrefdex_index::events::{DomainLinkEvent, RefdomainEvent, refdomain_events};
use hrefdex_index::state::EventKind;

use super::finish_grouped;
use crate::engine::{QueryError, Snapshot};
use crate::exprs;

/// Domain events of the target, with each domain's DR.
async fn sweep(
    snapshot: &Snapshot,
) -> Result<(Vec<RefdomainEvent>, HashMap<String, i64>), QueryError> {
    let batches = super::link_events::with_links(snapshot)
        .await?
        .filter(col("internal").eq(lit(false)))?
        .select(vec![
            col("time"),
            col("type"),
            col("from_domain"),
            col("domain_rating"),
        ])?
        .run()
        .await?;
    let mut events = Vec::new();
    let mut dr = HashMap::new();
    for b in &batches {
        let (time, kind, domain, rating) = (
            b.column(0).as_primitive::<TimestampMicrosecondType>(),
            b.column(1).as_string::<i32>(),
            b.column(2).as_string::<i32>(),
            b.column(3).as_primitive::<Int32Type>(),
        );
        for i in 0..b.num_rows() {
            let kind = if kind.value(i) == "new" {
                EventKind::New
            } else {
                EventKind::Lost
            };
            events.push(DomainLinkEvent {
                time: time.value(i).div_euclid(1_000_000),
                domain: domain.value(i),
                kind,
            });
            dr.insert(domain.value(i).to_owned(), i64::from(rating.value(i)));
        }
    }
    let out = refdomain_events(events);
    Ok((out, dr))
}

/// `refdomains_new_lost`.
pub(super) async fn events(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    let (events, dr) = sweep(snapshot).await?;
    let schema = Arc::new(Schema::new(vec![
        Field::new("date", DataType::Date32, false),
        Field::new("type", DataType::Utf8, false),
        Field::new("refdomain", DataType::Utf8, false),
        Field::new("domain_rating", DataType::Int64, false),
        Field::new("refdomain_top", DataType::Utf8, false),
    ]));
    let batch = RecordBatch::try_new(
        schema,
        vec![
            Arc::new(Date32Array::from(
                events.iter().map(|e| e.day).collect::<Vec<_>>(),
            )),
            Arc::new(StringArray::from_iter_values(
                events.iter().map(|e| e.kind.as_str()),
            )),
            Arc::new(StringArray::from_iter_values(
                events.iter().map(|e| e.domain.as_str()),
            )),
            Arc::new(Int64Array::from(
                events
                    .iter()
                    .map(|e| dr.get(&e.domain).copied().unwrap_or(0))
                    .collect::<Vec<_>>(),
            )),
            Arc::new(StringArray::from_iter_values(
                events.iter().map(|e| e.domain.as_str()),
            )),
        ],
    )?;
    let df = snapshot.ctx.read_batch(batch)?;
    let found = finish_grouped(request, df, |_| None).await?;
    Ok(Answer {
        table: request.table,
        columns: request.select.clone(),
        rows: found,
        extras: Extras::default(),
    })
}

/// `refdomains_new_lost_counters`: per day, domains gained and lost (after `where`) and
/// in total (ignoring `where`).
pub(super) async fn counters(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    let (events, _) = sweep(snapshot).await?;
    // `where` (type, refdomain, date) selects which events count in new/lost.
    let schema = Arc::new(Schema::new(vec![
        Field::new("date", DataType::Date32, false),
        Field::new("type", DataType::Utf8, false),
        Field::new("refdomain", DataType::Utf8, false),
        Field::new("idx", DataType::Int64, false),
    ]));
    let all = RecordBatch::try_new(
        schema,
        vec![
            Arc::new(Date32Array::from(
                events.iter().map(|e| e.day).collect::<Vec<_>>(),
            )),
            Arc::new(StringArray::from_iter_values(
                events.iter().map(|e| e.kind.as_str()),
            )),
            Arc::new(StringArray::from_iter_values(
                events.iter().map(|e| e.domain.as_str()),
            )),
            Arc::new(Int64Array::from(
                (0..events.len() as i64).collect::<Vec<_>>(),
            )),
        ],
    )?;
    let mut selected = snapshot.ctx.read_batch(all)?;
    for c in &request.where_ {
        selected = selected.filter(exprs::condition(c, super::named))?;
    }
    let mut counted = vec![false; events.len()];
    for b in selected.select(vec![col("idx")])?.run().await? {
        for i in b
            .column(0)
            .as_primitive::<datafusion::arrow::datatypes::Int64Type>()
            .iter()
            .flatten()
        {
            if let Some(slot) = usize::try_from(i).ok().and_then(|i| counted.get_mut(i)) {
                *slot = true;
            }
        }
    }
    // day → (new, lost, new_total, lost_total)
    let mut days: BTreeMap<i32, [i64; 4]> = BTreeMap::new();
    for (e, &counts) in events.iter().zip(&counted) {
        let d = days.entry(e.day).or_default();
        let k = usize::from(e.kind == EventKind::Lost);
        d[2 + k] += 1;
        if counts {
            d[k] += 1;
        }
    }
    let schema = Arc::new(Schema::new(vec![
        Field::new("date", DataType::Date32, false),
        Field::new("new", DataType::Int64, false),
        Field::new("lost", DataType::Int64, false),
        Field::new("new_total", DataType::Int64, false),
        Field::new("lost_total", DataType::Int64, false),
    ]));
    let col_of = |j: usize| {
        Arc::new(Int64Array::from(
            days.values().map(|v| v[j]).collect::<Vec<_>>(),
        )) as Arc<dyn Array>
    };
    let batch = RecordBatch::try_new(
        schema,
        vec![
            Arc::new(Date32Array::from(days.keys().copied().collect::<Vec<_>>())),
            col_of(0),
            col_of(1),
            col_of(2),
            col_of(3),
        ],
    )?;
    let df = snapshot.ctx.read_batch(batch)?;
    // Every `where` column was applied above; `having` filters the days.
    let found = finish_grouped(request, df, |_| Some(lit(true))).await?;
    Ok(Answer {
        table: request.table,
        columns: request.select.clone(),
        rows: found,
        extras: Extras::default(),
    })
}
