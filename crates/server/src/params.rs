//! Query strings as Hub clients send them: repeated keys (`expand=a&expand=b`, `filter=x`),
//! `expand[]` on the commits endpoint, and booleans as `true`/`True`/`1`.

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
}
