//! Arbitrary bytes as an archive file (plain or gzip): framing, HTTP parsing,
//! payload decoding and page observation must never panic or hang.
#![no_main]

use hrefdex_extract::{RecordReader, observe_record};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(reader) = RecordReader::new(data) else { return };
    for rec in reader.take(1000).flatten() {
        let _ = observe_record(&rec, "fuzz");
    }
});
