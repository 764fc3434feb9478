//! The texts around a link (before it, after it, and an image's alt) kept in one
//! allocation.
//!
//! An import holds every link of a batch in memory, then every link of the index, and
//! these texts are most of a link's bytes. Three separate strings cost three allocations
//! (each rounded up to its allocator size class) and 48 bytes of pointers per link; one
//! string with two offsets costs one allocation and 24 bytes. On the machines we measure
//! on, every gigabyte an import touches is about three seconds (first-touch page faults),
//! so this is import time as much as memory.
//!
//! A link loaded from the index need not hold its texts at all: until the write needs
//! them they are [`LinkTexts::stored`], the number of the `links_in` row they are in.
//! A re-import replaces the texts of every link it sees again, so texts read back on
//! load were mostly dropped unread (docs/perf-log.md, "Loading an index: texts left
//! on disk").

use std::fmt;

/// `text_pre`, `text_post` and `alt` of one link, concatenated; or where in the stored
/// index they are.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct LinkTexts {
    /// `pre`, then `post`, then `alt`.
    text: Box<str>,
    /// Where `pre` ends and `post` starts; [`STORED`] for texts left in the index.
    pre_end: u32,
    /// Where `post` ends and `alt` starts; for stored texts, their `links_in` row.
    post_end: u32,
}

/// `pre_end` of texts left in the index. Held texts reach it only by saturating (4 GiB
/// of text), never with an empty text: with one, it is unambiguous.
const STORED: u32 = u32::MAX;

impl LinkTexts {
    /// Packs the three texts. Each is at most a few hundred bytes (the extractor's
    /// limits); were they ever beyond 4 GiB together, the offsets saturate and the
    /// accessors give empty text rather than panic.
    pub fn new(pre: &str, post: &str, alt: &str) -> LinkTexts {
        let mut text = String::with_capacity(pre.len() + post.len() + alt.len());
        text.push_str(pre);
        let pre_end = offset(&text);
        text.push_str(post);
        let post_end = offset(&text);
        text.push_str(alt);
        LinkTexts {
            text: text.into_boxed_str(),
            pre_end,
            post_end,
        }
    }

    /// Texts not read back from the index: those of row `row` of the `links_in` files
    /// the state was loaded from. Until [`crate::Index::read_stored_texts`] reads them,
    /// they read as empty.
    pub fn stored(row: u32) -> LinkTexts {
        LinkTexts {
            text: Box::default(),
            pre_end: STORED,
            post_end: row,
        }
    }

    /// The `links_in` row of texts left in the index, if these are such texts.
    pub fn stored_row(&self) -> Option<u32> {
        (self.pre_end == STORED && self.text.is_empty()).then_some(self.post_end)
    }

    /// Text just before the anchor.
    pub fn pre(&self) -> &str {
        self.text.get(..self.pre_end as usize).unwrap_or_default()
    }

    /// Text just after the anchor.
    pub fn post(&self) -> &str {
        self.text
            .get(self.pre_end as usize..self.post_end as usize)
            .unwrap_or_default()
    }

    /// `alt` of the image the link wraps, or empty.
    pub fn alt(&self) -> &str {
        self.text.get(self.post_end as usize..).unwrap_or_default()
    }

    /// Whether all three are empty (texts left in the index are not).
    pub fn is_empty(&self) -> bool {
        self.text.is_empty() && self.stored_row().is_none()
    }
}

/// The length of `text` as an offset, saturating (see [`LinkTexts::new`]).
fn offset(text: &str) -> u32 {
    u32::try_from(text.len()).unwrap_or(u32::MAX)
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
