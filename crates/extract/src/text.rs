//! Small text helpers: whitespace collapsing, bounded appends, entity decoding.

use std::borrow::Cow;

/// Appends `s` to `dst` with runs of ASCII whitespace collapsed to one space,
/// stopping once `dst` holds about `max_bytes`. Returns whether `dst` is full.
///
/// This is the hot path of snippet collection (it sees every text byte of every
/// page), so it copies whole runs of non-space bytes at once; other Unicode
/// spaces (mostly `&nbsp;`, still undecoded here) are collapsed by [`clean`].
pub fn push_collapsed(dst: &mut String, s: &str, max_bytes: usize) -> bool {
    let bytes = s.as_bytes();
    let mut last_space = dst.is_empty() || dst.ends_with(' ');
    let mut i = 0;
    while i < bytes.len() {
        if dst.len() >= max_bytes {
            return true;
        }
        if is_ascii_space(bytes[i]) {
            if !last_space {
                dst.push(' ');
                last_space = true;
            }
            i += 1;
            continue;
        }
        let run = bytes[i..]
            .iter()
            .position(|b| is_ascii_space(*b))
            .map_or(bytes.len(), |p| i + p);
        // Both ends are ASCII bytes or the ends of `s`, so they are char boundaries.
        let room = max_bytes.saturating_sub(dst.len());
        let mut end = run.min(i.saturating_add(room));
        while !s.is_char_boundary(end) {
            end += 1;
        }
        dst.push_str(&s[i..end]);
        last_space = false;
        i = end;
    }
    dst.len() >= max_bytes
}

#[inline]
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c)
}

/// Whether `s` has whitespace other than single ASCII spaces (or any non-ASCII
/// byte, which might be a Unicode space such as a decoded `&nbsp;`).
fn needs_collapse(s: &str) -> bool {
    s.bytes()
        .any(|b| b >= 0x80 || matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
        || memchr::memmem::find(s.as_bytes(), b"  ").is_some()
}

/// Collapses every Unicode whitespace run to one space.
fn collapse_unicode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = true;
    for c in s.chars() {
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
        } else {
            out.push(c);
            last_space = false;
        }
    }
    out
}

/// Decodes HTML entities, collapses whitespace, trims, and cuts to `max_chars`.
pub fn clean(raw: &str, max_chars: usize) -> String {
    let decoded: Cow<'_, str> = if raw.contains('&') {
        html_escape::decode_html_entities(raw)
    } else {
        Cow::Borrowed(raw)
    };
    let collapsed: Cow<'_, str> = if needs_collapse(&decoded) {
        Cow::Owned(collapse_unicode(&decoded))
    } else {
        decoded
    };
    let trimmed = collapsed.trim();
    if trimmed.len() <= max_chars {
        return trimmed.to_owned();
    }
    truncate_chars(trimmed, max_chars).trim_end().to_owned()
}

/// Like [`clean`] but keeps the *last* `max_chars` characters (for `text_pre`).
pub fn clean_tail(raw: &str, max_chars: usize) -> String {
    // Only the tail can matter: at most 4 bytes a character, plus room for entities.
    let window = max_chars.saturating_mul(4);
    let mut start = raw.len().saturating_sub(window);
    while !raw.is_char_boundary(start) {
        start += 1;
    }
    let full = clean(&raw[start..], usize::MAX);
    let n = full.chars().count();
    if n <= max_chars {
        return full;
    }
    let cut: String = full.chars().skip(n - max_chars).collect();
    // Drop the partial first word, unless the snippet is one long word.
    let cut_mid_word = full
        .chars()
        .nth(n - max_chars - 1)
        .is_some_and(|c| !c.is_whitespace());
    match cut.find(' ') {
        Some(sp) if cut_mid_word => cut[sp + 1..].to_owned(),
        _ => cut.trim_start().to_owned(),
    }
}

/// Like [`clean`] but ends at a word boundary when it has to cut (for `text_post`).
pub fn clean_words(raw: &str, max_chars: usize) -> String {
    let full = clean(raw, usize::MAX);
    let cut = truncate_chars(&full, max_chars);
    if cut.len() == full.len() || full[cut.len()..].starts_with(' ') {
        return cut.trim_end().to_owned();
    }
    match cut.rfind(' ') {
        Some(sp) => cut[..sp].to_owned(),
        None => cut.to_owned(),
    }
}

/// The first `max_chars` characters of `s`.
pub fn truncate_chars(s: &str, max_chars: usize) -> &str {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Decodes entities in an attribute value and trims it (for URLs).
pub fn attr(raw: &str) -> String {
    let v = raw.trim();
    if v.contains('&') {
        html_escape::decode_html_entities(v).trim().to_owned()
    } else {
        v.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapse_and_decode() {
        assert_eq!(clean("  Examples &amp;\n\t more ", 100), "Examples & more");
        assert_eq!(clean("a&nbsp;&nbsp; b", 100), "a b");
        assert_eq!(clean("abcdef", 3), "abc");
        assert_eq!(clean_tail("one two three", 5), "three");
        assert_eq!(clean_tail("one two three", 7), "three");
        assert_eq!(clean_words("one two three", 9), "one two");
        assert_eq!(clean_words("one two three", 7), "one two");
        assert_eq!(clean_tail("one two three", 7), "three");
        assert_eq!(clean_words("one two three", 9), "one two");
        assert_eq!(clean_words("one two three", 7), "one two");
    }
}
