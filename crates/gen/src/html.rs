//! Pages as real HTML: `<html lang>`, `<title>`, navigation, paragraphs with links,
//! image links with `alt`, rel flags, and a footer.

use std::fmt::Write;

use crate::rng::Rng;
use crate::web::{PagePlan, Place, Slot, Web};
use crate::words::WORDS;

fn filler(rng: &mut Rng, out: &mut String, words: u64) {
    for i in 0..words {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(rng.pick::<&str>(WORDS));
    }
}

fn href(web: &Web, plan: &PagePlan, to: u64) -> String {
    let (d, h, _) = web.host_of(to);
    if d == plan.domain && h == plan.host {
        web.path(to)
    } else {
        web.url(to)
    }
}

fn rel(s: &Slot) -> String {
    let mut parts = Vec::new();
    if s.nofollow {
        parts.push("nofollow");
    }
    if s.ugc {
        parts.push("ugc");
    }
    if s.sponsored {
        parts.push("sponsored");
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" rel=\"{}\"", parts.join(" "))
    }
}

fn link(web: &Web, plan: &PagePlan, s: &Slot, out: &mut String) {
    let target = href(web, plan, s.to);
    if s.image {
        let _ = write!(
            out,
            "<a href=\"{target}\"{}><img src=\"/img/{}.jpg\" alt=\"{}\"></a>",
            rel(s),
            s.to,
            s.alt
        );
    } else {
        let _ = write!(out, "<a href=\"{target}\"{}>{}</a>", rel(s), s.anchor);
    }
}

/// The HTML of a 200 page showing the `present` slots. The same page and slots give the
/// same bytes, so an unchanged page can be archived as a revisit.
pub fn page_html(web: &Web, plan: &PagePlan, slots: &[Slot], present: &[bool]) -> String {
    let dom = &web.domains[plan.domain as usize];
    let mut rng = Rng::new(&[web.seed, 9, plan.id]);
    let mut out = String::with_capacity(2048 + slots.len() * 120);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n</head>\n<body>\n<nav>",
        dom.lang,
        web.title(plan.id)
    );
    let shown = || {
        slots
            .iter()
            .zip(present)
            .filter(|(_, p)| **p)
            .map(|(s, _)| s)
    };
    for s in shown().filter(|s| s.place == Place::Nav) {
        out.push(' ');
        link(web, plan, s, &mut out);
    }
    let _ = write!(
        out,
        "</nav>\n<main>\n<h1>{}</h1>\n<p>",
        web.short_title(plan.id)
    );
    for (i, s) in shown().filter(|s| s.place == Place::Body).enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push_str("</p>\n<p>");
        }
        let n = rng.range(4, 14);
        filler(&mut rng, &mut out, n);
        out.push(' ');
        link(web, plan, s, &mut out);
        out.push_str(". ");
    }
    let n = rng.range(8, 30);
    filler(&mut rng, &mut out, n);
    out.push_str(".</p>\n</main>\n<footer>");
    for s in shown().filter(|s| s.place == Place::Footer) {
        link(web, plan, s, &mut out);
    }
    let _ = write!(out, " &copy; {}</footer>\n</body>\n</html>\n", dom.site);
    out
}

/// The small HTML body of an error or redirect answer.
pub fn status_html(status: u16) -> String {
    let text = hrefdex_warc::reason_phrase(status);
    format!(
        "<!DOCTYPE html>\n<html><head><title>{status} {text}</title></head>\
         <body><h1>{status} {text}</h1></body></html>\n"
    )
}
