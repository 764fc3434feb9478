use super::*;

const SERVER: ParseOptions = ParseOptions {
    require_token: true,
};

fn parse(q: &str) -> Result<Request, String> {
    Request::parse(&Params::from_query(q.as_bytes()), SERVER).map_err(|e| e.to_string())
}

fn err(q: &str) -> String {
    parse(q).expect_err(q)
}

const OK: &str = "token=t&from=backlinks&target=ahrefs.com&mode=domain";

#[test]
fn documented_examples_parse() {
    for q in [
        "from=backlinks&limit=100&target=ahrefs.com&mode=prefix&output=xml&token=012345",
        "token=012345&target=ahrefs.com&mode=exact&from=anchors&limit=1000&output=json&select=anchor,backlinks,refpages,refdomains,first_seen",
        "token=012345&target=ahrefs.com&mode=exact&from=anchors&limit=1000&output=xml&where=last_visited%3E%222013-11-01%22,first_seen%3E%222013-01-01%22&having=backlinks%3E10",
        "token=012345&target=ahrefs.com&mode=exact&from=backlinks_new_lost&limit=1000&output=xml&where=substring%28url_to,%22ample%22%29&having=word%28title,%22the%22%29&select=date,type,ahrefs_rank,domain_rating,url_from,url_to,encoding,http_code,title",
        "token=012345&target=ahrefs.com&mode=exact&from=ahrefs_rank&limit=1000&output=xml&order_by=ahrefs_rank%3Adesc",
        "token=t&from=refdomains_new_lost&target=ahrefs.com&mode=domain&limit=3&order_by=domain_rating%3Adesc&where=date%3D%222013-11-24%22%2Ctype%3D%22lost%22&output=json",
        "token=t&from=refdomains_new_lost_counters&target=ahrefs.com&mode=domain&limit=3&where=type%3A%22lost%22&having=date%3C%3D%222013-11-24%22&order_by=date%3Adesc&output=json",
        "token=t&from=refdomains_by_type&target=ahrefs.com&mode=domain&limit=3&where=gov%3Dtrue&output=xml",
        "token=t&from=pages_extended&target=a.com&mode=domain&limit=5000&where=http_code%3D200&order_by=ahrefs_rank:desc",
        "token=t&from=positions_metrics&target=a.com&mode=subdomains&where=country%3D%22us%22",
        "token=t&from=linked_domains_by_type&target=a.com&mode=subdomains&limit=0",
        "token=t&from=subscription_info",
        "token=t&from=domain_rating&target=ahrefs.com",
    ] {
        parse(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    }
}

#[test]
fn parsed_fields() {
    let r = parse("token=t&from=backlinks&target=https://www.ahrefs.com/api/&mode=prefix&select=url_from,anchor&where=nofollow=false&order_by=first_seen:desc,url_to&limit=10&offset=20&output=php&data=ignored").unwrap();
    assert_eq!(r.table.name, "backlinks");
    assert_eq!(
        r.key_ranges(),
        vec![KeyRange::Prefix("com,ahrefs)/api/".into())]
    );
    assert_eq!(
        r.select.iter().map(|c| c.name).collect::<Vec<_>>(),
        ["url_from", "anchor"]
    );
    assert_eq!(r.where_.len(), 1);
    assert_eq!((r.limit, r.offset, r.output), (10, 20, OutputFormat::Php));
    let order: Vec<_> = r
        .effective_order()
        .iter()
        .map(|k| (k.column.name, k.direction))
        .collect();
    assert_eq!(
        order,
        [
            ("first_seen", Direction::Desc),
            ("url_to", Direction::Asc),
            ("ahrefs_rank", Direction::Desc),
            ("url_from", Direction::Asc)
        ]
    );
    assert_eq!(r.cost(10), 1 + 2 + 5 + 5);
}

#[test]
fn defaults() {
    let r = parse(OK).unwrap();
    assert_eq!(
        (r.limit, r.offset, r.output),
        (DEFAULT_LIMIT, 0, OutputFormat::Json)
    );
    assert!(r.select.iter().all(|c| c.in_star));
    assert!(!r.select.iter().any(|c| c.name == "sitewide"));
    assert_eq!(
        parse("token=t&from=domain_rating&target=a.com")
            .unwrap()
            .mode,
        Some(Mode::Domain)
    );
    assert_eq!(
        parse(&format!("{OK}&limit=9999999999")).unwrap().limit,
        MAX_LIMIT
    );
    assert_eq!(
        parse(&format!("{OK}&select=*,sitewide"))
            .unwrap()
            .select
            .last()
            .unwrap()
            .name,
        "sitewide"
    );
    let no_token = Request::parse(
        &Params::from_query(b"from=subscription_info"),
        ParseOptions {
            require_token: false,
        },
    );
    assert!(no_token.is_ok());
}

#[test]
fn every_error_of_the_seed_table_is_reachable() {
    let cases = [
        (
            "from=backlinks&target=a.com&mode=domain",
            "token: mandatory parameter missing",
        ),
        (
            "token=&from=backlinks&target=a.com&mode=domain",
            "token: mandatory parameter missing",
        ),
        (
            "token=%FF&from=backlinks",
            "token: value is not valid UTF-8",
        ),
        (
            "token=t&target=a.com&mode=domain",
            "from: mandatory parameter missing",
        ),
        (
            "token=t&from=backlinkz&target=a.com&mode=domain",
            "from: table 'backlinkz' not found",
        ),
        (
            "token=t&from=backlinks&mode=domain",
            "target: mandatory parameter missing",
        ),
        (
            "token=t&from=backlinks&target=%C3%28&mode=domain",
            "target: value is not valid UTF-8",
        ),
        (
            "token=t&from=backlinks&target=http://&mode=domain",
            "bad target: 'http://'",
        ),
        (
            "token=t&from=backlinks&target=a b.com&mode=domain",
            "bad target: 'a b.com'",
        ),
        (
            "token=t&from=backlinks&target=a.com",
            "mode: mandatory parameter missing",
        ),
        (
            "token=t&from=backlinks&target=a.com&mode=json",
            "bad mode: 'json'",
        ),
        (&format!("{OK}&output=csv"), "bad output: 'csv'"),
        (
            &format!("{OK}&select=url_from,nope"),
            "select: column 'nope' not found",
        ),
        (
            &format!("{OK}&select=sitewide,ugc"),
            "select: column 'ugc' not found",
        ),
        (
            "token=t&from=anchors&target=a.com&mode=domain&select=refdomain",
            "select: column 'refdomain' not found",
        ),
        (
            &format!("{OK}&order_by=first_seen:up"),
            "order_by: bad sorting direction 'up'",
        ),
        (
            &format!("{OK}&order_by=first_seen:asc:desc"),
            "order_by: bad syntax",
        ),
        (
            &format!("{OK}&order_by=first_seen,,url_to"),
            "order_by: bad syntax",
        ),
        (
            &format!("{OK}&order_by=first_seen:"),
            "order_by: bad syntax",
        ),
        (
            &format!("{OK}&order_by=foobar_rating:desc"),
            "order_by: column 'foobar_rating' not found",
        ),
        (&format!("{OK}&where=anchor"), "where: bad syntax"),
        (
            &format!("{OK}&where=nope=1"),
            "where: column 'nope' not found",
        ),
        (
            &format!("{OK}&where=word(ahrefs_rank,\"1\")"),
            "where: function 'word' cannot be applied to column 'ahrefs_rank'",
        ),
        (
            &format!("{OK}&where=like(anchor,\"1\")"),
            "where: unknown function 'like'",
        ),
        (
            &format!("{OK}&where=anchor=\"\\t\""),
            "where: value '\\t' is not properly escaped",
        ),
        (
            &format!("{OK}&where=ahrefs_rank=\"x\""),
            "where: value 'x' must be a int",
        ),
        (
            &format!("{OK}&where=%FF"),
            "where: value is not valid UTF-8",
        ),
        (&format!("{OK}&having=anchor"), "having: bad syntax"),
        (
            &format!("{OK}&having=nope=1"),
            "having: column 'nope' not found",
        ),
        (
            &format!("{OK}&having=subdomain(title,\"a.com\")"),
            "having: function 'subdomain' cannot be applied to column 'title'",
        ),
        (
            &format!("{OK}&having=like(anchor,\"1\")"),
            "having: unknown function 'like'",
        ),
        (
            &format!("{OK}&having=anchor=\"\\q\""),
            "having: value '\\q' is not properly escaped",
        ),
        (
            &format!("{OK}&having=first_seen>\"soon\""),
            "having: value 'soon' must be a date",
        ),
        (&format!("{OK}&limit=-1"), "limit: bad syntax"),
        (&format!("{OK}&limit=1.5"), "limit: bad syntax"),
        (&format!("{OK}&offset=abc"), "offset: bad syntax"),
        (&format!("{OK}&as_of=yesterday"), "as_of: bad syntax"),
    ];
    for (q, want) in cases {
        assert_eq!(err(q), want, "{q}");
    }
}

#[test]
fn validation_order_follows_the_error_table() {
    // Several faults at once: the first in the table's order wins.
    assert_eq!(
        err("from=nope&mode=bad&output=bad"),
        "token: mandatory parameter missing"
    );
    assert_eq!(
        err("token=t&from=nope&mode=bad&output=bad"),
        "from: table 'nope' not found"
    );
    assert_eq!(
        err("token=t&from=backlinks&mode=bad&output=bad"),
        "target: mandatory parameter missing"
    );
    assert_eq!(
        err("token=t&from=backlinks&target=a.com&mode=bad&output=bad"),
        "bad mode: 'bad'"
    );
    assert_eq!(
        err(&format!("{OK}&output=bad&select=nope")),
        "bad output: 'bad'"
    );
    assert_eq!(
        err(&format!("{OK}&select=nope&where=x")),
        "select: column 'nope' not found"
    );
    assert_eq!(err(&format!("{OK}&where=x&having=y")), "where: bad syntax");
    assert_eq!(
        err(&format!("{OK}&having=y&order_by=z")),
        "having: bad syntax"
    );
    assert_eq!(
        err(&format!("{OK}&order_by=z&limit=x")),
        "order_by: column 'z' not found"
    );
}

#[test]
fn error_format_follows_a_valid_output_parameter() {
    assert_eq!(
        OutputFormat::for_errors(&Params::from_query(b"output=xml")),
        OutputFormat::Xml
    );
    assert_eq!(
        OutputFormat::for_errors(&Params::from_query(b"output=yaml")),
        OutputFormat::Json
    );
    assert_eq!(
        OutputFormat::for_errors(&Params::from_query(b"")),
        OutputFormat::Json
    );
}

#[test]
fn subscription_info_needs_no_target() {
    let r = parse("token=t&from=subscription_info&target=&mode=nonsense").unwrap();
    assert!(r.target.is_none() && r.key_ranges().is_empty());
    assert_eq!(r.cost(1), 0);
}

#[test]
fn object_tables_bill_one_result() {
    let r = parse("token=t&from=metrics_extended&target=a.com&mode=domain").unwrap();
    assert_eq!(r.cost(1), 2);
    assert_eq!(r.select.len(), 23);
}

#[test]
fn as_of_dates_mean_the_end_of_the_day() {
    assert_eq!(parse_as_of("7"), Ok(AsOf::Version(7)));
    assert_eq!(
        parse_as_of("2026-11-30"),
        Ok(AsOf::Time(parse_datetime("2026-11-30T23:59:59Z").unwrap()))
    );
    assert_eq!(
        parse_as_of("2026-11-30T12:00:00Z"),
        Ok(AsOf::Time(parse_datetime("2026-11-30T12:00:00Z").unwrap()))
    );
    assert_eq!(parse_as_of("soon"), Err(ApiError::ParamSyntax("as_of")));
}
