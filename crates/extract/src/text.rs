//! Small text helpers: whitespace collapsing, bounded appends, entity decoding.

use std::borrow::Cow;

/// Appends `s` to `dst` with runs of ASCII whitespace collapsed to one space,
/// stopping once `dst` holds about `max_bytes`. Returns whether `dst` is full.
///
/// Other Unicode spaces (mostly `&nbsp;`, still undecoded here) are collapsed by
/// [`clean`].
pub fn push_collapsed(dst: &mut String, s: &str, max_bytes: usize) -> bool {
    let mut words = WordCount::default();
    push_collapsed_counting(dst, s, max_bytes, &mut words);
    dst.len() >= max_bytes
}

/// Words seen by [`push_collapsed_counting`]: runs of non-whitespace bytes.
#[derive(Clone, Copy, Debug, Default)]
pub struct WordCount {
    /// Words so far.
    pub words: u64,
    /// The last byte seen was part of a word (a word can go on in the next chunk).
    pub in_word: bool,
}

/// [`push_collapsed`] that also counts the words of `s` (all of them, also past
/// `max_bytes`), in the same pass over the bytes.
///
/// This is the hot path of snippet collection (it sees every text byte of every
/// page), so it copies whole runs of non-space bytes at once.
pub fn push_collapsed_counting(dst: &mut String, s: &str, max_bytes: usize, wc: &mut WordCount) {
    let bytes = s.as_bytes();
    let mut last_space = dst.is_empty() || dst.ends_with(' ');
    let mut i = 0;
    while i < bytes.len() {
        if is_ascii_space(bytes[i]) {
            wc.in_word = false;
            if !last_space && dst.len() < max_bytes {
                dst.push(' ');
                last_space = true;
            }
            // The rest of the run changes nothing: skip it (indentation is long).
            i += 1;
            while i < bytes.len() && is_ascii_space(bytes[i]) {
                i += 1;
            }
            continue;
        }
        let run = bytes[i..]
            .iter()
            .position(|b| is_ascii_space(*b))
            .map_or(bytes.len(), |p| i + p);
        if !wc.in_word {
            wc.in_word = true;
            wc.words += 1;
        }
        if dst.len() < max_bytes {
            // Both ends are ASCII bytes or the ends of `s`, so they are char boundaries.
            let room = max_bytes - dst.len();
            let mut end = run.min(i.saturating_add(room));
            while !s.is_char_boundary(end) {
                end += 1;
            }
            dst.push_str(&s[i..end]);
            last_space = false;
        }
        i = run;
    }
}

#[inline]
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c)
}

/// ASCII whitespace as [`char::is_whitespace`] sees it (tab, LF, VT, FF, CR, space).
#[inline]
fn is_char_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

/// A byte [`clean`] copies as it is: ASCII, neither whitespace nor `&`.
#[inline]
fn is_plain(b: u8) -> bool {
    b < 0x80 && b != b'&' && !is_char_space(b)
}

/// Whether [`clean`] copies these 8 bytes as they are, 8 at a time: all plain
/// ASCII or spaces, no two spaces in a row, and no leading space after a space
/// (`last_space`). Returns whether the last byte is a space. Bytes below 0x0E
/// (some of which are plain) are left to the byte-by-byte loop.
#[inline]
fn plain_word(word: &[u8], last_space: bool) -> Option<bool> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let w = u64::from_le_bytes(word.try_into().ok()?);
    /// High bit of each zero byte of `x`, exactly.
    fn zero_bytes(x: u64) -> u64 {
        !(((x & LOW7) + LOW7) | x | LOW7)
    }
    // No byte >= 0x80 and none below 0x0E (valid as all are ASCII).
    if w & HIGH != 0 || (w.wrapping_sub(ONES * 0x0e) & !w & HIGH) != 0 {
        return None;
    }
    if zero_bytes(w ^ (ONES * u64::from(b'&'))) != 0 {
        return None;
    }
    let spaces = zero_bytes(w ^ (ONES * u64::from(b' ')));
    if spaces & (spaces << 8) != 0 || (last_space && spaces & 0x80 != 0) {
        return None;
    }
    Some(spaces >> 63 == 1)
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

    /// Appends the chars of `s` until there is no more room; returns whether there is.
    fn push_all(&mut self, s: &str) -> bool {
        s.chars().all(|c| self.push(c))
    }
}

/// The entity that starts at `raw[i]` (an `&`), decoded, and its length in bytes;
/// `None` when no known entity starts there.
fn entity_at(raw: &str, i: usize) -> Option<(Cow<'_, str>, usize)> {
    let bytes = raw.as_bytes();
    let probe = &bytes[i..bytes.len().min(i + MAX_ENTITY)];
    let semi = memchr::memchr(b';', probe)?;
    let entity = &raw[i..=i + semi];
    let decoded = html_escape::decode_html_entities(entity);
    (decoded != entity).then_some((decoded, semi + 1))
}

/// Decodes HTML entities, collapses whitespace, trims, and keeps at most
/// `max_chars` characters, in one pass that stops at the limit (this runs three
/// times per link, so it must not touch more text than it keeps). Runs of plain
/// ASCII are copied at once; other characters are decoded one by one.
pub fn clean(raw: &str, max_chars: usize) -> String {
    clean_counted(raw, max_chars).0
}

/// [`clean`], also returning the number of characters of the result.
fn clean_counted(raw: &str, max_chars: usize) -> (String, usize) {
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
        if is_plain(b) || (b == b' ' && !c.last_space) {
            // A run that `Cleaner::push` would copy byte for byte: plain ASCII and
            // single spaces, one output char per byte, within the room left.
            let end = bytes.len().min(i.saturating_add(c.max - c.chars));
            let mut last_space = c.last_space;
            let mut run = i;
            while run < end {
                if let Some(word) = bytes.get(run..run + 8).filter(|_| run + 8 <= end)
                    && let Some(ends_in_space) = plain_word(word, last_space)
                {
                    last_space = ends_in_space;
                    run += 8;
                    continue;
                }
                let x = bytes[run];
                if is_plain(x) {
                    last_space = false;
                } else if x == b' ' && !last_space {
                    last_space = true;
                } else {
                    break;
                }
                run += 1;
            }
            // `i` and `run` border ASCII bytes, so both are char boundaries.
            c.out.push_str(&raw[i..run]);
            c.chars += run - i;
            c.last_space = last_space;
            i = run;
            continue;
        }
        if b == b'&'
            && let Some((decoded, len)) = entity_at(raw, i)
        {
            if !c.push_all(&decoded) {
                break 'outer;
            }
            i += len;
            continue;
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
    // Whitespace is collapsed to single spaces, so at most one trails.
    if c.out.ends_with(' ') {
        c.out.pop();
        c.chars -= 1;
    }
    (c.out, c.chars)
}

/// Byte offset of the `n`th character of `s` (`s.len()` when it has fewer);
/// `chars` is the number of characters of `s`.
fn char_offset(s: &str, chars: usize, n: usize) -> usize {
    if s.len() == chars {
        // All ASCII.
        return n.min(s.len());
    }
    s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)
}

/// Like [`clean`] but keeps the *last* `max_chars` characters (for `text_pre`).
pub fn clean_tail(raw: &str, max_chars: usize) -> String {
    // Only the tail can matter: start a little before the last `max_chars` chars
    // (entities shrink when decoded).
    let keep = max_chars.saturating_add(MAX_ENTITY + 1);
    let start = match raw.len().checked_sub(keep) {
        // The last `keep` bytes are ASCII: they are the last `keep` chars.
        Some(at) if raw.as_bytes()[at..].is_ascii() => at,
        _ => raw.char_indices().rev().nth(keep - 1).map_or(0, |(i, _)| i),
    };
    let (mut full, n) = clean_counted(&raw[start..], usize::MAX);
    if n <= max_chars {
        return full;
    }
    let cut_at = char_offset(&full, n, n - max_chars);
    let cut = &full[cut_at..];
    // Drop the partial first word, unless the snippet is one long word.
    let cut_mid_word = !full[..cut_at].ends_with(' ') && !cut.starts_with(' ');
    let from = match cut.find(' ') {
        Some(sp) if cut_mid_word => cut_at + sp + 1,
        _ => full.len() - cut.trim_start().len(),
    };
    full.drain(..from);
    full
}

/// Like [`clean`] but ends at a word boundary when it has to cut (for `text_post`).
pub fn clean_words(raw: &str, max_chars: usize) -> String {
    let (mut full, n) = clean_counted(raw, max_chars.saturating_add(1));
    if n <= max_chars {
        return full;
    }
    let cut = &full[..char_offset(&full, n, max_chars)];
    let keep = if full[cut.len()..].starts_with(' ') {
        cut.trim_end().len()
    } else {
        cut.rfind(' ').unwrap_or(cut.len())
    };
    full.truncate(keep);
    full
}

/// The first `max_chars` characters of `s`.
pub fn truncate_chars(s: &str, max_chars: usize) -> &str {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// [`attr`] of an owned value, which is returned as it is when nothing changes.
pub fn attr_owned(raw: String) -> String {
    if raw.contains('&') || raw.trim().len() != raw.len() {
        attr(&raw)
    } else {
        raw
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

/// The one-char-at-a-time cleaners that the fast ones above replaced, kept as the
/// oracle: the fast ones must give the same bytes for every input.
#[cfg(test)]
mod reference {
    use super::{Cleaner, MAX_ENTITY, entity_at, truncate_chars};

    pub fn clean(raw: &str, max_chars: usize) -> String {
        let mut c = Cleaner {
            out: String::new(),
            chars: 0,
            max: max_chars,
            last_space: true,
        };
        let bytes = raw.as_bytes();
        let mut i = 0;
        'outer: while i < bytes.len() && c.chars < c.max {
            let b = bytes[i];
            if b == b'&'
                && let Some((decoded, len)) = entity_at(raw, i)
            {
                if !c.push_all(&decoded) {
                    break 'outer;
                }
                i += len;
                continue;
            }
            let ch = raw[i..].chars().next().expect("in bounds");
            c.push(ch);
            i += ch.len_utf8();
        }
        c.out.trim_end().to_owned()
    }

    pub fn clean_tail(raw: &str, max_chars: usize) -> String {
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
        let cut_mid_word = !full[..cut_at].ends_with(' ') && !cut.starts_with(' ');
        match cut.find(' ') {
            Some(sp) if cut_mid_word => cut[sp + 1..].to_owned(),
            _ => cut.trim_start().to_owned(),
        }
    }

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

    /// Old `push_collapsed` plus the old separate word count of one chunk.
    pub fn push_and_count(dst: &mut String, s: &str, max: usize, in_word: &mut bool) -> u64 {
        let mut words = 0;
        for b in s.bytes() {
            if b.is_ascii_whitespace() {
                *in_word = false;
            } else if !*in_word {
                *in_word = true;
                words += 1;
            }
        }
        let bytes = s.as_bytes();
        let mut last_space = dst.is_empty() || dst.ends_with(' ');
        for (i, &b) in bytes.iter().enumerate() {
            if dst.len() >= max {
                break;
            }
            if matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c) {
                if !last_space {
                    dst.push(' ');
                    last_space = true;
                }
            } else if s.is_char_boundary(i) {
                let ch = s[i..].chars().next().expect("boundary");
                dst.push(ch);
                last_space = false;
            }
        }
        words
    }
}

#[cfg(test)]
mod same_as_reference {
    use super::*;

    /// Pieces that exercise every branch: ASCII and Unicode spaces, entities
    /// (known, unknown, unterminated, decoding to spaces), multi-byte chars.
    const PIECES: &[&str] = &[
        "a",
        "bc",
        "word",
        "x1",
        " ",
        "  ",
        "\t",
        "\n",
        "\r\n",
        "\x0b",
        "\x0c",
        "\x1c",
        "\0",
        "&amp;",
        "&nbsp;",
        "&#32;",
        "&#x20;",
        "&lt",
        "&bogus;",
        "&",
        ";",
        "&;",
        "&#10;",
        "&CounterClockwiseContourIntegral;",
        "é",
        "日本",
        "\u{3000}",
        "\u{a0}",
        "\u{85}",
        "\u{2003}",
        "😀",
        "-",
        ".",
        "&amp",
        "&#128512;",
    ];

    /// A small deterministic generator (xorshift), so failures reproduce.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn text(&mut self) -> String {
            let len = self.below(400);
            (0..len).map(|_| PIECES[self.below(PIECES.len())]).collect()
        }
    }

    #[test]
    fn cleaners_match_the_reference() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..20_000 {
            let s = rng.text();
            let max = [0, 1, 2, 5, 100, 256, usize::MAX][rng.below(7)];
            assert_eq!(
                clean(&s, max),
                reference::clean(&s, max),
                "clean {s:?} {max}"
            );
            let max = [1, 5, 100, 120][rng.below(4)];
            assert_eq!(
                clean_tail(&s, max),
                reference::clean_tail(&s, max),
                "tail {s:?} {max}"
            );
            assert_eq!(
                clean_words(&s, max),
                reference::clean_words(&s, max),
                "words {s:?} {max}"
            );
        }
    }

    #[test]
    fn collecting_matches_the_reference() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        for _ in 0..5_000 {
            let max = [0, 3, 50, 1000, usize::MAX][rng.below(5)];
            let (mut a, mut b) = (String::new(), String::new());
            let mut wc = WordCount::default();
            let (mut in_word, mut words) = (false, 0);
            for _ in 0..rng.below(8) {
                let s = rng.text();
                push_collapsed_counting(&mut a, &s, max, &mut wc);
                words += reference::push_and_count(&mut b, &s, max, &mut in_word);
                if rng.below(3) == 0 {
                    wc.in_word = false;
                    in_word = false;
                }
            }
            assert_eq!(a, b);
            assert_eq!(wc.words, words);
        }
    }
}
