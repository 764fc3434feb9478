//! HTTP message heads as they are archived in `request`/`response`/`revisit` blocks.

/// The standard reason phrase of a status code (`""` when unknown).
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// `HTTP/1.1 <status> <reason>`, the headers, and the empty line that ends the head.
pub fn response_head(status: u16, headers: &[(&str, &str)]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} {}\r\n", reason_phrase(status)).into_bytes();
    push_headers(&mut out, headers);
    out
}

/// `<method> <path> HTTP/1.1`, a `Host` header (unless given), the headers and the empty
/// line, for a request of `uri`.
pub fn request_head(method: &str, uri: &str, headers: &[(&str, &str)]) -> Vec<u8> {
    let rest = uri.split_once("://").map_or(uri, |(_, r)| r);
    let (host, path) = match rest.find(['/', '?']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let path = if path.starts_with('?') {
        format!("/{path}")
    } else {
        path.to_owned()
    };
    let mut out = format!("{method} {path} HTTP/1.1\r\n").into_bytes();
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        out.extend_from_slice(format!("Host: {host}\r\n").as_bytes());
    }
    push_headers(&mut out, headers);
    out
}

fn push_headers(out: &mut Vec<u8>, headers: &[(&str, &str)]) {
    for (k, v) in headers {
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(v.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads() {
        assert_eq!(
            response_head(404, &[("Content-Length", "0")]),
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        );
        assert_eq!(
            request_head("GET", "https://a.example/x?y=1", &[]),
            b"GET /x?y=1 HTTP/1.1\r\nHost: a.example\r\n\r\n"
        );
        assert_eq!(
            request_head("GET", "http://a.example", &[("Host", "h")]),
            b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"
        );
    }
}
