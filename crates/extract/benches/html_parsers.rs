//! Placeholder, replaced by the lol_html vs html5ever comparison.
fn main() {}
