//! The texts around a link (before it, after it, and an image's alt).
//!
//! An import holds every link of a batch in memory, then every link of the index, and
//! these texts are most of a link's bytes. The links of one page share its text: the
//! text after one link is mostly the text before the next, and the extractor keeps
//! each stretch of a page's text once ([`hrefdex_extract::snippet`]). A link's texts
//! are then two ranges of that shared string: no allocation of its own, and about half
//! the bytes on generated pages, a quarter on real ones. On the machines we measure on,
//! every gigabyte an import touches is seconds of first-touch page faults, so this is
//! import time as much as memory. Texts read back from the index, and those of image
//! links (whose alt is the link's own), are kept in a string of their own instead.
//!
//! A link loaded from the index need not hold its texts at all: until the write needs
//! them they are [`LinkTexts::stored`], the number of the `links_in` row they are in.
//! A re-import replaces the texts of every link it sees again, so texts read back on
//! load were mostly dropped unread (docs/perf-log.md, "Loading an index: texts left
//! on disk").

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use hrefdex_extract::snippet::Snippet;

/// `text_pre`, `text_post` and `alt` of one link: ranges of its page's shared text,
/// or of a string of its own; or where in the stored index they are.
#[derive(Clone, Default)]
pub struct LinkTexts {
    /// The page's shared text, or the link's own (`pre`, then `post`, then `alt`).
    text: Option<Arc<str>>,
    /// Where `pre` starts; [`STORED`] for texts left in the index.
    pre: u32,
    /// Where `post` starts; for stored texts, their `links_in` row.
    post: u32,
    pre_len: u16,
    post_len: u16,
    /// Where `alt` starts (it runs to the end of `text`), or [`NO_ALT`].
    alt: u32,
}

/// `pre` of texts left in the index, whose `text` is `None`: held texts have one.
const STORED: u32 = u32::MAX;

/// `alt` of texts without one. Zero is also none when there is no text at all.
const NO_ALT: u32 = u32::MAX;

impl LinkTexts {
    /// Texts of their own. Each is at most a few hundred bytes (the extractor's
    /// limits); `pre` and `post` are cut at 64 KiB should one ever be longer.
    pub fn new(pre: &str, post: &str, alt: &str) -> LinkTexts {
        if pre.is_empty() && post.is_empty() && alt.is_empty() {
            return LinkTexts::default();
        }
        let (pre, post) = (cut(pre), cut(post));
        // Concatenated in a buffer kept per thread, then copied once into the `Arc`:
        // a load reads back millions of texts this way.
        let text = SCRATCH.with_borrow_mut(|scratch| {
            scratch.clear();
            scratch.push_str(pre);
            scratch.push_str(post);
            scratch.push_str(alt);
            Arc::<str>::from(scratch.as_str())
        });
        let pre_len = len16(pre);
        let post_len = len16(post);
        LinkTexts {
            text: Some(text),
            pre: 0,
            post: u32::from(pre_len),
            pre_len,
            post_len,
            alt: if alt.is_empty() {
                NO_ALT
            } else {
                u32::from(pre_len) + u32::from(post_len)
            },
        }
    }

    /// The texts of a link as the extractor gives them: ranges of its page's shared
    /// text when `pre` and `post` are parts of one (and there is no alt), else texts of
    /// their own.
    pub fn from_snippets(pre: &Snippet, post: &Snippet, alt: &str) -> LinkTexts {
        let Some(page) = pre.shared().or(post.shared()).map(|(p, _)| p) else {
            return LinkTexts::new("", "", alt);
        };
        // Where a snippet is in `page`: `(0, 0)` when empty, `None` when elsewhere.
        let range = |s: &Snippet| match s.shared() {
            None => Some((0, 0)),
            Some((p, r)) if Arc::ptr_eq(p, page) => {
                Some((r.start, u16::try_from(r.end - r.start).ok()?))
            }
            Some(_) => None,
        };
        match (range(pre), range(post)) {
            (Some((pre, pre_len)), Some((post, post_len))) if alt.is_empty() => LinkTexts {
                text: Some(Arc::clone(page)),
                pre,
                post,
                pre_len,
                post_len,
                alt: NO_ALT,
            },
            _ => LinkTexts::new(pre, post, alt),
        }
    }

    /// Texts not read back from the index: those of row `row` of the `links_in` files
    /// the state was loaded from. Until [`crate::Index::read_stored_texts`] reads them,
    /// they read as empty.
    pub fn stored(row: u32) -> LinkTexts {
        LinkTexts {
            text: None,
            pre: STORED,
            post: row,
            pre_len: 0,
            post_len: 0,
            alt: NO_ALT,
        }
    }

    /// The `links_in` row of texts left in the index, if these are such texts.
    pub fn stored_row(&self) -> Option<u32> {
        (self.text.is_none() && self.pre == STORED).then_some(self.post)
    }

    fn range(&self, start: u32, len: u16) -> &str {
        let start = start as usize;
        self.text
            .as_deref()
            .and_then(|t| t.get(start..start + usize::from(len)))
            .unwrap_or_default()
    }

    /// Text just before the anchor.
    pub fn pre(&self) -> &str {
        self.range(self.pre, self.pre_len)
    }

    /// Text just after the anchor.
    pub fn post(&self) -> &str {
        self.range(self.post, self.post_len)
    }

    /// `alt` of the image the link wraps, or empty.
    pub fn alt(&self) -> &str {
        match (&self.text, self.alt) {
            (Some(t), at) if at != NO_ALT => t.get(at as usize..).unwrap_or_default(),
            _ => "",
        }
    }

    /// Whether all three are empty (texts left in the index are not).
    pub fn is_empty(&self) -> bool {
        self.stored_row().is_none()
            && self.pre().is_empty()
            && self.post().is_empty()
            && self.alt().is_empty()
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// `s`, cut at a char boundary to at most `u16::MAX` bytes.
fn cut(s: &str) -> &str {
    let mut end = s.len().min(usize::from(u16::MAX));
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The length of a [`cut`] string.
fn len16(s: &str) -> u16 {
    u16::try_from(s.len()).unwrap_or(u16::MAX)
}

impl PartialEq for LinkTexts {
    /// Equal when they read the same (wherever each is kept), or name the same row.
    fn eq(&self, other: &LinkTexts) -> bool {
        self.stored_row() == other.stored_row()
            && self.pre() == other.pre()
            && self.post() == other.post()
            && self.alt() == other.alt()
    }
}

impl Eq for LinkTexts {}

impl Hash for LinkTexts {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.stored_row().hash(state);
        self.pre().hash(state);
        self.post().hash(state);
        self.alt().hash(state);
    }
}

impl fmt::Debug for LinkTexts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(row) = self.stored_row() {
            return f.debug_tuple("LinkTexts::stored").field(&row).finish();
        }
        f.debug_struct("LinkTexts")
            .field("pre", &self.pre())
            .field("post", &self.post())
            .field("alt", &self.alt())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn empty_texts_allocate_nothing_and_read_back_empty() {
        let t = LinkTexts::new("", "", "");
        assert!(t.is_empty());
        assert_eq!((t.pre(), t.post(), t.alt()), ("", "", ""));
        assert_eq!(t, LinkTexts::default());
    }

    #[test]
    fn stored_texts_know_their_row_and_are_not_held_texts() {
        let t = LinkTexts::stored(7);
        assert_eq!(t.stored_row(), Some(7));
        assert!(!t.is_empty());
        assert_eq!((t.pre(), t.post(), t.alt()), ("", "", ""));
        assert_eq!(LinkTexts::new("a", "b", "").stored_row(), None);
        assert_eq!(LinkTexts::default().stored_row(), None);
        assert_ne!(LinkTexts::stored(7), LinkTexts::stored(8));
    }

    #[test]
    fn one_text_alone_reads_back_in_its_place() {
        let t = LinkTexts::new("", "", "a cat");
        assert_eq!((t.pre(), t.post(), t.alt()), ("", "", "a cat"));
        let t = LinkTexts::new("", "after", "");
        assert_eq!((t.pre(), t.post(), t.alt()), ("", "after", ""));
    }

    /// Two snippets of one page, as the extractor gives them.
    fn page_snippets(text: &str, pre: (usize, usize), post: (usize, usize)) -> (Snippet, Snippet) {
        use hrefdex_extract::snippet::SnippetBuilder;
        let mut b = SnippetBuilder::default();
        let p = b.before(text, pre.1, text[pre.0..pre.1].to_owned());
        let q = b.after(text, post.0, text[post.0..post.1].to_owned());
        let s = b.finish(text);
        (p.take(&s), q.take(&s))
    }

    #[test]
    fn links_of_a_page_share_its_text() {
        let (pre, post) = page_snippets("one two three four", (0, 7), (4, 13));
        let t = LinkTexts::from_snippets(&pre, &post, "");
        assert_eq!((t.pre(), t.post(), t.alt()), ("one two", "two three", ""));
        let shared = pre.shared().unwrap().0;
        assert!(Arc::ptr_eq(t.text.as_ref().unwrap(), shared), "no copy");
        assert_eq!(t, LinkTexts::new("one two", "two three", ""));
        // An empty side, or none at all.
        let t = LinkTexts::from_snippets(&Snippet::default(), &post, "");
        assert_eq!((t.pre(), t.post()), ("", "two three"));
        assert!(LinkTexts::from_snippets(&Snippet::default(), &Snippet::default(), "").is_empty());
        // The same texts from two pages read the same.
        let (pre2, post2) = page_snippets("one two three four", (0, 7), (4, 13));
        assert_eq!(
            LinkTexts::from_snippets(&pre2, &post2, ""),
            LinkTexts::from_snippets(&pre, &post, "")
        );
    }

    #[test]
    fn an_alt_or_snippets_of_two_pages_get_texts_of_their_own() {
        let (pre, _) = page_snippets("one two", (0, 3), (4, 7));
        let (_, post) = page_snippets("three four", (0, 5), (6, 10));
        let t = LinkTexts::from_snippets(&pre, &post, "");
        assert_eq!((t.pre(), t.post(), t.alt()), ("one", "four", ""));
        assert!(!Arc::ptr_eq(
            t.text.as_ref().unwrap(),
            pre.shared().unwrap().0
        ));
        let t = LinkTexts::from_snippets(&pre, &Snippet::default(), "a cat");
        assert_eq!((t.pre(), t.post(), t.alt()), ("one", "", "a cat"));
        let t = LinkTexts::from_snippets(&Snippet::default(), &Snippet::default(), "a cat");
        assert_eq!((t.pre(), t.post(), t.alt()), ("", "", "a cat"));
    }

    #[test]
    fn texts_cost_a_link_32_bytes() {
        assert_eq!(std::mem::size_of::<LinkTexts>(), 32);
    }

    #[test]
    fn overlong_texts_are_cut_at_a_char_boundary() {
        let long = "é".repeat(40_000);
        let t = LinkTexts::new(&long, "b", "c");
        assert!(t.pre().len() <= usize::from(u16::MAX) && long.starts_with(t.pre()));
        assert_eq!((t.post(), t.alt()), ("b", "c"));
    }

    proptest! {
        #[test]
        fn the_three_texts_read_back_as_given(pre in ".{0,40}", post in ".{0,40}", alt in ".{0,40}") {
            let t = LinkTexts::new(&pre, &post, &alt);
            prop_assert_eq!(t.pre(), pre.as_str());
            prop_assert_eq!(t.post(), post.as_str());
            prop_assert_eq!(t.alt(), alt.as_str());
            prop_assert_eq!(t.stored_row(), None);
        }
    }
}
