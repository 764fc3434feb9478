//! API errors with the v2 document's texts, word for word.

use std::fmt;

use thiserror::Error;

/// Which filter parameter an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clause {
    /// `where`: before grouping.
    Where,
    /// `having`: after grouping.
    Having,
}

impl fmt::Display for Clause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Clause::Where => "where",
            Clause::Having => "having",
        })
    }
}

/// Every answer that is not data. `Display` gives the exact text clients see.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApiError {
    /// `output` is not json, xml or php.
    #[error("bad output: '{0}'")]
    BadOutput(String),
    /// `target` is not a host, path or URL.
    #[error("bad target: '{0}'")]
    BadTarget(String),
    /// `mode` is not exact, domain, subdomains or prefix.
    #[error("bad mode: '{0}'")]
    BadMode(String),
    /// A required parameter is absent or empty.
    #[error("{0}: mandatory parameter missing")]
    Missing(&'static str),
    /// A parameter's bytes are not UTF-8 after percent-decoding.
    #[error("{0}: value is not valid UTF-8")]
    NotUtf8(String),
    /// `select` names a column the table does not return.
    #[error("select: column '{0}' not found")]
    SelectColumn(String),
    /// `from` names no table.
    #[error("from: table '{0}' not found")]
    UnknownTable(String),
    /// `order_by` direction is not asc or desc.
    #[error("order_by: bad sorting direction '{0}'")]
    OrderDirection(String),
    /// `order_by` is malformed.
    #[error("order_by: bad syntax")]
    OrderSyntax,
    /// `order_by` names a column that cannot be sorted on.
    #[error("order_by: column '{0}' not found")]
    OrderColumn(String),
    /// A filter is malformed.
    #[error("{0}: bad syntax")]
    FilterSyntax(Clause),
    /// A filter names a column that is not usable in that clause.
    #[error("{clause}: column '{column}' not found")]
    FilterColumn {
        /// where or having.
        clause: Clause,
        /// The name as written.
        column: String,
    },
    /// A function does not apply to the column's type.
    #[error("{clause}: function '{function}' cannot be applied to column '{column}'")]
    FunctionColumn {
        /// where or having.
        clause: Clause,
        /// The function name.
        function: String,
        /// The column name.
        column: String,
    },
    /// A function that does not exist.
    #[error("{clause}: unknown function '{function}'")]
    UnknownFunction {
        /// where or having.
        clause: Clause,
        /// The name as written.
        function: String,
    },
    /// A quoted value with a backslash sequence other than `\"` or `\\`.
    #[error("{clause}: value '{value}' is not properly escaped")]
    Escape {
        /// where or having.
        clause: Clause,
        /// The value as written between the quotes.
        value: String,
    },
    /// A value that does not fit the column's type.
    #[error("{clause}: value '{value}' must be a {ty}")]
    ValueType {
        /// where or having.
        clause: Clause,
        /// The value as written.
        value: String,
        /// The column type's name (int, float, string, date, bool).
        ty: &'static str,
    },
    /// `limit`, `offset` or `as_of` is not a valid number (or date for `as_of`).
    #[error("{0}: bad syntax")]
    ParamSyntax(&'static str),
    /// The account cannot pay for the answer.
    #[error("no credit")]
    NoCredit,
    /// The token is unknown or revoked.
    #[error("invalid token")]
    InvalidToken,
    /// A fault inside hrefdex (logged with detail, never shown).
    #[error("internal error")]
    Internal,
    /// A fault of the accounts store (logged with detail, never shown).
    #[error("internal billing error")]
    InternalBilling,
    /// The request exceeded its time or memory budget.
    #[error("request too expensive: {0}")]
    Budget(&'static str),
    /// Too many requests for this token (sent with HTTP 429).
    #[error("rate limit exceeded")]
    RateLimited,
}
