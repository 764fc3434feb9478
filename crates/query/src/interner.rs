//! Distinct strings numbered densely, for grouping a target's links by hand.
//!
//! The grouped tables (`refdomains`, `anchors`) count distinct referring pages and
//! domains per group. DataFusion does that by grouping on the strings themselves, which
//! builds and compares a copy of every key in its group buffers; on a target with half a
//! million backlinks that was most of the answer's time. Numbering each string once
//! turns every later step into integer work, so this is hand-written core.

use std::hash::BuildHasher;

use datafusion::arrow::array::StringArray;
use hashbrown::HashTable;

/// Distinct strings numbered in order of first sight (0, 1, 2, …), their bytes kept
/// once in one buffer.
#[derive(Default)]
pub(crate) struct Interner {
    bytes: String,
    /// Where string `id` ends in `bytes` (it starts where `id - 1` ends).
    ends: Vec<usize>,
    /// Every string's entry: its hash, so that growing the table needs no rehashing, and
    /// where its bytes are, so that a lookup that finds it reads them without a detour
    /// through `ends` (each is a cache miss on a large target).
    table: HashTable<Entry>,
    /// Seeded per interner: the strings come from crawled pages, so their hashes must
    /// not be predictable.
    hasher: foldhash::fast::RandomState,
}

#[derive(Clone, Copy)]
struct Entry {
    hash: u64,
    start: usize,
    len: u32,
    id: u32,
}

impl Interner {
    /// The number of `s`, and whether it was seen here for the first time.
    ///
    /// # Panics
    /// Past `u32::MAX` distinct strings, or for a string of 4 GiB (far beyond any
    /// request's memory budget).
    pub(crate) fn intern(&mut self, s: &str) -> (u32, bool) {
        let hash = self.hasher.hash_one(s);
        let bytes = self.bytes.as_bytes();
        let found = self.table.find(hash, |e| {
            e.hash == hash
                && e.len as usize == s.len()
                && bytes.get(e.start..e.start + s.len()) == Some(s.as_bytes())
        });
        if let Some(e) = found {
            return (e.id, false);
        }
        let id = u32::try_from(self.ends.len()).expect("fewer than 2^32 distinct strings");
        let len = u32::try_from(s.len()).expect("strings shorter than 4 GiB");
        let start = self.bytes.len();
        self.bytes.push_str(s);
        self.ends.push(self.bytes.len());
        let entry = Entry {
            hash,
            start,
            len,
            id,
        };
        self.table.insert_unique(hash, entry, |e| e.hash);
        (id, true)
    }

    /// Every string, in the order of their numbers, as one Arrow array.
    pub(crate) fn to_array(&self) -> StringArray {
        (0..self.ends.len())
            .map(|id| Some(string_at(&self.bytes, &self.ends, id)))
            .collect()
    }

    /// How many distinct strings were interned.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The bytes this interner holds on the heap (for the request's memory budget).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.bytes.capacity()
            + self.ends.capacity() * size_of::<usize>()
            + self.table.capacity() * (size_of::<Entry>() + 1)
    }
}

fn string_at<'a>(bytes: &'a str, ends: &[usize], id: usize) -> &'a str {
    let start = id.checked_sub(1).map_or(0, |before| ends[before]);
    &bytes[start..ends[id]]
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn numbers_strings_densely_in_order_of_first_sight() {
        let mut names = Interner::default();
        assert_eq!(names.intern("b.example"), (0, true));
        assert_eq!(names.intern(""), (1, true));
        assert_eq!(names.intern("a.example"), (2, true));
        assert_eq!(names.intern("b.example"), (0, false));
        assert_eq!(names.intern(""), (1, false));
        assert_eq!(names.len(), 3);
        let array = names.to_array();
        assert_eq!(
            array.iter().collect::<Vec<_>>(),
            [Some("b.example"), Some(""), Some("a.example")]
        );
    }

    #[test]
    fn agrees_with_a_hash_map_over_many_strings() {
        // Enough strings to grow the table several times; prefixes of each other and
        // non-ASCII text included.
        let words: Vec<String> = (0..20_000u32)
            .map(|i| match i % 3 {
                0 => format!("http://site{}.example/", i % 7_000),
                1 => "é".repeat((i % 50) as usize),
                _ => format!("{}", i % 5_000),
            })
            .collect();
        let mut names = Interner::default();
        let mut reference: HashMap<&str, u32> = HashMap::new();
        for w in &words {
            let next = reference.len() as u32;
            let want = *reference.entry(w.as_str()).or_insert(next);
            let (id, new) = names.intern(w);
            assert_eq!(id, want, "{w}");
            assert_eq!(new, reference.len() as u32 == next + 1);
        }
        assert_eq!(names.len(), reference.len());
        let array = names.to_array();
        for (w, id) in &reference {
            assert_eq!(array.value(*id as usize), *w);
        }
        assert!(names.heap_bytes() > 0);
    }
}
