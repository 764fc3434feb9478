//! `domain_rating`: DR and `ahrefs_top` of the target's registrable domain (one object;
//! zeros for a domain the index has never met).

use crate::plans::Run;
use hrefdex_api::Request;
use hrefdex_api::encode::{Answer, Extras};
use hrefdex_api::value::Value;

use crate::convert::rows;
use crate::engine::{QueryError, Snapshot};

pub(super) async fn answer(snapshot: &Snapshot, request: &Request) -> Result<Answer, QueryError> {
    let df = snapshot
        .target("domains")?
        .select(super::selected(request))?;
    let mut found = rows(&df.run().await?, &request.select)?;
    let row = found
        .pop()
        .unwrap_or_else(|| vec![Value::Int(0); request.select.len()]);
    Ok(Answer {
        table: request.table,
        columns: request.select.clone(),
        rows: vec![row],
        extras: Extras::default(),
    })
}
