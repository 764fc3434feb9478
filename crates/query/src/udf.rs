//! The v2 filter functions as DataFusion scalar UDFs, so that they run inside the scan
//! with the same meaning as [`hrefdex_api::filter`] defines.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, BooleanArray, StringArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{DataFusionError, Result, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, ScalarUDF, Volatility, create_udf};
use hrefdex_api::filter::{Func, subdomain_matches, substring_matches, word_matches};

/// The UDF of a filter function.
pub fn udf(func: Func) -> ScalarUDF {
    let (name, test): (&str, fn(&str, &str) -> bool) = match func {
        Func::Substring => ("hrefdex_substring", substring_matches),
        Func::Word => ("hrefdex_word", word_matches),
        Func::Subdomain => ("hrefdex_subdomain", subdomain_matches),
    };
    create_udf(
        name,
        vec![DataType::Utf8, DataType::Utf8],
        DataType::Boolean,
        Volatility::Immutable,
        Arc::new(move |args: &[ColumnarValue]| apply(args, test)),
    )
}

fn apply(args: &[ColumnarValue], test: fn(&str, &str) -> bool) -> Result<ColumnarValue> {
    let [value, needle] = args else {
        return Err(DataFusionError::Internal(
            "filter functions take two arguments".into(),
        ));
    };
    let needle = match needle {
        ColumnarValue::Scalar(ScalarValue::Utf8(Some(s))) => s.clone(),
        _ => {
            return Err(DataFusionError::Internal(
                "the second argument must be a text literal".into(),
            ));
        }
    };
    match value {
        ColumnarValue::Scalar(ScalarValue::Utf8(v)) => Ok(ColumnarValue::Scalar(
            ScalarValue::Boolean(v.as_deref().map(|v| test(v, &needle))),
        )),
        ColumnarValue::Array(array) => {
            let strings = array
                .as_any()
                .downcast_ref::<StringArray>()
                .ok_or_else(|| {
                    DataFusionError::Internal("filter functions apply to text columns".into())
                })?;
            let out: BooleanArray = strings
                .iter()
                .map(|v| v.map(|v| test(v, &needle)))
                .collect();
            Ok(ColumnarValue::Array(Arc::new(out) as ArrayRef))
        }
        ColumnarValue::Scalar(other) => Err(DataFusionError::Internal(format!(
            "filter function on {other:?}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_udf_matches_whole_words() {
        let values = ColumnarValue::Array(Arc::new(StringArray::from(vec![
            Some("the quick fox"),
            Some("theory"),
            None,
        ])));
        let needle = ColumnarValue::Scalar(ScalarValue::Utf8(Some("THE".into())));
        let ColumnarValue::Array(out) = apply(&[values, needle], word_matches).unwrap() else {
            panic!("array expected")
        };
        let out = out.as_any().downcast_ref::<BooleanArray>().unwrap();
        assert_eq!(
            out.iter().collect::<Vec<_>>(),
            [Some(true), Some(false), None]
        );
    }
}
