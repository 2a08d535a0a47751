//! Access tokens: random, shown once, stored only as a SHA-256 hash.

use rand::Rng;
use sha2::{Digest, Sha256};

/// A new token: `hf_` followed by 37 random alphanumerics. The `hf_` prefix keeps clients that
/// sniff token shapes happy (they refuse `api_org_` tokens, for instance).
pub fn generate_token() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    let body: String = (0..37)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("hf_{body}")
}

/// The stored form of a token. Tokens carry 220 bits of entropy, so an unsalted fast hash is
/// enough: nothing can be brute-forced from it.
pub fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_unique_and_hash_stably() {
        let a = super::generate_token();
        let b = super::generate_token();
        assert_ne!(a, b);
        assert!(a.starts_with("hf_") && a.len() == 40);
        assert_eq!(super::hash_token(&a), super::hash_token(&a));
        assert_ne!(super::hash_token(&a), super::hash_token(&b));
    }
}
