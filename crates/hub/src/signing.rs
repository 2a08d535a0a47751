//! Signed, expiring URLs for LFS uploads.
//!
//! Clients PUT upload bodies with no credentials of their own (the LFS `basic` and `multipart`
//! transfers), so each URL carries an HMAC over everything it authorises: the action, the repo's
//! immutable id, the object, its size, the part number and the expiry.

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

    fn mac(&self, a: &SignedAction) -> HmacSha256 {
        // new_from_slice only fails for key lengths HMAC cannot take; SHA-256 HMAC takes any.
        let mut mac = HmacSha256::new_from_slice(&self.key).unwrap_or_else(|_| {
            HmacSha256::new_from_slice(b"unreachable").expect("hmac accepts any key length")
        });
        let msg = format!(
            "v1\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
            a.action, a.repo_id, a.oid, a.size, a.upload, a.part, a.expires
        );
        mac.update(msg.as_bytes());
        mac
    }

    pub fn sign(&self, a: &SignedAction) -> String {
        hex::encode(self.mac(a).finalize().into_bytes())
    }

    /// Checks the signature in constant time, then the expiry.
    pub fn verify(
        &self,
        a: &SignedAction,
        sig_hex: &str,
        now_secs: i64,
    ) -> Result<(), &'static str> {
        let sig = hex::decode(sig_hex).map_err(|_| "malformed signature")?;
        self.mac(a)
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
}
