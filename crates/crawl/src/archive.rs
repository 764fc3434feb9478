//! How one fetch is archived: a `response` record (with `WARC-IP-Address` and the
//! payload digest; `WARC-Truncated: length` when the body was cut), the `request` that
//! produced it, and a `metadata` record saying how the crawler got there (`via`,
//! `hopsFromSeed`, `fetchTimeMs`). A fetch that produced no response gets a `metadata`
//! record with the error instead.

use chrono::{DateTime, Utc};
use hrefdex_warc::{HttpCapture, RotatingWarcWriter, WarcError};

use crate::fetch::Fetched;
use crate::frontier::FrontierEntry;

/// Writes the records of one response.
pub fn archive_response(
    warc: &mut RotatingWarcWriter,
    fetched: &Fetched,
    entry: Option<&FrontierEntry>,
    request_headers: &[(&str, &str)],
) -> Result<(), WarcError> {
    let w = warc.writer(fetched.date)?;
    let uri = fetched.url.as_str();
    let ip = fetched.ip.map(|ip| ip.to_string());
    let headers = fetched.header_pairs();
    let capture = HttpCapture {
        uri,
        date: fetched.date,
        ip: ip.as_deref(),
        status: fetched.status,
        headers: &headers,
        body: &fetched.body,
    };
    let id = w.new_record_id();
    let extra: &[(&str, &str)] = if fetched.truncated {
        &[("WARC-Truncated", "length")]
    } else {
        &[]
    };
    w.write_capture(&id, &capture, extra)?;
    w.write_request(uri, fetched.date, "GET", request_headers, Some(&id))?;
    let ms = fetched.elapsed.as_millis().to_string();
    let mut fields = vec![("fetchTimeMs", ms.as_str())];
    let depth;
    if let Some(e) = entry {
        depth = e.depth.to_string();
        fields.push(("hopsFromSeed", depth.as_str()));
        if !e.via.is_empty() {
            fields.push(("via", e.via.as_str()));
        }
    }
    w.write_metadata(uri, fetched.date, Some(&id), &fields)?;
    Ok(())
}

/// Writes a `metadata` record for a fetch that failed (`fetch-error: timeout`, …).
pub fn archive_failure(
    warc: &mut RotatingWarcWriter,
    entry: &FrontierEntry,
    date: DateTime<Utc>,
    kind: &str,
    message: &str,
) -> Result<(), WarcError> {
    let w = warc.writer(date)?;
    let message = message.replace(['\r', '\n'], " ");
    let mut fields = vec![
        ("fetch-error", kind),
        ("fetch-error-message", message.as_str()),
    ];
    if !entry.via.is_empty() {
        fields.push(("via", entry.via.as_str()));
    }
    w.write_metadata(entry.url.as_str(), date, None, &fields)?;
    Ok(())
}
