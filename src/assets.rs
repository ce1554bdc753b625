//! The files built into the binary: the default theme (templates, language tables, styles,
//! scripts), embedded file by file by `build.rs` from `themes/default/`, and the starter site
//! that `init` writes.

include!(concat!(env!("OUT_DIR"), "/default_theme.rs"));

/// A file of the embedded default theme, by its path inside the theme
/// (e.g. `templates/base.html`).
pub fn default_theme_file(path: &str) -> Option<&'static [u8]> {
    DEFAULT_THEME
        .binary_search_by(|(p, _)| (*p).cmp(path))
        .ok()
        .map(|i| DEFAULT_THEME[i].1)
}

/// The embedded default theme's files below `prefix` (e.g. `static/`), with paths relative to it.
pub fn default_theme_dir(prefix: &str) -> impl Iterator<Item = (&'static str, &'static [u8])> {
    DEFAULT_THEME
        .iter()
        .filter_map(move |(p, bytes)| p.strip_prefix(prefix).map(|rest| (rest, *bytes)))
}

/// The starter site written by `studysite init`: (path, contents).
pub const STARTER_SITE: &[(&str, &str)] = &[
    ("site.yaml", include_str!("starter/site.yaml")),
    (
        "content/01-sample/_index.md",
        include_str!("starter/topic.md"),
    ),
    (
        "content/01-sample/yuanwen.md",
        include_str!("starter/original.md"),
    ),
    (
        "content/01-sample/jiedu.md",
        include_str!("starter/explanation.md"),
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_theme_has_its_templates() {
        for t in [
            "base.html",
            "index.html",
            "topic.html",
            "unit.html",
            "404.html",
        ] {
            assert!(
                default_theme_file(&format!("templates/{t}")).is_some(),
                "{t}"
            );
        }
    }
}
