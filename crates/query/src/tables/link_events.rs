//! The target's link events with their link's columns: `link_events` names each link by
//! its row in `links_in` of the same version, and the link's columns are read from there
//! (as of the answering version), for the event tables to filter, group and order.

use datafusion::common::JoinType;
use datafusion::dataframe::DataFrame;
use datafusion::logical_expr::{Expr, col};
use hrefdex_index::store::schema;

use super::by_link::links_in_rows;
use crate::engine::{QueryError, Snapshot};
use crate::keyed::ROW_ID;

/// The columns an event has of its own.
const EVENT_COLUMNS: [&str; 4] = ["time", "date", "type", "reason"];

/// The target's events: `time`, `date`, `type`, `reason`, every `links_in` column of the
/// event's link, and [`ROW_ID`] (the event's position, the answer's last tie-break).
///
/// Two passes: the target's events give the links' rows, then those rows alone are read
/// from `links_in` and joined on. Versions written by older builds store the link
/// columns inline and are read as they are.
pub(crate) async fn with_links(snapshot: &Snapshot) -> Result<DataFrame, QueryError> {
    if snapshot.events_inline()? {
        return snapshot.target("link_events");
    }
    let snapshot = links_in_rows(snapshot, snapshot.target("link_events")?).await?;
    let event_columns: Vec<Expr> = EVENT_COLUMNS
        .iter()
        .map(|c| col(*c))
        .chain([col("link").alias("event_link"), col(ROW_ID)])
        .collect();
    let events = snapshot.target("link_events")?.select(event_columns)?;
    let link_columns: Vec<Expr> = schema::LINKS
        .fields()
        .iter()
        .map(|f| col(f.name()))
        .collect();
    let links = snapshot.target("links_in")?.select(link_columns)?;
    let joined = events.join(links, JoinType::Inner, &["event_link"], &["link"], None)?;
    let columns: Vec<Expr> = EVENT_COLUMNS
        .iter()
        .map(|c| col(*c))
        .chain(schema::LINKS.fields().iter().map(|f| col(f.name())))
        .chain([col(ROW_ID)])
        .collect();
    Ok(joined.select(columns)?)
}
