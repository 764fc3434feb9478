//! Answer and error bodies in `json`, `xml` and `php`, with the shapes of
//! spec/tables.md §9.
//!
//! [`BodyEncoder`] writes an answer incrementally: [`BodyEncoder::begin`], one
//! [`BodyEncoder::row`] per row, then [`BodyEncoder::finish`] with the extra tables.
//! JSON and XML are written as rows arrive, so large answers stream; PHP's `serialize()`
//! format needs the row count up front, so the PHP encoder buffers the rows until
//! `finish`. Values follow the column's type: datetimes `YYYY-MM-DDTHH:MM:SSZ`, days
//! `YYYY-MM-DD`, integers as integers, booleans `true`/`false`, and a missing value as
//! `""`, `0` or `false` (never null).

use std::fmt::Write as _;

use crate::ApiError;
use crate::catalogue::{Column, ColumnType, Extra, Shape, Table};
use crate::request::OutputFormat;
use crate::value::Value;

const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<AhrefsApiResponse>";
const XML_TAIL: &str = "</AhrefsApiResponse>";

/// The extra tables of an answer, computed over the whole filtered set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extras {
    /// `stats` fields, in the catalogue's order.
    pub stats: Vec<(&'static str, i64)>,
    /// `tlds` rows: top-level domain and count.
    pub tlds: Vec<(String, i64)>,
}

/// A whole answer held in memory (small answers, tests, `hrefdex query`).
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The table answered.
    pub table: &'static Table,
    /// The selected columns, in answer order.
    pub columns: Vec<&'static Column>,
    /// Rows (exactly one for object tables), values in `columns` order.
    pub rows: Vec<Vec<Value>>,
    /// Extra tables.
    pub extras: Extras,
}

impl Answer {
    /// The `subscription_info` answer for `request` (its `select` order): `rows_left`,
    /// `rows_limit` and the plan name as `subscription`.
    pub fn subscription_info(
        request: &crate::Request,
        rows_left: u64,
        rows_limit: u64,
        plan: &str,
    ) -> Answer {
        let count = |n: u64| Value::Int(i64::try_from(n).unwrap_or(i64::MAX));
        let row = request
            .select
            .iter()
            .map(|c| match c.name {
                "rows_left" => count(rows_left),
                "rows_limit" => count(rows_limit),
                "subscription" => Value::Str(plan.to_owned()),
                _ => Value::Null,
            })
            .collect();
        Answer {
            table: request.table,
            columns: request.select.clone(),
            rows: vec![row],
            extras: Extras::default(),
        }
    }

    /// The value of the `X-Results-Count` header: rows returned (1 for object tables).
    pub fn results_count(&self) -> usize {
        self.rows.len()
    }

    /// Encodes the whole answer.
    pub fn encode(&self, format: OutputFormat) -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = BodyEncoder::new(format, self.table, self.columns.clone());
        enc.begin(&mut out);
        for row in &self.rows {
            enc.row(&mut out, row);
        }
        enc.finish(&mut out, &self.extras);
        out
    }
}

/// An error body: `{"error":"text"}`, its XML form, or its PHP form.
pub fn encode_error(error: &ApiError, format: OutputFormat) -> Vec<u8> {
    let text = error.to_string();
    let mut out = String::new();
    match format {
        OutputFormat::Json => {
            out.push_str("{\"error\":");
            json_string(&mut out, &text);
            out.push('}');
        }
        OutputFormat::Xml => {
            out.push_str(XML_HEAD);
            out.push_str("<error>");
            xml_text(&mut out, &text);
            out.push_str("</error>");
            out.push_str(XML_TAIL);
        }
        OutputFormat::Php => {
            out.push_str("a:1:{");
            php_string(&mut out, "error");
            php_string(&mut out, &text);
            out.push('}');
        }
    }
    out.into_bytes()
}

/// Writes one answer body incrementally.
#[derive(Debug)]
pub struct BodyEncoder {
    format: OutputFormat,
    table: &'static Table,
    columns: Vec<&'static Column>,
    rows: usize,
    php_rows: String,
}

impl BodyEncoder {
    /// An encoder for `columns` of `table`.
    pub fn new(format: OutputFormat, table: &'static Table, columns: Vec<&'static Column>) -> Self {
        BodyEncoder {
            format,
            table,
            columns,
            rows: 0,
            php_rows: String::new(),
        }
    }

    /// Rows written so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Writes everything before the first row.
    pub fn begin(&mut self, out: &mut Vec<u8>) {
        let key = self.table.response_key;
        let mut s = String::new();
        match (self.format, self.table.shape) {
            (OutputFormat::Json, Shape::Rows) => {
                let _ = write!(s, "{{\"{key}\":[");
            }
            (OutputFormat::Json, Shape::Object) => {
                let _ = write!(s, "{{\"{key}\":");
            }
            (OutputFormat::Xml, _) => {
                let _ = write!(s, "{XML_HEAD}<{key}>");
            }
            (OutputFormat::Php, _) => {}
        }
        out.extend_from_slice(s.as_bytes());
    }

    /// Writes one row; values are in column order, missing trailing values are null.
    pub fn row(&mut self, out: &mut Vec<u8>, values: &[Value]) {
        let object = self.table.shape == Shape::Object;
        if object && self.rows > 0 {
            return; // an object table has exactly one row
        }
        let mut s = String::new();
        match self.format {
            OutputFormat::Json => {
                if self.rows > 0 {
                    s.push(',');
                }
                s.push('{');
                for (i, c) in self.columns.iter().enumerate() {
                    if i > 0 {
                        s.push(',');
                    }
                    json_string(&mut s, c.name);
                    s.push(':');
                    json_value(&mut s, c.ty, values.get(i).unwrap_or(&Value::Null));
                }
                s.push('}');
            }
            OutputFormat::Xml => {
                let item = self.table.row_element;
                if !object {
                    let _ = write!(s, "<{item}>");
                }
                for (i, c) in self.columns.iter().enumerate() {
                    let _ = write!(s, "<{}>", c.name);
                    xml_value(&mut s, c.ty, values.get(i).unwrap_or(&Value::Null));
                    let _ = write!(s, "</{}>", c.name);
                }
                if !object {
                    let _ = write!(s, "</{item}>");
                }
            }
            OutputFormat::Php => {
                let target = &mut self.php_rows;
                if !object {
                    let _ = write!(target, "i:{};", self.rows);
                }
                let _ = write!(target, "a:{}:{{", self.columns.len());
                for (i, c) in self.columns.iter().enumerate() {
                    php_string(target, c.name);
                    php_value(target, c.ty, values.get(i).unwrap_or(&Value::Null));
                }
                target.push('}');
            }
        }
        self.rows += 1;
        out.extend_from_slice(s.as_bytes());
    }

    /// Closes the rows and writes the extra tables the table declares.
    pub fn finish(&mut self, out: &mut Vec<u8>, extras: &Extras) {
        if self.table.shape == Shape::Object && self.rows == 0 {
            self.row(out, &[]);
        }
        let key = self.table.response_key;
        let mut s = String::new();
        match self.format {
            OutputFormat::Json => {
                if self.table.shape == Shape::Rows {
                    s.push(']');
                }
                for extra in self.table.extras {
                    match extra {
                        Extra::Stats(fields) => {
                            s.push_str(",\"stats\":{");
                            for (i, f) in fields.iter().enumerate() {
                                if i > 0 {
                                    s.push(',');
                                }
                                let _ = write!(s, "\"{f}\":{}", stat(extras, f));
                            }
                            s.push('}');
                        }
                        Extra::Tlds => {
                            s.push_str(",\"tlds\":[");
                            for (i, (tld, count)) in extras.tlds.iter().enumerate() {
                                if i > 0 {
                                    s.push(',');
                                }
                                s.push_str("{\"tld\":");
                                json_string(&mut s, tld);
                                let _ = write!(s, ",\"count\":{count}}}");
                            }
                            s.push(']');
                        }
                    }
                }
                s.push('}');
            }
            OutputFormat::Xml => {
                let _ = write!(s, "</{key}>");
                for extra in self.table.extras {
                    match extra {
                        Extra::Stats(fields) => {
                            s.push_str("<stats>");
                            for f in fields.iter() {
                                let _ = write!(s, "<{f}>{}</{f}>", stat(extras, f));
                            }
                            s.push_str("</stats>");
                        }
                        Extra::Tlds => {
                            s.push_str("<tlds>");
                            for (tld, count) in &extras.tlds {
                                s.push_str("<tld><tld>");
                                xml_text(&mut s, tld);
                                let _ = write!(s, "</tld><count>{count}</count></tld>");
                            }
                            s.push_str("</tlds>");
                        }
                    }
                }
                s.push_str(XML_TAIL);
            }
            OutputFormat::Php => {
                let _ = write!(s, "a:{}:{{", 1 + self.table.extras.len());
                php_string(&mut s, key);
                if self.table.shape == Shape::Rows {
                    let _ = write!(s, "a:{}:{{", self.rows);
                    s.push_str(&self.php_rows);
                    s.push('}');
                } else {
                    s.push_str(&self.php_rows);
                }
                for extra in self.table.extras {
                    match extra {
                        Extra::Stats(fields) => {
                            php_string(&mut s, "stats");
                            let _ = write!(s, "a:{}:{{", fields.len());
                            for f in fields.iter() {
                                php_string(&mut s, f);
                                let _ = write!(s, "i:{};", stat(extras, f));
                            }
                            s.push('}');
                        }
                        Extra::Tlds => {
                            php_string(&mut s, "tlds");
                            let _ = write!(s, "a:{}:{{", extras.tlds.len());
                            for (i, (tld, count)) in extras.tlds.iter().enumerate() {
                                let _ = write!(s, "i:{i};a:2:{{");
                                php_string(&mut s, "tld");
                                php_string(&mut s, tld);
                                php_string(&mut s, "count");
                                let _ = write!(s, "i:{count};}}");
                            }
                            s.push('}');
                        }
                    }
                }
                s.push('}');
                self.php_rows.clear();
            }
        }
        out.extend_from_slice(s.as_bytes());
    }
}

fn stat(extras: &Extras, field: &str) -> i64 {
    extras
        .stats
        .iter()
        .find(|(f, _)| *f == field)
        .map_or(0, |(_, v)| *v)
}

/// Replaces a null by the column type's empty value.
fn resolved(ty: ColumnType, v: &Value) -> Value {
    match v {
        Value::Null => Value::default_for(ty),
        other => other.clone(),
    }
}

fn json_string(s: &mut String, text: &str) {
    // serde_json's escaping of a str cannot fail.
    s.push_str(&serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned()));
}

fn json_value(s: &mut String, ty: ColumnType, v: &Value) {
    match resolved(ty, v) {
        Value::Int(i) => {
            let _ = write!(s, "{i}");
        }
        Value::Float(f) => match serde_json::Number::from_f64(f) {
            Some(n) => {
                let _ = write!(s, "{n}");
            }
            None => s.push('0'),
        },
        Value::Bool(b) => s.push_str(if b { "true" } else { "false" }),
        other => json_string(s, &other.as_text().unwrap_or_default()),
    }
}

fn xml_value(s: &mut String, ty: ColumnType, v: &Value) {
    match resolved(ty, v) {
        Value::Int(i) => {
            let _ = write!(s, "{i}");
        }
        Value::Float(f) => {
            let _ = write!(s, "{}", if f.is_finite() { f } else { 0.0 });
        }
        Value::Bool(b) => s.push_str(if b { "true" } else { "false" }),
        other => xml_text(s, &other.as_text().unwrap_or_default()),
    }
}

/// Escapes markup in element text and drops characters XML 1.0 cannot carry (most C0 controls).
fn xml_text(s: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '\t' | '\n' | '\r' => s.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => s.push(c),
        }
    }
}

/// `s:<bytes>:"<text>";` — the length counts UTF-8 bytes, as PHP does.
fn php_string(s: &mut String, text: &str) {
    let _ = write!(s, "s:{}:\"{text}\";", text.len());
}

fn php_value(s: &mut String, ty: ColumnType, v: &Value) {
    match resolved(ty, v) {
        Value::Int(i) => {
            let _ = write!(s, "i:{i};");
        }
        Value::Float(f) => {
            let _ = write!(s, "d:{};", if f.is_finite() { f } else { 0.0 });
        }
        Value::Bool(b) => {
            let _ = write!(s, "b:{};", u8::from(b));
        }
        other => php_string(s, &other.as_text().unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::table;

    fn sub_info() -> Answer {
        let t = table("subscription_info").unwrap();
        Answer {
            table: t,
            columns: t.star_columns().collect(),
            rows: vec![vec![
                Value::Int(497323),
                Value::Int(500000),
                Value::Str("Enterprise Subscription".into()),
            ]],
            extras: Extras::default(),
        }
    }

    #[test]
    fn subscription_info_follows_select() {
        let params = crate::params::Params::from_query(
            b"from=subscription_info&select=subscription,rows_left&token=t",
        );
        let request = crate::Request::parse(
            &params,
            crate::ParseOptions {
                require_token: false,
            },
        )
        .unwrap();
        let a = Answer::subscription_info(&request, 7, 10, "Lite");
        assert_eq!(
            String::from_utf8(a.encode(OutputFormat::Json)).unwrap(),
            r#"{"info":{"subscription":"Lite","rows_left":7}}"#
        );
        let full = crate::Request::parse(
            &crate::params::Params::from_query(b"from=subscription_info"),
            crate::ParseOptions {
                require_token: false,
            },
        )
        .unwrap();
        let mut expected = sub_info();
        expected.columns = full.select.clone();
        assert_eq!(
            Answer::subscription_info(&full, 497323, 500000, "Enterprise Subscription"),
            expected
        );
    }

    #[test]
    fn object_in_three_formats() {
        let a = sub_info();
        assert_eq!(
            String::from_utf8(a.encode(OutputFormat::Json)).unwrap(),
            r#"{"info":{"rows_left":497323,"rows_limit":500000,"subscription":"Enterprise Subscription"}}"#
        );
        assert_eq!(
            String::from_utf8(a.encode(OutputFormat::Php)).unwrap(),
            r#"a:1:{s:4:"info";a:3:{s:9:"rows_left";i:497323;s:10:"rows_limit";i:500000;s:12:"subscription";s:23:"Enterprise Subscription";}}"#
        );
        assert_eq!(
            String::from_utf8(a.encode(OutputFormat::Xml)).unwrap(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<AhrefsApiResponse><info><rows_left>497323</rows_left><rows_limit>500000</rows_limit><subscription>Enterprise Subscription</subscription></info></AhrefsApiResponse>"
        );
    }

    #[test]
    fn rows_with_stats_and_tlds() {
        let t = table("refdomains_by_type").unwrap();
        let cols: Vec<_> = ["refdomain", "backlinks", "first_seen"]
            .iter()
            .map(|c| t.column(c).unwrap())
            .collect();
        let a = Answer {
            table: t,
            columns: cols,
            rows: vec![
                vec![Value::Str("ü.com".into()), Value::Int(3), Value::Date(0)],
                vec![Value::Str("a<b>&\"'".into()), Value::Null, Value::Null],
            ],
            extras: Extras {
                stats: vec![("refdomains", 2), ("gov", 1)],
                tlds: vec![("com".into(), 2)],
            },
        };
        let json = String::from_utf8(a.encode(OutputFormat::Json)).unwrap();
        assert!(json.starts_with(r#"{"refdomains":[{"refdomain":"ü.com","backlinks":3,"first_seen":"1970-01-01T00:00:00Z"},{"refdomain":"a<b>&\"'","backlinks":0,"first_seen":""}],"stats":{"refdomains":2,"ips":0,"#));
        assert!(json.ends_with(r#""sponsored":0},"tlds":[{"tld":"com","count":2}]}"#));
        serde_json::from_str::<serde_json::Value>(&json).unwrap();
        let xml = String::from_utf8(a.encode(OutputFormat::Xml)).unwrap();
        assert!(xml.contains("<refdomain><refdomain>a&lt;b&gt;&amp;\"'</refdomain><backlinks>0</backlinks><first_seen></first_seen></refdomain></refdomains><stats><refdomains>2</refdomains>"));
        assert!(xml.ends_with(
            "<tlds><tld><tld>com</tld><count>2</count></tld></tlds></AhrefsApiResponse>"
        ));
        let php = String::from_utf8(a.encode(OutputFormat::Php)).unwrap();
        assert!(php.starts_with(r#"a:3:{s:10:"refdomains";a:2:{i:0;a:3:{s:9:"refdomain";s:6:"ü.com";s:9:"backlinks";i:3;"#));
        assert!(
            php.ends_with(r#"s:4:"tlds";a:1:{i:0;a:2:{s:3:"tld";s:3:"com";s:5:"count";i:2;}}}"#)
        );
    }

    #[test]
    fn empty_rows_and_types() {
        let t = table("backlinks_new_lost").unwrap();
        let cols: Vec<_> = ["date", "original", "ahrefs_rank"]
            .iter()
            .map(|c| t.column(c).unwrap())
            .collect();
        let mut a = Answer {
            table: t,
            columns: cols,
            rows: vec![],
            extras: Extras::default(),
        };
        assert_eq!(a.encode(OutputFormat::Json), br#"{"refpages":[]}"#);
        assert_eq!(
            a.encode(OutputFormat::Php),
            br#"a:1:{s:8:"refpages";a:0:{}}"#
        );
        a.rows.push(vec![
            Value::Day(16033),
            Value::Bool(true),
            Value::Float(2.5),
        ]);
        assert_eq!(
            a.encode(OutputFormat::Json),
            br#"{"refpages":[{"date":"2013-11-24","original":true,"ahrefs_rank":2.5}]}"#
        );
        assert_eq!(
            a.encode(OutputFormat::Php),
            br#"a:1:{s:8:"refpages";a:1:{i:0;a:3:{s:4:"date";s:10:"2013-11-24";s:8:"original";b:1;s:11:"ahrefs_rank";d:2.5;}}}"#
        );
    }

    #[test]
    fn errors_in_three_formats() {
        let e = ApiError::BadMode("json".into());
        assert_eq!(
            encode_error(&e, OutputFormat::Json),
            br#"{"error":"bad mode: 'json'"}"#
        );
        assert_eq!(
            encode_error(&ApiError::NoCredit, OutputFormat::Php),
            br#"a:1:{s:5:"error";s:9:"no credit";}"#
        );
        assert_eq!(
            encode_error(&ApiError::OrderColumn("<x>".into()), OutputFormat::Xml),
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<AhrefsApiResponse><error>order_by: column '&lt;x&gt;' not found</error></AhrefsApiResponse>"
        );
    }

    #[test]
    fn xml_drops_control_characters() {
        let mut s = String::new();
        xml_text(&mut s, "a\u{0}b\u{b}c\td");
        assert_eq!(s, "abc\td");
    }
}
