//! Small text helpers: whitespace collapsing, bounded appends, entity decoding.

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

/// Longest entity we try to decode (`&CounterClockwiseContourIntegral;` is 33).
const MAX_ENTITY: usize = 40;

/// Output of [`clean`] under construction.
struct Cleaner {
    out: String,
    chars: usize,
    max: usize,
    last_space: bool,
}

impl Cleaner {
    /// Appends one char; returns whether there is room for more.
    #[inline]
    fn push(&mut self, c: char) -> bool {
        if c.is_whitespace() {
            if !self.last_space {
                self.out.push(' ');
                self.last_space = true;
                self.chars += 1;
            }
        } else {
            self.out.push(c);
            self.last_space = false;
            self.chars += 1;
        }
        self.chars < self.max
    }
}

/// Decodes HTML entities, collapses whitespace, trims, and keeps at most
/// `max_chars` characters, in one pass that stops at the limit (this runs three
/// times per link, so it must not touch more text than it keeps). ASCII bytes
/// take a fast path; other characters are decoded one by one.
pub fn clean(raw: &str, max_chars: usize) -> String {
    let mut c = Cleaner {
        out: String::with_capacity(raw.len().min(max_chars.saturating_mul(4))),
        chars: 0,
        max: max_chars,
        last_space: true,
    };
    let bytes = raw.as_bytes();
    let mut i = 0;
    'outer: while i < bytes.len() && c.chars < c.max {
        let b = bytes[i];
        if b == b'&' {
            let probe = &bytes[i..bytes.len().min(i + MAX_ENTITY)];
            if let Some(semi) = memchr::memchr(b';', probe) {
                let entity = &raw[i..=i + semi];
                let decoded = html_escape::decode_html_entities(entity);
                if decoded != entity {
                    for d in decoded.chars() {
                        if !c.push(d) {
                            break 'outer;
                        }
                    }
                    i += semi + 1;
                    continue;
                }
            }
        }
        if b < 0x80 {
            c.push(char::from(b));
            i += 1;
        } else {
            let Some(ch) = raw[i..].chars().next() else {
                break;
            };
            c.push(ch);
            i += ch.len_utf8();
        }
    }
    let mut out = c.out;
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

/// Like [`clean`] but keeps the *last* `max_chars` characters (for `text_pre`).
pub fn clean_tail(raw: &str, max_chars: usize) -> String {
    // Only the tail can matter: start a little before the last `max_chars` chars
    // (entities shrink when decoded).
    let start = raw
        .char_indices()
        .rev()
        .nth(max_chars + MAX_ENTITY)
        .map_or(0, |(i, _)| i);
    let full = clean(&raw[start..], usize::MAX);
    let n = full.chars().count();
    if n <= max_chars {
        return full;
    }
    let cut_at = full.char_indices().nth(n - max_chars).map_or(0, |(i, _)| i);
    let cut = &full[cut_at..];
    // Drop the partial first word, unless the snippet is one long word.
    let cut_mid_word = !full[..cut_at].ends_with(' ') && !cut.starts_with(' ');
    match cut.find(' ') {
        Some(sp) if cut_mid_word => cut[sp + 1..].to_owned(),
        _ => cut.trim_start().to_owned(),
    }
}

/// Like [`clean`] but ends at a word boundary when it has to cut (for `text_post`).
pub fn clean_words(raw: &str, max_chars: usize) -> String {
    let full = clean(raw, max_chars + 1);
    if full.chars().count() <= max_chars {
        return full;
    }
    let cut = truncate_chars(&full, max_chars);
    if full[cut.len()..].starts_with(' ') {
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
        assert_eq!(clean("a\u{3000}\u{3000}b\u{2003}c", 10), "a b c");
        assert_eq!(clean("日本語 テキスト", 10), "日本語 テキスト");
        assert_eq!(clean_tail("one two three", 5), "three");
        assert_eq!(clean_tail("one two three", 7), "three");
        assert_eq!(clean_words("one two three", 9), "one two");
        assert_eq!(clean_words("one two three", 7), "one two");
        assert_eq!(clean_tail("one two three", 7), "three");
        assert_eq!(clean_words("one two three", 9), "one two");
        assert_eq!(clean_words("one two three", 7), "one two");
    }
}
