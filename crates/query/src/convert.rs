//! Arrow results into API values, by the API column's type.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Float64Type, Int64Type, TimeUnit, TimestampMicrosecondType,
};
use datafusion::error::Result;
use hrefdex_api::catalogue::{Column, ColumnType};
use hrefdex_api::value::Value;

/// Rows of `batches`, whose columns are `columns` in order.
pub fn rows(batches: &[RecordBatch], columns: &[&'static Column]) -> Result<Vec<Vec<Value>>> {
    let mut out = Vec::new();
    for batch in batches {
        let arrays: Vec<ArrayRef> = columns
            .iter()
            .zip(batch.columns())
            .map(|(c, a)| cast(a, &arrow_type(c.ty)))
            .collect::<std::result::Result<_, _>>()?;
        for i in 0..batch.num_rows() {
            out.push(
                columns
                    .iter()
                    .zip(&arrays)
                    .map(|(c, a)| value(c.ty, a, i))
                    .collect(),
            );
        }
    }
    Ok(out)
}

fn arrow_type(ty: ColumnType) -> DataType {
    match ty {
        ColumnType::Int => DataType::Int64,
        ColumnType::Float => DataType::Float64,
        ColumnType::Str => DataType::Utf8,
        ColumnType::Bool => DataType::Boolean,
        ColumnType::Date => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        ColumnType::Day => DataType::Date32,
    }
}

fn value(ty: ColumnType, a: &ArrayRef, i: usize) -> Value {
    if a.is_null(i) {
        return Value::Null;
    }
    match ty {
        ColumnType::Int => Value::Int(a.as_primitive::<Int64Type>().value(i)),
        ColumnType::Float => Value::Float(a.as_primitive::<Float64Type>().value(i)),
        ColumnType::Str => Value::Str(a.as_string::<i32>().value(i).to_owned()),
        ColumnType::Bool => Value::Bool(a.as_boolean().value(i)),
        ColumnType::Date => Value::Date(
            a.as_primitive::<TimestampMicrosecondType>()
                .value(i)
                .div_euclid(1_000_000),
        ),
        ColumnType::Day => Value::Day(a.as_primitive::<Date32Type>().value(i)),
    }
}
