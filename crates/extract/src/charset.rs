//! Which character encoding a page is in: BOM, then the HTTP `Content-Type`
//! charset, then a `<meta>` prescan of the first KiB (the HTML standard's order),
//! then UTF-8 if the bytes are valid UTF-8, else windows-1252.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// How many bytes the `<meta>` prescan looks at (as the HTML standard says).
const PRESCAN_BYTES: usize = 1024;
/// How many bytes are checked for UTF-8 validity when nothing declares a charset.
const SNIFF_BYTES: usize = 64 * 1024;

/// The encoding of a page and the number of BOM bytes to skip.
pub fn detect(content_type: Option<&str>, body: &[u8]) -> (&'static Encoding, usize) {
    if let Some((enc, bom)) = Encoding::for_bom(body) {
        return (enc, bom);
    }
    if let Some(enc) = content_type.and_then(charset_param).and_then(label) {
        return (enc, 0);
    }
    if let Some(enc) = meta_prescan(&body[..body.len().min(PRESCAN_BYTES)]) {
        return (enc, 0);
    }
    let head = &body[..body.len().min(SNIFF_BYTES)];
    match std::str::from_utf8(head) {
        Ok(_) => (UTF_8, 0),
        // A multi-byte character cut at the sniff boundary is still UTF-8.
        Err(e) if e.error_len().is_none() && head.len() == SNIFF_BYTES => (UTF_8, 0),
        Err(_) => (WINDOWS_1252, 0),
    }
}

fn label(l: &str) -> Option<&'static Encoding> {
    // A page "in UTF-16" that reached us through a <meta> is really ASCII-based.
    Encoding::for_label(l.trim().trim_matches(['"', '\'']).as_bytes())
}

/// The `charset=` parameter of a `Content-Type` value.
pub fn charset_param(ct: &str) -> Option<&str> {
    let lower = ct.to_ascii_lowercase();
    let at = lower.find("charset=")?;
    let v = &ct[at + 8..];
    let v = v.trim_start().trim_start_matches(['"', '\'']);
    let end = v.find([';', '"', '\'', ' ', ',']).unwrap_or(v.len());
    Some(&v[..end]).filter(|s| !s.is_empty())
}

/// Finds `<meta charset=…>` or `<meta http-equiv=content-type content="…charset=…">`.
fn meta_prescan(head: &[u8]) -> Option<&'static Encoding> {
    let head = head.to_ascii_lowercase();
    let mut i = 0;
    while let Some(p) = memchr::memmem::find(&head[i..], b"<meta") {
        let start = i + p + 5;
        let end = memchr::memchr(b'>', &head[start..]).map_or(head.len(), |e| start + e);
        let tag = String::from_utf8_lossy(&head[start..end]);
        if let Some(at) = tag.find("charset") {
            let rest = tag[at + 7..].trim_start();
            if let Some(v) = rest.strip_prefix('=') {
                let v = v.trim_start().trim_start_matches(['"', '\'']);
                let stop = v.find(['"', '\'', ' ', ';', '/', '>']).unwrap_or(v.len());
                if let Some(enc) = label(&v[..stop]) {
                    // A meta saying UTF-16 means UTF-8 (HTML standard).
                    if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
                        return Some(UTF_8);
                    }
                    return Some(enc);
                }
            }
        }
        i = end.min(head.len());
        if i >= head.len() {
            break;
        }
    }
    None
}

/// The name we report in `encoding`: lower-case WHATWG name, `utf8` for UTF-8
/// (the API's spelling).
pub fn report_name(enc: &'static Encoding) -> String {
    if enc == UTF_8 {
        "utf8".to_owned()
    } else {
        enc.name().to_ascii_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order() {
        assert_eq!(
            detect(Some("text/html; charset=ISO-8859-2"), b"<html>")
                .0
                .name(),
            "ISO-8859-2"
        );
        assert_eq!(
            detect(None, b"<meta charset=\"euc-jp\">").0.name(),
            "EUC-JP"
        );
        assert_eq!(
            detect(
                None,
                b"<META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=Shift_JIS\">"
            )
            .0
            .name(),
            "Shift_JIS"
        );
        assert_eq!(detect(None, b"\xef\xbb\xbf<html>"), (UTF_8, 3));
        assert_eq!(detect(None, b"caf\xe9").0, WINDOWS_1252);
        assert_eq!(detect(None, "café".as_bytes()).0, UTF_8);
    }
}
