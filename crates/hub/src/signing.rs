//! Signed, expiring URLs for LFS uploads.
//!
//! Clients PUT upload bodies with no credentials of their own (the LFS `basic` and `multipart`
//! transfers), so each URL carries an HMAC over everything it authorises: the action, the repo's
//! immutable id, the object, its size, the part number and the expiry. LFS upload URLs also sign
//! the id of the access token they were issued for ([`Signer::sign_for_token`]), so the hub can
//! refuse them once that token is revoked.

use hmac::{KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = hmac::Hmac<Sha256>;

/// What a signed URL allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedAction {
    /// `put` (basic), `part`, `complete` or `verify`.
    pub action: String,
    pub repo_id: i64,
    pub oid: String,
    pub size: u64,
    /// Multipart upload id and part number, when relevant ("" and 0 otherwise).
    pub upload: String,
    pub part: u32,
    /// Unix seconds after which the URL is refused.
    pub expires: i64,
}

#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
}

impl Signer {
    pub fn new(key: &[u8]) -> Signer {
        Signer { key: key.to_vec() }
    }

    /// The MAC of `a`, and of the issuing token's id when the action is bound to one. Unbound
    /// messages are exactly what they were before tokens were bound, so those stay valid.
    fn mac(&self, a: &SignedAction, token_id: Option<i64>) -> HmacSha256 {
        // new_from_slice only fails for key lengths HMAC cannot take; SHA-256 HMAC takes any.
        let mut mac = HmacSha256::new_from_slice(&self.key).unwrap_or_else(|_| {
            HmacSha256::new_from_slice(b"unreachable").expect("hmac accepts any key length")
        });
        let msg = format!(
            "v1\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
            a.action, a.repo_id, a.oid, a.size, a.upload, a.part, a.expires
        );
        mac.update(msg.as_bytes());
        if let Some(id) = token_id {
            mac.update(format!("\ntoken {id}").as_bytes());
        }
        mac
    }

    pub fn sign(&self, a: &SignedAction) -> String {
        hex::encode(self.mac(a, None).finalize().into_bytes())
    }

    /// Signs `a` as issued to the access token `token_id`.
    pub fn sign_for_token(&self, a: &SignedAction, token_id: i64) -> String {
        hex::encode(self.mac(a, Some(token_id)).finalize().into_bytes())
    }

    /// Checks the signature in constant time, then the expiry.
    pub fn verify(
        &self,
        a: &SignedAction,
        sig_hex: &str,
        now_secs: i64,
    ) -> Result<(), &'static str> {
        self.verify_mac(a, None, sig_hex, now_secs)
    }

    /// [`Signer::verify`] for a signature of [`Signer::sign_for_token`]. Whether that token is
    /// still live is the caller's question: the signature only says which token it was.
    pub fn verify_for_token(
        &self,
        a: &SignedAction,
        token_id: i64,
        sig_hex: &str,
        now_secs: i64,
    ) -> Result<(), &'static str> {
        self.verify_mac(a, Some(token_id), sig_hex, now_secs)
    }

    fn verify_mac(
        &self,
        a: &SignedAction,
        token_id: Option<i64>,
        sig_hex: &str,
        now_secs: i64,
    ) -> Result<(), &'static str> {
        let sig = hex::decode(sig_hex).map_err(|_| "malformed signature")?;
        self.mac(a, token_id)
            .verify_slice(&sig)
            .map_err(|_| "invalid signature")?;
        if now_secs > a.expires {
            return Err("this upload URL has expired; ask for a new one with the LFS batch API");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action() -> SignedAction {
        SignedAction {
            action: "put".into(),
            repo_id: 7,
            oid: "ab".repeat(32),
            size: 10,
            upload: String::new(),
            part: 0,
            expires: 1000,
        }
    }

    #[test]
    fn accepts_own_signature_and_refuses_tampering_and_expiry() {
        let s = Signer::new(b"key");
        let a = action();
        let sig = s.sign(&a);
        assert!(s.verify(&a, &sig, 999).is_ok());
        assert!(s.verify(&a, &sig, 1001).is_err());
        let mut other = a.clone();
        other.size = 11;
        assert!(s.verify(&other, &sig, 0).is_err());
        assert!(Signer::new(b"other").verify(&a, &sig, 0).is_err());
        assert!(s.verify(&a, "zz", 0).is_err());
    }

    #[test]
    fn a_token_bound_signature_names_its_token() {
        let s = Signer::new(b"key");
        let a = action();
        let sig = s.sign_for_token(&a, 42);
        assert!(s.verify_for_token(&a, 42, &sig, 999).is_ok());
        assert!(s.verify_for_token(&a, 43, &sig, 999).is_err());
        assert!(s.verify(&a, &sig, 999).is_err());
        assert!(s.verify_for_token(&a, 42, &s.sign(&a), 999).is_err());
        assert!(s.verify_for_token(&a, 42, &sig, 1001).is_err());
    }
}
