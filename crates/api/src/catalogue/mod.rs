//! The table catalogue: the one source of truth for all 25 v2 tables.
//!
//! Each table lives in its own file under `tables/` as a `static TABLE: Table`; this
//! module defines the vocabulary (columns, types, flags, costs, extra tables, grouping,
//! default order, data source) and the registry. Request parsing, planning, billing and
//! the output encoders all read these definitions and nothing else.
//!
//! Column flags follow `spec/tables.md` and `spec/DECISIONS.md` §4:
//!
//! | builder | where | having | returned | in `select=*` |
//! |---|---|---|---|---|
//! | `where_having()` | yes | yes | yes | yes |
//! | `where_only()` (filter-only) | yes | no | no | no |
//! | `having_only()` | no | yes | yes | yes |
//! | `output_only()` (object tables) | no | no | yes | yes |
//! | `observed()` (seen in real answers, undocumented) | no | yes | yes | yes |
//! | `.older_docs()` (older documentation only) | as flagged | as flagged | yes | no |

pub mod tables;

use hrefdex_url::Mode;
use serde::Serialize;

/// A column's value type, as the v2 documentation names types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    /// Signed integer.
    Int,
    /// Floating point.
    Float,
    /// Text (quoted in filters).
    Str,
    /// A moment in UTC, printed `YYYY-MM-DDTHH:MM:SSZ`.
    Date,
    /// A calendar day, printed `YYYY-MM-DD` (the `date` column of new/lost tables).
    Day,
    /// `true` or `false`.
    Bool,
}

impl ColumnType {
    /// The type's name in error messages (`value 'x' must be a <type>`).
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::Int => "int",
            ColumnType::Float => "float",
            ColumnType::Str => "string",
            ColumnType::Date | ColumnType::Day => "date",
            ColumnType::Bool => "bool",
        }
    }
}

/// One column of a table and what a request may do with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Column {
    /// Name as requests and answers spell it.
    pub name: &'static str,
    /// Value type.
    #[serde(rename = "type")]
    pub ty: ColumnType,
    /// Usable in `where` (filters rows before grouping).
    #[serde(rename = "where")]
    pub where_: bool,
    /// Usable in `having` and `order_by` (filters and sorts answer rows).
    pub having: bool,
    /// May appear in an answer (`select`).
    pub returned: bool,
    /// Returned when `select` is absent or `*`.
    pub in_star: bool,
    /// Holds a URL or a host, so `subdomain(col, "d")` applies.
    pub holds_host: bool,
    /// Other names clients send for this column (older documentation).
    pub aliases: &'static [&'static str],
}

/// Starts a column definition with every flag off.
pub const fn col(name: &'static str, ty: ColumnType) -> Column {
    Column {
        name,
        ty,
        where_: false,
        having: false,
        returned: false,
        in_star: false,
        holds_host: false,
        aliases: &[],
    }
}

impl Column {
    /// Filterable before and after grouping, and returned.
    pub const fn where_having(mut self) -> Self {
        self.where_ = true;
        self.having = true;
        self.returned = true;
        self.in_star = true;
        self
    }

    /// A filter-only column: usable in `where`, never returned.
    pub const fn where_only(mut self) -> Self {
        self.where_ = true;
        self
    }

    /// An aggregate or answer-only column: usable in `having`, returned.
    pub const fn having_only(mut self) -> Self {
        self.having = true;
        self.returned = true;
        self.in_star = true;
        self
    }

    /// A column of an object table: returned, never filtered.
    pub const fn output_only(mut self) -> Self {
        self.returned = true;
        self.in_star = true;
        self
    }

    /// Seen in real answers but undocumented: returned, filterable in `having` only.
    pub const fn observed(self) -> Self {
        self.having_only()
    }

    /// Documented only in the older pages: accepted, but not part of `select=*`.
    pub const fn older_docs(mut self) -> Self {
        self.in_star = false;
        self
    }

    /// Marks a column whose values are URLs or hosts.
    pub const fn holds_host(mut self) -> Self {
        self.holds_host = true;
        self
    }

    /// Other accepted names.
    pub const fn aliases(mut self, aliases: &'static [&'static str]) -> Self {
        self.aliases = aliases;
        self
    }

    /// Whether `name` names this column (or one of its aliases).
    pub fn is_named(&self, name: &str) -> bool {
        self.name == name || self.aliases.contains(&name)
    }
}

/// Whether an answer is a list of rows or one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    /// `{"key":[{...},...]}`.
    Rows,
    /// `{"key":{...}}`.
    Object,
}

/// Which part of the index answers a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DataSource {
    /// Links sorted by target key (inbound tables).
    LinksIn,
    /// Links sorted by source key (outbound tables).
    LinksOut,
    /// Crawled pages.
    Pages,
    /// Domains and their ratings.
    Domains,
    /// New/lost link events by date.
    LinkEvents,
    /// Imported keyword positions.
    Keywords,
    /// The caller's account (no index data).
    Account,
}

/// What an answer costs, in rows (spec/DECISIONS.md §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cost {
    /// Charged once per answer.
    pub request: u32,
    /// Charged per returned row, in thousandths of a row (0.2 rows = 200).
    pub per_result_milli: u32,
    /// Surcharge when `where` is used.
    #[serde(rename = "where")]
    pub where_: u32,
    /// Surcharge when `having` is used.
    pub having: u32,
    /// Surcharge when `offset` is above 0.
    pub offset: u32,
}

impl Cost {
    /// Rows charged for an answer of `results` rows; fractional totals round up.
    pub fn charge(
        &self,
        results: u64,
        used_where: bool,
        used_having: bool,
        used_offset: bool,
    ) -> u64 {
        let mut whole = u64::from(self.request);
        if used_where {
            whole += u64::from(self.where_);
        }
        if used_having {
            whole += u64::from(self.having);
        }
        if used_offset {
            whole += u64::from(self.offset);
        }
        let milli = results.saturating_mul(u64::from(self.per_result_milli));
        whole.saturating_add(milli.div_ceil(1000))
    }
}

/// An extra table appended after the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Extra {
    /// `"stats":{...}` with these integer fields, computed over the whole filtered set.
    Stats(&'static [&'static str]),
    /// `"tlds":[{"tld":"com","count":N},...]`.
    Tlds,
}

/// Sort direction in `order_by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Ascending (the default).
    Asc,
    /// Descending.
    Desc,
}

/// One v2 table.
#[derive(Debug, PartialEq, Serialize)]
pub struct Table {
    /// The `from` value.
    pub name: &'static str,
    /// One line on what it holds.
    pub about: &'static str,
    /// Key of the rows (or object) in the answer.
    pub response_key: &'static str,
    /// XML element of one row (`refpages` → `refpage`); for objects, the key itself.
    pub row_element: &'static str,
    /// Rows or one object.
    pub shape: Shape,
    /// Which index data answers it.
    pub source: DataSource,
    /// Whether `target` and `mode` are required.
    pub needs_target: bool,
    /// The mode used when the request names none (only tables clients call without one).
    pub default_mode: Option<Mode>,
    /// Costs in rows.
    pub cost: Cost,
    /// Extra tables after the rows.
    pub extras: &'static [Extra],
    /// The implicit grouping key (empty for row-level tables).
    pub group_by: &'static [&'static str],
    /// Order when the request has no `order_by`; ends with the natural key.
    pub default_order: &'static [(&'static str, Direction)],
    /// Columns in answer order.
    pub columns: &'static [Column],
}

impl Table {
    /// Looks a column up by name or alias.
    pub fn column(&self, name: &str) -> Option<&'static Column> {
        self.columns.iter().find(|c| c.is_named(name))
    }

    /// The columns `select=*` returns, in answer order.
    pub fn star_columns(&self) -> impl Iterator<Item = &'static Column> + use<> {
        self.columns.iter().filter(|c| c.in_star)
    }

    /// Whether an answer row count for billing is the row count (rows) or 1 (object).
    pub fn is_object(&self) -> bool {
        self.shape == Shape::Object
    }
}

/// Looks a table up by its `from` name.
pub fn table(name: &str) -> Option<&'static Table> {
    tables::ALL.iter().copied().find(|t| t.name == name)
}

/// All 25 tables.
pub fn all() -> &'static [&'static Table] {
    &tables::ALL
}

#[cfg(test)]
mod tests;
