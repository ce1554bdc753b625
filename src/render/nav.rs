//! The side navigation's unit entries, rendered once per build and joined per page, and the
//! relative root prefix of a page (`""`, `"../"`, …) that every link of the page starts with.

use std::sync::OnceLock;

use tera::Context;

use crate::diag::Diagnostic;
use crate::templates::Theme;
use crate::view;

/// Every root prefix a page can have, by folder depth (pages are at most three folders down).
const ROOTS: [&str; 4] = ["", "../", "../../", "../../../"];

/// `""` for pages at the root, `"../"` for pages one folder down.
pub fn root_prefix(path: &str) -> &'static str {
    ROOTS[path.matches('/').count().min(ROOTS.len() - 1)]
}

/// Every unit's entry in the side navigation (the theme's `nav_unit.html`), rendered at most
/// once per build in its two forms — as other pages list it, and on its own page (`current`)
/// — and joined for each page. A page lists up to 41 units; rendering them with every page was
/// a tenth of the CPU of `check` on large sites (BENCHMARKS.md). Entries are rendered on first use, so a
/// `serve --watch` rebuild whose pages mostly come from the page cache renders few of them.
pub struct NavEntries<'a> {
    theme: &'a Theme,
    shared: &'a Context,
    units: &'a [view::NavUnit<'a>],
    /// By the page's root prefix (as in [`ROOTS`]), then by unit of [`crate::model::Site::units`]:
    /// [entry, entry on its own page].
    by_root: [OnceLock<Vec<NavEntry>>; ROOTS.len()],
}

type NavEntry = OnceLock<Result<[String; 2], Diagnostic>>;

impl<'a> NavEntries<'a> {
    pub fn new(theme: &'a Theme, shared: &'a Context, units: &'a [view::NavUnit<'a>]) -> Self {
        NavEntries {
            theme,
            shared,
            units,
            by_root: Default::default(),
        }
    }

    /// The entries of `units` (indexes into [`crate::model::Site::units`]) for a page at `root` (one of
    /// [`ROOTS`], from [`root_prefix`]), `current` being the page's own unit.
    pub fn join(
        &self,
        root: &'static str,
        units: std::ops::Range<usize>,
        current: Option<usize>,
    ) -> Result<String, Diagnostic> {
        let depth = ROOTS.iter().position(|r| *r == root).unwrap_or_default();
        let entries = self.by_root[depth]
            .get_or_init(|| self.units.iter().map(|_| OnceLock::new()).collect());
        let mut out = String::with_capacity(units.len() * 200);
        for i in units {
            let pair = entries[i]
                .get_or_init(|| self.render(root, &self.units[i]))
                .as_ref()
                .map_err(Clone::clone)?;
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&pair[usize::from(current == Some(i))]);
        }
        Ok(out)
    }

    fn render(
        &self,
        root: &'static str,
        unit: &view::NavUnit<'_>,
    ) -> Result<[String; 2], Diagnostic> {
        let one = |current: bool| {
            let mut ctx = self.shared.clone();
            ctx.insert("root", root);
            ctx.insert("u", unit);
            ctx.insert("current", &current);
            let html = self.theme.render("nav_unit.html", &ctx)?;
            Ok(html.trim().to_string())
        };
        Ok([one(false)?, one(true)?])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_root_prefix_follows_the_page_depth() {
        assert_eq!(root_prefix("index.html"), "");
        assert_eq!(root_prefix("01-xuexi/index.html"), "../");
        assert_eq!(root_prefix("01-xuexi/yuanwen.html"), "../");
        assert_eq!(root_prefix("sessions/a/b.html"), "../../");
    }
}
