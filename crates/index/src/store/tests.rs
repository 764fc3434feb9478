use hrefdex_url::NormalUrl;

use super::*;
use crate::visit::{LinkSeen, PageVisit};

fn visit(url: &str, t: i64, links: &[&str]) -> PageVisit {
    let mut v = PageVisit::new(NormalUrl::parse(url).unwrap(), t, 200);
    v.title = format!("title of {url}");
    v.links = links
        .iter()
        .map(|to| LinkSeen::href(NormalUrl::parse(to).unwrap(), "anchor"))
        .collect();
    v
}

/// `visit` whose link to `to` has texts that name the visit's time.
fn visit_with_texts(url: &str, t: i64, links: &[&str]) -> PageVisit {
    let mut v = visit(url, t, links);
    for link in &mut v.links {
        link.texts = crate::LinkTexts::new(
            &format!("before {} at {t}", link.url_to.as_str()),
            &format!("after {} at {t}", link.url_to.as_str()),
            if link.url_to.as_str().ends_with(".png") {
                "a picture"
            } else {
                ""
            },
        );
    }
    v
}

/// Each link's (source, target, texts) as text.
fn texts_by_link(state: &IndexState) -> Vec<(String, String, String, String, String)> {
    let mut v: Vec<_> = state
        .links
        .iter()
        .map(|l| {
            (
                state.urls.info(l.key.from).url.to_string(),
                state.urls.info(l.key.to).url.to_string(),
                l.texts.pre().to_owned(),
                l.texts.post().to_owned(),
                l.texts.alt().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

/// A load leaves every link's texts in the index; a merge replaces those of the links
/// it sees again, and the write reads back the others': links on pages a later crawl
/// skipped, and links lost, keep their texts through any number of versions.
#[test]
fn texts_of_links_not_seen_again_survive_a_load_merge_and_write() {
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open(dir.path()).unwrap();
    let mut state = IndexState::default();
    let pages = |t: i64, a: &[&str]| {
        vec![
            visit_with_texts("http://a.com/", t, a),
            visit_with_texts("http://b.com/", t, &["http://x.com/", "http://y.com/i.png"]),
        ]
    };
    state
        .merge(pages(1_700_000_000, &["http://x.com/", "http://z.com/"]))
        .unwrap();
    state.compute_ratings().unwrap();
    let v0 = index.commit(&state, &serde_json::json!({})).unwrap();

    let mut back = index.load_state(Some(&v0)).unwrap();
    assert!(back.links.iter().all(|l| l.texts.stored_row().is_some()));
    // a.com again, without its link to z.com (lost, `removed`); b.com not recrawled.
    back.merge(vec![visit_with_texts(
        "http://a.com/",
        1_700_100_000,
        &["http://x.com/"],
    )])
    .unwrap();
    back.compute_ratings().unwrap();
    assert_eq!(index.read_stored_texts(&mut back).unwrap(), 3);
    assert_eq!(index.read_stored_texts(&mut back).unwrap(), 0, "read once");
    let v1 = index.commit(&back, &serde_json::json!({})).unwrap();

    let mut expected = texts_by_link(&state);
    for row in &mut expected {
        if row.0 == "http://a.com/" && row.1 == "http://x.com/" {
            row.2 = "before http://x.com/ at 1700100000".into();
            row.3 = "after http://x.com/ at 1700100000".into();
        }
    }
    expected.sort();
    let mut again = index.load_state(Some(&v1)).unwrap();
    assert_eq!(index.read_stored_texts(&mut again).unwrap(), 4);
    assert_eq!(texts_by_link(&again), expected);
    assert!(expected.iter().any(|r| r.4 == "a picture"));
    let lost = again
        .links
        .iter()
        .find(|l| &*again.urls.info(l.key.to).url == "http://z.com/")
        .unwrap();
    assert!(!lost.is_live());
    assert_eq!(lost.texts.pre(), "before http://z.com/ at 1700000000");
}

/// Texts that cannot be read back (the loaded version's file gone) are an error, and
/// the state still refuses to be written: no link is written with empty texts.
#[test]
fn texts_that_cannot_be_read_back_keep_the_state_from_being_written() {
    let (_dir, index, v0) = committed(vec![visit_with_texts(
        "http://a.com/",
        1_700_000_000,
        &["http://x.com/"],
    )]);
    let mut state = index.load_state(Some(&v0)).unwrap();
    for file in state.stored_texts.clone().unwrap() {
        std::fs::remove_file(file).unwrap();
    }
    assert!(index.read_stored_texts(&mut state).is_err());
    assert!(state.stored_texts.is_some());
    assert!(matches!(
        index.commit(&state, &serde_json::json!({})),
        Err(StoreError::TextsNotRead)
    ));
}

/// A load leaves room for the batch about to be merged, so the merge adds its links
/// without moving the link table (at 10M links, a copy of 0.9 GB into fresh memory).
#[test]
fn a_load_leaves_room_for_the_batch_so_the_merge_does_not_move_the_links() {
    let (_dir, index, v0) = committed(vec![visit(
        "http://a.com/",
        1_700_000_000,
        &["http://x.com/"],
    )]);
    let batch = crate::Batch::from_visits(vec![visit(
        "http://b.com/",
        1_700_100_000,
        &["http://x.com/", "http://y.com/"],
    )]);
    let room = batch.room();
    assert_eq!((room.links, room.events), (2, 2));
    let mut state = index.load_state_with_room(Some(&v0), room).unwrap();
    assert_eq!(state.links.len(), 1);
    assert!(state.links.capacity() >= 3);
    assert!(state.events.capacity() >= state.events.len() + 2);
    let before = state.links.as_ptr();
    state.merge_batch(batch).unwrap();
    assert_eq!(state.links.len(), 3);
    assert_eq!(state.links.as_ptr(), before);
}

/// A fresh index with `visits` merged, rated and committed as its first version.
fn committed(visits: Vec<PageVisit>) -> (tempfile::TempDir, Index, IndexVersion) {
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open(dir.path()).unwrap();
    let mut state = IndexState::default();
    state.merge(visits).unwrap();
    state.compute_ratings().unwrap();
    let version = index.commit(&state, &serde_json::json!({})).unwrap();
    (dir, index, version)
}

#[test]
fn commit_then_restore_gives_the_same_state() {
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open(dir.path()).unwrap();
    assert!(index.versions().unwrap().is_empty());
    let mut state = IndexState::default();
    state
        .merge(vec![visit(
            "http://a.com/",
            1_700_000_000,
            &["http://x.com/", "http://y.com/"],
        )])
        .unwrap();
    state
        .merge(vec![visit(
            "http://a.com/",
            1_700_100_000,
            &["http://x.com/"],
        )])
        .unwrap();
    state.compute_ratings().unwrap();
    let v0 = index
        .commit(&state, &serde_json::json!({"batch": 1}))
        .unwrap();
    assert_eq!(v0.version, 0);

    let back = index.load_state(Some(&v0)).unwrap();
    assert_eq!(back.pages.len(), state.pages.len());
    assert_eq!(back.links.len(), 2);
    assert_eq!(back.events.len(), 3);
    let by_text = |s: &IndexState| {
        let mut v: Vec<_> = s
            .links
            .iter()
            .map(|l| {
                (
                    s.urls.info(l.key.to).url.to_string(),
                    l.first_seen,
                    l.last_visited,
                    l.prev_visited,
                    l.lost_at,
                    l.lost_reason,
                    l.original,
                )
            })
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    };
    assert_eq!(by_text(&back), by_text(&state));
    let page = |s: &IndexState| s.pages[&s.urls.lookup("http://a.com/").unwrap()].clone();
    assert_eq!(page(&back), page(&state));
    // Ratings come back too (DR by domain, UR of crawled pages).
    for name in ["a.com", "x.com", "y.com"] {
        let (a, b) = (
            state.domains.lookup(name).unwrap(),
            back.domains.lookup(name).unwrap(),
        );
        assert_eq!(
            (back.dr(b), back.ahrefs_top(b)),
            (state.dr(a), state.ahrefs_top(a)),
            "{name}"
        );
        assert_eq!(
            back.authority.dr_raw[b as usize],
            state.authority.dr_raw[a as usize]
        );
    }
    let (a, b) = (
        state.urls.lookup("http://a.com/").unwrap(),
        back.urls.lookup("http://a.com/").unwrap(),
    );
    assert_eq!(back.ur(b), state.ur(a));

    let stats = index.stats(&v0).unwrap();
    assert_eq!(
        stats.iter().find(|t| t.table == "links_in").unwrap().rows,
        2
    );
    assert_eq!(
        stats
            .iter()
            .find(|t| t.table == "link_events")
            .unwrap()
            .rows,
        3
    );

    // A second commit is version 1; version 0 stays readable (time travel).
    let mut more = back;
    more.merge(vec![visit(
        "http://b.com/",
        1_700_200_000,
        &["http://x.com/"],
    )])
    .unwrap();
    // a.com's links were not seen again: their texts are still in version 0's files.
    assert!(matches!(
        index.commit(&more, &serde_json::json!({"batch": 2})),
        Err(StoreError::TextsNotRead)
    ));
    assert_eq!(index.read_stored_texts(&mut more).unwrap(), 2);
    let v1 = index
        .commit(&more, &serde_json::json!({"batch": 2}))
        .unwrap();
    assert_eq!(v1.version, 1);
    assert_eq!(index.resolve(None).unwrap().unwrap().version, 1);
    assert_eq!(index.resolve(Some(AsOf::Version(0))).unwrap().unwrap(), v0);
    let old = index.read_table(&v0, "links_in").unwrap();
    assert_eq!(old.iter().map(|b| b.num_rows()).sum::<usize>(), 2);
    let new = index.read_table(&v1, "links_in").unwrap();
    assert_eq!(new.iter().map(|b| b.num_rows()).sum::<usize>(), 3);
    assert!(matches!(
        index.resolve(Some(AsOf::Version(7))),
        Err(StoreError::NoSuchVersion(_))
    ));
}

#[test]
fn a_second_import_cannot_take_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open(dir.path()).unwrap();
    let held = index.lock().unwrap();
    assert!(matches!(index.lock(), Err(StoreError::Locked(_))));
    drop(held);
    index.lock().unwrap();
}

#[test]
fn a_table_written_with_an_older_schema_takes_the_new_one() {
    use deltalake::arrow::array::Int64Array;
    use deltalake::arrow::datatypes::{DataType, Field, Schema};

    let dir = tempfile::tempdir().unwrap();
    let index = Index::open(dir.path()).unwrap();
    let old: SchemaRef = Arc::new(Schema::new(vec![Field::new("a", DataType::Int64, false)]));
    let new: SchemaRef = Arc::new(Schema::new(vec![
        Field::new("a", DataType::Int64, false),
        Field::new("b", DataType::Int64, true),
    ]));
    let batch = |schema: &SchemaRef, cols: usize| {
        let arrays: Vec<Arc<dyn Array>> = (0..cols)
            .map(|_| Arc::new(Int64Array::from(vec![1, 2])) as Arc<dyn Array>)
            .collect();
        RecordBatch::try_new(SchemaRef::clone(schema), arrays).unwrap()
    };
    let v0 = index
        .overwrite_table("t", &old, vec![batch(&old, 1)])
        .unwrap();
    let v1 = index
        .overwrite_table("t", &new, vec![batch(&new, 2)])
        .unwrap();
    assert_eq!(v1, v0 + 1);
    let path = index.table_path("t");
    let latest = index.block_on(delta::read(&path, v1)).unwrap();
    assert_eq!(latest[0].schema().fields().len(), 2);
    assert_eq!(latest[0].num_rows(), 2);
    let older = index.block_on(delta::read(&path, v0)).unwrap();
    assert_eq!(older[0].schema().fields().len(), 1);
    // A third write with the same schema needs no further change.
    let v2 = index
        .overwrite_table("t", &new, vec![batch(&new, 2)])
        .unwrap();
    assert_eq!(v2, v1 + 1);
}

/// A manifest written before `links_head` existed takes the column with the next commit;
/// its old rows read as versions without heads.
#[test]
fn a_manifest_without_heads_gets_them_from_the_next_commit() {
    use deltalake::arrow::array::{Int64Array, StringArray, TimestampMicrosecondArray};
    use deltalake::arrow::datatypes::Schema;

    let dir = tempfile::tempdir().unwrap();
    let index = Index::open(dir.path()).unwrap();
    let mut state = IndexState::default();
    state
        .merge(vec![visit(
            "http://a.com/",
            1_700_000_000,
            &["http://x.com/"],
        )])
        .unwrap();
    state.compute_authority().unwrap();
    let v0 = index.commit(&state, &serde_json::json!({})).unwrap();
    assert!(v0.links_head.is_some());
    // Rewrite the manifest as older builds wrote it: the same row, no `links_head`.
    let old: SchemaRef = Arc::new(Schema::new(
        schema::MANIFEST
            .fields()
            .iter()
            .filter(|f| f.name() != LINKS_HEAD)
            .map(|f| f.as_ref().clone())
            .collect::<Vec<_>>(),
    ));
    let int = |v: u64| Arc::new(Int64Array::from(vec![v as i64])) as Arc<dyn Array>;
    let mut columns = vec![
        int(0),
        Arc::new(TimestampMicrosecondArray::from(vec![0]).with_timezone("UTC")) as Arc<dyn Array>,
    ];
    columns.extend(v0.tables.iter().map(|&v| int(v)));
    columns.push(Arc::new(StringArray::from(vec!["{}"])));
    std::fs::remove_dir_all(index.table_path("manifest")).unwrap();
    index
        .overwrite_table(
            "manifest",
            &old,
            vec![RecordBatch::try_new(SchemaRef::clone(&old), columns).unwrap()],
        )
        .unwrap();
    let versions = index.versions().unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].links_head, None);
    assert_eq!(versions[0].table_version(LINKS_HEAD), None);

    let v1 = index.commit(&state, &serde_json::json!({})).unwrap();
    let versions = index.versions().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0].links_head, None);
    assert_eq!(versions[1].links_head, v1.links_head);
    assert!(v1.links_head.is_some());
    let tables: Vec<&str> = index
        .stats(&versions[1])
        .unwrap()
        .iter()
        .map(|t| t.table)
        .collect();
    assert!(tables.contains(&LINKS_HEAD));
    assert_eq!(index.stats(&versions[0]).unwrap().len(), TABLES.len());
}

/// Events of `s` as (target URL, referring URL, time, kind, reason), in a fixed order.
fn event_list(s: &IndexState) -> Vec<(String, String, i64, &'static str, Option<&'static str>)> {
    let mut v: Vec<_> = s
        .events
        .iter()
        .map(|e| {
            let key = s.links[e.link as usize].key;
            (
                s.urls.info(key.to).url.to_string(),
                s.urls.info(key.from).url.to_string(),
                e.time,
                e.kind.as_str(),
                e.reason.map(crate::state::LostReason::as_str),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn events_name_links_by_row_and_older_inline_events_still_restore() {
    use deltalake::arrow::array::{Int64Array, UInt32Array};
    use deltalake::arrow::compute::{concat_batches, take};

    let mut state = IndexState::default();
    state
        .merge(vec![
            visit(
                "http://a.com/",
                1_700_000_000,
                &["http://x.com/", "http://y.com/"],
            ),
            visit(
                "http://b.com/",
                1_700_000_000,
                &["http://x.com/", "http://a.com/"],
            ),
        ])
        .unwrap();
    state
        .merge(vec![visit(
            "http://a.com/",
            1_700_100_000,
            &["http://y.com/z"],
        )])
        .unwrap();
    state.compute_authority().unwrap();
    let ranks = serialize::Ranks::new(&state);
    let links: Vec<RecordBatch> = serialize::links_in(&state, &ranks)
        .collect::<Result<_, _>>()
        .unwrap();
    let events: Vec<RecordBatch> = serialize::link_events(&state, &ranks)
        .collect::<Result<_, _>>()
        .unwrap();
    let pages: Vec<RecordBatch> = serialize::pages(&state, &ranks)
        .collect::<Result<_, _>>()
        .unwrap();
    let domains: Vec<RecordBatch> = serialize::domains(&state)
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(events[0].schema(), *schema::LINK_EVENTS);

    // Each event's `link` is its link's row in `links_in`, whose `link` is that row.
    let all_links = concat_batches(&schema::LINKS, &links).unwrap();
    let rows = all_links
        .column_by_name("link")
        .unwrap()
        .as_any()
        .downcast_ref::<Int64Array>()
        .unwrap();
    assert_eq!(
        rows.values().to_vec(),
        (0..all_links.num_rows() as i64).collect::<Vec<_>>()
    );
    let back = restore::restore(&pages, &links, &events, &domains, 2).unwrap();
    assert_eq!(event_list(&back), event_list(&state));
    assert_eq!(back.events.len(), 7);

    // The same index as older builds wrote it: no `link` column in `links_in`, every
    // link column inline in `link_events`.
    let without_link = |b: &RecordBatch| {
        let keep: Vec<usize> = (0..b.num_columns())
            .filter(|&i| b.schema().field(i).name() != "link")
            .collect();
        b.project(&keep).unwrap()
    };
    let old_links: Vec<RecordBatch> = links.iter().map(without_link).collect();
    let old_events: Vec<RecordBatch> = events
        .iter()
        .map(|e| {
            let link = e.column_by_name("link").unwrap();
            let link = link.as_any().downcast_ref::<Int64Array>().unwrap();
            let at = UInt32Array::from_iter_values(link.values().iter().map(|&r| r as u32));
            let mut columns: Vec<Arc<dyn Array>> = e.columns()[..4].to_vec();
            let mut fields: Vec<_> = e.schema().fields()[..4].to_vec();
            let inline = without_link(&all_links);
            for (field, column) in inline.schema().fields().iter().zip(inline.columns()) {
                fields.push(Arc::clone(field));
                columns.push(take(column, &at, None).unwrap());
            }
            let schema = Arc::new(deltalake::arrow::datatypes::Schema::new(fields));
            RecordBatch::try_new(schema, columns).unwrap()
        })
        .collect();
    let back = restore::restore(&pages, &old_links, &old_events, &domains, 2).unwrap();
    assert_eq!(event_list(&back), event_list(&state));

    // An event naming a row `links_in` does not have is refused, not guessed.
    let mut bad = events[0].columns().to_vec();
    let last = bad.len() - 1;
    bad[last] = Arc::new(Int64Array::from(vec![99; events[0].num_rows()]));
    let bad = RecordBatch::try_new(events[0].schema(), bad).unwrap();
    assert!(matches!(
        restore::restore(&pages, &links, &[bad], &domains, 2),
        Err(StoreError::Corrupt {
            table: "link_events",
            ..
        })
    ));
}

#[test]
fn link_events_are_written_by_target_then_time_kind_and_row() {
    use crate::state::EventKind;
    use deltalake::arrow::array::{Int64Array, StringArray, TimestampMicrosecondArray};
    use deltalake::arrow::compute::concat_batches;

    let mut state = IndexState::default();
    let pages = ["http://a.com/", "http://b.com/", "http://c.com/p"];
    let targets = [
        "http://x.com/",
        "http://y.com/",
        "http://z.com/q",
        "http://a.com/",
    ];
    // Three crawls: each page links to a different subset each time, so links appear,
    // are lost and come back at different times on every target.
    for (crawl, t) in [1_700_000_000, 1_700_100_000, 1_700_200_000]
        .into_iter()
        .enumerate()
    {
        let visits = pages
            .iter()
            .enumerate()
            .map(|(p, url)| {
                let links: Vec<&str> = targets
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| (k + p + crawl) % 3 != 0)
                    .map(|(_, to)| *to)
                    .collect();
                let mut v = visit(url, t + p as i64, &links);
                // A second link to the first target, listed first, whose anchor sorts
                // after "anchor": its event ties with that link's on target, time and
                // kind, and the rows must decide.
                let other = LinkSeen::href(NormalUrl::parse(links[0]).unwrap(), "other");
                v.links.insert(0, other);
                v
            })
            .collect();
        state.merge(visits).unwrap();
    }
    let ranks = serialize::Ranks::new(&state);
    let events = concat_batches(
        &schema::LINK_EVENTS,
        &serialize::link_events(&state, &ranks)
            .collect::<Result<Vec<_>, _>>()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(events.num_rows(), state.events.len());
    assert!(state.events.iter().any(|e| e.kind == EventKind::Lost));
    let text = |name: &str| {
        events
            .column_by_name(name)
            .unwrap()
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap()
            .clone()
    };
    let (to_key, kind) = (text("to_key"), text("type"));
    let time = events
        .column_by_name("time")
        .unwrap()
        .as_any()
        .downcast_ref::<TimestampMicrosecondArray>()
        .unwrap();
    let link = events
        .column_by_name("link")
        .unwrap()
        .as_any()
        .downcast_ref::<Int64Array>()
        .unwrap();
    let rows: Vec<(&str, i64, bool, i64)> = (0..events.num_rows())
        .map(|i| {
            (
                to_key.value(i),
                time.value(i),
                kind.value(i) == "lost",
                link.value(i),
            )
        })
        .collect();
    assert!(
        rows.windows(2).all(|w| w[0] < w[1]),
        "not in (target, time, kind, row) order: {rows:?}"
    );
}

/// zstd makes a context per column chunk read, which costs lookups dearly on virtual
/// machines (`delta::COMPRESSION`): no table may fall back to another codec.
#[test]
fn every_column_of_every_table_is_lz4() {
    use deltalake::parquet::basic::Compression;
    use deltalake::parquet::file::reader::{FileReader, SerializedFileReader};

    let (dir, _index, _) = committed(vec![
        visit("http://a.com/", 1_700_000_000, &["http://x.com/"]),
        visit("http://b.com/p", 1_700_000_100, &["http://a.com/"]),
    ]);

    let mut chunks = 0;
    for table in std::fs::read_dir(dir.path()).unwrap() {
        let table = table.unwrap().path();
        for file in std::fs::read_dir(&table).into_iter().flatten() {
            let file = file.unwrap().path();
            if file.extension().is_none_or(|e| e != "parquet") {
                continue;
            }
            let reader = SerializedFileReader::new(std::fs::File::open(&file).unwrap()).unwrap();
            for group in reader.metadata().row_groups() {
                for column in group.columns() {
                    assert_eq!(
                        column.compression(),
                        Compression::LZ4_RAW,
                        "{} in {}",
                        column.column_path(),
                        file.display()
                    );
                    chunks += 1;
                }
            }
        }
    }
    // links_in, links_out, pages, domains, link_events and the manifest at the least.
    assert!(chunks > 60, "only {chunks} column chunks found");
}

/// A load stops at the first error, whether the caller's or the decoder's, and neither
/// hangs nor panics.
#[test]
fn reading_batch_by_batch_stops_at_the_first_error() {
    let (dir, index, v) = committed(vec![visit(
        "http://a.com/",
        1_700_000_000,
        &["http://x.com/"],
    )]);
    let path = dir.path().join("links_in");
    let version = v.table_version("links_in").unwrap();

    let mut seen = 0;
    let stopped = index.block_on(delta::for_each_batch(
        &path,
        version,
        |_| None,
        |_| {
            seen += 1;
            Err(StoreError::NoSuchVersion("stop".into()))
        },
    ));
    assert!(matches!(stopped, Err(StoreError::NoSuchVersion(_))));
    assert_eq!(seen, 1);

    // A data file cut short: an error, not a panic, and the index as it was otherwise.
    let file = std::fs::read_dir(&path)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "parquet"))
        .unwrap();
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    let cut = index.block_on(delta::for_each_batch(&path, version, |_| None, |_| Ok(())));
    assert!(cut.is_err());
    assert!(index.load_state(Some(&v)).is_err());
}

/// The load grows its tables once from the footers' row counts; the counts are a hint,
/// so room reserved (or refused, for counts no table can have) changes no restored row.
#[test]
fn a_restore_is_the_same_with_room_reserved_or_not() {
    let (_dir, index, version) = committed(vec![
        visit(
            "http://a.com/",
            1_700_000_000,
            &["http://x.com/", "http://a.com/b"],
        ),
        visit("http://a.com/b", 1_700_000_100, &["http://x.com/"]),
    ]);
    let tables = |reserve: Option<(u64, u64, u64)>| {
        let mut restorer = restore::Restorer::new(1);
        if let Some((pages, links, events)) = reserve {
            restorer.reserve(pages, links, events, crate::Room::default());
        }
        let feed = |table: &str, each: &mut dyn FnMut(&RecordBatch) -> Result<(), StoreError>| {
            for batch in index.read_table(&version, table).unwrap() {
                each(&batch).unwrap();
            }
        };
        feed("pages", &mut |b| restorer.pages(b));
        feed("links_in", &mut |b| restorer.links(b));
        feed("link_events", &mut |b| restorer.events(b));
        feed("domains", &mut |b| restorer.domains(b));
        let state = restorer.finish();
        let links: Vec<(String, String, i64)> = state
            .links
            .iter()
            .map(|l| {
                (
                    state.urls.info(l.key.from).url.to_string(),
                    state.urls.info(l.key.to).url.to_string(),
                    l.first_seen,
                )
            })
            .collect();
        let mut pages: Vec<u32> = state.pages.keys().copied().collect();
        pages.sort_unstable();
        (links, pages, state.events.len(), state.links_of(0).to_vec())
    };
    let plain = tables(None);
    assert_eq!(plain.0.len(), 3);
    assert!(!plain.3.is_empty(), "the first page's links, by page");
    assert_eq!(tables(Some((2, 3, 3))), plain);
    assert_eq!(tables(Some((u64::MAX, u64::MAX, u64::MAX))), plain);
    assert_eq!(tables(Some((0, u64::from(u32::MAX) + 1, 0))), plain);
}
