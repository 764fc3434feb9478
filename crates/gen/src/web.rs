//! The static shape of the synthetic web: domains, hosts, pages, and each page's link
//! slots with the crawls in which each slot is on the page.
//!
//! Nothing here is stored per link: a page's slots are regenerated from
//! `(seed, page)` whenever they are needed, so memory grows with domains and pages only.

use rustc_hash::FxHashSet;

use crate::rng::{Rng, hash};
use crate::words::{GENERIC_ANCHORS, LANGS, TLDS, WORDS, title_case};

/// Stream ids: independent random streams per purpose.
pub(crate) mod stream {
    pub const DOMAIN: u64 = 1;
    pub const PAGE: u64 = 2;
    pub const SLOTS: u64 = 3;
    pub const VISIT: u64 = 4;
    pub const SAMPLE: u64 = 5;
}

/// "Never" for crawl indices.
pub const NEVER: u32 = u32::MAX;

/// One host of a domain.
#[derive(Debug, Clone)]
pub struct Host {
    /// Host name (`www.example.com`, `blog.example.com`).
    pub name: String,
    /// `http` or `https`.
    pub scheme: &'static str,
    /// First page id of the host.
    pub first: u64,
    /// Pages on the host.
    pub pages: u64,
    /// Server IP.
    pub ip: String,
}

/// One registrable domain.
#[derive(Debug, Clone)]
pub struct Domain {
    /// Registrable domain (`example.com`).
    pub name: String,
    /// Site name for titles.
    pub site: String,
    /// Page language.
    pub lang: &'static str,
    /// Its hosts (1 or 2), pages contiguous in this order.
    pub hosts: Vec<Host>,
    /// First page id.
    pub first: u64,
    /// Pages of the domain.
    pub pages: u64,
    /// A sitewide footer link to another domain's home page: (domain, sponsored).
    pub partner: Option<(u32, bool)>,
}

/// What a page does over the crawls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// 200 throughout.
    Normal,
    /// 404 from the start (a broken link target).
    Missing,
    /// 301/302 to `to` from the start.
    Redirect {
        /// Status.
        status: u16,
        /// Target page.
        to: u64,
    },
    /// 200, then from crawl `at` on a 301 to `to`.
    Moved {
        /// First crawl answering the redirect.
        at: u32,
        /// Target page.
        to: u64,
    },
    /// 200, then from crawl `at` on `status` (404 or 410).
    Dies {
        /// First crawl answering the error.
        at: u32,
        /// 404 or 410.
        status: u16,
    },
}

/// A page's fate.
#[derive(Debug, Clone, Copy)]
pub struct PagePlan {
    /// Page id.
    pub id: u64,
    /// Domain index.
    pub domain: u32,
    /// Host index in the domain.
    pub host: usize,
    /// First crawl that fetches it.
    pub birth: u32,
    /// Behaviour.
    pub kind: PageKind,
}

/// Where a link sits on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Navigation (every page of a host: sitewide).
    Nav,
    /// Article body.
    Body,
    /// Footer (sitewide partner link).
    Footer,
}

/// One link of a page, with the crawls it is on the page.
#[derive(Debug, Clone)]
pub struct Slot {
    /// Target page.
    pub to: u64,
    /// Anchor text (empty for image links).
    pub anchor: String,
    /// Alt text of an image link.
    pub alt: String,
    /// Wraps an image.
    pub image: bool,
    /// rel=nofollow.
    pub nofollow: bool,
    /// rel=ugc.
    pub ugc: bool,
    /// rel=sponsored.
    pub sponsored: bool,
    /// Where on the page.
    pub place: Place,
    /// First crawl with the link.
    pub added: u32,
    /// First crawl without it again ([`NEVER`] when it stays).
    pub removed: u32,
    /// Crawl it comes back ([`NEVER`] when it does not).
    pub readded: u32,
}

impl Slot {
    /// Whether the link is on the page in crawl `k` (when the page answers 200).
    pub fn present(&self, k: u32) -> bool {
        (k >= self.added && k < self.removed) || k >= self.readded
    }

    /// Passes authority (not nofollow, ugc or sponsored).
    pub fn followed(&self) -> bool {
        !(self.nofollow || self.ugc || self.sponsored)
    }
}

/// The whole web's layout.
#[derive(Debug)]
pub struct Web {
    /// Seed.
    pub seed: u64,
    /// Crawls.
    pub crawls: u32,
    /// Mean body links per page.
    pub links_per_page: u32,
    /// Domains in page-id order.
    pub domains: Vec<Domain>,
    /// Cumulative link popularity of domains (for choosing external targets).
    popularity: Vec<f64>,
    /// First page id of each domain, plus the total at the end.
    starts: Vec<u64>,
}

fn domain_name(rng: &mut Rng, taken: &mut FxHashSet<String>) -> (String, String) {
    loop {
        let a = rng.pick(WORDS);
        let b = rng.pick(WORDS);
        let tld = rng.pick(TLDS);
        let mut label = format!("{a}{b}");
        if taken.contains(&format!("{label}.{tld}")) {
            label = format!("{label}{}", rng.below(1000));
        }
        let name = format!("{label}.{tld}");
        if taken.insert(name.clone()) {
            let site = format!("{} {}", title_case(a), title_case(b));
            return (name, site);
        }
    }
}

impl Web {
    /// Lays out `pages` pages over `domains` domains (Zipf sizes) for `crawls` crawls.
    pub fn new(pages: u64, domains: u32, crawls: u32, seed: u64, links_per_page: u32) -> Web {
        let m = u64::from(domains);
        // Zipf sizes: domain d gets a share ∝ 1/(d+1)^0.9, at least one page.
        let weights: Vec<f64> = (0..m).map(|d| 1.0 / ((d + 1) as f64).powf(0.9)).collect();
        let total_w: f64 = weights.iter().sum();
        let spare = pages - m;
        let mut sizes: Vec<u64> = weights
            .iter()
            .map(|w| 1 + (spare as f64 * w / total_w) as u64)
            .collect();
        let assigned: u64 = sizes.iter().sum();
        sizes[0] += pages - assigned;

        let mut taken = FxHashSet::default();
        let mut out = Vec::with_capacity(domains as usize);
        let mut starts = Vec::with_capacity(domains as usize + 1);
        let mut first = 0u64;
        for (d, &size) in sizes.iter().enumerate() {
            let mut rng = Rng::new(&[seed, stream::DOMAIN, d as u64]);
            let (name, site) = domain_name(&mut rng, &mut taken);
            let main = if rng.chance(0.5) {
                format!("www.{name}")
            } else {
                name.clone()
            };
            let scheme = |r: &mut Rng| if r.chance(0.4) { "https" } else { "http" };
            let ip = |r: &mut Rng| {
                format!(
                    "{}.{}.{}.{}",
                    r.range(11, 223),
                    r.below(256),
                    r.below(256),
                    r.range(1, 255)
                )
            };
            let mut hosts = Vec::new();
            let blog = if size >= 20 && rng.chance(0.3) {
                size / 5
            } else {
                0
            };
            hosts.push(Host {
                name: main,
                scheme: scheme(&mut rng),
                first,
                pages: size - blog,
                ip: ip(&mut rng),
            });
            if blog > 0 {
                let sub = rng.pick(&["blog", "shop", "news", "docs"]);
                hosts.push(Host {
                    name: format!("{sub}.{name}"),
                    scheme: scheme(&mut rng),
                    first: first + size - blog,
                    pages: blog,
                    ip: ip(&mut rng),
                });
            }
            let lang = rng.pick(LANGS);
            let partner = (m > 1 && rng.chance(0.15)).then(|| {
                let mut p = rng.zipf_index(m) as u32;
                if u64::from(p) == d as u64 {
                    p = ((d as u64 + 1) % m) as u32;
                }
                (p, rng.chance(0.3))
            });
            starts.push(first);
            out.push(Domain {
                name,
                site,
                lang,
                hosts,
                first,
                pages: size,
                partner,
            });
            first += size;
        }
        starts.push(first);
        // Link popularity: Zipf over a seeded shuffle of the domains, so the biggest sites
        // are not always the most linked.
        let mut order: Vec<u64> = (0..m).collect();
        let mut rng = Rng::new(&[seed, stream::DOMAIN, u64::MAX]);
        for i in (1..order.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            order.swap(i, j);
        }
        let mut popularity = Vec::with_capacity(m as usize);
        let mut acc = 0.0;
        for &rank in &order {
            acc += 1.0 / (rank as f64 + 1.0);
            popularity.push(acc);
        }
        Web {
            seed,
            crawls,
            links_per_page,
            domains: out,
            popularity,
            starts,
        }
    }

    /// Total pages.
    pub fn pages(&self) -> u64 {
        self.starts.last().copied().unwrap_or(0)
    }

    /// The domain index of a page.
    pub fn domain_of(&self, page: u64) -> u32 {
        (self.starts.partition_point(|&s| s <= page) - 1) as u32
    }

    /// Host index and index within the host of a page.
    pub fn host_of(&self, page: u64) -> (u32, usize, u64) {
        let d = self.domain_of(page);
        let dom = &self.domains[d as usize];
        let h = dom.hosts.iter().rposition(|h| h.first <= page).unwrap_or(0);
        (d, h, page - dom.hosts[h].first)
    }

    /// The path of a page (`/` for a host's home page).
    pub fn path(&self, page: u64) -> String {
        let (_, _, local) = self.host_of(page);
        if local == 0 {
            return "/".to_owned();
        }
        let h = hash(&[self.seed, stream::PAGE, page, 7]);
        let a = WORDS[(h % WORDS.len() as u64) as usize];
        let b = WORDS[((h >> 20) % WORDS.len() as u64) as usize];
        let c = WORDS[((h >> 40) % WORDS.len() as u64) as usize];
        format!("/{a}/{b}-{c}-{local}.html")
    }

    /// The page's URL in hrefdex's normal form.
    pub fn url(&self, page: u64) -> String {
        let (d, h, _) = self.host_of(page);
        let host = &self.domains[d as usize].hosts[h];
        format!("{}://{}{}", host.scheme, host.name, self.path(page))
    }

    /// A short title of a page (also its navigation anchor).
    pub fn short_title(&self, page: u64) -> String {
        let h = hash(&[self.seed, stream::PAGE, page, 8]);
        let (_, _, local) = self.host_of(page);
        if local == 0 {
            return "Home".to_owned();
        }
        let a = WORDS[(h % WORDS.len() as u64) as usize];
        let b = WORDS[((h >> 24) % WORDS.len() as u64) as usize];
        format!("{} {b}", title_case(a))
    }

    /// The page's `<title>`.
    pub fn title(&self, page: u64) -> String {
        let d = self.domain_of(page);
        format!(
            "{} | {}",
            self.short_title(page),
            self.domains[d as usize].site
        )
    }

    /// The home page of a domain's first host.
    pub fn home(&self, domain: u32) -> u64 {
        self.domains[domain as usize].first
    }

    /// A page's fate, from its id.
    pub fn plan(&self, page: u64) -> PagePlan {
        let (d, h, local) = self.host_of(page);
        let mut plan = PagePlan {
            id: page,
            domain: d,
            host: h,
            birth: 0,
            kind: PageKind::Normal,
        };
        if local == 0 {
            return plan;
        }
        let mut rng = Rng::new(&[self.seed, stream::PAGE, page]);
        let k = self.crawls;
        if k > 1 && rng.chance(0.10) {
            plan.birth = rng.range(1, u64::from(k)) as u32;
        }
        let later = |r: &mut Rng, b: u32| -> Option<u32> {
            (b + 1 < k).then(|| r.range(u64::from(b) + 1, u64::from(k)) as u32)
        };
        let host_home = self.domains[d as usize].hosts[h].first;
        let r = rng.f64();
        plan.kind = if r < 0.03 {
            plan.birth = 0;
            PageKind::Missing
        } else if r < 0.07 {
            let to = if rng.chance(0.2) {
                self.home(rng.below(self.domains.len() as u64) as u32)
            } else {
                host_home
            };
            PageKind::Redirect {
                status: if rng.chance(0.7) { 301 } else { 302 },
                to,
            }
        } else if r < 0.11 {
            match later(&mut rng, plan.birth) {
                Some(at) => PageKind::Moved { at, to: host_home },
                None => PageKind::Normal,
            }
        } else if r < 0.17 {
            match later(&mut rng, plan.birth) {
                Some(at) => PageKind::Dies {
                    at,
                    status: if rng.chance(0.7) { 404 } else { 410 },
                },
                None => PageKind::Normal,
            }
        } else {
            PageKind::Normal
        };
        plan
    }

    /// An external target: a domain by link popularity, a page in it by Zipf.
    fn external_target(&self, rng: &mut Rng, not: u32) -> u64 {
        let total = self.popularity.last().copied().unwrap_or(1.0);
        let x = rng.f64() * total;
        let mut d = self
            .popularity
            .partition_point(|&c| c <= x)
            .min(self.domains.len() - 1) as u32;
        if d == not {
            d = (d + 1) % self.domains.len() as u32;
        }
        let dom = &self.domains[d as usize];
        dom.first + rng.zipf_index(dom.pages)
    }

    /// A random anchor for a link to `to`.
    fn anchor(&self, rng: &mut Rng, to: u64) -> String {
        let r = rng.f64();
        if r < 0.15 {
            rng.pick(GENERIC_ANCHORS).to_string()
        } else if r < 0.30 {
            self.domains[self.domain_of(to) as usize].name.clone()
        } else if r < 0.45 {
            self.short_title(to).to_lowercase()
        } else {
            let n = rng.range(2, 5);
            let words: Vec<&str> = (0..n).map(|_| *rng.pick(WORDS)).collect();
            words.join(" ")
        }
    }

    /// The page's link slots, each link identity (target, anchor) once, in page order:
    /// navigation, body, footer.
    pub fn slots(&self, plan: &PagePlan, out: &mut Vec<Slot>) {
        out.clear();
        let k = self.crawls;
        let dom = &self.domains[plan.domain as usize];
        let host = &dom.hosts[plan.host];
        let mut rng = Rng::new(&[self.seed, stream::SLOTS, plan.id]);
        let stay = |added: u32| Slot {
            to: 0,
            anchor: String::new(),
            alt: String::new(),
            image: false,
            nofollow: false,
            ugc: false,
            sponsored: false,
            place: Place::Nav,
            added,
            removed: NEVER,
            readded: NEVER,
        };
        // Navigation: home and the first sections of the host.
        for local in 0..host.pages.min(4) {
            let to = host.first + local;
            out.push(Slot {
                to,
                anchor: self.short_title(to),
                ..stay(plan.birth)
            });
        }
        // Body links.
        let lpp = u64::from(self.links_per_page.max(1));
        let n = rng.range(lpp / 3, lpp * 5 / 3 + 1);
        for _ in 0..n {
            let to = if dom.pages > 1 && rng.chance(0.35) {
                dom.first + rng.zipf_index(dom.pages)
            } else if self.domains.len() > 1 {
                self.external_target(&mut rng, plan.domain)
            } else {
                dom.first + rng.below(dom.pages)
            };
            let image = rng.chance(0.07);
            let mut s = stay(plan.birth);
            s.to = to;
            s.place = Place::Body;
            if image {
                s.image = true;
                let n = rng.range(1, 4);
                s.alt = (0..n)
                    .map(|_| *rng.pick(WORDS))
                    .collect::<Vec<_>>()
                    .join(" ");
            } else {
                s.anchor = self.anchor(&mut rng, to);
            }
            let r = rng.f64();
            s.nofollow = r < 0.10;
            s.ugc = (0.10..0.12).contains(&r);
            s.sponsored = (0.12..0.14).contains(&r);
            // Timeline: some links appear later, some are removed, a few come back.
            if plan.birth + 1 < k && rng.chance(0.10) {
                s.added = rng.range(u64::from(plan.birth) + 1, u64::from(k)) as u32;
            }
            if s.added + 1 < k && rng.chance(0.08) {
                s.removed = rng.range(u64::from(s.added) + 1, u64::from(k)) as u32;
                if s.removed + 1 < k && rng.chance(0.35) {
                    s.readded = rng.range(u64::from(s.removed) + 1, u64::from(k)) as u32;
                }
            }
            out.push(s);
        }
        if let Some((partner, sponsored)) = dom.partner {
            let to = self.home(partner);
            let name = &self.domains[partner as usize].site;
            out.push(Slot {
                to,
                anchor: format!("Our partner {name}"),
                sponsored,
                place: Place::Footer,
                ..stay(plan.birth)
            });
        }
        // One identity per (target, anchor): the first occurrence wins.
        let mut seen: FxHashSet<(u64, String)> = FxHashSet::default();
        out.retain(|s| seen.insert((s.to, s.anchor.clone())));
    }
}
