//! Token secrets: generated at random, shown once, stored only as a SHA-256 hash.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::AccountsError;

/// Random bytes in a token (256 bits).
pub const TOKEN_BYTES: usize = 32;

/// Characters of the token kept in clear for listings (`token list`), enough to tell
/// tokens apart, far too few to guess the rest.
pub const PREFIX_CHARS: usize = 6;

/// A new random token: 32 bytes from the operating system, as 64 lower-case hex digits.
pub fn generate() -> Result<String, AccountsError> {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| AccountsError::Random(e.to_string()))?;
    Ok(hex::encode(bytes))
}

/// The stored form of a token.
pub fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Whether `token` hashes to `stored`, compared in constant time.
pub fn matches(token: &str, stored: &[u8]) -> bool {
    hash(token).ct_eq(stored).into()
}

/// The clear prefix kept for listings.
pub fn prefix(token: &str) -> String {
    token.chars().take(PREFIX_CHARS).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn tokens_are_random_hex_and_match_only_their_hash() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert_eq!(a.len(), 2 * TOKEN_BYTES);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert!(matches(&a, &hash(&a)));
        assert!(!matches(&b, &hash(&a)));
        assert!(!matches(&a, &hash(&a)[..31]));
        assert_eq!(prefix(&a).len(), PREFIX_CHARS);
    }
}
