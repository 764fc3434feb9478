//! Request parts as DataFusion expressions over stored columns.

use datafusion::logical_expr::{Expr, col, lit};
use datafusion::scalar::ScalarValue;
use hrefdex_api::filter::{Condition, Op};
use hrefdex_api::value::Value;
use hrefdex_url::KeyRange;

use crate::udf::udf;

/// `key in any of ranges`, as comparisons that Parquet statistics and page indexes prune;
/// no ranges (a table without a target) match nothing.
pub fn key_ranges(key_column: &str, ranges: &[KeyRange]) -> Expr {
    ranges
        .iter()
        .map(|r| match r {
            KeyRange::Exact(k) => col(key_column).eq(lit(k.as_str())),
            KeyRange::Prefix(_) => col(key_column)
                .gt_eq(lit(r.lower()))
                .and(col(key_column).lt(lit(r.upper_exclusive()))),
        })
        .reduce(Expr::or)
        .unwrap_or(lit(false))
}

/// A typed value as a literal of the stored type (dates are UTC microseconds).
pub fn literal(value: &Value) -> Expr {
    match value {
        Value::Null => lit(ScalarValue::Null),
        Value::Int(i) => lit(*i),
        Value::Float(f) => lit(*f),
        Value::Str(s) => lit(s.as_str()),
        Value::Bool(b) => lit(*b),
        Value::Date(secs) => lit(ScalarValue::TimestampMicrosecond(
            Some(secs.saturating_mul(1_000_000)),
            Some("UTC".into()),
        )),
        Value::Day(d) => lit(ScalarValue::Date32(Some(*d))),
    }
}

/// One condition over `stored`, the expression a column name stands for.
pub fn condition(cond: &Condition, stored: impl Fn(&str) -> Expr) -> Expr {
    match cond {
        Condition::Compare { column, op, value } => {
            let (l, r) = (stored(column.name), literal(value));
            match op {
                Op::Eq => l.eq(r),
                Op::Ne => l.not_eq(r),
                Op::Lt => l.lt(r),
                Op::Le => l.lt_eq(r),
                Op::Gt => l.gt(r),
                Op::Ge => l.gt_eq(r),
            }
        }
        Condition::Function { func, column, text } => {
            udf(*func).call(vec![stored(column.name), lit(text.as_str())])
        }
    }
}
