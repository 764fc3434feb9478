//! A validated v2 request.
//!
//! Checks run in the order of the v2 error table (spec/DECISIONS.md §10): token
//! presence, `from`, `target`, `mode`, `output`, `select`, `where`, `having`, `order_by`,
//! then `limit`, `offset` and `as_of`. The token's validity and credit are the server's
//! business, after parsing. The first failure is the answer.

use hrefdex_url::{KeyRange, Mode, Target};
use serde::Serialize;

use crate::ApiError;
use crate::catalogue::{self, Column, Direction, Table};
use crate::error::Clause;
use crate::filter::{Condition, parse_conditions};
use crate::params::Params;
use crate::value::parse_datetime;

/// Rows returned when the request names no `limit`.
pub const DEFAULT_LIMIT: u64 = 1000;
/// The largest `limit` honoured; larger values are lowered to it.
pub const MAX_LIMIT: u64 = 5_000_000;

/// Answer body format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// `application/json` (the default).
    Json,
    /// `text/xml`.
    Xml,
    /// PHP `serialize()` text.
    Php,
}

impl OutputFormat {
    /// Parses the `output` parameter.
    pub fn parse(s: &str) -> Option<OutputFormat> {
        match s {
            "json" => Some(OutputFormat::Json),
            "xml" => Some(OutputFormat::Xml),
            "php" => Some(OutputFormat::Php),
            _ => None,
        }
    }

    /// The format an error about these parameters is written in: the requested one when
    /// it is valid, JSON otherwise.
    pub fn for_errors(params: &Params) -> OutputFormat {
        params
            .get("output")
            .ok()
            .flatten()
            .and_then(OutputFormat::parse)
            .unwrap_or(OutputFormat::Json)
    }

    /// The `Content-Type` of answers in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            OutputFormat::Json => "application/json; charset=utf-8",
            OutputFormat::Xml => "text/xml; charset=utf-8",
            OutputFormat::Php => "text/plain; charset=utf-8",
        }
    }
}

/// Which version of the index answers (the `as_of` extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AsOf {
    /// A table version number.
    Version(u64),
    /// The last version committed on or before this moment (seconds since the epoch).
    Time(i64),
}

/// How strictly to parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseOptions {
    /// Whether a missing `token` is an error (the server) or not (`hrefdex query`).
    pub require_token: bool,
}

/// One sort key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SortKey {
    /// The column.
    #[serde(serialize_with = "column_name")]
    pub column: &'static Column,
    /// The direction.
    pub direction: Direction,
}

fn column_name<S: serde::Serializer>(c: &&'static Column, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(c.name)
}

fn table_name<S: serde::Serializer>(t: &&'static Table, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(t.name)
}

fn column_names<S: serde::Serializer>(cols: &[&'static Column], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(cols.iter().map(|c| c.name))
}

/// A request that passed every check.
#[derive(Debug, Clone, Serialize)]
pub struct Request {
    /// The caller's token, if any.
    #[serde(skip)]
    pub token: Option<String>,
    /// The table (`from`).
    #[serde(serialize_with = "table_name")]
    pub table: &'static Table,
    /// The target as sent.
    pub target_raw: Option<String>,
    /// The parsed target (`None` for tables that take none).
    #[serde(skip)]
    pub target: Option<Target>,
    /// The mode.
    pub mode: Option<Mode>,
    /// Returned columns, in answer order.
    #[serde(serialize_with = "column_names")]
    pub select: Vec<&'static Column>,
    /// Conditions before grouping.
    #[serde(rename = "where")]
    pub where_: Vec<Condition>,
    /// Conditions after grouping.
    pub having: Vec<Condition>,
    /// Explicit sort keys.
    pub order_by: Vec<SortKey>,
    /// Maximum rows.
    pub limit: u64,
    /// Rows skipped.
    pub offset: u64,
    /// Body format.
    pub output: OutputFormat,
    /// Index version to answer from.
    pub as_of: Option<AsOf>,
}

impl Request {
    /// Parses and checks a request.
    pub fn parse(params: &Params, options: ParseOptions) -> Result<Request, ApiError> {
        let token = params.get_nonempty("token")?.map(str::to_owned);
        if options.require_token && token.is_none() {
            return Err(ApiError::Missing("token"));
        }
        let from = params
            .get_nonempty("from")?
            .ok_or(ApiError::Missing("from"))?;
        let table =
            catalogue::table(from.trim()).ok_or_else(|| ApiError::UnknownTable(from.to_owned()))?;

        let (target_raw, target, mode) = if table.needs_target {
            let raw = params
                .get_nonempty("target")?
                .ok_or(ApiError::Missing("target"))?;
            let target = Target::parse(raw).map_err(|_| ApiError::BadTarget(raw.to_owned()))?;
            let mode = match params.get_nonempty("mode")? {
                Some(m) => Mode::parse(m).ok_or_else(|| ApiError::BadMode(m.to_owned()))?,
                None => table.default_mode.ok_or(ApiError::Missing("mode"))?,
            };
            (Some(raw.to_owned()), Some(target), Some(mode))
        } else {
            (None, None, None)
        };

        let output = match params.get_nonempty("output")? {
            Some(o) => OutputFormat::parse(o).ok_or_else(|| ApiError::BadOutput(o.to_owned()))?,
            None => OutputFormat::Json,
        };
        let select = parse_select(table, params.get_nonempty("select")?)?;
        let where_ = match params.get_nonempty("where")? {
            Some(w) => parse_conditions(w, table, Clause::Where)?,
            None => Vec::new(),
        };
        let having = match params.get_nonempty("having")? {
            Some(h) => parse_conditions(h, table, Clause::Having)?,
            None => Vec::new(),
        };
        let order_by = match params.get_nonempty("order_by")? {
            Some(o) => parse_order_by(table, o)?,
            None => Vec::new(),
        };
        let limit =
            parse_count(params.get_nonempty("limit")?, "limit", DEFAULT_LIMIT)?.min(MAX_LIMIT);
        let offset = parse_count(params.get_nonempty("offset")?, "offset", 0)?;
        let as_of = params.get_nonempty("as_of")?.map(parse_as_of).transpose()?;

        Ok(Request {
            token,
            table,
            target_raw,
            target,
            mode,
            select,
            where_,
            having,
            order_by,
            limit,
            offset,
            output,
            as_of,
        })
    }

    /// The key ranges the target and mode cover (empty for tables that take no target).
    pub fn key_ranges(&self) -> Vec<KeyRange> {
        match (&self.target, self.mode) {
            (Some(t), Some(m)) => t.key_ranges(m),
            _ => Vec::new(),
        }
    }

    /// The full sort: explicit keys, then the table's default order as tie-breakers
    /// (skipping columns already named), so that every answer is deterministic.
    pub fn effective_order(&self) -> Vec<SortKey> {
        let mut keys = self.order_by.clone();
        for &(name, direction) in self.table.default_order {
            if let Some(column) = self.table.column(name)
                && !keys.iter().any(|k| k.column.name == column.name)
            {
                keys.push(SortKey { column, direction });
            }
        }
        keys
    }

    /// Rows charged for an answer of `results` rows.
    pub fn cost(&self, results: u64) -> u64 {
        let results = if self.table.is_object() {
            results.min(1)
        } else {
            results
        };
        self.table.cost.charge(
            results,
            !self.where_.is_empty(),
            !self.having.is_empty(),
            self.offset > 0,
        )
    }
}

fn parse_select(
    table: &'static Table,
    select: Option<&str>,
) -> Result<Vec<&'static Column>, ApiError> {
    let Some(select) = select else {
        return Ok(table.star_columns().collect());
    };
    let mut out: Vec<&'static Column> = Vec::new();
    for name in select.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let picked: Vec<&'static Column> = if name == "*" {
            table.star_columns().collect()
        } else {
            let c = table
                .column(name)
                .filter(|c| c.returned)
                .ok_or_else(|| ApiError::SelectColumn(name.to_owned()))?;
            vec![c]
        };
        for c in picked {
            if !out.iter().any(|o| o.name == c.name) {
                out.push(c);
            }
        }
    }
    if out.is_empty() {
        out = table.star_columns().collect();
    }
    Ok(out)
}

fn parse_order_by(table: &'static Table, text: &str) -> Result<Vec<SortKey>, ApiError> {
    let mut keys = Vec::new();
    for item in text.split(',') {
        let mut parts = item.split(':');
        let name = parts.next().unwrap_or("").trim();
        let direction = parts.next().map(str::trim);
        if name.is_empty() || parts.next().is_some() {
            return Err(ApiError::OrderSyntax);
        }
        let direction = match direction {
            None => Direction::Asc,
            Some(d) if d.eq_ignore_ascii_case("asc") => Direction::Asc,
            Some(d) if d.eq_ignore_ascii_case("desc") => Direction::Desc,
            Some("") => return Err(ApiError::OrderSyntax),
            Some(d) => return Err(ApiError::OrderDirection(d.to_owned())),
        };
        let column = table
            .column(name)
            .filter(|c| c.having)
            .ok_or_else(|| ApiError::OrderColumn(name.to_owned()))?;
        keys.push(SortKey { column, direction });
    }
    Ok(keys)
}

fn parse_count(value: Option<&str>, name: &'static str, default: u64) -> Result<u64, ApiError> {
    match value {
        None => Ok(default),
        Some(v) => {
            let v = v.trim();
            if v.bytes().all(|b| b.is_ascii_digit()) {
                // All digits: only overflow can fail, and that is simply "very large".
                Ok(v.parse::<u64>().unwrap_or(u64::MAX))
            } else {
                Err(ApiError::ParamSyntax(name))
            }
        }
    }
}

/// Parses an `as_of` value: a version number, a moment, or a bare `YYYY-MM-DD`, which
/// means "as of the end of that day" (every version committed that day counts).
pub fn parse_as_of(v: &str) -> Result<AsOf, ApiError> {
    let v = v.trim();
    if let Ok(n) = v.parse::<u64>() {
        return Ok(AsOf::Version(n));
    }
    if v.len() == 10
        && let Some(midnight) = parse_datetime(v)
    {
        return Ok(AsOf::Time(midnight + 86_399));
    }
    parse_datetime(v)
        .map(AsOf::Time)
        .ok_or(ApiError::ParamSyntax("as_of"))
}

#[cfg(test)]
mod tests;
