use std::collections::HashSet;
use std::path::PathBuf;

use super::*;

#[test]
fn there_are_25_tables_with_unique_names() {
    let names: HashSet<_> = all().iter().map(|t| t.name).collect();
    assert_eq!(names.len(), 25);
    assert!(table("backlinks").is_some());
    assert!(table("nope").is_none());
}

#[test]
fn default_orders_and_groups_name_real_columns() {
    for t in all() {
        for (c, _) in t.default_order {
            let col = t
                .column(c)
                .unwrap_or_else(|| panic!("{}: order column {c}", t.name));
            assert!(col.having, "{}: default order on non-sortable {c}", t.name);
        }
        for g in t.group_by {
            assert!(t.column(g).is_some(), "{}: group column {g}", t.name);
        }
        assert!(t.star_columns().count() > 0, "{}", t.name);
        assert_eq!(
            t.shape == Shape::Rows,
            !t.default_order.is_empty(),
            "{}",
            t.name
        );
    }
}

#[test]
fn costs_follow_the_documented_examples() {
    // "1,000 referring domains ⇒ 1 + 1,000 = 1,001 rows".
    assert_eq!(
        table("refdomains")
            .unwrap()
            .cost
            .charge(1000, false, false, false),
        1001
    );
    // 0.2 rows per backlink, rounded up per request.
    let backlinks = table("backlinks").unwrap().cost;
    assert_eq!(backlinks.charge(1000, false, false, false), 201);
    assert_eq!(backlinks.charge(3, false, false, false), 2);
    assert_eq!(backlinks.charge(3, true, true, true), 17);
    let by_type = table("refdomains_by_type").unwrap().cost;
    assert_eq!(by_type.charge(0, true, true, true), 40);
    assert_eq!(
        table("subscription_info")
            .unwrap()
            .cost
            .charge(1, true, true, true),
        0
    );
    assert_eq!(
        table("domain_rating")
            .unwrap()
            .cost
            .charge(1, false, false, false),
        1
    );
    assert_eq!(
        table("metrics_extended")
            .unwrap()
            .cost
            .charge(1, false, false, false),
        2
    );
    assert_eq!(
        table("broken_backlinks")
            .unwrap()
            .cost
            .charge(10, false, false, false),
        51
    );
}

#[test]
fn old_names_are_aliases() {
    let t = table("broken_links").unwrap();
    assert_eq!(t.column("domain_rating").unwrap().name, "domain_to_rating");
}

#[test]
fn filter_only_columns_are_never_returned() {
    for t in all() {
        for c in t.columns {
            if c.where_ && !c.having && t.shape == Shape::Rows {
                assert!(!c.returned && !c.in_star, "{}.{}", t.name, c.name);
            }
        }
    }
}

fn spec_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/spec"));
    if dir.join("tables.json").exists() {
        Some(dir)
    } else {
        eprintln!("SKIP: ../shared/spec/tables.json not found; catalogue not cross-checked");
        None
    }
}

/// The code is the source of truth, but it must not drift from the reconstructed spec.
#[test]
fn catalogue_agrees_with_spec_tables_json() {
    let Some(dir) = spec_dir() else { return };
    let text = std::fs::read_to_string(dir.join("tables.json")).unwrap();
    let spec: serde_json::Value = serde_json::from_str(&text).unwrap();
    let tables = spec["tables"].as_object().unwrap();
    assert_eq!(tables.len(), all().len());
    for (name, st) in tables {
        let t = table(name).unwrap_or_else(|| panic!("missing table {name}"));
        assert_eq!(
            t.response_key,
            st["response_key"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(
            t.shape == Shape::Object,
            st["response_shape"] == "object",
            "{name}"
        );
        let spec_cols = st["columns"].as_array().unwrap();
        assert_eq!(t.columns.len(), spec_cols.len(), "{name}");
        for (c, sc) in t.columns.iter().zip(spec_cols) {
            assert_eq!(c.name, sc["name"].as_str().unwrap(), "{name}");
            let ty = match sc["type"].as_str().unwrap() {
                "string" => "string",
                "boolean" | "bool" => "bool",
                other => other,
            };
            assert_eq!(c.ty.name(), ty, "{name}.{}", c.name);
            if sc["status"] != "undocumented_observed" {
                assert_eq!(c.where_, sc["where"] == true, "{name}.{} where", c.name);
                assert_eq!(c.having, sc["having"] == true, "{name}.{} having", c.name);
            }
        }
        let stats: Vec<&str> = st["extra_tables"]["stats"]
            .as_array()
            .map(|a| a.iter().map(|f| f["name"].as_str().unwrap()).collect())
            .unwrap_or_default();
        let ours: Vec<&str> = t
            .extras
            .iter()
            .find_map(|e| match e {
                Extra::Stats(f) => Some(f.to_vec()),
                Extra::Tlds => None,
            })
            .unwrap_or_default();
        assert_eq!(ours, stats, "{name} stats");
        assert_eq!(
            t.extras.contains(&Extra::Tlds),
            st["extra_tables"].get("tlds").is_some(),
            "{name} tlds"
        );
        let out: Vec<&str> = st["output_columns_default"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let returned: Vec<&str> = t
            .columns
            .iter()
            .filter(|c| c.returned)
            .map(|c| c.name)
            .collect();
        assert_eq!(returned, out, "{name} returned columns");
    }
}
