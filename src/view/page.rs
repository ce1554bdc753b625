//! The pages the features add (quiz pages, session pages, coverage): where each goes, which
//! template renders it, and its own template keys, ready for `render` to render like any other
//! page.

use serde::Serialize;

/// A page a feature adds: which template, where it goes, and its own context keys.
pub struct FeaturePage {
    /// Path from the site root, e.g. `sessions/index.html`.
    pub path: String,
    pub template: &'static str,
    /// The value of `page_kind`.
    pub kind: &'static str,
    /// The topic whose units the side navigation shows, if any.
    pub topic: Option<usize>,
    /// (title, path) from the home page down to the page's parent.
    pub breadcrumbs: Vec<(String, String)>,
    /// Page-specific keys, inserted beside the common ones.
    pub context: PageContext,
}

/// A page's own template keys, in order, already turned into template values: a page's
/// inputs can then be hashed (the page cache of `render`) as well as handed to tera.
#[derive(Debug, Clone, Default)]
pub struct PageContext(Vec<(&'static str, tera::Value)>);

impl PageContext {
    pub fn new() -> PageContext {
        PageContext::default()
    }

    /// Sets `key` (a second insert of a key replaces its value).
    pub fn insert<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        let value = tera::Value::from_serializable(value);
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    /// Adds every key to a template context.
    pub fn add_to(&self, ctx: &mut tera::Context) {
        for (k, v) in &self.0 {
            ctx.insert_value(*k, v.clone());
        }
    }
}

impl Serialize for PageContext {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}
