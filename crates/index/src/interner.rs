//! Strings numbered densely, each string kept once.
//!
//! An import numbers millions of anchor texts and URLs (about three million distinct
//! anchors at 10M links). A map from a boxed copy of each string to its number, next to
//! the table of values that holds the string again, kept every string twice and paid an
//! allocation and a 24-byte map slot for each. Here the map holds only the numbers, and
//! finds a number by reading the string where the caller already keeps it. On the
//! machines we measure on, every gigabyte an import touches costs seconds of page faults,
//! so this is import time as much as memory. Hand-written: it is the core of staging.
//!
//! The query crate has an interner of its own (`hrefdex_query::interner`) that keeps
//! each entry's hash and position beside its number: it numbers one request's strings
//! and is tuned for lookup speed. This one holds millions of strings for a whole
//! import, so a slot is the number alone (4 bytes against 24).

use std::fmt;
use std::hash::BuildHasher;

use hashbrown::HashTable;

/// Numbers found by the text they stand for, the text itself kept by the caller.
///
/// Every method takes `text_of`, the caller's way from a number to its text; it must
/// give the same text for a number for as long as the number is in the table.
#[derive(Clone, Default)]
pub(crate) struct TextIds {
    table: HashTable<u32>,
    /// Seeded per table: the strings come from crawled pages, so their hashes must not
    /// be predictable (a page could otherwise fill one probe sequence on purpose).
    hasher: foldhash::fast::RandomState,
}

impl TextIds {
    /// The number of `text`, if it has one.
    pub(crate) fn find<'t>(&self, text: &str, text_of: impl Fn(u32) -> &'t str) -> Option<u32> {
        let hash = self.hasher.hash_one(text);
        self.table.find(hash, |&id| text_of(id) == text).copied()
    }

    /// Files `id` under `text`, which has no number yet.
    pub(crate) fn insert<'t>(&mut self, text: &str, id: u32, text_of: impl Fn(u32) -> &'t str) {
        let hasher = &self.hasher;
        self.table.insert_unique(hasher.hash_one(text), id, |&id| {
            hasher.hash_one(text_of(id))
        });
    }

    /// Makes room for `additional` more numbers, if it can be had.
    pub(crate) fn try_reserve<'t>(
        &mut self,
        additional: usize,
        text_of: impl Fn(u32) -> &'t str,
    ) -> Result<(), hashbrown::TryReserveError> {
        let hasher = &self.hasher;
        self.table
            .try_reserve(additional, |&id| hasher.hash_one(text_of(id)))
    }

    /// How many numbers are filed.
    pub(crate) fn len(&self) -> usize {
        self.table.len()
    }
}

impl fmt::Debug for TextIds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TextIds").field("len", &self.len()).finish()
    }
}

/// Interns strings to dense `u32` ids (0, 1, 2, … in order of first sight), their
/// bytes back to back in one buffer.
#[derive(Clone, Default)]
pub struct Interner {
    /// Every string, in id order.
    bytes: String,
    /// Where string `id` ends in `bytes` (it starts where `id - 1` ends).
    ends: Vec<usize>,
    ids: TextIds,
}

impl Interner {
    /// The id of `s`, adding it when new.
    ///
    /// # Panics
    /// Past `u32::MAX` distinct strings (hundreds of gigabytes of them).
    pub fn intern(&mut self, s: &str) -> u32 {
        let (bytes, ends) = (&self.bytes, &self.ends);
        if let Some(id) = self.ids.find(s, |id| string_at(bytes, ends, id)) {
            return id;
        }
        let id = u32::try_from(self.ends.len()).expect("fewer than 2^32 distinct strings");
        self.bytes.push_str(s);
        self.ends.push(self.bytes.len());
        let (bytes, ends) = (&self.bytes, &self.ends);
        self.ids.insert(s, id, |id| string_at(bytes, ends, id));
        id
    }

    /// The id of `s`, if interned.
    pub fn lookup(&self, s: &str) -> Option<u32> {
        self.ids.find(s, |id| self.get(id))
    }

    /// The string of an id (empty for an id never given).
    pub fn get(&self, id: u32) -> &str {
        string_at(&self.bytes, &self.ends, id)
    }

    /// Makes room for `strings` more strings of `bytes` bytes in all, if it can be had
    /// (an estimate: more room than is used costs address space, not memory, except the
    /// lookup table's few bytes per string).
    pub fn reserve(&mut self, strings: usize, bytes: usize) {
        let (b, ends) = (&self.bytes, &self.ends);
        // Room refused is not an error: the table then grows as strings come.
        let _ = self.ids.try_reserve(strings, |id| string_at(b, ends, id));
        let _ = self.ends.try_reserve(strings);
        let _ = self.bytes.try_reserve(bytes);
    }

    /// How many strings are interned.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether nothing is interned.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

impl fmt::Debug for Interner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries((0..self.len() as u32).map(|id| self.get(id)))
            .finish()
    }
}

/// String `id` of an interner's buffer; empty for an id it never gave.
fn string_at<'a>(bytes: &'a str, ends: &[usize], id: u32) -> &'a str {
    let id = id as usize;
    let Some(&end) = ends.get(id) else {
        return "";
    };
    let start = id.checked_sub(1).map_or(0, |before| ends[before]);
    bytes.get(start..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn ids_are_dense_in_order_of_first_sight() {
        let mut names = Interner::default();
        assert_eq!(names.intern("b"), 0);
        assert_eq!(names.intern(""), 1);
        assert_eq!(names.intern("a"), 2);
        assert_eq!(names.intern("b"), 0);
        assert_eq!(names.intern(""), 1);
        assert_eq!(names.len(), 3);
        assert_eq!((names.get(0), names.get(1), names.get(2)), ("b", "", "a"));
        assert_eq!(names.lookup("a"), Some(2));
        assert_eq!(names.lookup("c"), None);
        assert_eq!(names.get(3), "");
    }

    #[test]
    fn reserved_room_changes_nothing_but_room() {
        let mut reserved = Interner::default();
        reserved.intern("kept");
        reserved.reserve(1000, 10_000);
        let mut grown = Interner::default();
        grown.intern("kept");
        for i in 0..1000 {
            let s = format!("anchor {i}");
            assert_eq!(reserved.intern(&s), grown.intern(&s));
        }
        assert_eq!(reserved.lookup("kept"), Some(0));
        assert_eq!(format!("{reserved:?}"), format!("{grown:?}"));
    }

    proptest! {
        /// Any sequence of strings, repeats included, numbers and reads back as a map
        /// from string to first position would.
        #[test]
        fn interning_numbers_as_a_map_would(words in prop::collection::vec(".{0,6}", 0..300)) {
            let mut names = Interner::default();
            let mut expected: HashMap<&str, u32> = HashMap::new();
            for w in &words {
                let next = expected.len() as u32;
                let id = *expected.entry(w.as_str()).or_insert(next);
                prop_assert_eq!(names.intern(w), id);
            }
            prop_assert_eq!(names.len(), expected.len());
            for (w, &id) in &expected {
                prop_assert_eq!(names.get(id), *w);
                prop_assert_eq!(names.lookup(w), Some(id));
            }
        }
    }
}
