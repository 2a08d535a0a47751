//! Licence identifiers as the standards want them: an SPDX id where one exists, otherwise a
//! stable page of ours (Hub ids such as `llama3` or `openrail` are not SPDX).

/// The SPDX identifier for a Hub licence id (case-insensitive, `+` kept out), if there is one.
pub fn spdx_id(hub_id: &str) -> Option<&'static str> {
    let id = hub_id.trim();
    spdx::identifiers::LICENSES
        .iter()
        .find(|l| l.name.eq_ignore_ascii_case(id))
        .map(|l| l.name)
}

/// An IRI for a licence: the SPDX page, or `{base_url}/licenses/{id}` for a non-SPDX id.
pub fn licence_iri(base_url: &str, hub_id: &str) -> String {
    match spdx_id(hub_id) {
        Some(id) => format!("https://spdx.org/licenses/{id}.html"),
        None => format!(
            "{base_url}/licenses/{}",
            crate::html::query_value(&hub_id.trim().to_ascii_lowercase())
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spdx_and_hub_ids() {
        assert_eq!(spdx_id("apache-2.0"), Some("Apache-2.0"));
        assert_eq!(spdx_id("cc-by-4.0"), Some("CC-BY-4.0"));
        assert_eq!(spdx_id("llama3"), None);
        assert_eq!(
            licence_iri("https://h", "mit"),
            "https://spdx.org/licenses/MIT.html"
        );
        assert_eq!(
            licence_iri("https://h", "llama3"),
            "https://h/licenses/llama3"
        );
    }
}
