//! HTTP/1.x response heads inside WARC/ARC blocks, and payload decoding
//! (`Transfer-Encoding: chunked`, `Content-Encoding: gzip | deflate | br`).
//!
//! The head parser is hand-written and lenient on purpose: archived responses carry
//! missing reason phrases, `\r\r\n` line ends, obs-folded and non-UTF-8 header values,
//! which strict parsers such as `httparse` reject; one odd header must not cost a page.

use std::borrow::Cow;
use std::io::Read;

/// Largest HTTP head we look at.
const MAX_HEAD_BYTES: usize = 256 * 1024;
/// Largest decoded payload we keep (a decompression bomb stops here).
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// Status line and headers of an HTTP response.
#[derive(Clone, Debug, Default)]
pub struct HttpHead {
    /// Status code (e.g. 200).
    pub status: u16,
    /// Header fields in order.
    pub headers: Vec<(String, String)>,
}

impl HttpHead {
    /// First header with this name (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Parses the head of an HTTP response at the start of `block`; returns it and the
/// offset where the payload starts. `None` when the block has no status line.
pub fn parse_response(block: &[u8]) -> Option<(HttpHead, usize)> {
    let mut lines = Lines { buf: block, pos: 0 };
    let status_line = lines.next()?;
    let status = parse_status_line(status_line)?;
    let mut head = HttpHead {
        status,
        headers: Vec::with_capacity(16),
    };
    loop {
        let Some(line) = lines.next() else {
            // No blank line: the whole block is the head (a revisit, or a clipped record).
            return Some((head, block.len()));
        };
        if line.is_empty() {
            return Some((head, lines.pos));
        }
        if lines.pos > MAX_HEAD_BYTES {
            return Some((head, lines.pos));
        }
        if matches!(line[0], b' ' | b'\t') {
            if let Some(last) = head.headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(String::from_utf8_lossy(line).trim());
            }
            continue;
        }
        if let Some(c) = memchr::memchr(b':', line) {
            let name = String::from_utf8_lossy(&line[..c]).trim().to_owned();
            let value = String::from_utf8_lossy(&line[c + 1..]).trim().to_owned();
            head.headers.push((name, value));
        }
    }
}

fn parse_status_line(line: &[u8]) -> Option<u16> {
    if line.len() < 8 || !line[..5].eq_ignore_ascii_case(b"HTTP/") {
        return None;
    }
    let sp = memchr::memchr(b' ', line)?;
    let rest = &line[sp + 1..];
    let rest = &rest[rest.iter().take_while(|b| **b == b' ').count()..];
    if rest.len() < 3 || !rest[..3].iter().all(u8::is_ascii_digit) {
        return None;
    }
    if rest.len() > 3 && rest[3].is_ascii_digit() {
        return None;
    }
    Some(
        u16::from(rest[0] - b'0') * 100
            + u16::from(rest[1] - b'0') * 10
            + u16::from(rest[2] - b'0'),
    )
}

struct Lines<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        if self.pos >= self.buf.len() {
            return None;
        }
        let rest = &self.buf[self.pos..];
        let (mut line, adv) = match memchr::memchr(b'\n', rest) {
            Some(p) => (&rest[..p], p + 1),
            None => (rest, rest.len()),
        };
        while let [head @ .., b'\r'] = line {
            line = head;
        }
        self.pos += adv;
        Some(line)
    }
}

/// The payload with transfer and content codings removed. A coding that fails to
/// decode leaves the bytes as they were (archives often store decoded payloads
/// under their original headers).
pub fn decode_payload<'a>(head: &HttpHead, body: &'a [u8]) -> Cow<'a, [u8]> {
    let mut out = Cow::Borrowed(body);
    if head
        .header("Transfer-Encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
        && let Some(d) = dechunk(&out)
    {
        out = Cow::Owned(d);
    }
    if let Some(ce) = head.header("Content-Encoding") {
        let ce = ce.trim().to_ascii_lowercase();
        let decoded = match ce.as_str() {
            "gzip" | "x-gzip" => gunzip(&out),
            "deflate" => inflate(&out),
            "br" => unbrotli(&out),
            _ => None,
        };
        if let Some(d) = decoded {
            out = Cow::Owned(d);
        }
    }
    out
}

/// Removes chunked framing; `None` when the body does not look chunked.
pub fn dechunk(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    let mut pos = 0;
    let mut chunks = 0;
    loop {
        let rest = body.get(pos..)?;
        let nl = memchr::memchr(b'\n', rest)?;
        let line = std::str::from_utf8(&rest[..nl]).ok()?;
        let size_txt = line.split(';').next()?.trim();
        let size = usize::from_str_radix(size_txt, 16).ok()?;
        pos += nl + 1;
        if size == 0 {
            return Some(out);
        }
        let end = pos.saturating_add(size);
        if end > body.len() {
            // A clipped last chunk: keep what is there.
            out.extend_from_slice(&body[pos..]);
            return (chunks > 0 || !out.is_empty()).then_some(out);
        }
        out.extend_from_slice(&body[pos..end]);
        chunks += 1;
        pos = end;
        // The CRLF after the chunk data.
        while pos < body.len() && matches!(body[pos], b'\r' | b'\n') && pos < end + 2 {
            pos += 1;
        }
        if pos >= body.len() {
            return Some(out);
        }
    }
}

fn read_capped(r: impl Read) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    match r.take(MAX_BODY_BYTES as u64).read_to_end(&mut out) {
        Ok(_) => Some(out),
        // A truncated stream still gives its decoded prefix.
        Err(_) if !out.is_empty() => Some(out),
        Err(_) => None,
    }
}

fn gunzip(b: &[u8]) -> Option<Vec<u8>> {
    if !b.starts_with(&[0x1f, 0x8b]) {
        return None;
    }
    read_capped(flate2::read::MultiGzDecoder::new(b))
}

fn inflate(b: &[u8]) -> Option<Vec<u8>> {
    // "deflate" is zlib-wrapped by the spec, raw deflate in practice as often.
    let zlib_header =
        b.len() >= 2 && (u16::from(b[0]) << 8 | u16::from(b[1])) % 31 == 0 && b[0] & 0x0f == 8;
    if zlib_header && let Some(v) = read_capped(flate2::read::ZlibDecoder::new(b)) {
        return Some(v);
    }
    read_capped(flate2::read::DeflateDecoder::new(b))
}

fn unbrotli(b: &[u8]) -> Option<Vec<u8>> {
    read_capped(brotli_decompressor::Decompressor::new(b, 64 * 1024)).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_line_without_reason() {
        let (h, at) =
            parse_response(b"HTTP/1.0 302 \r\r\nLocation: /x\r\r\n\r\r\nbody").expect("head");
        assert_eq!(h.status, 302);
        assert_eq!(h.header("location"), Some("/x"));
        assert_eq!(at, 34);
    }

    #[test]
    fn chunked() {
        assert_eq!(
            dechunk(b"3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n").as_deref(),
            Some(&b"abcde"[..])
        );
        assert!(dechunk(b"<html>").is_none());
    }

    #[test]
    fn not_http() {
        assert!(parse_response(b"<html>").is_none());
        assert!(parse_response(b"HTTP/1.1 2000 OK\r\n\r\n").is_none());
    }
}
