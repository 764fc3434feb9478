//! Arrow schemas of the stored tables. Times are UTC microseconds, as Delta readers expect.

use std::sync::{Arc, LazyLock};

use deltalake::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};

fn ts() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

fn s(name: &str) -> Field {
    Field::new(name, DataType::Utf8, false)
}

fn i32f(name: &str) -> Field {
    Field::new(name, DataType::Int32, false)
}

fn i64f(name: &str) -> Field {
    Field::new(name, DataType::Int64, false)
}

fn b(name: &str) -> Field {
    Field::new(name, DataType::Boolean, false)
}

fn t(name: &str, nullable: bool) -> Field {
    Field::new(name, ts(), nullable)
}

/// Columns of a link row: identity, history, flags, and the referring page and target
/// domain inline, so that inbound queries need no join. `links_in` and `links_out` store
/// projections of them ([`LINKS`], [`LINKS_OUT`]).
fn link_fields() -> Vec<Field> {
    vec![
        s("to_key"),
        s("from_key"),
        s("url_from"),
        s("url_to"),
        s("from_host"),
        s("from_domain"),
        s("to_host"),
        s("to_domain"),
        s("link_type"),
        s("anchor"),
        s("alt"),
        s("text_pre"),
        s("text_post"),
        b("nofollow"),
        b("ugc"),
        b("sponsored"),
        b("image"),
        b("original"),
        b("sitewide"),
        b("internal"),
        i32f("redirect"),
        t("first_seen", false),
        t("last_visited", false),
        t("prev_visited", true),
        t("lost_at", true),
        Field::new("lost_reason", DataType::Utf8, true),
        s("first_origin"),
        s("last_origin"),
        i32f("ahrefs_rank"),
        i32f("domain_rating"),
        i64f("ahrefs_top"),
        s("ip_from"),
        i32f("links_internal"),
        i32f("links_external"),
        i64f("page_size"),
        s("encoding"),
        s("language"),
        s("title"),
        i32f("http_code"),
        t("url_from_first_seen", false),
        Field::new("to_http_code", DataType::Int32, true),
        t("to_broken_at", true),
        i32f("domain_to_rating"),
        i64f("domain_to_ahrefs_top"),
        // The link's row in `links_in` of the same version, counted from 0: how
        // `link_events` names its link. Added after the first release, so nullable.
        Field::new("link", DataType::Int64, true),
    ]
}

/// Every column a link row has: what [`LINKS`] and [`LINKS_OUT`] are projections of, and
/// what both tables stored in versions written by older builds.
pub static LINK_COLUMNS: LazyLock<SchemaRef> =
    LazyLock::new(|| Arc::new(Schema::new(link_fields())));

/// The link columns but `without`.
fn link_fields_but(without: &[&str]) -> SchemaRef {
    Arc::new(Schema::new(
        link_fields()
            .into_iter()
            .filter(|f| !without.contains(&f.name().as_str()))
            .collect::<Vec<_>>(),
    ))
}

/// `links_in`: every link column but `from_key`, which no inbound lookup reads (the
/// referring page's key is in `pages`).
pub static LINKS: LazyLock<SchemaRef> = LazyLock::new(|| link_fields_but(&["from_key"]));

/// `links_head`: the heads of large targets (see [`super::heads`]): the head's key (the
/// sort key), then the columns of [`LINKS`].
pub static LINKS_HEAD: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = vec![s("head")];
    fields.extend(LINKS.fields().iter().map(|f| f.as_ref().clone()));
    Arc::new(Schema::new(fields))
});

/// The columns `links_out` leaves to `links_in`: the snippets, the bulk of a link row,
/// which readers of `links_out` take from `links_in` by `link` when they need them.
pub const LINKS_IN_ONLY: [&str; 2] = ["text_pre", "text_post"];

/// `links_out`: every link column but [`LINKS_IN_ONLY`] and `to_key`, which no outbound
/// lookup reads.
pub static LINKS_OUT: LazyLock<SchemaRef> =
    LazyLock::new(|| link_fields_but(&["to_key", LINKS_IN_ONLY[0], LINKS_IN_ONLY[1]]));

/// The columns of an event: when, what, why.
fn event_fields() -> Vec<Field> {
    vec![
        t("time", false),
        Field::new("date", DataType::Date32, false),
        s("type"),
        Field::new("reason", DataType::Utf8, true),
    ]
}

/// `link_events`: when, what, why, the target's key (the sort key), and the link as its
/// row in `links_in` of the same version (the `link` column there). Readers join the
/// two for the link's other columns.
pub static LINK_EVENTS: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = event_fields();
    fields.extend([s("to_key"), i64f("link")]);
    Arc::new(Schema::new(fields))
});

/// `link_events` as older builds stored it: the event columns, then every column of the
/// link inline. Read so that index versions they wrote stay answerable, never written
/// (`link` reads as null there).
pub static LINK_EVENTS_INLINE: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = event_fields();
    fields.extend(link_fields());
    Arc::new(Schema::new(fields))
});

/// `pages`: one row per crawled URL.
pub static PAGES: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        s("url_key"),
        s("url"),
        s("host"),
        s("domain"),
        t("first_seen", false),
        t("last_visited", false),
        t("prev_visited", true),
        i32f("http_code"),
        t("broken_at", true),
        s("redirect_url"),
        s("canonical_url"),
        s("ip"),
        s("title"),
        s("encoding"),
        s("language"),
        s("content_type"),
        s("content_encoding"),
        i64f("size"),
        i32f("links_internal"),
        i32f("links_external"),
        i32f("ahrefs_rank"),
        Field::new("ur_raw", DataType::Float64, false),
        // Added after the first release: nullable, so versions written before still read.
        Field::new("words", DataType::Int64, true),
        Field::new("h1", DataType::Utf8, true),
        Field::new("h2", DataType::Utf8, true),
        Field::new("description", DataType::Utf8, true),
        Field::new("meta_social", DataType::Utf8, true),
        Field::new("images_alt", DataType::Utf8, true),
        Field::new("powered_by", DataType::Utf8, true),
    ]))
});

/// `domains`: one row per registrable domain met.
pub static DOMAINS: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        s("domain"),
        i32f("domain_rating"),
        Field::new("dr_raw", DataType::Float64, false),
        i64f("ahrefs_top"),
        i64f("pages"),
        // Added after the first release: nullable, so versions written before still read.
        Field::new("refdomains", DataType::Int64, true),
        Field::new("linked_domains", DataType::Int64, true),
    ]))
});

/// `keywords`: imported search rankings, sorted by `url_key` (see [`crate::keywords`]).
pub static KEYWORDS: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        s("keyword"),
        s("country"),
        i32f("position"),
        s("url"),
        s("url_key"),
        i64f("volume"),
        Field::new("cpc", DataType::Float64, false),
    ]))
});

/// `manifest`: one row per index version; its commit is the index's commit point.
pub static MANIFEST: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        i64f("index_version"),
        t("committed_at", false),
        i64f("links_in"),
        i64f("links_out"),
        i64f("pages"),
        i64f("domains"),
        i64f("link_events"),
        s("summary"),
        // Added after the first release: nullable, so manifests written before still read
        // (their versions have no heads).
        Field::new("links_head", DataType::Int64, true),
    ]))
});
