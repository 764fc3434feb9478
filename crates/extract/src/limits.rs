//! Limits, next to nothing else so they are easy to find and to cite.

/// Longest anchor text kept, in characters (after whitespace is collapsed).
pub const ANCHOR_MAX_CHARS: usize = 256;
/// Longest `text_pre` / `text_post` snippet kept, in characters.
pub const SNIPPET_MAX_CHARS: usize = 100;
/// Longest `<title>` kept, in characters.
pub const TITLE_MAX_CHARS: usize = 512;
/// Most links kept per page; the rest are dropped (and counted).
pub const MAX_LINKS_PER_PAGE: usize = 10_000;
/// Longest `alt` text kept, in characters.
pub const ALT_MAX_CHARS: usize = 256;
/// Longest on-page field kept (`h1`, `h2`, meta description, social tags, image alts,
/// generator), in characters; several values of one field are joined with ` | `.
pub const PAGE_FIELD_MAX_CHARS: usize = 512;
