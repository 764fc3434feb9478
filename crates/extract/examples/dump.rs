//! Prints the page observations of archives as JSON lines, and the statistics on
//! stderr: `cargo run -p hrefdex-extract --example dump -- FILE...`.

use std::io::Write;
use std::sync::Mutex;

use hrefdex_extract::{PageObservation, SinkError, extract_files};

fn main() {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    let out = Mutex::new(std::io::BufWriter::new(std::io::stdout()));
    let sink = |p: PageObservation| -> Result<(), SinkError> {
        let line = serde_json::to_string(&p).map_err(|e| SinkError(Box::new(e)))?;
        let mut w = out
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        writeln!(w, "{line}").map_err(|e| SinkError(Box::new(e)))
    };
    match extract_files(&paths, 1, &sink) {
        Ok(stats) => eprintln!(
            "{}",
            serde_json::to_string_pretty(&stats).unwrap_or_default()
        ),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
