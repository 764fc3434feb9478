//! The text before and after each link, kept once per page.
//!
//! On a page, the text after one link is mostly the text before the next: in the
//! generated webs of our benchmarks the snippets of a page's links hold each text byte
//! about twice, and on real, link-dense pages (menus, lists) about four times. So the
//! links of a page share one string, [`PageText`], holding every stretch of page text
//! that some snippet shows, each once; a [`Snippet`] is a range of it. An import holds
//! every link's snippets in memory at once, and on the machines we measure on every
//! gigabyte it touches costs seconds (docs/perf-log.md, "Import: strings kept once").
//!
//! A snippet that is not a plain stretch of the page's text (an entity was decoded, or
//! a non-ASCII space collapsed) is appended to the shared string on its own.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::sync::Arc;

use serde::{Serialize, Serializer};

/// The text of a page that its links' snippets show, each stretch once.
pub type PageText = Arc<str>;

/// A link's `text_pre` or `text_post`: a range of its page's [`PageText`]. Compares,
/// hashes, prints and serialises as the text it stands for.
#[derive(Clone, Default)]
pub struct Snippet {
    page: Option<PageText>,
    start: u32,
    end: u32,
}

impl Snippet {
    /// The snippet's text.
    pub fn as_str(&self) -> &str {
        self.page
            .as_deref()
            .and_then(|p| p.get(self.start as usize..self.end as usize))
            .unwrap_or_default()
    }

    /// Whether the snippet is empty.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The page text this snippet is part of and where in it, for keeping the page's
    /// text once downstream as well; `None` for an empty snippet.
    pub fn shared(&self) -> Option<(&PageText, Range<u32>)> {
        match &self.page {
            Some(p) if !self.is_empty() => Some((p, self.start..self.end)),
            _ => None,
        }
    }
}

impl From<&str> for Snippet {
    /// A snippet with a page text of its own (for records that are not HTML pages,
    /// and for tests).
    fn from(text: &str) -> Snippet {
        if text.is_empty() {
            return Snippet::default();
        }
        Snippet {
            page: Some(Arc::from(text)),
            start: 0,
            end: offset(text.len()),
        }
    }
}

impl std::ops::Deref for Snippet {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Snippet {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Snippet {
    fn eq(&self, other: &Snippet) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Snippet {}

impl PartialEq<str> for Snippet {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Snippet {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Hash for Snippet {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for Snippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Snippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Snippet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Where a snippet was found while a page's snippets are gathered.
enum Found {
    /// `text[start..end]` of the page's visible text.
    InText(usize, usize),
    /// Not a plain stretch of it: the snippet's own text.
    Own(String),
}

/// Gathers a page's snippets, then lays them out in one [`PageText`].
///
/// Offsets are byte offsets into the page's visible text (the string the snippets
/// were cleaned from), which the caller passes again to [`SnippetBuilder::finish`].
#[derive(Default)]
pub struct SnippetBuilder {
    found: Vec<Found>,
}

/// A snippet handed out by [`SnippetBuilder`], to be resolved by
/// [`SnippetBuilder::finish`].
#[derive(Clone, Copy, Debug)]
pub struct SnippetId(Option<usize>);

impl SnippetBuilder {
    /// `snippet`, cleaned from the text that ends at `end` of `text` (a `text_pre`).
    /// Found in place when the text up to `end`, less trailing whitespace, ends with it.
    pub fn before(&mut self, text: &str, end: usize, snippet: String) -> SnippetId {
        if snippet.is_empty() {
            return SnippetId(None);
        }
        let end = text.get(..end).map_or(0, |t| t.trim_end().len());
        let found = match text.get(..end) {
            Some(t) if t.ends_with(snippet.as_str()) => Found::InText(end - snippet.len(), end),
            _ => Found::Own(snippet),
        };
        self.push(found)
    }

    /// `snippet`, cleaned from the text that starts at `start` of `text` (a
    /// `text_post`). Found in place when the text from `start`, less leading
    /// whitespace, starts with it.
    pub fn after(&mut self, text: &str, start: usize, snippet: String) -> SnippetId {
        if snippet.is_empty() {
            return SnippetId(None);
        }
        let rest = text.get(start..).unwrap_or_default();
        let start = start + (rest.len() - rest.trim_start().len());
        let found = match text.get(start..) {
            Some(t) if t.starts_with(snippet.as_str()) => {
                Found::InText(start, start + snippet.len())
            }
            _ => Found::Own(snippet),
        };
        self.push(found)
    }

    fn push(&mut self, found: Found) -> SnippetId {
        self.found.push(found);
        SnippetId(Some(self.found.len() - 1))
    }

    /// Lays the snippets out: the stretches of `text` they cover, merged where they
    /// overlap or touch and in page order, then the snippets found nowhere in it.
    /// Each snippet is then read from what this returns with [`SnippetId::take`].
    pub fn finish(self, text: &str) -> LaidOut {
        let mut stretches: Vec<(usize, usize)> = self
            .found
            .iter()
            .filter_map(|f| match f {
                Found::InText(s, e) => Some((*s, *e)),
                Found::Own(_) => None,
            })
            .collect();
        stretches.sort_unstable();
        // Merged stretches: (start in `text`, end in `text`, start in the page text).
        let mut merged: Vec<(usize, usize, usize)> = Vec::with_capacity(stretches.len());
        let mut len = 0;
        for (s, e) in stretches {
            match merged.last_mut() {
                Some(last) if s <= last.1 => {
                    if e > last.1 {
                        len += e - last.1;
                        last.1 = e;
                    }
                }
                _ => {
                    merged.push((s, e, len));
                    len += e - s;
                }
            }
        }
        let own: usize = self
            .found
            .iter()
            .map(|f| match f {
                Found::Own(s) => s.len(),
                Found::InText(..) => 0,
            })
            .sum();
        let mut page = String::with_capacity(len + own);
        for &(s, e, _) in &merged {
            page.push_str(text.get(s..e).unwrap_or_default());
        }
        let mut ranges = Vec::with_capacity(self.found.len());
        for f in self.found {
            let (start, end) = match f {
                Found::InText(s, e) => {
                    // The merged stretch holding it: the last one starting at or before it.
                    let i = merged.partition_point(|m| m.0 <= s).saturating_sub(1);
                    let (ms, _, at) = merged.get(i).copied().unwrap_or_default();
                    let start = at + (s - ms);
                    (start, start + (e - s))
                }
                Found::Own(own) => {
                    let start = page.len();
                    page.push_str(&own);
                    (start, page.len())
                }
            };
            ranges.push((offset(start), offset(end)));
        }
        LaidOut {
            page: Arc::from(page),
            ranges,
        }
    }
}

/// A page's snippets laid out by [`SnippetBuilder::finish`]: the shared text and where
/// each snippet is in it, in the order they were handed out.
pub struct LaidOut {
    page: PageText,
    ranges: Vec<(u32, u32)>,
}

impl SnippetId {
    /// The snippet this id stands for in `laid_out` (from [`SnippetBuilder::finish`]).
    pub fn take(self, laid_out: &LaidOut) -> Snippet {
        match self.0.and_then(|i| laid_out.ranges.get(i)) {
            Some(&(start, end)) => Snippet {
                page: Some(Arc::clone(&laid_out.page)),
                start,
                end,
            },
            None => Snippet::default(),
        }
    }
}

/// A length as an offset, saturating: the page text a snippet is cut from is at most
/// a few megabytes (`html::MAX_PAGE_TEXT` plus snippets of its own).
fn offset(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn neighbouring_snippets_share_their_text() {
        let text = "one two three four five six";
        let mut b = SnippetBuilder::default();
        let pre = b.before(text, 14, "two three ".trim().to_owned());
        let post = b.after(text, 8, "three four".to_owned());
        let own = b.after(text, 0, "not & there".to_owned());
        let none = b.before(text, 3, String::new());
        let s = b.finish(text);
        let (pre, post, own, none) = (pre.take(&s), post.take(&s), own.take(&s), none.take(&s));
        assert_eq!(pre, "two three");
        assert_eq!(post, "three four");
        assert_eq!(own, "not & there");
        assert!(none.is_empty() && none.shared().is_none());
        let (page, _) = pre.shared().unwrap();
        assert_eq!(&**page, "two three fournot & there");
        assert!(Arc::ptr_eq(page, post.shared().unwrap().0));
    }

    #[test]
    fn trailing_and_leading_spaces_are_stepped_over() {
        let text = "alpha beta gamma";
        let mut b = SnippetBuilder::default();
        let pre = b.before(text, 6, "alpha".to_owned());
        let post = b.after(text, 10, "gamma".to_owned());
        let s = b.finish(text);
        assert_eq!(pre.take(&s), "alpha");
        assert_eq!(post.take(&s), "gamma");
        assert_eq!(&**pre.take(&s).shared().unwrap().0, "alphagamma");
    }

    #[test]
    fn a_snippet_compares_and_serialises_as_its_text() {
        let s = Snippet::from("a \"b\"");
        assert_eq!(s, "a \"b\"");
        assert_eq!(s, Snippet::from("a \"b\""));
        assert_ne!(s, Snippet::default());
        assert_eq!(serde_json::to_string(&s).unwrap(), r#""a \"b\"""#);
        assert_eq!(format!("{s:?}"), r#""a \"b\"""#);
        assert_eq!(Snippet::from(""), Snippet::default());
    }

    proptest! {
        /// Every snippet reads back as given, wherever it was found.
        #[test]
        fn snippets_read_back_as_given(
            text in "[a-c é]{0,60}",
            cuts in prop::collection::vec((0usize..70, 0usize..70, any::<bool>()), 0..12),
        ) {
            let mut b = SnippetBuilder::default();
            let mut expected = Vec::new();
            let mut ids = Vec::new();
            for (a, len, before) in cuts {
                let a = a.min(text.len());
                let e = (a + len).min(text.len());
                let Some(piece) = text.get(a..e) else { continue };
                let piece = piece.trim().to_owned();
                ids.push(if before { b.before(&text, e, piece.clone()) } else { b.after(&text, a, piece.clone()) });
                expected.push(piece);
            }
            let s = b.finish(&text);
            for (id, want) in ids.into_iter().zip(expected) {
                let got = id.take(&s);
                prop_assert_eq!(got.as_str(), want.as_str());
            }
        }
    }
}
