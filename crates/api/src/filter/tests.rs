use super::*;
use crate::catalogue::table;

fn parse(t: &str, clause: Clause, text: &str) -> Result<Vec<Condition>, String> {
    parse_conditions(text, table(t).unwrap(), clause).map_err(|e| e.to_string())
}

fn err(t: &str, clause: Clause, text: &str) -> String {
    parse(t, clause, text).expect_err(text)
}

#[test]
fn parses_comparisons_of_every_type() {
    let c = parse(
        "backlinks",
        Clause::Where,
        r#"ahrefs_rank>=10, nofollow=false,anchor:"a \"b\" \\ c",first_seen<"2013-01-01",ahrefs_rank<>"7""#,
    )
    .unwrap();
    assert_eq!(c.len(), 5);
    assert!(matches!(
        &c[0],
        Condition::Compare {
            op: Op::Ge,
            value: Value::Int(10),
            ..
        }
    ));
    assert!(matches!(
        &c[1],
        Condition::Compare {
            value: Value::Bool(false),
            ..
        }
    ));
    assert!(
        matches!(&c[2], Condition::Compare { op: Op::Eq, value: Value::Str(s), .. } if s == r#"a "b" \ c"#)
    );
    assert!(matches!(
        &c[3],
        Condition::Compare {
            op: Op::Lt,
            value: Value::Date(1_356_998_400),
            ..
        }
    ));
    assert!(matches!(
        &c[4],
        Condition::Compare {
            op: Op::Ne,
            value: Value::Int(7),
            ..
        }
    ));
}

#[test]
fn parses_functions_and_raw_commas_in_quotes() {
    let c = parse(
        "backlinks",
        Clause::Where,
        r#"subdomain(url_from,"example.com"),word(anchor,"a, b"),substring( title , "x")"#,
    )
    .unwrap();
    assert_eq!(c.len(), 3);
    assert!(matches!(&c[1], Condition::Function { func: Func::Word, text, .. } if text == "a, b"));
}

#[test]
fn day_columns_take_dates() {
    let c = parse(
        "refdomains_new_lost",
        Clause::Where,
        r#"date="2013-11-24",type="lost""#,
    )
    .unwrap();
    assert!(matches!(
        &c[0],
        Condition::Compare {
            value: Value::Day(16033),
            ..
        }
    ));
}

#[test]
fn aliases_resolve() {
    let c = parse("broken_links", Clause::Having, "domain_rating>10").unwrap();
    assert_eq!(c[0].column().name, "domain_to_rating");
}

#[test]
fn every_filter_error_text_is_reachable() {
    for clause in [Clause::Where, Clause::Having] {
        let p = clause.to_string();
        for bad in [
            "anchor",
            r#""x"=1"#,
            r#"anchor="open"#,
            "ahrefs_rank=1,",
            ",",
            "",
            "anchor=",
            "1a=2",
            "word(anchor,\"x\"",
            "anchor=\"x\" y",
        ] {
            assert_eq!(
                err("backlinks", clause, bad),
                format!("{p}: bad syntax"),
                "{bad:?}"
            );
        }
        assert_eq!(
            err("backlinks", clause, "nope=1"),
            format!("{p}: column 'nope' not found")
        );
        assert_eq!(
            err("backlinks", clause, r#"regex(anchor,"x")"#),
            format!("{p}: unknown function 'regex'")
        );
        assert_eq!(
            err("backlinks", clause, r#"substring(ahrefs_rank,"1")"#),
            format!("{p}: function 'substring' cannot be applied to column 'ahrefs_rank'")
        );
        assert_eq!(
            err("backlinks", clause, r#"subdomain(anchor,"x.com")"#),
            format!("{p}: function 'subdomain' cannot be applied to column 'anchor'")
        );
        assert_eq!(
            err("backlinks", clause, r#"anchor="a\nb""#),
            format!(r#"{p}: value 'a\nb' is not properly escaped"#)
        );
        assert_eq!(
            err("backlinks", clause, r#"word(anchor,"\x")"#),
            format!(r#"{p}: value '\x' is not properly escaped"#)
        );
        assert_eq!(
            err("backlinks", clause, r#"ahrefs_rank>"abc""#),
            format!("{p}: value 'abc' must be a int")
        );
        assert_eq!(
            err("backlinks", clause, "first_seen>2013"),
            format!("{p}: value '2013' must be a date")
        );
        assert_eq!(
            err("backlinks", clause, r#"first_seen>"2013-02-30""#),
            format!("{p}: value '2013-02-30' must be a date")
        );
        assert_eq!(
            err("backlinks", clause, "anchor=hello"),
            format!("{p}: value 'hello' must be a string")
        );
        assert_eq!(
            err("backlinks", clause, "nofollow=yes"),
            format!("{p}: value 'yes' must be a bool")
        );
        assert_eq!(
            err("backlinks", clause, "word(anchor,x)"),
            format!("{p}: value 'x' must be a string")
        );
    }
    // Flags are strict: having-only columns in where, filter-only columns in having.
    assert_eq!(
        err("backlinks", Clause::Where, "domain_rating>5"),
        "where: column 'domain_rating' not found"
    );
    assert_eq!(
        err("anchors", Clause::Having, r#"refdomain="a.com""#),
        "having: column 'refdomain' not found"
    );
    assert_eq!(
        err("positions_metrics", Clause::Where, "traffic>1"),
        "where: column 'traffic' not found"
    );
}

#[test]
fn floats_are_typed() {
    let c = parse("refdomains_by_type", Clause::Having, "traffic>1.5").unwrap();
    assert!(matches!(&c[0], Condition::Compare { value: Value::Float(f), .. } if *f == 1.5));
    assert_eq!(
        err("refdomains_by_type", Clause::Having, "traffic>inf"),
        "having: value 'inf' must be a float"
    );
}

#[test]
fn function_semantics() {
    assert!(substring_matches("Hello World", "LO wo"));
    assert!(!substring_matches("Hello", "xyz"));
    assert!(substring_matches("ÄRGER", "ärg"));
    assert!(word_matches("the quick-brown fox", "BROWN"));
    assert!(word_matches("the quick-brown fox", "quick brown"));
    assert!(!word_matches("theory", "the"));
    assert!(!word_matches("anything", ""));
    assert!(subdomain_matches(
        "https://www.Example.com:8080/x",
        "example.com"
    ));
    assert!(subdomain_matches("example.com", "example.com"));
    assert!(subdomain_matches("a.b.example.com/path", "b.example.com."));
    assert!(!subdomain_matches("badexample.com", "example.com"));
    assert!(!subdomain_matches(
        "http://user@evil.com/example.com",
        "example.com"
    ));
    assert!(!subdomain_matches("example.com", ""));
}
