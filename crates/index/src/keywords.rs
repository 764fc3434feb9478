//! Keyword rankings: where the index's pages rank in search results, imported from a CSV
//! file (`hrefdex import-keywords`) so that `positions_metrics` can count positions and
//! estimate traffic. hrefdex collects no search data itself.
//!
//! The file has a header row naming (in any order) `keyword`, `country`, `position`,
//! `url`, `volume` and `cpc`; other columns are ignored. A rankings file is a snapshot:
//! importing one replaces the rankings held before (one commit of the `keywords` table,
//! outside the versioned link index, so `as_of` does not apply to it).

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use deltalake::arrow::array::{Float64Array, Int32Array, Int64Array, RecordBatch, StringArray};
use deltalake::arrow::datatypes::SchemaRef;
use hrefdex_url::NormalUrl;
use thiserror::Error;

use crate::store::{Index, StoreError, schema};

/// One ranking: `url` ranks at `position` for `keyword` in `country`'s search results.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    /// The search query.
    pub keyword: String,
    /// Two-letter country of the search database, lower case (`us`).
    pub country: String,
    /// Position in the results, 1 = first.
    pub position: u32,
    /// The ranking URL, in normal form.
    pub url: String,
    /// Its SURT key (the `pages` table's `url_key`).
    pub url_key: String,
    /// Monthly searches.
    pub volume: u64,
    /// Cost per click, in the currency unit of the file (e.g. USD).
    pub cpc: f64,
}

/// Why a rankings file was refused. Nothing is imported from a file with any bad row.
#[derive(Debug, Error)]
pub enum KeywordsError {
    /// The CSV could not be read.
    #[error("line {line}: {source}")]
    Csv {
        /// 1-based line.
        line: u64,
        /// The reader's error.
        source: csv::Error,
    },
    /// The header lacks a column.
    #[error(
        "the header has no `{0}` column (needed: keyword, country, position, url, volume, cpc)"
    )]
    MissingColumn(&'static str),
    /// A value is not what its column holds.
    #[error("line {line}: {column} {value:?} is not {expected}")]
    BadValue {
        /// 1-based line.
        line: u64,
        /// The column.
        column: &'static str,
        /// The value found.
        value: String,
        /// What was expected.
        expected: &'static str,
    },
    /// Storing the rankings failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

const COLUMNS: [&str; 6] = ["keyword", "country", "position", "url", "volume", "cpc"];

/// Reads a rankings CSV.
pub fn read_csv(input: impl Read) -> Result<Vec<Ranking>, KeywordsError> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(input);
    let header = reader
        .headers()
        .map_err(|source| KeywordsError::Csv { line: 1, source })?
        .clone();
    let mut at = [0usize; 6];
    for (slot, name) in at.iter_mut().zip(COLUMNS) {
        *slot = header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .ok_or(KeywordsError::MissingColumn(name))?;
    }
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|source| KeywordsError::Csv {
            line: source.position().map_or(0, |p| p.line()),
            source,
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(at[i]).unwrap_or("").trim();
        let bad = |column: &'static str, expected: &'static str| KeywordsError::BadValue {
            line,
            column,
            value: field(COLUMNS.iter().position(|c| *c == column).unwrap_or(0)).to_owned(),
            expected,
        };
        let keyword = field(0);
        if keyword.is_empty() {
            return Err(bad("keyword", "a search query"));
        }
        let country = field(1).to_ascii_lowercase();
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(bad("country", "a two-letter country code"));
        }
        let position = field(2)
            .parse::<u32>()
            .ok()
            .filter(|&p| p >= 1)
            .ok_or_else(|| bad("position", "a position (1 or more)"))?;
        let url = parse_url(field(3)).ok_or_else(|| bad("url", "a URL"))?;
        let volume = field(4)
            .parse::<u64>()
            .map_err(|_| bad("volume", "a search volume (0 or more)"))?;
        let cpc = field(5)
            .parse::<f64>()
            .ok()
            .filter(|c| c.is_finite() && *c >= 0.0)
            .ok_or_else(|| bad("cpc", "a cost per click (0 or more)"))?;
        out.push(Ranking {
            keyword: keyword.to_owned(),
            country,
            position,
            url_key: url.surt_key(),
            url: url.as_str().to_owned(),
            volume,
            cpc,
        });
    }
    Ok(out)
}

/// A URL as rank trackers export it: with or without a scheme.
fn parse_url(s: &str) -> Option<NormalUrl> {
    if s.is_empty() {
        return None;
    }
    NormalUrl::parse(s)
        .ok()
        .or_else(|| NormalUrl::parse(&format!("http://{s}")).ok())
}

/// The rankings as one Arrow batch of [`schema::KEYWORDS`].
fn batch(rows: &[Ranking]) -> Result<RecordBatch, deltalake::arrow::error::ArrowError> {
    let strs = |f: fn(&Ranking) -> &str| {
        Arc::new(StringArray::from_iter_values(rows.iter().map(f)))
            as Arc<dyn deltalake::arrow::array::Array>
    };
    RecordBatch::try_new(
        SchemaRef::clone(&schema::KEYWORDS),
        vec![
            strs(|r| &r.keyword),
            strs(|r| &r.country),
            Arc::new(Int32Array::from_iter_values(
                rows.iter()
                    .map(|r| i32::try_from(r.position).unwrap_or(i32::MAX)),
            )),
            strs(|r| &r.url),
            strs(|r| &r.url_key),
            Arc::new(Int64Array::from_iter_values(
                rows.iter()
                    .map(|r| i64::try_from(r.volume).unwrap_or(i64::MAX)),
            )),
            Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.cpc))),
        ],
    )
}

impl Index {
    /// Replaces the rankings with `rows` (one commit); returns the `keywords` table version.
    pub fn replace_keywords(&self, rows: &[Ranking]) -> Result<u64, KeywordsError> {
        let mut rows = rows.to_vec();
        rows.sort_by(|a, b| a.url_key.cmp(&b.url_key).then(a.keyword.cmp(&b.keyword)));
        let batch = batch(&rows).map_err(StoreError::from)?;
        Ok(self.overwrite_table("keywords", &schema::KEYWORDS, vec![batch])?)
    }

    /// The data files of the latest rankings, `None` when none were ever imported.
    pub fn keyword_files(&self) -> Result<Option<Vec<PathBuf>>, StoreError> {
        self.latest_files("keywords")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rankings_in_any_column_order() {
        let csv = "url,keyword,position,country,cpc,volume,extra\n\
                   https://example.com/a,blue shoes,3,US,1.5,1000,x\n\
                   example.com/b,red shoes,12,de,0,20,y\n";
        let rows = read_csv(csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].keyword, "blue shoes");
        assert_eq!(rows[0].country, "us");
        assert_eq!(rows[0].position, 3);
        assert_eq!(rows[0].url, "https://example.com/a");
        assert_eq!(rows[1].url, "http://example.com/b");
        assert_eq!(rows[1].url_key, rows[1].url_key.to_lowercase());
    }

    #[test]
    fn bad_rows_are_refused_with_their_line() {
        let csv = "keyword,country,position,url,volume,cpc\nok,us,1,https://a.com/,10,1\nbad,us,zero,https://a.com/,10,1\n";
        let err = read_csv(csv.as_bytes()).unwrap_err().to_string();
        assert!(err.contains("line 3") && err.contains("position"), "{err}");
        let err = read_csv("keyword,url\n".as_bytes())
            .unwrap_err()
            .to_string();
        assert!(err.contains("country"), "{err}");
        let err = read_csv(
            "keyword,country,position,url,volume,cpc\nk,usa,1,https://a.com/,1,1\n".as_bytes(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("two-letter"), "{err}");
    }
}
