//! Intermediate results of one request, read again by a cached plan.
//!
//! Some tables need two things of the same target rows that one plan cannot return
//! together: `refdomains` groups its links by referring page, then wants both the
//! groups by domain (through the request's `having`, order and limit) and counts over
//! every page (its `stats`). Scanning the target twice doubled the cost of a small
//! lookup. Instead the first plan's result is *staged*: kept in the request's
//! [`Stage`] and read by a [`StagedTable`] in the second plan.
//!
//! A staged table reads its rows at execution from the [`Stage`] in the task's session
//! configuration (set per request, like the target keys of [`crate::keyed`]), so the
//! plan over it is the same for every request and cached like the others (see
//! [`crate::plans`]).
//!
//! Staged batches are held outside the request's memory pool. They are the output of an
//! aggregation that ran within it, so they are never larger than what the budget allowed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::Session;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::datasource::{TableProvider, TableType};
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::TaskContext;
use datafusion::logical_expr::Expr;
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning, PlanProperties,
    SendableRecordBatchStream,
};

/// The batches one request staged, by staged table name. Set as a session configuration
/// extension for each request.
#[derive(Debug, Default)]
pub(crate) struct Stage {
    tables: Mutex<HashMap<String, Vec<RecordBatch>>>,
}

impl Stage {
    /// Stages `batches` as the rows of `table` for this request (replacing any staged
    /// before). Each batch must have the table's column types, in its order.
    pub(crate) fn put(&self, table: &StagedTable, batches: Vec<RecordBatch>) -> Result<()> {
        let wanted: Vec<_> = table
            .schema
            .fields()
            .iter()
            .map(|f| f.data_type())
            .collect();
        for batch in &batches {
            let got: Vec<_> = batch
                .schema_ref()
                .fields()
                .iter()
                .map(|f| f.data_type())
                .collect();
            if got != wanted {
                return Err(DataFusionError::Internal(format!(
                    "rows staged for {} have the types {got:?}, not {wanted:?}",
                    table.name
                )));
            }
        }
        self.tables().insert(table.name.clone(), batches);
        Ok(())
    }

    fn get(&self, table: &str) -> Option<Vec<RecordBatch>> {
        self.tables().get(table).cloned()
    }

    fn tables(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<RecordBatch>>> {
        // A panic while holding the lock leaves at worst a table staged or not.
        self.tables
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A table whose rows are the batches the current request staged under its name.
#[derive(Debug)]
pub(crate) struct StagedTable {
    name: String,
    /// Every column nullable: the staged batches come from aggregations, whose
    /// nullability DataFusion decides.
    schema: SchemaRef,
}

impl StagedTable {
    /// The staged table `name` with the column names and types of `schema`.
    pub(crate) fn new(name: &str, schema: &SchemaRef) -> StagedTable {
        let fields: Vec<_> = schema
            .fields()
            .iter()
            .map(|f| f.as_ref().clone().with_nullable(true))
            .collect();
        StagedTable {
            name: name.to_owned(),
            schema: Arc::new(datafusion::arrow::datatypes::Schema::new(fields)),
        }
    }

    /// The name this table has in plans.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }
}

#[async_trait]
impl TableProvider for StagedTable {
    fn schema(&self) -> SchemaRef {
        SchemaRef::clone(&self.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::Temporary
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let projection = match projection {
            Some(p) => p.clone(),
            None => (0..self.schema.fields().len()).collect(),
        };
        Ok(Arc::new(StagedScanExec::new(
            &self.name,
            &self.schema,
            projection,
        )?))
    }
}

/// Returns the batches the request staged for one table, projected.
#[derive(Debug)]
struct StagedScanExec {
    name: String,
    projection: Vec<usize>,
    /// The projected schema.
    schema: SchemaRef,
    properties: Arc<PlanProperties>,
}

impl StagedScanExec {
    fn new(name: &str, table: &SchemaRef, projection: Vec<usize>) -> Result<StagedScanExec> {
        let schema = Arc::new(table.project(&projection)?);
        let properties = PlanProperties::new(
            EquivalenceProperties::new(SchemaRef::clone(&schema)),
            Partitioning::UnknownPartitioning(1),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        Ok(StagedScanExec {
            name: name.to_owned(),
            projection,
            schema,
            properties: Arc::new(properties),
        })
    }
}

impl DisplayAs for StagedScanExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "StagedScanExec: {}", self.name)
    }
}

impl ExecutionPlan for StagedScanExec {
    fn name(&self) -> &str {
        "StagedScanExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        Vec::new()
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        if children.is_empty() {
            Ok(self)
        } else {
            Err(DataFusionError::Internal(
                "StagedScanExec has no children".into(),
            ))
        }
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        if partition != 0 {
            return Err(DataFusionError::Internal(format!(
                "StagedScanExec has one partition, not {partition}"
            )));
        }
        let batches = context
            .session_config()
            .get_extension::<Stage>()
            .and_then(|stage| stage.get(&self.name))
            .ok_or_else(|| {
                DataFusionError::Internal(format!(
                    "{} was read before the request staged its rows",
                    self.name
                ))
            })?;
        let schema = SchemaRef::clone(&self.schema);
        let projection = self.projection.clone();
        let projected = batches.into_iter().map(move |batch| {
            let columns = projection
                .iter()
                .map(|&c| Arc::clone(batch.column(c)))
                .collect();
            Ok(RecordBatch::try_new(SchemaRef::clone(&schema), columns)?)
        });
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            SchemaRef::clone(&self.schema),
            futures::stream::iter(projected),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Array, Int64Array, StringArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::functions_aggregate::expr_fn::sum;
    use datafusion::logical_expr::col;
    use datafusion::prelude::{SessionConfig, SessionContext};

    fn table() -> StagedTable {
        let schema = Arc::new(Schema::new(vec![
            Field::new("name", DataType::Utf8, false),
            Field::new("n", DataType::Int64, false),
        ]));
        StagedTable::new("staged", &schema)
    }

    fn batch(names: &[&str], n: &[i64]) -> RecordBatch {
        RecordBatch::try_from_iter(vec![
            (
                "name",
                Arc::new(StringArray::from(names.to_vec())) as Arc<dyn Array>,
            ),
            ("n", Arc::new(Int64Array::from(n.to_vec())) as _),
        ])
        .expect("a valid batch")
    }

    /// `name` and `sum(n)` grouped by name, ordered by name, from the staged table of a
    /// session whose requests stage in `stage`.
    fn sums(stage: Arc<Stage>) -> Result<String> {
        let ctx = SessionContext::new_with_config(SessionConfig::new().with_extension(stage));
        ctx.register_table("staged", Arc::new(table()))?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
        let out = rt.block_on(async {
            ctx.table("staged")
                .await?
                .aggregate(vec![col("name")], vec![sum(col("n")).alias("n")])?
                .sort(vec![col("name").sort(true, false)])?
                .collect()
                .await
        })?;
        Ok(datafusion::arrow::util::pretty::pretty_format_batches(&out)?.to_string())
    }

    #[test]
    fn a_plan_reads_what_its_request_staged() {
        let stage = Arc::new(Stage::default());
        stage
            .put(&table(), vec![batch(&["a", "b", "a"], &[1, 2, 3])])
            .expect("staged");
        let got = sums(stage).expect("ran");
        assert!(got.contains("| a    | 4 |"), "{got}");
        assert!(got.contains("| b    | 2 |"), "{got}");
    }

    #[test]
    fn reading_before_staging_is_an_error_not_an_empty_table() {
        let err = sums(Arc::new(Stage::default())).expect_err("nothing staged");
        assert!(
            err.to_string().contains("before the request staged"),
            "{err}"
        );
    }

    #[test]
    fn rows_of_other_types_are_refused() {
        let wrong = RecordBatch::try_from_iter(vec![(
            "name",
            Arc::new(Int64Array::from(vec![1])) as Arc<dyn Array>,
        )])
        .expect("a valid batch");
        let err = Stage::default()
            .put(&table(), vec![wrong])
            .expect_err("wrong types");
        assert!(err.to_string().contains("have the types"), "{err}");
    }
}
