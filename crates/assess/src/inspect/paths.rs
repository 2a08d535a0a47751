//! Small helpers over repository paths (always `/`-separated, as the Hub stores them).

/// The last path component.
pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The lower-cased extension of the last component, without the dot.
pub(crate) fn extension(path: &str) -> Option<String> {
    let name = file_name(path);
    let (stem, ext) = name.rsplit_once('.')?;
    if stem.is_empty() || ext.is_empty() {
        return None;
    }
    Some(ext.to_ascii_lowercase())
}

/// How many directories deep `path` is (`LICENSE` is 0, `a/LICENSE` is 1).
pub(crate) fn depth(path: &str) -> usize {
    path.trim_matches('/').matches('/').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_names_and_extensions() {
        assert_eq!(file_name("a/b/model.safetensors"), "model.safetensors");
        assert_eq!(
            extension("a/b/Model.SafeTensors").as_deref(),
            Some("safetensors")
        );
        assert_eq!(extension(".gitattributes"), None);
        assert_eq!(extension("README"), None);
        assert_eq!(depth("LICENSE"), 0);
        assert_eq!(depth("code/LICENSE"), 1);
    }
}
