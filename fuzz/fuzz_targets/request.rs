//! Fuzzes the whole v2 request path: form decoding, validation, the filter language,
//! key ranges and the encoders. Any panic is a bug; every input must give a request or
//! an `ApiError`.
#![no_main]

use hrefdex_api::catalogue;
use hrefdex_api::encode::{Answer, Extras, encode_error};
use hrefdex_api::params::Params;
use hrefdex_api::{OutputFormat, ParseOptions, Request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    // Half the inputs are whole query strings; the rest go straight into one filter or
    // order parameter of a valid request, so the condition grammar gets deep coverage.
    let params = match selector % 4 {
        0 | 1 => Params::from_query(rest),
        2 => {
            let mut p = Params::from_query(b"from=backlinks&target=example.com&mode=prefix");
            let mut q = b"where=".to_vec();
            q.extend_from_slice(rest);
            p.merge_form(&q);
            p
        }
        _ => {
            let table = catalogue::all()[usize::from(selector) % 25];
            let mut p = Params::from_query(b"target=example.com&mode=domain");
            p.set("from", table.name);
            let name = if selector & 0x10 == 0 { "having" } else { "order_by" };
            p.set(name, &String::from_utf8_lossy(rest));
            p
        }
    };
    for require_token in [false, true] {
        match Request::parse(&params, ParseOptions { require_token }) {
            Ok(request) => {
                let _ = request.effective_order();
                for range in request.key_ranges() {
                    assert!(range.lower() < range.upper_exclusive().as_str());
                }
                let _ = request.cost(request.limit);
                let answer = Answer { table: request.table, columns: request.select.clone(), rows: vec![], extras: Extras::default() };
                for format in [OutputFormat::Json, OutputFormat::Xml, OutputFormat::Php] {
                    let _ = answer.encode(format);
                }
            }
            Err(error) => {
                let body = encode_error(&error, OutputFormat::for_errors(&params));
                assert!(!body.is_empty());
            }
        }
    }
});
