//! Answers already computed, by index version and request.
//!
//! An index version never changes once committed, so an answer computed from it stays
//! exact for as long as that version is asked for: the key is the version number plus the
//! request as parsed (table, target, mode, select, where, having, order, limit, offset,
//! as_of; not the token, not the output format, which only changes the encoding). Every
//! answer is still charged in full; the cache saves work, not rows.
//!
//! Two generations approximate least-recently-used eviction: entries go into the young
//! generation; a hit in the old one moves the entry back; when the young generation holds
//! half the byte budget it becomes the old one and the previous old one is dropped.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use hrefdex_api::Request;
use hrefdex_api::encode::Answer;

use crate::reply::answer_bytes;

/// Cached answers, bounded in bytes.
#[derive(Debug)]
pub struct AnswerCache {
    budget: u64,
    inner: Mutex<Generations>,
}

#[derive(Debug, Default)]
struct Generations {
    young: HashMap<String, (Arc<Answer>, u64)>,
    young_bytes: u64,
    old: HashMap<String, (Arc<Answer>, u64)>,
}

impl AnswerCache {
    /// A cache holding about `budget` bytes of answers (0 turns it off).
    pub fn new(budget: u64) -> AnswerCache {
        AnswerCache {
            budget,
            inner: Mutex::new(Generations::default()),
        }
    }

    /// The key of `request` answered from `version`, or `None` when caching is off.
    pub fn key(&self, version: u64, request: &Request) -> Option<String> {
        if self.budget == 0 {
            return None;
        }
        let mut request = request.clone();
        request.output = hrefdex_api::OutputFormat::Json;
        let parsed = serde_json::to_string(&request).ok()?;
        Some(format!("{version}\n{parsed}"))
    }

    /// The cached answer for `key`.
    pub fn get(&self, key: &str) -> Option<Arc<Answer>> {
        let mut g = self.lock();
        if let Some((answer, _)) = g.young.get(key) {
            return Some(Arc::clone(answer));
        }
        let (answer, bytes) = g.old.remove(key)?;
        g.insert(key.to_owned(), Arc::clone(&answer), bytes, self.budget);
        Some(answer)
    }

    /// Keeps `answer` under `key` unless it is larger than a quarter of the budget.
    pub fn put(&self, key: String, answer: Arc<Answer>) {
        let bytes = answer_bytes(&answer);
        if bytes.saturating_mul(4) > self.budget {
            return;
        }
        self.lock().insert(key, answer, bytes, self.budget);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Generations> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Generations {
    fn insert(&mut self, key: String, answer: Arc<Answer>, bytes: u64, budget: u64) {
        if self.young_bytes + bytes > budget / 2 {
            self.old = std::mem::take(&mut self.young);
            self.young_bytes = 0;
        }
        self.young_bytes += bytes;
        if let Some((_, replaced)) = self.young.insert(key, (answer, bytes)) {
            self.young_bytes -= replaced;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use hrefdex_api::ParseOptions;
    use hrefdex_api::encode::Extras;
    use hrefdex_api::params::Params;

    fn request(q: &str) -> Request {
        let options = ParseOptions {
            require_token: false,
        };
        Request::parse(&Params::from_query(q.as_bytes()), options).unwrap()
    }

    fn answer(r: &Request, rows: usize) -> Arc<Answer> {
        Arc::new(Answer {
            table: r.table,
            columns: r.select.clone(),
            rows: vec![vec![hrefdex_api::value::Value::Int(1)]; rows],
            extras: Extras::default(),
        })
    }

    #[test]
    fn keys_ignore_token_and_output_but_not_version_or_request() {
        let cache = AnswerCache::new(1 << 20);
        let a = request("from=refdomains&target=a.com&mode=domain&token=x&output=xml");
        let b = request("from=refdomains&target=a.com&mode=domain&token=y");
        let c = request("from=refdomains&target=b.com&mode=domain");
        assert_eq!(cache.key(1, &a), cache.key(1, &b));
        assert_ne!(cache.key(1, &a), cache.key(2, &a));
        assert_ne!(cache.key(1, &a), cache.key(1, &c));
        assert_eq!(AnswerCache::new(0).key(1, &a), None);
    }

    #[test]
    fn evicts_the_oldest_generation_past_the_budget() {
        let r = request("from=refdomains&target=a.com&mode=domain");
        let one = answer_bytes(&answer(&r, 10));
        let cache = AnswerCache::new(one * 4);
        cache.put("a".into(), answer(&r, 10));
        cache.put("b".into(), answer(&r, 10));
        assert!(cache.get("a").is_some());
        cache.put("c".into(), answer(&r, 10)); // young {c}, old {a, b}
        cache.put("d".into(), answer(&r, 10)); // young {c, d}
        cache.put("e".into(), answer(&r, 10)); // young {e}, old {c, d}
        assert!(cache.get("a").is_none());
        assert!(cache.get("c").is_some());
        cache.put("big".into(), answer(&r, 100));
        assert!(
            cache.get("big").is_none(),
            "larger than a quarter of the budget"
        );
    }
}
