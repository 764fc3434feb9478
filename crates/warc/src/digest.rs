//! Digests as WARC writes them: `sha1:` followed by the base32 (RFC 4648) of the SHA-1.

use sha1::{Digest, Sha1};

/// `sha1:<BASE32>` of `bytes`, the form of `WARC-Block-Digest` and `WARC-Payload-Digest`.
pub fn sha1_base32(bytes: &[u8]) -> String {
    let hash = Sha1::digest(bytes);
    format!("sha1:{}", data_encoding::BASE32.encode(&hash))
}

#[cfg(test)]
mod tests {
    use super::sha1_base32;

    #[test]
    fn known_digests() {
        // SHA-1("") = da39a3ee…; its base32 is the well-known empty-payload digest.
        assert_eq!(sha1_base32(b""), "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
        // SHA-1("abc") = a9993e36 4706816a ba3e2571 7850c26c 9cd0d89d.
        assert_eq!(sha1_base32(b"abc"), "sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5");
    }
}
