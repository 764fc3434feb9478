//! Host and IP classifications as DataFusion scalar UDFs: the `gov`, `edu` and `tlds`
//! columns of the `*_by_type` and `metrics` tables, and class-C networks for `refclass_c`.
//! Each wraps the one Rust definition (in `hrefdex-url` or here), so a plan and a test
//! can never disagree about what `gov` means.

use std::net::IpAddr;
use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{Array, ArrayRef, BooleanArray, StringArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{DataFusionError, Result, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, Expr, ScalarUDF, Volatility, create_udf};
use hrefdex_url::domain::{is_edu, is_gov, tld};

/// The network a referring IP counts in for `refclass_c` and `stats.class_c`: the first
/// three octets of an IPv4 address (`a.b.c`), the first three groups of an IPv6 one
/// (its /48). `None` for an empty or unparsable address.
pub fn class_c(ip: &str) -> Option<String> {
    match ip.parse::<IpAddr>().ok()? {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            Some(format!("{a}.{b}.{c}"))
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            Some(format!("{:x}:{:x}:{:x}", s[0], s[1], s[2]))
        }
    }
}

static GOV: LazyLock<ScalarUDF> = LazyLock::new(|| predicate("hrefdex_is_gov", is_gov));
static EDU: LazyLock<ScalarUDF> = LazyLock::new(|| predicate("hrefdex_is_edu", is_edu));
static TLD: LazyLock<ScalarUDF> =
    LazyLock::new(|| mapping("hrefdex_tld", |h| Some(tld(h).to_owned())));
static CLASS_C: LazyLock<ScalarUDF> = LazyLock::new(|| mapping("hrefdex_class_c", class_c));

/// True when the host or domain in `e` is governmental ([`hrefdex_url::is_gov`]).
pub fn gov(e: Expr) -> Expr {
    GOV.call(vec![e])
}

/// True when the host or domain in `e` is educational ([`hrefdex_url::is_edu`]).
pub fn edu(e: Expr) -> Expr {
    EDU.call(vec![e])
}

/// The top-level domain of the host in `e` ([`hrefdex_url::tld`]).
pub fn top_level(e: Expr) -> Expr {
    TLD.call(vec![e])
}

/// The class-C network of the IP in `e` ([`class_c`]); null when there is none.
pub fn class_c_of(e: Expr) -> Expr {
    CLASS_C.call(vec![e])
}

fn strings(array: &ArrayRef) -> Result<&StringArray> {
    array
        .as_any()
        .downcast_ref::<StringArray>()
        .ok_or_else(|| DataFusionError::Internal("host functions apply to text columns".into()))
}

fn predicate(name: &'static str, test: fn(&str) -> bool) -> ScalarUDF {
    create_udf(
        name,
        vec![DataType::Utf8],
        DataType::Boolean,
        Volatility::Immutable,
        Arc::new(move |args: &[ColumnarValue]| match args {
            [ColumnarValue::Scalar(ScalarValue::Utf8(v))] => Ok(ColumnarValue::Scalar(
                ScalarValue::Boolean(v.as_deref().map(test)),
            )),
            [ColumnarValue::Array(a)] => {
                let out: BooleanArray = strings(a)?.iter().map(|v| v.map(test)).collect();
                Ok(ColumnarValue::Array(Arc::new(out) as ArrayRef))
            }
            _ => Err(DataFusionError::Internal(format!(
                "{name:?} takes one text argument"
            ))),
        }),
    )
}

fn mapping(name: &'static str, map: fn(&str) -> Option<String>) -> ScalarUDF {
    create_udf(
        name,
        vec![DataType::Utf8],
        DataType::Utf8,
        Volatility::Immutable,
        Arc::new(move |args: &[ColumnarValue]| match args {
            [ColumnarValue::Scalar(ScalarValue::Utf8(v))] => Ok(ColumnarValue::Scalar(
                ScalarValue::Utf8(v.as_deref().and_then(map)),
            )),
            [ColumnarValue::Array(a)] => {
                let out: StringArray = strings(a)?.iter().map(|v| v.and_then(map)).collect();
                Ok(ColumnarValue::Array(Arc::new(out) as ArrayRef))
            }
            _ => Err(DataFusionError::Internal(format!(
                "{name:?} takes one text argument"
            ))),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_c_networks() {
        assert_eq!(class_c("192.0.2.17").as_deref(), Some("192.0.2"));
        assert_eq!(class_c("2001:db8:1:2::1").as_deref(), Some("2001:db8:1"));
        assert_eq!(class_c(""), None);
        assert_eq!(class_c("not an ip"), None);
    }
}
