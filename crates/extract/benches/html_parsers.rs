//! lol_html vs html5ever on the real pages of `shared/data/html-*` (1,171 pages).
//!
//! Both do the same small job (every `<a href>` with its anchor text), streaming,
//! with no DOM: lol_html through element/text handlers, html5ever through its
//! tokenizer and a `TokenSink`. The third line is this crate's full extractor
//! (all link types, rel flags, snippets, title, base, URL normalisation excluded).
//!
//! ```text
//! cargo bench -p hrefdex-extract --bench html_parsers
//! ```

use std::cell::{Cell, RefCell};
use std::io::Read;
use std::path::Path;
use std::rc::Rc;
use std::time::Instant;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use lol_html::html_content::TextChunk;
use lol_html::{HtmlRewriter, Settings, element, text};

fn load_pages(root: &Path) -> Vec<Vec<u8>> {
    let mut files = Vec::new();
    for dir in ["html-trafilatura-eval/pages", "html-scrapinghub-aeb/pages"] {
        if let Ok(rd) = std::fs::read_dir(root.join(dir)) {
            files.extend(rd.flatten().map(|e| e.path()));
        }
    }
    files.sort();
    files
        .iter()
        .filter_map(|f| {
            let mut out = Vec::new();
            let file = std::fs::File::open(f).ok()?;
            flate2::read::GzDecoder::new(file)
                .read_to_end(&mut out)
                .ok()?;
            Some(out)
        })
        .collect()
}

/// (links, anchor text bytes) with lol_html.
fn lol(page: &[u8]) -> (usize, usize) {
    let links = Rc::new(Cell::new(0));
    let text_bytes = Rc::new(Cell::new(0));
    let (l, t) = (Rc::clone(&links), Rc::clone(&text_bytes));
    let mut rw = HtmlRewriter::new(
        Settings {
            element_content_handlers: vec![
                element!("a[href]", move |el| {
                    let _href = el.get_attribute("href");
                    l.set(l.get() + 1);
                    Ok(())
                }),
                text!("a[href]", move |c: &mut TextChunk<'_>| {
                    t.set(t.get() + c.as_str().len());
                    Ok(())
                }),
            ],
            ..Settings::new()
        },
        |_: &[u8]| {},
    );
    if rw.write(page).is_ok() {
        let _ = rw.end();
    }
    (links.get(), text_bytes.get())
}

#[derive(Default)]
struct Sink {
    links: Cell<usize>,
    text_bytes: Cell<usize>,
    in_a: Cell<bool>,
    hrefs: RefCell<Vec<String>>,
}

impl TokenSink for Sink {
    type Handle = ();
    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::TagToken(tag) if &*tag.name == "a" => match tag.kind {
                TagKind::StartTag => {
                    if let Some(a) = tag.attrs.iter().find(|a| &*a.name.local == "href") {
                        self.links.set(self.links.get() + 1);
                        self.in_a.set(true);
                        let mut h = self.hrefs.borrow_mut();
                        h.clear();
                        h.push(a.value.to_string());
                    }
                }
                TagKind::EndTag => self.in_a.set(false),
            },
            Token::CharacterTokens(s) if self.in_a.get() => {
                self.text_bytes.set(self.text_bytes.get() + s.len());
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// (links, anchor text bytes) with html5ever's tokenizer.
fn h5e(page: &[u8]) -> (usize, usize) {
    let text = String::from_utf8_lossy(page);
    let tok = Tokenizer::new(Sink::default(), TokenizerOpts::default());
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from_slice(&text));
    let _ = tok.feed(&queue);
    tok.end();
    (tok.sink.links.get(), tok.sink.text_bytes.get())
}

fn main() {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    let pages = load_pages(root);
    if pages.is_empty() {
        eprintln!("no pages under {}: nothing measured", root.display());
        return;
    }
    let mb = pages.iter().map(Vec::len).sum::<usize>() as f64 / 1e6;
    println!(
        "{} pages, {mb:.1} MB of HTML, best of 3, one thread",
        pages.len()
    );
    type Run = fn(&[u8]) -> (usize, usize);
    let full: Run = |p| {
        let f = hrefdex_extract::html::extract_html(p, encoding_rs::UTF_8);
        (f.links.len(), f.links.iter().map(|l| l.anchor.len()).sum())
    };
    let runs: [(&str, Run); 3] = [
        ("lol_html  a[href]+text", lol),
        ("html5ever a[href]+text", h5e),
        ("hrefdex full extractor", full),
    ];
    for (name, f) in runs {
        let mut best = f64::MAX;
        let mut totals = (0, 0);
        for _ in 0..3 {
            let t = Instant::now();
            totals = pages.iter().fold((0, 0), |acc, p| {
                let (l, b) = f(p);
                (acc.0 + l, acc.1 + b)
            });
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!(
            "{name}: {:.3} s  {:.1} MB/s  links={} anchor_bytes={}",
            best,
            mb / best,
            totals.0,
            totals.1
        );
    }
}
