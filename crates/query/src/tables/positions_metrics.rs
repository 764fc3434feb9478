//! `positions_metrics`: the target's organic search footprint, from the rankings imported
//! with `hrefdex import-keywords` (all zeros until some are). `where=country="us"` picks
//! one search database; without it every country counts.
//!
//! * `positions`: rankings in the top 100; `positions_top3`, `positions_top10` likewise.
//! * `traffic`: Σ volume × [`click_through`]`(position)`, monthly visits.
//! * `cost`: Σ traffic × cpc × 100: what the traffic would cost as ads, in cents of the
//!   file's currency (v2 reported cents).

use crate::plans::Run;
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{Float64Type, Int32Type, Int64Type};
use datafusion::logical_expr::col;
use hrefdex_api::Request;
use hrefdex_api::encode::{Answer, Extras};
use hrefdex_api::value::Value;

use crate::engine::{QueryError, Snapshot};
use crate::exprs;

/// Share of a keyword's searches that click the result at `position`: hrefdex's fixed
/// curve (it must be stated, not measured, to keep answers reproducible).
pub fn click_through(position: i32) -> f64 {
    match position {
        1 => 0.28,
        2 => 0.15,
        3 => 0.10,
        4 => 0.07,
        5 => 0.05,
        6 => 0.04,
        7 => 0.03,
        8 => 0.025,
        9 => 0.02,
        10 => 0.018,
        11..=20 => 0.01,
        21..=100 => 0.002,
        _ => 0.0,
    }
}

/// Sums over one set of rankings.
#[derive(Debug, Default)]
struct Footprint {
    positions: [i64; 3],
    traffic: [f64; 3],
    cost: [f64; 3],
}

impl Footprint {
    fn add(&mut self, position: i32, volume: i64, cpc: f64) {
        let traffic = volume as f64 * click_through(position);
        let cost = traffic * cpc * 100.0;
        for (i, top) in [100, 3, 10].into_iter().enumerate() {
            if (1..=top).contains(&position) {
                self.positions[i] += 1;
                self.traffic[i] += traffic;
                self.cost[i] += cost;
            }
        }
    }

    fn value(&self, column: &str) -> Value {
        let i = if column.ends_with("_top3") {
            1
        } else if column.ends_with("_top10") {
            2
        } else {
            0
        };
        match column.split('_').next() {
            Some("positions") => Value::Int(self.positions[i]),
            Some("traffic") => Value::Float(self.traffic[i]),
            Some("cost") => Value::Float(self.cost[i]),
            _ => Value::Null,
        }
    }
}

pub(super) async fn answer(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    let mut footprint = Footprint::default();
    if snapshot.ctx.table_exist("keywords")? {
        let mut predicate = exprs::key_ranges("url_key", &request.key_ranges());
        for c in &request.where_ {
            predicate = predicate.and(exprs::condition(c, super::named));
        }
        let batches = snapshot
            .ctx
            .table("keywords")
            .await?
            .filter(predicate)?
            .select(vec![col("position"), col("volume"), col("cpc")])?
            .run()
            .await?;
        for b in &batches {
            let (position, volume, cpc) = (
                b.column(0).as_primitive::<Int32Type>(),
                b.column(1).as_primitive::<Int64Type>(),
                b.column(2).as_primitive::<Float64Type>(),
            );
            for i in 0..b.num_rows() {
                if !position.is_null(i) {
                    footprint.add(position.value(i), volume.value(i), cpc.value(i));
                }
            }
        }
    }
    let row = request
        .select
        .iter()
        .map(|c| footprint.value(c.name))
        .collect();
    Ok(Answer {
        table: request.table,
        columns: request.select.clone(),
        rows: vec![row],
        extras: Extras::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn footprint_sums_by_band() {
        let mut f = Footprint::default();
        f.add(1, 1000, 2.0);
        f.add(5, 100, 1.0);
        f.add(50, 10_000, 0.5);
        f.add(101, 1_000_000, 9.0);
        assert_eq!(f.value("positions"), Value::Int(3));
        assert_eq!(f.value("positions_top3"), Value::Int(1));
        assert_eq!(f.value("positions_top10"), Value::Int(2));
        assert_eq!(f.value("traffic_top3"), Value::Float(280.0));
        assert_eq!(f.value("traffic_top10"), Value::Float(285.0));
        assert_eq!(f.value("traffic"), Value::Float(305.0));
        assert_eq!(f.value("cost_top3"), Value::Float(56_000.0));
    }
}
