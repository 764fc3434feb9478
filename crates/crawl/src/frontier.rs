//! The frontier: URLs waiting to be fetched, grouped by host, with the politeness
//! clock of each host.
//!
//! ```text
//! push(entry) ─► host queue (min-heap by depth, source rating, discovery order)
//!                     │  host may start when: robots known, in_flight < per-host
//!                     │  connections, now ≥ next_at (delay, Crawl-delay, back-off)
//! ready set (hosts that may start, by their best entry) ◄─ waiting heap (by time)
//!                     │
//! next_dispatch(now) ─► Robots(host) | Fetch(host, entry) | Disallowed(entry)
//! ```
//!
//! Priority is breadth-first: the smallest discovery depth first; within one depth, URLs
//! found on higher-rated domains first (the DR of the linking page's registrable domain,
//! from [`Frontier::set_source_ratings`], once an index exists: DESIGN.md's "best sources
//! first"); then discovery order. URLs are de-duplicated in normal form ([`NormalUrl`]);
//! each host admits at most `per_host_cap` URLs.

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeSet, BinaryHeap, HashMap, HashSet};
use std::time::{Duration, Instant};

use hrefdex_url::NormalUrl;

use crate::robots::RobotsRules;

/// What a frontier entry is fetched for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A page: archived, its links followed.
    Page,
    /// A sitemap named by robots.txt: archived, its `<loc>`s followed.
    Sitemap,
}

impl EntryKind {
    /// One letter for the journal.
    pub fn code(self) -> char {
        match self {
            EntryKind::Page => 'p',
            EntryKind::Sitemap => 's',
        }
    }

    /// The kind of a journal letter.
    pub fn from_code(c: char) -> Option<EntryKind> {
        match c {
            'p' => Some(EntryKind::Page),
            's' => Some(EntryKind::Sitemap),
            _ => None,
        }
    }
}

/// One URL to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontierEntry {
    /// The URL, in normal form.
    pub url: NormalUrl,
    /// Links from a seed (seeds are 0; a redirect target keeps its source's depth).
    pub depth: u32,
    /// Redirect hops that led here without a page in between.
    pub hops: u32,
    /// Page or sitemap.
    pub kind: EntryKind,
    /// Attempts already made that ended in 429/503 or a transient error.
    pub retries: u32,
    /// The page this URL was found on (empty for seeds).
    pub via: String,
}

impl FrontierEntry {
    /// A seed: depth 0.
    pub fn seed(url: NormalUrl) -> FrontierEntry {
        FrontierEntry {
            url,
            depth: 0,
            hops: 0,
            kind: EntryKind::Page,
            retries: 0,
            via: String::new(),
        }
    }
}

/// `scheme://host[:port]`: the unit of politeness and of robots.txt.
pub fn origin_of(url: &NormalUrl) -> String {
    match url.port() {
        Some(p) => format!("{}://{}:{p}", url.scheme(), url.host()),
        None => format!("{}://{}", url.scheme(), url.host()),
    }
}

/// Fetch order, smallest first: discovery depth, then the source's rating (higher first),
/// then discovery order.
type Key = (u32, Reverse<u8>, u64);

#[derive(Debug)]
struct Queued {
    key: Key,
    entry: FrontierEntry,
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Queued {
    // Reversed: BinaryHeap is a max-heap and the smallest key goes first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

/// Where a host's robots.txt stands.
#[derive(Debug)]
enum RobotsState {
    Unknown,
    Fetching,
    Known(RobotsRules),
}

#[derive(Debug)]
struct Host {
    origin: String,
    queue: BinaryHeap<Queued>,
    in_flight: u32,
    next_at: Instant,
    delay: Duration,
    robots: RobotsState,
    admitted: u32,
    consecutive_backoffs: u32,
    ready_key: Option<Key>,
    waiting_until: Option<Instant>,
}

/// What the crawler should do next.
#[derive(Debug)]
pub enum Dispatch {
    /// Fetch the robots.txt of `origin`; report with [`Frontier::robots_known`].
    Robots {
        /// Host slot.
        host: usize,
        /// `scheme://host[:port]`.
        origin: String,
    },
    /// Fetch this entry; report with [`Frontier::finished`].
    Fetch {
        /// Host slot.
        host: usize,
        /// What to fetch.
        entry: FrontierEntry,
    },
    /// robots.txt forbids this entry: it is done without a fetch.
    Disallowed(FrontierEntry),
}

/// Why [`Frontier::push`] did not queue a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Already queued or fetched in this round.
    Seen,
    /// The host reached its page cap.
    HostCap,
}

/// Politeness settings of the frontier.
#[derive(Debug, Clone, Copy)]
pub struct Politeness {
    /// Delay between two requests to one host (raised by `Crawl-delay`).
    pub per_host_delay: Duration,
    /// Requests in flight per host.
    pub per_host_connections: u32,
    /// Most URLs queued per host in one round.
    pub per_host_cap: u32,
}

/// URLs waiting, by host, with each host's politeness clock.
#[derive(Debug)]
pub struct Frontier {
    politeness: Politeness,
    hosts: Vec<Host>,
    by_origin: HashMap<String, usize>,
    seen: HashSet<String>,
    ready: BTreeSet<(Key, usize)>,
    waiting: BinaryHeap<Reverse<(Instant, usize)>>,
    seq: u64,
    queued: usize,
    /// DR by registrable domain, from the index (empty before the first import).
    ratings: HashMap<String, u8>,
}

impl Frontier {
    /// An empty frontier.
    pub fn new(politeness: Politeness) -> Frontier {
        Frontier {
            politeness,
            hosts: Vec::new(),
            by_origin: HashMap::new(),
            seen: HashSet::new(),
            ready: BTreeSet::new(),
            waiting: BinaryHeap::new(),
            seq: 0,
            queued: 0,
            ratings: HashMap::new(),
        }
    }

    /// Ratings (DR, 0–100) of registrable domains: within one depth, URLs found on
    /// higher-rated domains are fetched first.
    pub fn set_source_ratings(&mut self, ratings: HashMap<String, u8>) {
        self.ratings = ratings;
    }

    /// The rating of the domain of the page an entry was found on (0 for seeds and
    /// unknown domains).
    fn source_rating(&self, entry: &FrontierEntry) -> u8 {
        if self.ratings.is_empty() || entry.via.is_empty() {
            return 0;
        }
        NormalUrl::parse(&entry.via)
            .ok()
            .and_then(|via| {
                self.ratings
                    .get(hrefdex_url::registrable_domain(via.host()))
                    .copied()
            })
            .unwrap_or(0)
    }

    /// URLs waiting.
    pub fn len(&self) -> usize {
        self.queued
    }

    /// True when no URL waits.
    pub fn is_empty(&self) -> bool {
        self.queued == 0
    }

    /// True when `url` was queued (or fetched) before in this round.
    pub fn is_seen(&self, url: &NormalUrl) -> bool {
        self.seen.contains(url.as_str())
    }

    /// Marks `url` as seen without queueing it (a finished page restored from the
    /// journal).
    pub fn mark_seen(&mut self, url: &NormalUrl) {
        self.seen.insert(url.as_str().to_owned());
        let host = self.host_slot(url, Instant::now());
        self.hosts[host].admitted += 1;
    }

    /// Queues a new URL.
    pub fn push(&mut self, entry: FrontierEntry, now: Instant) -> Result<(), Refused> {
        if self.seen.contains(entry.url.as_str()) {
            return Err(Refused::Seen);
        }
        let host = self.host_slot(&entry.url, now);
        if self.hosts[host].admitted >= self.politeness.per_host_cap {
            return Err(Refused::HostCap);
        }
        self.seen.insert(entry.url.as_str().to_owned());
        self.hosts[host].admitted += 1;
        self.enqueue(host, entry, now);
        Ok(())
    }

    /// Queues an entry again (a retry after 429/503); it is already seen.
    pub fn requeue(&mut self, entry: FrontierEntry, now: Instant) {
        let host = self.host_slot(&entry.url, now);
        self.enqueue(host, entry, now);
    }

    fn enqueue(&mut self, host: usize, entry: FrontierEntry, now: Instant) {
        self.seq += 1;
        let key = (entry.depth, Reverse(self.source_rating(&entry)), self.seq);
        self.hosts[host].queue.push(Queued { key, entry });
        self.queued += 1;
        self.schedule(host, now);
    }

    fn host_slot(&mut self, url: &NormalUrl, now: Instant) -> usize {
        let origin = origin_of(url);
        if let Some(&i) = self.by_origin.get(&origin) {
            return i;
        }
        let i = self.hosts.len();
        self.hosts.push(Host {
            origin: origin.clone(),
            queue: BinaryHeap::new(),
            in_flight: 0,
            next_at: now,
            delay: self.politeness.per_host_delay,
            robots: RobotsState::Unknown,
            admitted: 0,
            consecutive_backoffs: 0,
            ready_key: None,
            waiting_until: None,
        });
        self.by_origin.insert(origin, i);
        i
    }

    /// Puts `host` where it belongs: ready, waiting for its time, or nowhere.
    fn schedule(&mut self, host: usize, now: Instant) {
        let h = &mut self.hosts[host];
        if let Some(key) = h.ready_key.take() {
            self.ready.remove(&(key, host));
        }
        let head = h.queue.peek().map(|q| q.key);
        let blocked = matches!(h.robots, RobotsState::Fetching)
            || h.in_flight >= self.politeness.per_host_connections.max(1)
            || (matches!(h.robots, RobotsState::Unknown) && h.in_flight > 0);
        let Some(key) = head else { return };
        if blocked {
            return;
        }
        if h.next_at > now {
            if h.waiting_until != Some(h.next_at) {
                h.waiting_until = Some(h.next_at);
                self.waiting.push(Reverse((h.next_at, host)));
            }
            return;
        }
        h.ready_key = Some(key);
        self.ready.insert((key, host));
    }

    /// The earliest moment a waiting host may start (to sleep until).
    pub fn next_wake(&self) -> Option<Instant> {
        self.waiting.peek().map(|Reverse((t, _))| *t)
    }

    /// The next thing to do at `now`, if any host may start.
    pub fn next_dispatch(&mut self, now: Instant) -> Option<Dispatch> {
        while let Some(Reverse((t, host))) = self.waiting.peek().copied() {
            if t > now {
                break;
            }
            self.waiting.pop();
            if self.hosts[host].waiting_until == Some(t) {
                self.hosts[host].waiting_until = None;
                self.schedule(host, now);
            }
        }
        let (_, host) = self.ready.pop_first()?;
        self.hosts[host].ready_key = None;
        let h = &mut self.hosts[host];
        if matches!(h.robots, RobotsState::Unknown) {
            h.robots = RobotsState::Fetching;
            return Some(Dispatch::Robots {
                host,
                origin: h.origin.clone(),
            });
        }
        let queued = h.queue.pop()?;
        self.queued -= 1;
        let entry = queued.entry;
        if let RobotsState::Known(rules) = &h.robots
            && !rules.allows(entry.url.as_str())
        {
            self.schedule(host, now);
            return Some(Dispatch::Disallowed(entry));
        }
        h.in_flight += 1;
        h.next_at = now + h.delay;
        self.schedule(host, now);
        Some(Dispatch::Fetch { host, entry })
    }

    /// robots.txt of `host` is known (fetched, missing or unreachable).
    pub fn robots_known(&mut self, host: usize, rules: RobotsRules, now: Instant) {
        let h = &mut self.hosts[host];
        if let Some(d) = rules.crawl_delay() {
            h.delay = h.delay.max(d);
        }
        h.next_at = now + h.delay;
        h.robots = RobotsState::Known(rules);
        self.schedule(host, now);
    }

    /// The sitemaps robots.txt named for `host`.
    pub fn sitemaps(&self, host: usize) -> Vec<String> {
        match &self.hosts[host].robots {
            RobotsState::Known(r) => r.sitemaps().to_vec(),
            _ => Vec::new(),
        }
    }

    /// The delay between two requests to `host` in force now.
    pub fn delay_of(&self, host: usize) -> Duration {
        self.hosts[host].delay
    }

    /// A fetch of `host` ended. The host's delay counts again from now, so the server
    /// sees at least that long between one answer and the next request, however slow the
    /// answer was in coming. `back_off` (after 429/503 or a transient error) keeps the
    /// host quiet for longer: the server's `Retry-After`, or else a delay that doubles
    /// with each consecutive back-off, from one second up to a minute.
    pub fn finished(&mut self, host: usize, back_off: Option<Option<Duration>>, now: Instant) {
        let h = &mut self.hosts[host];
        h.in_flight = h.in_flight.saturating_sub(1);
        h.next_at = h.next_at.max(now + h.delay);
        match back_off {
            Some(retry_after) => {
                let exp = Duration::from_secs(1 << h.consecutive_backoffs.min(6));
                let wait = retry_after.unwrap_or(exp).min(MAX_BACK_OFF);
                h.consecutive_backoffs += 1;
                h.next_at = h.next_at.max(now + wait);
            }
            None => h.consecutive_backoffs = 0,
        }
        self.schedule(host, now);
    }
}

/// Longest pause of a host after 429/503, whatever `Retry-After` says.
pub const MAX_BACK_OFF: Duration = Duration::from_secs(300);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn e(url: &str, depth: u32) -> FrontierEntry {
        FrontierEntry {
            depth,
            ..FrontierEntry::seed(NormalUrl::parse(url).unwrap())
        }
    }

    fn politeness(ms: u64) -> Politeness {
        Politeness {
            per_host_delay: Duration::from_millis(ms),
            per_host_connections: 1,
            per_host_cap: 3,
        }
    }

    #[test]
    fn robots_first_then_breadth_first_with_delay() {
        let mut f = Frontier::new(politeness(100));
        let t0 = Instant::now();
        f.push(e("http://a.example/deep", 2), t0).unwrap();
        f.push(e("http://a.example/", 0), t0).unwrap();
        assert_eq!(f.push(e("http://a.example/", 0), t0), Err(Refused::Seen));
        let Some(Dispatch::Robots { host, origin }) = f.next_dispatch(t0) else {
            panic!("robots first")
        };
        assert_eq!(origin, "http://a.example");
        assert!(
            f.next_dispatch(t0).is_none(),
            "nothing while robots is fetched"
        );
        let rules = RobotsRules::from_response("hrefdex", 200, b"User-agent: *\nDisallow: /deep\n");
        f.robots_known(host, rules, t0);
        assert!(
            f.next_dispatch(t0).is_none(),
            "the robots fetch counts for the delay"
        );
        let t1 = t0 + Duration::from_millis(100);
        let Some(Dispatch::Fetch { entry, .. }) = f.next_dispatch(t1) else {
            panic!("the seed")
        };
        assert_eq!(entry.url.as_str(), "http://a.example/");
        assert!(f.next_dispatch(t1).is_none(), "one connection per host");
        // The answer takes 30 ms: the delay counts from its end, not from the start.
        let answered = t1 + Duration::from_millis(30);
        f.finished(host, None, answered);
        assert!(f.next_dispatch(answered).is_none(), "per-host delay");
        assert_eq!(f.next_wake(), Some(answered + Duration::from_millis(100)));
        assert!(
            f.next_dispatch(t1 + Duration::from_millis(100)).is_none(),
            "a delay after the start only is not enough"
        );
        let t2 = answered + Duration::from_millis(100);
        assert!(matches!(f.next_dispatch(t2), Some(Dispatch::Disallowed(_))));
        assert!(f.is_empty());
    }

    #[test]
    fn hosts_run_in_parallel_and_caps_and_back_off_hold() {
        let mut f = Frontier::new(politeness(0));
        let t0 = Instant::now();
        for u in [
            "http://a.example/1",
            "http://a.example/2",
            "http://a.example/3",
        ] {
            f.push(e(u, 1), t0).unwrap();
        }
        assert_eq!(
            f.push(e("http://a.example/4", 1), t0),
            Err(Refused::HostCap)
        );
        f.push(e("http://b.example/1", 1), t0).unwrap();
        let mut robots = Vec::new();
        while let Some(Dispatch::Robots { host, .. }) = f.next_dispatch(t0) {
            robots.push(host);
        }
        assert_eq!(robots.len(), 2);
        for h in robots {
            f.robots_known(h, RobotsRules::allow_all(), t0);
        }
        let Some(Dispatch::Fetch { host: a, .. }) = f.next_dispatch(t0) else {
            panic!()
        };
        assert!(matches!(f.next_dispatch(t0), Some(Dispatch::Fetch { .. })));
        f.finished(a, Some(Some(Duration::from_secs(2))), t0);
        assert!(f.next_dispatch(t0 + Duration::from_secs(1)).is_none());
        assert!(f.next_dispatch(t0 + Duration::from_secs(2)).is_some());
    }

    #[test]
    fn within_a_depth_links_from_higher_rated_domains_go_first() {
        let mut f = Frontier::new(Politeness {
            per_host_cap: 100,
            ..politeness(0)
        });
        f.set_source_ratings(HashMap::from([
            ("strong.example".to_owned(), 90),
            ("weak.example".to_owned(), 10),
        ]));
        let found_on = |url: &str, depth: u32, via: &str| FrontierEntry {
            via: via.to_owned(),
            ..e(url, depth)
        };
        let t0 = Instant::now();
        f.push(
            found_on("http://a.example/from-weak", 1, "http://weak.example/p"),
            t0,
        )
        .unwrap();
        f.push(
            found_on("http://a.example/from-unknown", 1, "http://other.example/"),
            t0,
        )
        .unwrap();
        f.push(
            found_on("http://a.example/deeper", 2, "http://www.strong.example/"),
            t0,
        )
        .unwrap();
        f.push(
            found_on(
                "http://a.example/from-strong",
                1,
                "https://www.strong.example/x",
            ),
            t0,
        )
        .unwrap();
        let Some(Dispatch::Robots { host, .. }) = f.next_dispatch(t0) else {
            panic!("robots first")
        };
        f.robots_known(host, RobotsRules::allow_all(), t0);
        let mut order = Vec::new();
        while let Some(Dispatch::Fetch { host, entry }) = f.next_dispatch(t0) {
            order.push(entry.url.path_and_query().to_owned());
            f.finished(host, None, t0);
        }
        assert_eq!(
            order,
            ["/from-strong", "/from-weak", "/from-unknown", "/deeper"]
        );
    }
}
