//! Physical plans cached by request shape.
//!
//! Optimising a logical plan and planning it physically costs DataFusion a few
//! milliseconds even for a one-page lookup: more than reading the page. A request's plan
//! does not depend on its target (target scans read it at execution, see
//! [`crate::keyed`]), so the physical plan of each distinct logical plan is made once per
//! index version and executed again for every request of that shape.
//!
//! A plan is only reused when that is safe: it reads only the index tables (whose data is
//! fixed for the version) and calls no function that is not immutable (`now()` is folded
//! into a constant at planning). Operators that keep state between executions (hash
//! join build sides, top-k heaps) are reset before each run, and dynamic filters, which
//! operators share with the scans below them, are switched off in sessions that cache.

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::dataframe::DataFrame;
use datafusion::error::Result;
use datafusion::execution::TaskContext;
use datafusion::execution::memory_pool::{GreedyMemoryPool, MemoryConsumer, TrackConsumersPool};
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::logical_expr::{Expr, LogicalPlan, Volatility};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::execution_plan::reset_plan_states;
use futures::StreamExt;

/// How many plans one version keeps; past it the cache starts over (request shapes are
/// few in practice: the tables times the select/where/order combinations clients use).
const CAPACITY: usize = 1024;

/// Physical plans by logical plan, for one index version. Set as a session configuration
/// extension, so that [`collect`] finds it from any DataFrame of the session.
#[derive(Debug)]
pub(crate) struct PlanCache {
    /// Tables whose scans may be cached (their data is fixed for the version).
    tables: HashSet<String>,
    plans: Mutex<Plans>,
}

/// A logical plan and the physical plan made of it.
type Planned = (LogicalPlan, Arc<dyn ExecutionPlan>);

#[derive(Debug, Default)]
struct Plans {
    by_hash: HashMap<u64, Vec<Planned>>,
    len: usize,
}

impl PlanCache {
    /// A cache for plans that read only `tables`.
    pub(crate) fn new(tables: impl IntoIterator<Item = String>) -> PlanCache {
        PlanCache {
            tables: tables.into_iter().collect(),
            plans: Mutex::new(Plans::default()),
        }
    }

    fn plans(&self) -> std::sync::MutexGuard<'_, Plans> {
        // A panic while holding the lock leaves at worst a partly filled cache.
        self.plans
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn get(&self, hash: u64, plan: &LogicalPlan) -> Option<Arc<dyn ExecutionPlan>> {
        self.plans()
            .by_hash
            .get(&hash)?
            .iter()
            .find(|(logical, _)| logical == plan)
            .map(|(_, physical)| Arc::clone(physical))
    }

    fn insert(&self, hash: u64, plan: LogicalPlan, physical: Arc<dyn ExecutionPlan>) {
        let mut plans = self.plans();
        if plans.len >= CAPACITY {
            *plans = Plans::default();
        }
        plans
            .by_hash
            .entry(hash)
            .or_default()
            .push((plan, physical));
        plans.len += 1;
    }

    /// Whether the physical plan of `plan` may serve every later request with the same
    /// logical plan.
    fn reusable(&self, plan: &LogicalPlan) -> bool {
        let mut reusable = true;
        let visit = plan.apply_with_subqueries(|node| {
            if let LogicalPlan::TableScan(scan) = node
                && !self.tables.contains(scan.table_name.table())
            {
                reusable = false;
            }
            node.apply_expressions(|e| {
                e.apply(|e| {
                    if !immutable(e) {
                        reusable = false;
                    }
                    Ok(if reusable {
                        TreeNodeRecursion::Continue
                    } else {
                        TreeNodeRecursion::Stop
                    })
                })
            })?;
            Ok(if reusable {
                TreeNodeRecursion::Continue
            } else {
                TreeNodeRecursion::Stop
            })
        });
        visit.is_ok() && reusable
    }
}

/// Whether `e` gives the same value for the same inputs at every execution.
fn immutable(e: &Expr) -> bool {
    match e {
        Expr::ScalarFunction(f) => f.func.signature().volatility == Volatility::Immutable,
        Expr::AggregateFunction(f) => f.func.signature().volatility == Volatility::Immutable,
        _ => true,
    }
}

/// Runs `df` to completion, reusing the physical plan of an earlier run of the same
/// logical plan when the session has a [`PlanCache`].
pub(crate) async fn collect(df: DataFrame) -> Result<Vec<RecordBatch>> {
    let (physical, task) = prepare(df).await?;
    datafusion::physical_plan::collect(physical, task).await
}

/// Runs `df` like [`collect`] but hands each result batch to `fold` as it comes instead
/// of keeping them. `fold` returns the bytes it holds so far, which are reserved from the
/// request's memory budget under the name `consumer`: a fold that outgrows the budget
/// fails as it grows, like DataFusion's own groupings.
pub(crate) async fn fold_batches(
    df: DataFrame,
    consumer: &str,
    mut fold: impl FnMut(&RecordBatch) -> Result<usize>,
) -> Result<()> {
    let (physical, task) = prepare(df).await?;
    let reservation = MemoryConsumer::new(consumer).register(task.memory_pool());
    let mut batches = datafusion::physical_plan::execute_stream(physical, task)?;
    while let Some(batch) = batches.next().await {
        let held = fold(&batch?)?;
        reservation.try_resize(held)?;
    }
    Ok(())
}

/// The physical plan of `df` (from the session's [`PlanCache`] when it has one) with
/// fresh operator state, and the task context to run it in.
async fn prepare(df: DataFrame) -> Result<(Arc<dyn ExecutionPlan>, Arc<TaskContext>)> {
    let (state, plan) = df.into_parts();
    let cache = state.config().get_extension::<PlanCache>();
    let physical = match cache {
        Some(cache) if cache.reusable(&plan) => {
            let mut hasher = DefaultHasher::new();
            plan.hash(&mut hasher);
            let hash = hasher.finish();
            match cache.get(hash, &plan) {
                Some(physical) => physical,
                None => {
                    let physical = state.create_physical_plan(&plan).await?;
                    cache.insert(hash, plan, Arc::clone(&physical));
                    physical
                }
            }
        }
        _ => state.create_physical_plan(&plan).await?,
    };
    // Fresh operator state for this run (the cached tree stays untouched).
    let physical = reset_plan_states(physical)?;
    let mut task = TaskContext::from(&state);
    if let Some(budget) = state.config().get_extension::<MemoryBudget>() {
        // Sorts, groupings and joins reserve their memory from this pool, so a request
        // that would take more than its budget fails as it grows, not after.
        let pool = TrackConsumersPool::new(GreedyMemoryPool::new(budget.0), CONSUMERS_REPORTED);
        let runtime = RuntimeEnvBuilder::from_runtime_env(state.runtime_env())
            .with_memory_pool(Arc::new(pool));
        task = task.with_runtime(runtime.build_arc()?);
    }
    Ok((physical, Arc::new(task)))
}

/// The memory one request's operators may hold, in bytes. Set as a session configuration
/// extension; without it a request is limited only by the machine.
#[derive(Debug)]
pub(crate) struct MemoryBudget(pub usize);

/// How many of the largest memory consumers an exhausted budget's error names.
const CONSUMERS_REPORTED: NonZeroUsize = NonZeroUsize::MIN.saturating_add(2);

/// [`collect`] as a method, to end DataFrame chains.
pub(crate) trait Run {
    /// Runs the DataFrame to completion, through the session's plan cache.
    async fn run(self) -> Result<Vec<RecordBatch>>;
}

impl Run for DataFrame {
    async fn run(self) -> Result<Vec<RecordBatch>> {
        collect(self).await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::Int64Array;
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::prelude::{SessionConfig, SessionContext};

    use super::*;

    /// A DataFrame of `rows` integers in batches of 10, in a session whose requests may
    /// hold `budget` bytes.
    fn numbers(rows: i64, budget: usize) -> DataFrame {
        let schema = Arc::new(Schema::new(vec![Field::new("n", DataType::Int64, false)]));
        let batches: Vec<RecordBatch> = (0..rows)
            .collect::<Vec<_>>()
            .chunks(10)
            .map(|c| {
                RecordBatch::try_new(
                    Arc::clone(&schema),
                    vec![Arc::new(Int64Array::from(c.to_vec()))],
                )
                .unwrap()
            })
            .collect();
        let config = SessionConfig::new().with_extension(Arc::new(MemoryBudget(budget)));
        let ctx = SessionContext::new_with_config(config);
        ctx.read_batches(batches).unwrap()
    }

    fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn folds_every_batch_within_the_budget() {
        let mut seen = 0;
        block_on(fold_batches(numbers(95, 1 << 20), "test fold", |b| {
            seen += b.num_rows();
            Ok(seen * 8)
        }))
        .unwrap();
        assert_eq!(seen, 95);
    }

    #[test]
    fn a_fold_that_outgrows_the_budget_fails_as_it_grows() {
        let mut seen = 0;
        let err = block_on(fold_batches(numbers(95, 400), "test fold", |b| {
            seen += b.num_rows();
            Ok(seen * 8)
        }))
        .unwrap_err();
        assert!(
            matches!(err.find_root(), datafusion::error::DataFusionError::ResourcesExhausted(why) if why.contains("test fold")),
            "{err}"
        );
        // 400 bytes hold 50 numbers: the fold stopped at the batch that passed them.
        assert_eq!(seen, 60);
    }
}
