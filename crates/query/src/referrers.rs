//! The referring pages and domains of a target's links, numbered as the links are read,
//! and typed access to the columns of the link batches those tables fold.
//!
//! Tables that count distinct referring pages or domains per group (`refdomains`,
//! `anchors`) fold the target's links by hand over these numbers (see
//! [`crate::interner`] for why).

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Int32Array, StringArray, TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::{Int32Type, TimestampMicrosecondType};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::error::{DataFusionError, Result};

use crate::interner::Interner;

/// The referring pages seen so far, and their domains.
#[derive(Default)]
pub(crate) struct Referrers {
    pages: Interner,
    domains: Interner,
    /// The domain of each page, by page number.
    page_domain: Vec<u32>,
}

/// One link's referring page and domain, by number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Referrer {
    pub page: u32,
    pub domain: u32,
    /// Whether this is the first link read from this page.
    pub new_page: bool,
}

impl Referrers {
    /// The numbers of a link's referring page `url` and of its domain. The domain is only
    /// read for a page's first link: a URL has one registrable domain, written from the
    /// URL into every row.
    pub(crate) fn add(&mut self, url: &str, domain: &str) -> Referrer {
        let (page, new_page) = self.pages.intern(url);
        if new_page {
            let (domain, _) = self.domains.intern(domain);
            self.page_domain.push(domain);
        }
        Referrer {
            page,
            domain: self.page_domain[page as usize],
            new_page,
        }
    }

    /// How many distinct referring pages were seen.
    pub(crate) fn pages(&self) -> usize {
        self.pages.len()
    }

    /// The referring domains seen, numbered as [`Referrer::domain`].
    pub(crate) fn domains(&self) -> &Interner {
        &self.domains
    }

    /// The bytes held on the heap.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.pages.heap_bytes()
            + self.domains.heap_bytes()
            + self.page_domain.capacity() * size_of::<u32>()
    }
}

/// The columns of one batch of link rows that the folds read, by name.
pub(crate) struct LinkColumns<'a> {
    batch: &'a RecordBatch,
}

impl<'a> LinkColumns<'a> {
    pub(crate) fn new(batch: &'a RecordBatch) -> LinkColumns<'a> {
        LinkColumns { batch }
    }

    fn column(&self, name: &str) -> Result<&'a dyn Array> {
        self.batch
            .column_by_name(name)
            .map(|c| c.as_ref())
            .ok_or_else(|| DataFusionError::Internal(format!("link rows without {name}")))
    }

    /// A string column.
    pub(crate) fn strings(&self, name: &str) -> Result<Strings<'a>> {
        let c = self.column(name)?;
        Ok(Strings(typed(name, c.as_string_opt::<i32>(), "Utf8")?))
    }

    /// A timestamp column, as microseconds.
    pub(crate) fn times(&self, name: &str) -> Result<Optional<'a, TimestampMicrosecondType>> {
        let c = self.column(name)?;
        let times = typed(
            name,
            c.as_primitive_opt::<TimestampMicrosecondType>(),
            "a timestamp in microseconds",
        )?;
        Ok(Optional(times))
    }

    /// An Int32 column.
    pub(crate) fn ints(&self, name: &str) -> Result<Optional<'a, Int32Type>> {
        let c = self.column(name)?;
        let ints: &Int32Array = typed(name, c.as_primitive_opt::<Int32Type>(), "Int32")?;
        Ok(Optional(ints))
    }
}

/// `cast`, the column `name` as `wanted`, or an error naming both.
fn typed<'a, T>(name: &str, cast: Option<&'a T>, wanted: &str) -> Result<&'a T> {
    cast.ok_or_else(|| DataFusionError::Internal(format!("link column {name} is not {wanted}")))
}

/// A string column whose nulls read as empty strings.
#[derive(Clone, Copy)]
pub(crate) struct Strings<'a>(&'a StringArray);

impl<'a> Strings<'a> {
    pub(crate) fn get(&self, row: usize) -> &'a str {
        if self.0.is_null(row) {
            ""
        } else {
            self.0.value(row)
        }
    }
}

/// A primitive column whose nulls read as `None`.
pub(crate) struct Optional<'a, T: datafusion::arrow::datatypes::ArrowPrimitiveType>(
    &'a datafusion::arrow::array::PrimitiveArray<T>,
);

impl<T: datafusion::arrow::datatypes::ArrowPrimitiveType> Optional<'_, T> {
    pub(crate) fn get(&self, row: usize) -> Option<T::Native> {
        self.0.is_valid(row).then(|| self.0.value(row))
    }
}

/// Microseconds as a UTC timestamp array (the type of the index's dates).
pub(crate) fn utc_micros(values: impl Iterator<Item = Option<i64>>) -> ArrayRef {
    Arc::new(TimestampMicrosecondArray::from_iter(values).with_timezone("UTC"))
}

/// The earlier of two optional values (`None` when both are).
pub(crate) fn min_of<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The later of two optional values (`None` when both are).
pub(crate) fn max_of<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    a.max(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_keep_the_domain_of_their_first_link() {
        let mut r = Referrers::default();
        let first = r.add("http://a.example/1", "a.example");
        let second = r.add("http://b.example/", "b.example");
        let again = r.add("http://a.example/1", "ignored.example");
        assert_eq!(
            (first, second, again),
            (
                Referrer {
                    page: 0,
                    domain: 0,
                    new_page: true
                },
                Referrer {
                    page: 1,
                    domain: 1,
                    new_page: true
                },
                Referrer {
                    page: 0,
                    domain: 0,
                    new_page: false
                },
            )
        );
        let other_page = r.add("http://a.example/2", "a.example");
        assert_eq!((other_page.page, other_page.domain), (2, 0));
        assert_eq!((r.pages(), r.domains().len()), (3, 2));
    }

    #[test]
    fn optional_values_combine_ignoring_none() {
        assert_eq!(min_of(Some(3), Some(2)), Some(2));
        assert_eq!(min_of(None, Some(2)), Some(2));
        assert_eq!(min_of(Some(3), None), Some(3));
        assert_eq!(max_of(Some(3), Some(2)), Some(3));
        assert_eq!(max_of(None, Some(2)), Some(2));
        assert_eq!(max_of::<i64>(None, None), None);
    }
}
