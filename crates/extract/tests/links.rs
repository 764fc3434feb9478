//! Links from real pages: exact lists where a reference exists
//! (`link-extraction-test.warc`, whose expectations are in ia-web-commons'
//! `ExtractingParseObserverTest`), exact details for `books.toscrape.warc`, and
//! per-page `<a href>` counts for `iana.warc.gz` and the Common Crawl excerpt
//! `warcfile.warc.gz` (cross-checked with Python's `html.parser` + `urljoin`).

mod common;

use common::{extract, page};
use hrefdex_extract::{LinkType, PageObservation};

fn kinds(p: &PageObservation) -> Vec<(LinkType, &str, &str)> {
    p.links
        .iter()
        .map(|l| (l.link_type, l.url_to.as_str(), l.anchor.as_str()))
        .collect()
}

/// (type, target, anchor) of one expected link.
type Expected = (LinkType, &'static str, &'static str);

fn href_count(p: &PageObservation) -> usize {
    p.links
        .iter()
        .filter(|l| l.link_type == LinkType::Href)
        .count()
}

#[test]
fn link_extraction_test_warc_gives_the_expected_links() {
    use LinkType::*;
    let Some((_, pages)) = extract("warc-ia-web-commons-tests/link-extraction-test.warc") else {
        return;
    };
    assert_eq!(pages.len(), 9);
    let want: &[(&str, &str, &[Expected])] = &[
        (
            "http://www.example.com/html4.html",
            "Test XHTML Link Extraction",
            &[
                (Redirect, "http://www.example.com/redirected.html", ""),
                (Href, "http://www.example.com/a-href.html", "A@/href"),
                // "#anchor" against <base href="http://www.example.com/">.
                (Href, "http://www.example.com/", "anchor only"),
            ],
        ),
        (
            "http://www.example.com/link-extraction-test-html5-video.html",
            "Test HTML5 Video Tag",
            &[
                // Written "http:///www.example.com/video.html"; WHATWG parsing drops the extra slash.
                (Canonical, "http://www.example.com/video.html", ""),
                (Rss, "http://www.example.com/video.rss", ""),
            ],
        ),
        (
            "http://www.example.com/poor_html5.html",
            "Testing poor HTML5",
            &[(Href, "http://www.example.com/", "link")],
        ),
        (
            "http://www.example.com/fb-video.html",
            "fb-video - Embedded Videos - Social Plugins",
            &[
                (
                    Href,
                    "https://www.facebook.com/facebook/videos/10153231379946729/",
                    "How to Share With Just Friends",
                ),
                (Href, "https://www.facebook.com/facebook/", "Facebook"),
            ],
        ),
        (
            "http://www.example.com/data-href.examples.html",
            "",
            &[
                (
                    Href,
                    "https://www.facebook.com/facebook/videos/10153231379946729/",
                    "How to Share With Just Friends",
                ),
                (Href, "https://www.facebook.com/facebook/", "Facebook"),
                (
                    Href,
                    "http://www.example.com/content-page",
                    "Headline goes here.",
                ),
                (Href, "http://www.example.com/tags/content", "content"),
                (Href, "http://www.example.com/tags/headlines", "headlines"),
                (
                    Href,
                    "http://www.example.com/data-href.examples.html",
                    "venobox",
                ),
                (Href, "http://www.example.com/data-href.examples.html", "X"),
                (
                    Frame,
                    "http://www.youtube.com/v/itTskyFLSS8&rel=0&autohide=1&showinfo=0",
                    "",
                ),
            ],
        ),
        (
            "http://www.example.com/fb-social-plugins.html",
            "",
            &[(Href, "https://www.facebook.com/facebook", "Facebook")],
        ),
        (
            "http://www.example.com/link-extraction-test-onclick-attr.html",
            "Test Extraction of URLs from INPUT onClick Attributes",
            &[],
        ),
        (
            "http://www.example.com/link-extraction-test-unescaped-entities.xhtml",
            "Title – \"Title\" written using character entities",
            &[
                (Redirect, "http://www.example.com/redirected.html", ""),
                (
                    Href,
                    "http://www.example.com/view?id=logo&action=edit",
                    "logo",
                ),
                (
                    Href,
                    "http://www.example.com/search?q=examples&n=20",
                    "Examples & more",
                ),
            ],
        ),
        (
            "http://example.org/cc/link-extraction-test-anchor-text.html",
            "Test Anchor Text Extraction With Whitespace",
            &[(
                Href,
                "https://example.org/",
                "Anchor text with white space character entities and HTML block elements",
            )],
        ),
    ];
    for (url, title, links) in want {
        let p = page(&pages, url);
        assert_eq!(&p.title, title, "{url}");
        assert_eq!(kinds(p), *links, "{url}");
    }
    let p = page(
        &pages,
        "http://www.example.com/link-extraction-test-unescaped-entities.xhtml",
    );
    assert!(p.links[2].nofollow && !p.links[1].nofollow);
    assert_eq!(p.links[1].text_pre, "Here is the");
    assert_eq!(p.links[1].text_post, "Examples & more");
    let p = page(
        &pages,
        "http://www.example.com/link-extraction-test-html5-video.html",
    );
    assert_eq!(
        p.canonical.as_deref(),
        Some("http://www.example.com/video.html")
    );
}

#[test]
fn books_toscrape_page() {
    let Some((stats, pages)) = extract("warc-node-warc-tests/books.toscrape.warc") else {
        return;
    };
    assert_eq!((stats.pages, stats.html_pages, stats.links), (30, 1, 94));
    let p = page(&pages, "http://books.toscrape.com/");
    assert_eq!(p.title, "All products | Books to Scrape - Sandbox");
    assert_eq!(
        (
            p.http_code,
            p.page_size,
            p.encoding.as_str(),
            p.language.as_str()
        ),
        (200, 51296, "utf8", "en")
    );
    assert_eq!(p.visited, "2018-11-11T22:56:36Z");
    assert_eq!((p.links_internal, p.links_external), (94, 0));
    assert_eq!(href_count(p), 94);
    let l = &p.links[1];
    assert_eq!(
        (l.url_to.as_str(), l.anchor.as_str()),
        ("http://books.toscrape.com/index.html", "Home")
    );
    assert_eq!(l.text_pre, "Books to Scrape We love being scraped!");
    assert!(l.text_post.starts_with("All products Books Travel Mystery"));
    // Each book: an image link (alt = title, no anchor text), then a text link.
    let img = &p.links[p.links.len() - 3];
    assert_eq!(
        img.url_to,
        "http://books.toscrape.com/catalogue/its-only-the-himalayas_981/index.html"
    );
    assert!(img.image);
    assert_eq!(
        (img.anchor.as_str(), img.alt.as_str()),
        ("", "It's Only the Himalayas")
    );
    let text = &p.links[p.links.len() - 2];
    assert_eq!(
        (text.anchor.as_str(), text.image),
        ("It's Only the Himalayas", false)
    );
    assert_eq!(
        text.text_post,
        "£45.17 In stock Add to basket Page 1 of 50 next"
    );
    let next = p.links.last().expect("links");
    assert_eq!(
        (next.url_to.as_str(), next.anchor.as_str()),
        ("http://books.toscrape.com/catalogue/page-2.html", "next")
    );
    let images = p.links.iter().filter(|l| l.image).count();
    assert_eq!(images, 20);
    // Non-HTML responses are pages without links.
    assert!(
        pages
            .iter()
            .filter(|p| p.url != "http://books.toscrape.com/")
            .all(|p| p.links.is_empty())
    );
}

/// (page, `<a href>` links, all links): Python's html.parser found the same
/// `<a href>` counts except where noted (it also counts ftp:, rsync:, `nbjmup:`
/// and invalid URLs, which are not web links, and links inside `<noscript>`).
const IANA_AND_CC: &[(&str, &str, usize, usize)] = &[
    ("iana", "http://www.iana.org/", 33, 34),
    ("iana", "http://www.iana.org/numbers", 61, 61),
    ("iana", "http://www.iana.org/about", 36, 36),
    ("iana", "http://www.iana.org/protocols", 3564, 3564),
    ("iana", "http://www.iana.org/time-zones", 36, 36), // python 38: + ftp:, rsync:
    (
        "iana",
        "http://www.iana.org/performance/ietf-statistics",
        107,
        107,
    ),
    (
        "iana",
        "http://www.iana.org/performance/ietf-draft-status",
        50,
        50,
    ),
    ("iana", "http://www.iana.org/domains", 49, 49),
    ("iana", "http://www.iana.org/domains/root", 53, 53),
    ("iana", "http://www.iana.org/domains/root/db", 491, 491),
    ("iana", "http://www.iana.org/domains/reserved", 60, 60),
    ("iana", "http://www.iana.org/domains/idn-tables", 461, 461),
    ("iana", "http://www.iana.org/domains/root/servers", 45, 45),
    ("iana", "http://www.iana.org/domains/int", 46, 46),
    ("iana", "http://www.iana.org/domains/arpa", 55, 55),
    ("iana", "https://www.iana.org/dnssec", 48, 48),
    ("cc", "http://003338.cn/l41/481397.html", 34, 35),
    ("cc", "http://01spb.ru/company/", 276, 278),
    (
        "cc",
        "http://035.psb556.com/24/i/u_1090813/article.html",
        81,
        83,
    ),
    ("cc", "http://037426.cn/", 35, 36),
    ("cc", "http://041696.com/15477/list_6_4.html", 73, 73),
    ("cc", "http://044545.com/topic/20200207/015849.html", 8, 8),
    (
        "cc",
        "http://0513mt.com/index.php/art/detail/id/8884.html",
        83,
        84,
    ),
    (
        "cc",
        "http://05925.net/index.php/vod/type/id/53.html",
        69,
        69,
    ),
    (
        "cc",
        "http://06.live-radsport.ch/fahrerstatistik_801/Anthony_Ravard.html",
        73,
        78,
    ), // python 75: 2 in <noscript>
    (
        "cc",
        "http://06.live-radsport.ch/tippspiel/stats_140_petzi.html",
        89,
        95,
    ), // python 91: 2 in <noscript>
    (
        "cc",
        "http://0615235.com/02mjqjo%7Bibotij2.btq?odmbtt=106&tdmbtt=121",
        182,
        183,
    ), // python 183: + "nbjmup:"
    ("cc", "http://0755krk.com/76104/list_4_1.html", 84, 84),
    ("cc", "http://0760.jxtdw.com/area/sanxiang/", 179, 182), // python 180: + one invalid URL
    (
        "cc",
        "http://077678u.info/erxiaoshujinguang/list_6_2.html",
        60,
        60,
    ),
    (
        "cc",
        "http://0900-hovenier.nl/gelderland/oosterbeek/",
        22,
        26,
    ),
    ("cc", "http://096355.com/video/11073.html?11073-0-2", 33, 33),
];

#[test]
fn iana_and_common_crawl_pages_have_the_expected_link_counts() {
    let Some((iana_stats, iana)) = extract("warc-pywb-sample-archive/warcs/iana.warc.gz") else {
        return;
    };
    let Some((cc_stats, cc)) = extract("warc-resiliparse-tests/warcfile.warc.gz") else {
        return;
    };
    for (src, url, hrefs, all) in IANA_AND_CC {
        let p = page(if *src == "iana" { &iana } else { &cc }, url);
        assert_eq!((href_count(p), p.links.len()), (*hrefs, *all), "{url}");
        assert_eq!(
            (p.links_internal + p.links_external) as usize,
            *hrefs,
            "{url}"
        );
    }
    assert_eq!((iana_stats.html_pages, iana_stats.links), (16, 5200));
    assert_eq!(
        (cc_stats.pages, cc_stats.html_pages, cc_stats.links),
        (16, 16, 1407)
    );
    let p = page(&cc, "http://01spb.ru/company/");
    assert_eq!(p.encoding, "windows-1251");
    assert_eq!(p.title, "О компании - Стратегия пожарной безопасности");
    assert_eq!(p.ip.as_deref(), Some("178.170.244.102"));
    assert_eq!((p.links_internal, p.links_external), (267, 9));
    // 302s in iana become redirect links with their code.
    let redirects: Vec<_> = iana.iter().filter(|p| p.http_code == 302).collect();
    assert_eq!(redirects.len(), 4);
    for r in redirects {
        assert_eq!(r.redirect_code, 302);
        assert_eq!(r.links.len(), 1);
        assert_eq!(
            (r.links[0].link_type, r.links[0].redirect),
            (LinkType::Redirect, 302)
        );
        assert_eq!(r.redirect_to.as_deref(), Some(r.links[0].url_to.as_str()));
    }
}

#[test]
fn titles_languages_and_charsets() {
    let Some((_, pages)) = extract("warc-ia-web-commons-tests/title-extraction-embedded-SVG.warc")
    else {
        return;
    };
    assert_eq!(pages.len(), 1);
    // The <title> inside the SVG ("Embedded SVG") is not the page title.
    assert_eq!(pages[0].title, "Testing title extraction with embedded SVG");
    let Some((_, pages)) = extract("warc-ia-web-commons-tests/html-lang-attribute.warc") else {
        return;
    };
    let langs: Vec<&str> = pages.iter().map(|p| p.language.as_str()).collect();
    assert_eq!(langs, ["en", "zh", "cs", "en", ""]);
    let Some((_, pages)) = extract("warc-resiliparse-tests/clueweb-quirk.warc.gz") else {
        return;
    };
    assert_eq!(pages.len(), 29);
    assert!(pages.iter().any(|p| p.encoding == "euc-jp"));
    // ClueWeb's "2008-10-294T05:21:46-0700" is no date: kept empty, not guessed.
    assert!(pages.iter().all(|p| p.visited.is_empty()));
}
