//! # hrefdex-gen: a deterministic synthetic web with its ground truth
//!
//! One job: write K crawls of a made-up but realistic web as gzip WARC files, together
//! with `truth.json`, what an index built from them must contain (item 6 of the index
//! issue). Tests import the crawls and compare; benchmarks use it at ≥ 10M links.
//!
//! ```text
//! GenOptions ─► web::Web (domains, hosts, Zipf sizes and popularity; pages' fates)
//!            ─► pass 1: link slots per page ─► most-linked pages and domains (targets)
//!            ─► pass 2, page by page: visits in crawls 0..K ─► html ─► hrefdex_warc
//!                                    └─► model: link history (merge rules) ─► truth
//!            ─► rank::pagerank over the final live followed domain graph
//! ```
//!
//! The web: Zipf-sized domains (`www.` and bare hosts, http and https, some with a
//! `blog.`/`shop.` subdomain); per page navigation links (sitewide), 1/3–5/3 ×
//! `links_per_page` body links (35 % internal, external targets by Zipf popularity of
//! domains then pages), ~7 % image links with alt, ~10 % nofollow, 2 % ugc, 2 % sponsored,
//! and for some domains a sitewide footer partner link. Over the crawls: pages born
//! later, pages that die (404/410), pages that move (301), permanent redirects and 404s,
//! links added and removed, some removed and re-added, pages skipped by a crawl, and
//! unchanged pages archived as `revisit` records.
//!
//! Nothing is stored per link: a page's links are regenerated from `(seed, page)`, so
//! memory grows with pages (4 bytes each) and domains, and the output streams to disk.

mod html;
mod rank;
mod rng;
pub mod truth;
mod web;
mod words;

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use hrefdex_warc::{RecordInfo, WarcError, WarcWriter, WriterOptions};
use rustc_hash::{FxHashMap, FxHashSet};
use thiserror::Error;

pub use truth::Truth;
use truth::{
    CrawlTruth, DayEvents, DomainScore, LinkTruth, OptionsTruth, SitewidePair, SitewideTruth,
    TargetTruth, Totals,
};
use web::{PageKind, PagePlan, Slot, Web, stream};

/// Most sitewide pairs listed in `truth.json` (all are counted).
pub const MAX_SITEWIDE_PAIRS: usize = 10_000;
/// Seconds between crawls.
pub const CRAWL_INTERVAL: i64 = 7 * 86_400;
/// Chance that a crawl after a page's first skips it.
pub const SKIP_CHANCE: f64 = 0.04;
/// Chance that an unchanged 200 page is archived as a `revisit` record.
pub const REVISIT_CHANCE: f64 = 0.5;
/// Exact targets (most-linked pages) and domain targets in the truth.
pub const EXACT_TARGETS: usize = 5;
/// Most-linked domains (each checked in `domain` and `subdomains` mode).
pub const DOMAIN_TARGETS: usize = 3;
/// 2024-01-01T00:00:00Z, the default start of crawl 0.
pub const DEFAULT_START: i64 = 1_704_067_200;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenOptions {
    /// Pages (at least `domains`).
    pub pages: u64,
    /// Registrable domains (at least 1).
    pub domains: u32,
    /// Crawls (at least 1), one WARC file each, a week apart.
    pub crawls: u32,
    /// Seed: the same options give byte-identical output.
    pub seed: u64,
    /// Mean body links per page.
    pub links_per_page: u32,
    /// Start of crawl 0, seconds since the epoch.
    pub start: i64,
    /// gzip level of the WARC records (1 = fast).
    pub gzip_level: u32,
    /// Also write a `request` record per fetch.
    pub request_records: bool,
    /// Links sampled into `truth.json` with their history.
    pub sample_links: usize,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            pages: 2_000,
            domains: 60,
            crawls: 3,
            seed: 1,
            links_per_page: 12,
            start: DEFAULT_START,
            gzip_level: 1,
            request_records: true,
            sample_links: 300,
        }
    }
}

/// Why generation failed.
#[derive(Debug, Error)]
pub enum GenError {
    /// Options that describe no web.
    #[error("invalid options: {0}")]
    Options(String),
    /// A file could not be created or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A WARC record could not be written.
    #[error("{path}: {source}")]
    Warc {
        /// The file.
        path: PathBuf,
        /// The error.
        source: WarcError,
    },
    /// `truth.json` could not be encoded.
    #[error("truth.json: {0}")]
    Json(#[from] serde_json::Error),
}

/// Name of crawl `k`'s file.
pub fn crawl_file_name(k: u32) -> String {
    format!("crawl-{k:03}.warc.gz")
}

fn rfc3339(t: i64) -> String {
    DateTime::<Utc>::from_timestamp(t, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

fn date_of(t: i64) -> String {
    DateTime::<Utc>::from_timestamp(t, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn utc(t: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(t, 0).unwrap_or_default()
}

/// Why a link was lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    Removed,
    Broken,
    Redirect,
}

impl Reason {
    fn of_status(status: u16) -> Reason {
        match status {
            400..=599 => Reason::Broken,
            300..=399 => Reason::Redirect,
            _ => Reason::Removed,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Reason::Removed => "removed",
            Reason::Broken => "broken",
            Reason::Redirect => "redirect",
        }
    }
}

/// One link identity of the page being processed, with its history.
#[derive(Debug, Clone, Default)]
struct Hist {
    seen: bool,
    first_seen: i64,
    last_visited: i64,
    prev_visited: Option<i64>,
    lost: Option<(i64, Reason)>,
    original: bool,
}

impl Hist {
    fn live(&self) -> bool {
        self.seen && self.lost.is_none()
    }
}

/// A target of the truth file.
#[derive(Debug, Clone, Copy)]
enum TargetSpec {
    Exact(u64),
    Domain(u32),
    Subdomains(u32),
}

#[derive(Debug, Default)]
struct TargetAcc {
    live: u64,
    total: u64,
    live_followed: u64,
    lost: [u64; 3],
    live_domains: FxHashSet<u32>,
    all_domains: FxHashSet<u32>,
    events: Vec<(u64, u64)>,
    live_external: u64,
    live_external_nofollow: u64,
    live_external_domains: FxHashSet<u32>,
}

#[derive(Debug, Default)]
struct HostAcc {
    pages_2xx: u64,
    /// target → (linking pages, live links)
    linking: FxHashMap<u64, (u64, u64)>,
}

/// Everything accumulated while the pages stream by.
struct Acc {
    crawls: Vec<CrawlTruth>,
    totals: Totals,
    targets: Vec<(TargetSpec, TargetAcc)>,
    links: Vec<LinkTruth>,
    sample_per_million: u64,
    sample_cap: usize,
    host: Option<(u32, usize)>,
    host_acc: HostAcc,
    sitewide: SitewideTruth,
    domain_edges: FxHashSet<(u32, u32)>,
}

fn matches(web: &Web, spec: TargetSpec, to: u64) -> bool {
    match spec {
        TargetSpec::Exact(p) => p == to,
        TargetSpec::Domain(d) => {
            let (td, h, _) = web.host_of(to);
            td == d && h == 0
        }
        TargetSpec::Subdomains(d) => web.domain_of(to) == d,
    }
}

/// Pass 1: the most-linked pages, and the domains with the most external in-links.
fn choose_targets(web: &Web) -> Vec<TargetSpec> {
    let n = web.pages();
    let mut counts = vec![0u32; n as usize];
    let mut domain_counts = vec![0u64; web.domains.len()];
    let mut slots = Vec::new();
    for p in 0..n {
        let plan = web.plan(p);
        web.slots(&plan, &mut slots);
        let d = plan.domain;
        for s in &slots {
            counts[s.to as usize] = counts[s.to as usize].saturating_add(1);
            let td = web.domain_of(s.to);
            if td != d {
                domain_counts[td as usize] += 1;
            }
        }
    }
    let mut pages: Vec<u64> = (0..n).collect();
    pages.sort_by_key(|&p| (std::cmp::Reverse(counts[p as usize]), p));
    let mut doms: Vec<u32> = (0..web.domains.len() as u32).collect();
    doms.sort_by_key(|&d| (std::cmp::Reverse(domain_counts[d as usize]), d));
    let mut out: Vec<TargetSpec> = pages
        .iter()
        .take(EXACT_TARGETS)
        .map(|&p| TargetSpec::Exact(p))
        .collect();
    for &d in doms.iter().take(DOMAIN_TARGETS) {
        out.push(TargetSpec::Domain(d));
        out.push(TargetSpec::Subdomains(d));
    }
    out
}

/// One identity of a page: a slot, or the page's redirect link.
struct Ident {
    to: u64,
    slot: Option<usize>,
    followed: bool,
    hist: Hist,
}

struct Writers {
    writers: Vec<WarcWriter<BufWriter<File>>>,
    paths: Vec<PathBuf>,
    request_records: bool,
}

fn warc_err(path: &Path) -> impl Fn(WarcError) -> GenError + '_ {
    move |source| GenError::Warc {
        path: path.to_owned(),
        source,
    }
}

/// The status of a page in crawl `k`, and its redirect target.
fn status_in(plan: &PagePlan, k: u32) -> (u16, Option<u64>) {
    match plan.kind {
        PageKind::Normal => (200, None),
        PageKind::Missing => (404, None),
        PageKind::Redirect { status, to } => (status, Some(to)),
        PageKind::Moved { at, to } if k >= at => (301, Some(to)),
        PageKind::Dies { at, status } if k >= at => (status, None),
        PageKind::Moved { .. } | PageKind::Dies { .. } => (200, None),
    }
}

/// The redirect target a page ever has.
fn redirect_of(plan: &PagePlan) -> Option<u64> {
    match plan.kind {
        PageKind::Redirect { to, .. } | PageKind::Moved { to, .. } => Some(to),
        _ => None,
    }
}

struct PageCtx<'a> {
    web: &'a Web,
    opts: &'a GenOptions,
    plan: PagePlan,
    slots: &'a [Slot],
}

impl PageCtx<'_> {
    /// Writes every visit of the page and plays its links' history.
    fn run(&self, w: &mut Writers, acc: &mut Acc) -> Result<(Vec<Ident>, u16), GenError> {
        let web = self.web;
        let plan = &self.plan;
        let p = plan.id;
        let mut idents: Vec<Ident> = self
            .slots
            .iter()
            .enumerate()
            .map(|(i, s)| Ident {
                to: s.to,
                slot: Some(i),
                followed: s.followed(),
                hist: Hist::default(),
            })
            .collect();
        if let Some(to) = redirect_of(plan) {
            idents.push(Ident {
                to,
                slot: None,
                followed: true,
                hist: Hist::default(),
            });
        }
        let url = web.url(p);
        let (d, h, _) = web.host_of(p);
        let ip = web.domains[d as usize].hosts[h].ip.clone();
        let mut first_visit = true;
        let mut prev: Option<(u16, Vec<bool>)> = None;
        let mut last_full: Option<RecordInfo> = None;
        let mut final_status = 0;
        for k in plan.birth..web.crawls {
            let mut rng = rng::Rng::new(&[web.seed, stream::VISIT, p, u64::from(k)]);
            if k > plan.birth && rng.chance(SKIP_CHANCE) {
                continue;
            }
            let t = self.opts.start + i64::from(k) * CRAWL_INTERVAL + rng.below(86_400) as i64;
            let (status, redirect) = status_in(plan, k);
            let present: Vec<bool> = self
                .slots
                .iter()
                .map(|s| status == 200 && s.present(k))
                .collect();
            let ku = k as usize;
            // History, as the merge rules play it.
            for id in &mut idents {
                let on = match id.slot {
                    Some(i) => present[i],
                    None => redirect.is_some(),
                };
                let hist = &mut id.hist;
                if on {
                    if hist.live() {
                        hist.prev_visited = Some(hist.last_visited);
                        hist.last_visited = t;
                    } else {
                        *hist = Hist {
                            seen: true,
                            first_seen: t,
                            last_visited: t,
                            prev_visited: None,
                            lost: None,
                            original: first_visit && !hist.seen,
                        };
                        acc.event(web, ku, id.to, None);
                    }
                } else if hist.live() {
                    let reason = Reason::of_status(status);
                    hist.lost = Some((t, reason));
                    acc.event(web, ku, id.to, Some(reason));
                }
            }
            // The capture.
            let c = &mut acc.crawls[ku];
            c.pages_fetched += 1;
            match status {
                200..=299 => c.status_2xx += 1,
                300..=399 => c.status_3xx += 1,
                _ => c.status_4xx += 1,
            }
            let unchanged = prev
                .as_ref()
                .is_some_and(|(s, pr)| *s == 200 && status == 200 && *pr == present);
            let err = warc_err(&w.paths[ku]);
            let date = utc(t);
            let writer = &mut w.writers[ku];
            let info = if unchanged && last_full.is_some() && rng.chance(REVISIT_CHANCE) {
                c.revisits += 1;
                let original = last_full
                    .as_ref()
                    .ok_or_else(|| GenError::Options("no capture".into()))?;
                writer
                    .write_revisit(
                        date,
                        Some(&ip),
                        200,
                        &[("Content-Type", "text/html; charset=utf-8")],
                        original,
                    )
                    .map_err(&err)?
            } else {
                let (body, location) = if status == 200 {
                    c.link_observations += present.iter().filter(|x| **x).count() as u64;
                    (html::page_html(web, plan, self.slots, &present), None)
                } else {
                    let location = redirect.map(|to| {
                        c.link_observations += 1;
                        let (td, th, _) = web.host_of(to);
                        if td == d && th == h {
                            web.path(to)
                        } else {
                            web.url(to)
                        }
                    });
                    (html::status_html(status), location)
                };
                let len = body.len().to_string();
                let mut headers = vec![
                    ("Server", "nginx"),
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Content-Length", len.as_str()),
                ];
                if let Some(l) = &location {
                    headers.push(("Location", l.as_str()));
                }
                let info = writer
                    .write_response(&url, date, Some(&ip), status, &headers, body.as_bytes())
                    .map_err(&err)?;
                if status == 200 {
                    last_full = Some(info.clone());
                }
                info
            };
            if w.request_records {
                let ua = [
                    (
                        "User-Agent",
                        "hrefdex-gen/0.1 (+https://example.invalid/hrefdex)",
                    ),
                    ("Accept", "text/html"),
                ];
                writer
                    .write_request(&url, date, "GET", &ua, Some(&info.id))
                    .map_err(&err)?;
            }
            first_visit = false;
            final_status = status;
            prev = Some((status, present));
        }
        Ok((idents, final_status))
    }
}

impl Acc {
    fn event(&mut self, web: &Web, k: usize, to: u64, lost: Option<Reason>) {
        let c = &mut self.crawls[k];
        match lost {
            None => c.new_links += 1,
            Some(r) => {
                c.lost_links += 1;
                match r {
                    Reason::Removed => c.lost_removed += 1,
                    Reason::Broken => c.lost_broken += 1,
                    Reason::Redirect => c.lost_redirect += 1,
                }
            }
        }
        for (spec, t) in &mut self.targets {
            if matches(web, *spec, to) {
                if lost.is_some() {
                    t.events[k].1 += 1;
                } else {
                    t.events[k].0 += 1;
                }
            }
        }
    }

    /// Final state of one page's links into the totals, targets, sample, sitewide and
    /// domain graph.
    fn page_done(
        &mut self,
        web: &Web,
        plan: &PagePlan,
        slots: &[Slot],
        idents: &[Ident],
        final_status: u16,
    ) {
        let p = plan.id;
        let d = plan.domain;
        if self.host != Some((d, plan.host)) {
            self.flush_host(web);
            self.host = Some((d, plan.host));
        }
        if (200..=299).contains(&final_status) {
            self.host_acc.pages_2xx += 1;
        }
        let mut targets_on_page: FxHashSet<u64> = FxHashSet::default();
        for (i, id) in idents.iter().enumerate() {
            let h = &id.hist;
            if !h.seen {
                continue;
            }
            self.totals.links_total += 1;
            let td = web.domain_of(id.to);
            if h.live() {
                self.totals.links_live += 1;
                let e = self.host_acc.linking.entry(id.to).or_default();
                e.1 += 1;
                if targets_on_page.insert(id.to) {
                    e.0 += 1;
                }
                if id.followed && td != d {
                    self.domain_edges.insert((d, td));
                }
            }
            if let Some((_, r)) = h.lost {
                match r {
                    Reason::Removed => self.totals.lost_removed += 1,
                    Reason::Broken => self.totals.lost_broken += 1,
                    Reason::Redirect => self.totals.lost_redirect += 1,
                }
            }
            for (spec, t) in &mut self.targets {
                if !matches(web, *spec, id.to) {
                    continue;
                }
                t.total += 1;
                t.all_domains.insert(d);
                if h.live() {
                    t.live += 1;
                    t.live_domains.insert(d);
                    if id.followed {
                        t.live_followed += 1;
                    }
                    if td != d {
                        t.live_external += 1;
                        t.live_external_domains.insert(d);
                        if id.slot.is_some_and(|s| slots[s].nofollow) {
                            t.live_external_nofollow += 1;
                        }
                    }
                }
                if let Some((_, r)) = h.lost {
                    t.lost[r as usize] += 1;
                }
            }
            let interesting = h.lost.is_some() || !h.original;
            let weight = if interesting { 4 } else { 1 };
            let roll = rng::hash(&[web.seed, stream::SAMPLE, p, i as u64]) % 1_000_000;
            if self.links.len() < self.sample_cap && roll < self.sample_per_million * weight {
                let slot = id.slot.map(|s| &slots[s]);
                self.links.push(LinkTruth {
                    from: web.url(p),
                    to: web.url(id.to),
                    link_type: if slot.is_some() { "href" } else { "redirect" }.to_owned(),
                    anchor: slot.map(|s| s.anchor.clone()).unwrap_or_default(),
                    nofollow: slot.is_some_and(|s| s.nofollow),
                    original: h.original,
                    first_seen: rfc3339(h.first_seen),
                    last_visited: rfc3339(h.last_visited),
                    prev_visited: h.prev_visited.map(rfc3339),
                    lost_at: h.lost.map(|(t, _)| rfc3339(t)),
                    lost_reason: h.lost.map(|(_, r)| r.as_str().to_owned()),
                });
            }
        }
    }

    fn flush_host(&mut self, web: &Web) {
        let acc = std::mem::take(&mut self.host_acc);
        let Some((d, h)) = self.host else { return };
        let host = &web.domains[d as usize].hosts[h];
        let mut pairs: Vec<(u64, (u64, u64))> = acc
            .linking
            .into_iter()
            .filter(|(_, (pages, _))| *pages >= 3 && *pages as f64 > 0.5 * acc.pages_2xx as f64)
            .collect();
        pairs.sort_unstable();
        for (to, (pages, links)) in pairs {
            self.sitewide.pairs_total += 1;
            self.sitewide.live_links += links;
            if self.sitewide.pairs.len() < MAX_SITEWIDE_PAIRS {
                self.sitewide.pairs.push(SitewidePair {
                    host: host.name.clone(),
                    target: web.url(to),
                    pages,
                    host_pages_2xx: acc.pages_2xx,
                    links,
                });
            }
        }
    }
}

fn check(opts: &GenOptions) -> Result<(), GenError> {
    if opts.domains == 0 || opts.crawls == 0 {
        return Err(GenError::Options(
            "domains and crawls must be at least 1".into(),
        ));
    }
    if opts.pages < u64::from(opts.domains) {
        return Err(GenError::Options(format!(
            "{} pages cannot fill {} domains (every domain has a home page)",
            opts.pages, opts.domains
        )));
    }
    if opts.pages > u64::from(u32::MAX) {
        return Err(GenError::Options("at most 2^32 - 1 pages".into()));
    }
    if opts.crawls > 1000 {
        return Err(GenError::Options("at most 1000 crawls".into()));
    }
    Ok(())
}

/// Generates the web into `out_dir` (created if missing): `crawl-000.warc.gz`, … and
/// `truth.json`. Returns the truth.
pub fn generate(opts: &GenOptions, out_dir: &Path) -> Result<Truth, GenError> {
    check(opts)?;
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| GenError::Io { path, source }
    };
    std::fs::create_dir_all(out_dir).map_err(io(out_dir))?;
    let web = Web::new(
        opts.pages,
        opts.domains,
        opts.crawls,
        opts.seed,
        opts.links_per_page,
    );
    let specs = choose_targets(&web);

    let mut w = Writers {
        writers: Vec::new(),
        paths: Vec::new(),
        request_records: opts.request_records,
    };
    let mut crawls = Vec::new();
    for k in 0..opts.crawls {
        let name = crawl_file_name(k);
        let path = out_dir.join(&name);
        let file = File::create(&path).map_err(io(&path))?;
        let options = WriterOptions {
            gzip: true,
            level: opts.gzip_level,
            seed: Some(rng::hash(&[opts.seed, 77, u64::from(k)])),
        };
        let mut writer = WarcWriter::new(BufWriter::with_capacity(1 << 20, file), options);
        let start = opts.start + i64::from(k) * CRAWL_INTERVAL;
        let seed = opts.seed.to_string();
        let info = [
            ("software", "hrefdex-gen/0.1"),
            ("format", "WARC File Format 1.1"),
            ("description", "synthetic web generated by hrefdex gen"),
            ("hrefdex-gen-seed", seed.as_str()),
        ];
        writer
            .write_warcinfo(utc(start), &name, &info)
            .map_err(|source| GenError::Warc {
                path: path.clone(),
                source,
            })?;
        w.writers.push(writer);
        w.paths.push(path);
        crawls.push(CrawlTruth {
            index: k,
            file: name,
            date: date_of(start),
            pages_fetched: 0,
            revisits: 0,
            status_2xx: 0,
            status_3xx: 0,
            status_4xx: 0,
            bytes: 0,
            link_observations: 0,
            new_links: 0,
            lost_links: 0,
            lost_removed: 0,
            lost_broken: 0,
            lost_redirect: 0,
        });
    }
    let expected_links = (opts.pages.max(1) * u64::from(opts.links_per_page.max(1) + 4)).max(1);
    let mut acc = Acc {
        crawls,
        totals: Totals {
            pages: opts.pages,
            domains: u64::from(opts.domains),
            hosts: web.domains.iter().map(|d| d.hosts.len() as u64).sum(),
            link_observations: 0,
            links_total: 0,
            links_live: 0,
            lost_removed: 0,
            lost_broken: 0,
            lost_redirect: 0,
            bytes: 0,
        },
        targets: specs
            .iter()
            .map(|&s| {
                (
                    s,
                    TargetAcc {
                        events: vec![(0, 0); opts.crawls as usize],
                        ..TargetAcc::default()
                    },
                )
            })
            .collect(),
        links: Vec::new(),
        sample_per_million: (opts.sample_links as u64 * 1_000_000 / expected_links).max(1),
        sample_cap: opts.sample_links,
        host: None,
        host_acc: HostAcc::default(),
        sitewide: SitewideTruth {
            live_links: 0,
            pairs_total: 0,
            pairs: Vec::new(),
        },
        domain_edges: FxHashSet::default(),
    };

    let mut slots = Vec::new();
    for p in 0..web.pages() {
        let plan = web.plan(p);
        web.slots(&plan, &mut slots);
        let ctx = PageCtx {
            web: &web,
            opts,
            plan,
            slots: &slots,
        };
        let (idents, final_status) = ctx.run(&mut w, &mut acc)?;
        acc.page_done(&web, &plan, &slots, &idents, final_status);
    }
    acc.flush_host(&web);

    for (k, writer) in w.writers.into_iter().enumerate() {
        let bytes = writer.bytes_written();
        writer.into_inner().map_err(|source| GenError::Warc {
            path: w.paths[k].clone(),
            source,
        })?;
        acc.crawls[k].bytes = bytes;
        acc.totals.bytes += bytes;
        acc.totals.link_observations += acc.crawls[k].link_observations;
    }
    let truth = finish(&web, opts, acc);
    let path = out_dir.join("truth.json");
    let json = serde_json::to_vec_pretty(&truth)?;
    std::fs::write(&path, json).map_err(io(&path))?;
    Ok(truth)
}

fn finish(web: &Web, opts: &GenOptions, acc: Acc) -> Truth {
    let mut edges: Vec<(u32, u32)> = acc.domain_edges.into_iter().collect();
    edges.sort_unstable();
    let scores = rank::pagerank(web.domains.len(), &edges, 0.85, 1e-13);
    let mut domain_rank: Vec<DomainScore> = web
        .domains
        .iter()
        .zip(&scores)
        .map(|(d, &score)| DomainScore {
            domain: d.name.clone(),
            score,
        })
        .collect();
    domain_rank.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.domain.cmp(&b.domain)));
    let name_of = |d: &u32| web.domains[*d as usize].name.clone();
    let targets = acc
        .targets
        .into_iter()
        .map(|(spec, t)| {
            let (target, mode) = match spec {
                TargetSpec::Exact(p) => (web.url(p), "exact"),
                TargetSpec::Domain(d) => (name_of(&d), "domain"),
                TargetSpec::Subdomains(d) => (name_of(&d), "subdomains"),
            };
            TargetTruth {
                target,
                mode: mode.to_owned(),
                live_backlinks: t.live,
                total_backlinks: t.total,
                live_followed: t.live_followed,
                live_refdomains: t.live_domains.len() as u64,
                live_external_backlinks: t.live_external,
                live_external_nofollow: t.live_external_nofollow,
                live_external_refdomains: t.live_external_domains.len() as u64,
                total_refdomains: t.all_domains.len() as u64,
                lost_removed: t.lost[Reason::Removed as usize],
                lost_broken: t.lost[Reason::Broken as usize],
                lost_redirect: t.lost[Reason::Redirect as usize],
                events: t
                    .events
                    .iter()
                    .zip(&acc.crawls)
                    .map(|(&(new, lost), c)| DayEvents {
                        date: c.date.clone(),
                        new,
                        lost,
                    })
                    .collect(),
            }
        })
        .collect();
    Truth {
        options: OptionsTruth {
            pages: opts.pages,
            domains: opts.domains,
            crawls: opts.crawls,
            seed: opts.seed,
            links_per_page: opts.links_per_page,
            start: rfc3339(opts.start),
        },
        crawls: acc.crawls,
        totals: acc.totals,
        targets,
        links: acc.links,
        sitewide: acc.sitewide,
        domain_rank,
    }
}
