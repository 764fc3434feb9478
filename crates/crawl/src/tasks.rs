//! What runs in a fetch task, off the crawl loop: the network and the link extraction
//! (so that both cores work), with the result sent back as a [`Done`].

use hrefdex_url::NormalUrl;

use crate::fetch::{FetchError, Fetched, Fetcher};
use crate::frontier::{EntryKind, FrontierEntry};
use crate::links::{followed_links, sitemap_locs};

/// Hops of a robots.txt redirect chain that are followed.
pub const ROBOTS_HOPS: u32 = 5;

/// A fetch task's result.
pub(crate) enum Done {
    Robots {
        host: usize,
        captures: Vec<Fetched>,
        error: Option<FetchError>,
    },
    Page {
        host: usize,
        entry: FrontierEntry,
        result: Result<(Fetched, Vec<NormalUrl>), FetchError>,
    },
}

/// Fetches `origin`'s robots.txt, following up to [`ROBOTS_HOPS`] redirects: every
/// capture (to archive), and the error that ended the chain, if any.
pub(crate) async fn fetch_robots(
    fetcher: &Fetcher,
    origin: &str,
) -> (Vec<Fetched>, Option<FetchError>) {
    let mut captures = Vec::new();
    let mut error = None;
    let mut url = NormalUrl::parse(&format!("{origin}/robots.txt")).ok();
    let mut hops = 0;
    while let Some(u) = url.take() {
        match fetcher.get(&u).await {
            Ok(f) => {
                if f.is_redirect() && hops < ROBOTS_HOPS {
                    hops += 1;
                    url = followed_links(u.as_str(), f.status, &f.header_pairs(), b"")
                        .into_iter()
                        .next();
                }
                captures.push(f);
            }
            Err(e) => error = Some(e),
        }
    }
    (captures, error)
}

/// Fetches a page or sitemap and finds the URLs it leads to.
pub(crate) async fn fetch_page(
    fetcher: &Fetcher,
    entry: &FrontierEntry,
) -> Result<(Fetched, Vec<NormalUrl>), FetchError> {
    let f = fetcher.get(&entry.url).await?;
    let links = match entry.kind {
        EntryKind::Page => followed_links(f.url.as_str(), f.status, &f.header_pairs(), &f.body),
        EntryKind::Sitemap if f.status < 300 => sitemap_locs(&f.body)
            .iter()
            .filter_map(|l| NormalUrl::parse(l).ok())
            .collect(),
        EntryKind::Sitemap => Vec::new(),
    };
    Ok((f, links))
}
