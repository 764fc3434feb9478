//! Reading plain-text edge lists (`src<whitespace>dst` per line, optionally gzip-compressed).
//!
//! Format: one arc per line, two decimal `u32` node ids separated by spaces or tabs.
//! Empty lines and lines starting with `#` or `%` are skipped. Anything else (a third
//! field, a sign, a number above `u32::MAX`) is a [`RankError::Parse`] naming the line.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;

use crate::error::RankError;

/// Read an edge list from a file; a name ending in `.gz` is decompressed on the fly.
///
/// # Errors
/// [`RankError::Io`] if the file cannot be read, [`RankError::Parse`] for a bad line.
pub fn read_edge_list_path(path: &Path) -> Result<Vec<(u32, u32)>, RankError> {
    let io_err = |source| RankError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io_err)?;
    let gz = path.extension().is_some_and(|e| e == "gz");
    let reader: Box<dyn Read> = if gz {
        Box::new(MultiGzDecoder::new(BufReader::with_capacity(1 << 16, file)))
    } else {
        Box::new(file)
    };
    read_edge_list(BufReader::with_capacity(1 << 16, reader)).map_err(|e| match e {
        RankError::Io { source, .. } => io_err(source),
        other => other,
    })
}

/// Read an edge list from any buffered reader.
///
/// # Errors
/// [`RankError::Io`] (with an empty path) if reading fails, [`RankError::Parse`] for a bad line.
pub fn read_edge_list<R: BufRead>(mut reader: R) -> Result<Vec<(u32, u32)>, RankError> {
    let mut edges = Vec::new();
    let mut line = Vec::with_capacity(64);
    let mut number = 0u64;
    loop {
        line.clear();
        let read = reader
            .read_until(b'\n', &mut line)
            .map_err(|source| RankError::Io {
                path: Default::default(),
                source,
            })?;
        if read == 0 {
            return Ok(edges);
        }
        number += 1;
        if let Some(edge) = parse_line(&line).map_err(|reason| RankError::Parse {
            line: number,
            reason,
            text: String::from_utf8_lossy(&line[..line.len().min(80)])
                .trim_end()
                .to_owned(),
        })? {
            edges.push(edge);
        }
    }
}

/// Parse one line; `Ok(None)` for a blank or comment line.
fn parse_line(line: &[u8]) -> Result<Option<(u32, u32)>, &'static str> {
    let mut fields = line
        .split(|b| b.is_ascii_whitespace())
        .filter(|f| !f.is_empty());
    let Some(first) = fields.next() else {
        return Ok(None);
    };
    if first[0] == b'#' || first[0] == b'%' {
        return Ok(None);
    }
    let src = parse_u32(first)?;
    let dst = parse_u32(fields.next().ok_or("expected two node ids, found one")?)?;
    if fields.next().is_some() {
        return Err("expected two node ids, found more fields");
    }
    Ok(Some((src, dst)))
}

fn parse_u32(field: &[u8]) -> Result<u32, &'static str> {
    let mut value = 0u32;
    for &b in field {
        if !b.is_ascii_digit() {
            return Err("node id is not a decimal number");
        }
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u32::from(b - b'0')))
            .ok_or("node id does not fit in u32")?;
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tabs_spaces_comments_and_blank_lines() {
        let text = b"# header\n0\t1\n\n  2 3  \r\n% another\n4294967295\t0";
        let edges = read_edge_list(&text[..]).expect("valid");
        assert_eq!(edges, vec![(0, 1), (2, 3), (u32::MAX, 0)]);
    }

    #[test]
    fn bad_lines_name_their_line_number() {
        for (text, line, reason) in [
            (&b"0 1\n1 x\n"[..], 2, "node id is not a decimal number"),
            (b"0 1\n1 2\n7\n", 3, "expected two node ids, found one"),
            (b"1 2 3\n", 1, "expected two node ids, found more fields"),
            (b"0 4294967296\n", 1, "node id does not fit in u32"),
            (b"-1 2\n", 1, "node id is not a decimal number"),
        ] {
            match read_edge_list(text) {
                Err(RankError::Parse {
                    line: l, reason: r, ..
                }) => {
                    assert_eq!((l, r), (line, reason));
                }
                other => panic!("expected a parse error, got {other:?}"),
            }
        }
    }

    #[test]
    fn error_message_keeps_the_input() {
        let err = read_edge_list(&b"0 1\nfoo bar\n"[..]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 2: node id is not a decimal number: \"foo bar\""
        );
    }
}
