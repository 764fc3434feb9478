//! The crawled pages by URL id, packed.
//!
//! A page's state is about 300 bytes. In a hash map from URL id to state, every slot
//! holds a whole state, and a map sized for its pages has up to twice as many slots as
//! pages (a power of two at most 7/8 full): 360 MB for the 667,000 pages of a 10M-link
//! import, every byte of it touched. Here the map holds a `u32` per slot and the states
//! lie packed in one vector: 230 MB.

use std::ops::Index;

use rustc_hash::FxHashMap;

use crate::state::PageState;

/// Crawled pages by URL id, with the parts of a hash map's interface the index uses.
#[derive(Debug, Default, Clone)]
pub struct PageTable {
    /// Where each page is in `states`, by URL id.
    slots: FxHashMap<u32, u32>,
    /// The URL id of each state.
    ids: Vec<u32>,
    /// Page states, in the order their pages were first added.
    states: Vec<PageState>,
}

impl PageTable {
    /// The state of page `id`, if it is crawled.
    pub fn get(&self, id: &u32) -> Option<&PageState> {
        self.slots.get(id).map(|&slot| &self.states[slot as usize])
    }

    /// The state of page `id` to change, if it is crawled.
    pub fn get_mut(&mut self, id: &u32) -> Option<&mut PageState> {
        self.slots
            .get(id)
            .map(|&slot| &mut self.states[slot as usize])
    }

    /// Sets the state of page `id`, giving back the one it replaces.
    ///
    /// # Panics
    /// Past `u32::MAX` pages (far beyond memory).
    pub fn insert(&mut self, id: u32, state: PageState) -> Option<PageState> {
        if let Some(page) = self.get_mut(&id) {
            return Some(std::mem::replace(page, state));
        }
        let slot = u32::try_from(self.states.len()).expect("fewer than 2^32 pages");
        self.slots.insert(id, slot);
        self.ids.push(id);
        self.states.push(state);
        None
    }

    /// How many pages.
    pub fn len(&self) -> usize {
        self.states.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    /// The URL ids of the pages, in the order they were first added.
    pub fn keys(&self) -> std::slice::Iter<'_, u32> {
        self.ids.iter()
    }

    /// The pages and their URL ids, in the order they were first added.
    pub fn iter(&self) -> impl Iterator<Item = (&u32, &PageState)> {
        self.into_iter()
    }

    /// Makes room for `additional` more pages.
    pub fn reserve(&mut self, additional: usize) {
        // Room refused is left out: the tables then grow as pages come.
        self.try_reserve(additional);
    }

    /// Makes room for `additional` more pages, if it can be had: whether it was.
    pub fn try_reserve(&mut self, additional: usize) -> bool {
        self.slots.try_reserve(additional).is_ok()
            && self.ids.try_reserve(additional).is_ok()
            && self.states.try_reserve(additional).is_ok()
    }
}

impl Index<&u32> for PageTable {
    type Output = PageState;

    /// The state of page `id`.
    ///
    /// # Panics
    /// When the page is not crawled (as a map's indexing does).
    fn index(&self, id: &u32) -> &PageState {
        self.get(id).expect("a crawled page")
    }
}

impl<'a> IntoIterator for &'a PageTable {
    type Item = (&'a u32, &'a PageState);
    type IntoIter = std::iter::Zip<std::slice::Iter<'a, u32>, std::slice::Iter<'a, PageState>>;

    fn into_iter(self) -> Self::IntoIter {
        self.ids.iter().zip(&self.states)
    }
}

impl PartialEq for PageTable {
    /// The same pages with the same states, whatever the order they were added in.
    fn eq(&self, other: &PageTable) -> bool {
        self.len() == other.len() && self.iter().all(|(id, page)| other.get(id) == Some(page))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;

    fn page(t: i64) -> PageState {
        PageState::first(t, false)
    }

    proptest! {
        /// Any sequence of inserts leaves the table as a map would be, and it iterates
        /// in the order pages were first added.
        #[test]
        fn a_page_table_answers_as_a_map(ops in prop::collection::vec((0u32..50, 0i64..1000), 0..200)) {
            let mut table = PageTable::default();
            let mut map: HashMap<u32, PageState> = HashMap::new();
            let mut first_added = Vec::new();
            for (id, t) in ops {
                if !map.contains_key(&id) {
                    first_added.push(id);
                }
                prop_assert_eq!(table.insert(id, page(t)), map.insert(id, page(t)));
            }
            prop_assert_eq!(table.len(), map.len());
            for (id, state) in &map {
                prop_assert_eq!(table.get(id), Some(state));
                prop_assert_eq!(&table[id], state);
            }
            prop_assert_eq!(table.get(&1000), None);
            prop_assert_eq!(table.keys().copied().collect::<Vec<_>>(), first_added);
            prop_assert!(table.iter().all(|(id, state)| map.get(id) == Some(state)));
        }
    }

    #[test]
    fn tables_with_the_same_pages_are_equal_in_any_order() {
        let (mut a, mut b) = (PageTable::default(), PageTable::default());
        a.insert(1, page(10));
        a.insert(2, page(20));
        b.insert(2, page(20));
        b.insert(1, page(10));
        assert_eq!(a, b);
        b.insert(1, page(11));
        assert_ne!(a, b);
    }
}
