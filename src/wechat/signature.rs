//! WeChat's request signature: proof that a request comes from WeChat's servers, which know the
//! token set in the Official Account's server settings. Every request (the GET that verifies the
//! URL and each POSTed message) carries `signature`, `timestamp` and `nonce` in its query string.

use sha1::{Digest, Sha1};

/// The signature WeChat computes: hex SHA-1 of token, timestamp and nonce, sorted and concatenated.
pub fn sign(token: &str, timestamp: &str, nonce: &str) -> String {
    let mut parts = [token, timestamp, nonce];
    parts.sort_unstable();
    let digest = Sha1::digest(parts.concat().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Does `signature` match? Compared in constant time, case-insensitively (hex).
pub fn verify(token: &str, timestamp: &str, nonce: &str, signature: &str) -> bool {
    let expected = sign(token, timestamp, nonce);
    expected.len() == signature.len()
        && expected.bytes().zip(signature.bytes()).fold(0u8, |diff, (a, b)| diff | (a ^ b.to_ascii_lowercase())) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    // computed independently: python3 -c "import hashlib; print(hashlib.sha1(''.join(sorted([t, ts, n])).encode()).hexdigest())"
    const TOKEN: &str = "test-token";
    const TIMESTAMP: &str = "1700000000";
    const NONCE: &str = "nonce123";
    const SIGNATURE: &str = "787af2463edbcb606fed91282e510ec308b14c62";

    #[test]
    fn known_vector() {
        assert_eq!(sign(TOKEN, TIMESTAMP, NONCE), SIGNATURE);
        assert_eq!(sign("piyao", "1409304348", "xxxxxx"), "72920ab2713e6f3184d9f23245d9a9a644eeeeff");
    }

    #[test]
    fn verifies_only_the_right_signature() {
        assert!(verify(TOKEN, TIMESTAMP, NONCE, SIGNATURE));
        assert!(verify(TOKEN, TIMESTAMP, NONCE, &SIGNATURE.to_uppercase()));
        assert!(!verify("other-token", TIMESTAMP, NONCE, SIGNATURE));
        assert!(!verify(TOKEN, "1700000001", NONCE, SIGNATURE));
        assert!(!verify(TOKEN, TIMESTAMP, NONCE, &SIGNATURE[..39]));
        assert!(!verify(TOKEN, TIMESTAMP, NONCE, ""));
    }
}
