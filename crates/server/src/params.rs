//! Query strings as Hub clients send them: repeated keys (`expand=a&expand=b`, `filter=x`),
//! `expand[]` on the commits endpoint, and booleans as `true`/`True`/`1`.
//!
//! Paging parameters (`cursor`, `p`, `limit`) are checked here once for every listing: a value
//! that is not a whole number, or an offset past [`MAX_OFFSET`], is a 400 naming the parameter,
//! so no listing multiplies or adds an untrusted number unchecked.

use crate::ApiResult;
use crate::error::ApiError;

/// The furthest offset a listing pages to: 2^53 − 1, the largest integer JSON clients read
/// exactly, so an offset echoed back (`start`, a `cursor` in a `Link`) survives the round trip.
/// Beyond it there is no page to show; it also keeps `offset + page` far from overflowing and
/// inside SQL's signed 64-bit `OFFSET`.
pub const MAX_OFFSET: u64 = (1 << 53) - 1;

#[derive(Clone, Debug, Default)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn parse(query: Option<&str>) -> Params {
        Params(
            url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
                .into_owned()
                .collect(),
        )
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `key` (and of `key[]`).
    pub fn all(&self, key: &str) -> Vec<&str> {
        let bracketed = format!("{key}[]");
        self.0
            .iter()
            .filter(|(k, _)| k == key || *k == bracketed)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn flag(&self, key: &str) -> bool {
        self.get(key)
            .is_some_and(|v| matches!(v, "1" | "true" | "True" | "TRUE" | ""))
    }

    pub fn number(&self, key: &str) -> Option<u64> {
        self.get(key).and_then(|v| v.parse().ok())
    }

    /// A whole number `key`, `None` when absent; anything else is a 400 naming `key`.
    pub fn whole(&self, key: &str) -> ApiResult<Option<u64>> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        match v.parse::<u64>() {
            Ok(n) if v.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(n)),
            _ => Err(ApiError::bad_request(format!(
                "{key}={v:?} is not a whole number: use 0, 1, 2, ..."
            ))),
        }
    }

    /// Where a listing starts: `key` (0 when absent) counted in steps of `step` items (1 for a
    /// cursor, the page size for a page number). A 400 naming `key` when that lands past
    /// [`MAX_OFFSET`].
    pub fn offset(&self, key: &str, step: u64) -> ApiResult<u64> {
        let n = self.whole(key)?.unwrap_or(0);
        n.checked_mul(step)
            .filter(|offset| *offset <= MAX_OFFSET)
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "{key}={n} is past the last page any listing has (offset {MAX_OFFSET})"
                ))
            })
    }

    /// The page size: `key` clamped to `1..=max`, `max` when absent; a 400 naming `key` when it
    /// is not a whole number.
    pub fn limit(&self, key: &str, max: u64) -> ApiResult<u64> {
        Ok(self.whole(key)?.map_or(max, |n| n.clamp(1, max)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_and_bracketed_keys_and_booleans() {
        let p = Params::parse(Some(
            "expand=a&expand=b&expand%5B%5D=c&blobs=True&full=false&limit=5",
        ));
        assert_eq!(p.all("expand"), ["a", "b", "c"]);
        assert!(p.flag("blobs"));
        assert!(!p.flag("full"));
        assert!(!p.flag("missing"));
        assert_eq!(p.number("limit"), Some(5));
    }

    #[test]
    fn paging_numbers_are_checked() {
        let p = |q: &str| Params::parse(Some(q));
        assert_eq!(p("").offset("cursor", 1).unwrap(), 0);
        assert_eq!(p("p=3").offset("p", 50).unwrap(), 150);
        assert_eq!(p("p=0").offset("p", 50).unwrap(), 0);
        let max = MAX_OFFSET.to_string();
        assert_eq!(
            p(&format!("cursor={max}")).offset("cursor", 1).unwrap(),
            MAX_OFFSET
        );
        for huge in [
            "200000000000000000",
            "9223372036854775807",
            "18446744073709551615",
            "18446744073709551616",
        ] {
            let e = p(&format!("p={huge}")).offset("p", 50).unwrap_err();
            assert_eq!(e.status, axum::http::StatusCode::BAD_REQUEST, "{huge}");
            assert!(e.message.starts_with("p="), "{}", e.message);
        }
        for bad in ["-1", "+1", "1.5", "abc", "", " 1"] {
            let e = p(&format!("limit={bad}")).limit("limit", 100).unwrap_err();
            assert!(e.message.starts_with("limit="), "{bad}: {}", e.message);
        }
        assert_eq!(p("limit=0").limit("limit", 100).unwrap(), 1);
        assert_eq!(
            p("limit=18446744073709551615").limit("limit", 100).unwrap(),
            100
        );
        assert_eq!(p("").limit("limit", 100).unwrap(), 100);
    }
}
