//! The `where` / `having` condition language, and what its functions mean.
//!
//! ```text
//! conditions := condition ( "," condition )*        ; AND, no OR / NOT / parentheses
//! condition  := column op value | function "(" column "," value ")"
//! op         := "=" | ":" | "<>" | "<" | "<=" | ">" | ">="   ; ":" means "="
//! function   := "subdomain" | "substring" | "word"
//! value      := '"' ( char | '\"' | '\\' )* '"' | bare     ; bare: number, true, false
//! ```
//!
//! Checks run in this order, first failure wins: syntax (`bad syntax`), unknown function,
//! column not usable in the clause (`column 'x' not found`), function not applicable to
//! the column, bad escape, value type. Hand-written: the grammar is tiny, and the error
//! texts and their order are part of the contract.

use serde::Serialize;

use crate::ApiError;
use crate::catalogue::{Column, ColumnType, Table};
use crate::error::Clause;
use crate::value::{Value, day_of, parse_datetime};

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Op {
    /// `=` or `:`.
    #[serde(rename = "=")]
    Eq,
    /// `<>`.
    #[serde(rename = "<>")]
    Ne,
    /// `<`.
    #[serde(rename = "<")]
    Lt,
    /// `<=`.
    #[serde(rename = "<=")]
    Le,
    /// `>`.
    #[serde(rename = ">")]
    Gt,
    /// `>=`.
    #[serde(rename = ">=")]
    Ge,
}

/// A filter function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Func {
    /// The host in the column is the domain or one of its subdomains.
    Subdomain,
    /// The column contains the text (case-insensitive).
    Substring,
    /// The column contains the text as whole words (case-insensitive).
    Word,
}

impl Func {
    fn parse(name: &str) -> Option<Func> {
        match name {
            "subdomain" => Some(Func::Subdomain),
            "substring" => Some(Func::Substring),
            "word" => Some(Func::Word),
            _ => None,
        }
    }

    fn applies_to(self, column: &Column) -> bool {
        column.ty == ColumnType::Str && (self != Func::Subdomain || column.holds_host)
    }
}

/// One checked condition.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Condition {
    /// `column op value`.
    Compare {
        /// The column (resolved from aliases).
        #[serde(serialize_with = "column_name")]
        column: &'static Column,
        /// The operator.
        op: Op,
        /// The value, typed as the column.
        value: Value,
    },
    /// `function(column, "text")`.
    Function {
        /// The function.
        func: Func,
        /// The column.
        #[serde(serialize_with = "column_name")]
        column: &'static Column,
        /// The text argument, unescaped.
        text: String,
    },
}

fn column_name<S: serde::Serializer>(c: &&'static Column, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(c.name)
}

impl Condition {
    /// The column the condition reads.
    pub fn column(&self) -> &'static Column {
        match self {
            Condition::Compare { column, .. } | Condition::Function { column, .. } => column,
        }
    }
}

/// Parses and checks a `where` or `having` parameter against a table.
pub fn parse_conditions(
    text: &str,
    table: &Table,
    clause: Clause,
) -> Result<Vec<Condition>, ApiError> {
    let mut lexer = Lexer {
        s: text.as_bytes(),
        text,
        pos: 0,
        clause,
    };
    let mut out = Vec::new();
    loop {
        out.push(lexer.condition(table)?);
        lexer.skip_ws();
        match lexer.peek() {
            None => return Ok(out),
            Some(b',') => lexer.pos += 1,
            Some(_) => return Err(ApiError::FilterSyntax(clause)),
        }
    }
}

/// A value token as written.
enum RawValue {
    Quoted {
        written: String,
        unescaped: Option<String>,
    },
    Bare(String),
}

struct Lexer<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
    clause: Clause,
}

impl<'a> Lexer<'a> {
    fn syntax(&self) -> ApiError {
        ApiError::FilterSyntax(self.clause)
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn ident(&mut self) -> Result<&'a str, ApiError> {
        self.skip_ws();
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            self.pos += 1;
        }
        if start == self.pos || self.s[start].is_ascii_digit() {
            return Err(self.syntax());
        }
        Ok(&self.text[start..self.pos])
    }

    fn expect(&mut self, b: u8) -> Result<(), ApiError> {
        self.skip_ws();
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.syntax())
        }
    }

    fn op(&mut self) -> Result<Op, ApiError> {
        self.skip_ws();
        let two = self.s.get(self.pos..self.pos + 2);
        let (op, len) = match (self.peek(), two) {
            (_, Some(b"<=")) => (Op::Le, 2),
            (_, Some(b">=")) => (Op::Ge, 2),
            (_, Some(b"<>")) => (Op::Ne, 2),
            (Some(b'='), _) | (Some(b':'), _) => (Op::Eq, 1),
            (Some(b'<'), _) => (Op::Lt, 1),
            (Some(b'>'), _) => (Op::Gt, 1),
            _ => return Err(self.syntax()),
        };
        self.pos += len;
        Ok(op)
    }

    /// A quoted string, or a bare token running to the next `,` (or `)` in a function).
    fn value(&mut self, in_function: bool) -> Result<RawValue, ApiError> {
        self.skip_ws();
        if self.peek() == Some(b'"') {
            self.pos += 1;
            let start = self.pos;
            let mut unescaped = Some(String::new());
            let mut run = self.pos;
            loop {
                match self.peek() {
                    None => return Err(self.syntax()),
                    Some(b'"') => {
                        if let Some(u) = unescaped.as_mut() {
                            u.push_str(&self.text[run..self.pos]);
                        }
                        let written = self.text[start..self.pos].to_owned();
                        self.pos += 1;
                        return Ok(RawValue::Quoted { written, unescaped });
                    }
                    Some(b'\\') => {
                        if let Some(u) = unescaped.as_mut() {
                            u.push_str(&self.text[run..self.pos]);
                        }
                        match self.s.get(self.pos + 1) {
                            Some(&c @ (b'"' | b'\\')) => {
                                if let Some(u) = unescaped.as_mut() {
                                    u.push(c as char);
                                }
                                self.pos += 2;
                            }
                            _ => {
                                unescaped = None;
                                self.pos += 1;
                            }
                        }
                        run = self.pos;
                    }
                    Some(_) => self.pos += 1,
                }
            }
        }
        let start = self.pos;
        while let Some(b) = self.peek() {
            if b == b',' || (in_function && b == b')') {
                break;
            }
            self.pos += 1;
        }
        let bare = self.text[start..self.pos].trim();
        if bare.is_empty() {
            return Err(self.syntax());
        }
        Ok(RawValue::Bare(bare.to_owned()))
    }

    fn condition(&mut self, table: &Table) -> Result<Condition, ApiError> {
        let name = self.ident()?;
        self.skip_ws();
        if self.peek() == Some(b'(') {
            self.pos += 1;
            let column = self.ident()?;
            self.expect(b',')?;
            let value = self.value(true)?;
            self.expect(b')')?;
            let func = Func::parse(name).ok_or_else(|| ApiError::UnknownFunction {
                clause: self.clause,
                function: name.to_owned(),
            })?;
            let column = self.column(table, column)?;
            if !func.applies_to(column) {
                return Err(ApiError::FunctionColumn {
                    clause: self.clause,
                    function: name.to_owned(),
                    column: column.name.to_owned(),
                });
            }
            let text = match value {
                RawValue::Quoted {
                    unescaped: Some(u), ..
                } => u,
                RawValue::Quoted {
                    written,
                    unescaped: None,
                } => {
                    return Err(ApiError::Escape {
                        clause: self.clause,
                        value: written,
                    });
                }
                RawValue::Bare(b) => {
                    return Err(ApiError::ValueType {
                        clause: self.clause,
                        value: b,
                        ty: "string",
                    });
                }
            };
            return Ok(Condition::Function { func, column, text });
        }
        let op = self.op()?;
        let value = self.value(false)?;
        let column = self.column(table, name)?;
        let value = self.typed(column, value)?;
        Ok(Condition::Compare { column, op, value })
    }

    fn column(&self, table: &Table, name: &str) -> Result<&'static Column, ApiError> {
        table
            .column(name)
            .filter(|c| match self.clause {
                Clause::Where => c.where_,
                Clause::Having => c.having,
            })
            .ok_or_else(|| ApiError::FilterColumn {
                clause: self.clause,
                column: name.to_owned(),
            })
    }

    fn typed(&self, column: &Column, raw: RawValue) -> Result<Value, ApiError> {
        let (text, quoted) = match raw {
            RawValue::Quoted {
                unescaped: Some(u), ..
            } => (u, true),
            RawValue::Quoted {
                written,
                unescaped: None,
            } => {
                return Err(ApiError::Escape {
                    clause: self.clause,
                    value: written,
                });
            }
            RawValue::Bare(b) => (b, false),
        };
        let typed = match column.ty {
            ColumnType::Int => text.trim().parse::<i64>().ok().map(Value::Int),
            ColumnType::Float => text
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(Value::Float),
            ColumnType::Bool => match text.trim() {
                "true" => Some(Value::Bool(true)),
                "false" => Some(Value::Bool(false)),
                _ => None,
            },
            ColumnType::Str => quoted.then(|| Value::Str(text.clone())),
            ColumnType::Date => quoted
                .then(|| parse_datetime(&text))
                .flatten()
                .map(Value::Date),
            ColumnType::Day => quoted
                .then(|| parse_datetime(&text))
                .flatten()
                .map(|s| Value::Day(day_of(s))),
        };
        typed.ok_or(ApiError::ValueType {
            clause: self.clause,
            value: text,
            ty: column.ty.name(),
        })
    }
}

/// `substring(col, needle)`: case-insensitive (Unicode lower-case) containment.
pub fn substring_matches(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

/// `word(col, needle)`: the needle's words appear, in order and adjacent, among the
/// haystack's words; words are runs of alphanumeric characters, compared lower-cased.
pub fn word_matches(haystack: &str, needle: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let needle = words(needle);
    if needle.is_empty() {
        return false;
    }
    words(haystack)
        .windows(needle.len())
        .any(|w| w == needle.as_slice())
}

/// `subdomain(col, domain)`: the host in `value` (a URL or a bare host) is `domain` or
/// ends with `.domain`, ignoring ASCII case.
pub fn subdomain_matches(value: &str, domain: &str) -> bool {
    let host = host_of(value).to_ascii_lowercase();
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    if domain.is_empty() {
        return false;
    }
    host == domain
        || (host.ends_with(&domain)
            && host.as_bytes().get(host.len() - domain.len() - 1) == Some(&b'.'))
}

/// The host of a URL (`scheme://host[:port]/...`) or of a bare `host[/path]`.
fn host_of(value: &str) -> &str {
    let rest = value.split_once("://").map_or(value, |(_, r)| r);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if authority.starts_with('[') {
        return authority
            .split_once(']')
            .map_or(authority, |(h, _)| &h[1..]);
    }
    authority.split_once(':').map_or(authority, |(h, _)| h)
}

#[cfg(test)]
mod tests;
