//! The files of a site that are not pages: the theme's static files, the highlighting
//! stylesheet, the files beside a topic's units (images…), the site's own `static/` folder, and
//! the quiz data files. Each is handed to the sink; every problem is collected.

use std::path::Path;

use crate::diag::{Diagnostic, Diagnostics};
use crate::markdown;
use crate::model::Site;
use crate::output::Sink;
use crate::templates::Theme;

/// Writes every file of `site` that is not a page or the search index; returns how many.
pub fn write_files(site: &Site, theme: &Theme, sink: &dyn Sink, diags: &mut Diagnostics) -> usize {
    let mut files = 0;
    let mut write_errors = Vec::new();
    let mut write = |rel: &str, bytes: &[u8]| {
        files += 1;
        if let Err(e) = sink.write(rel, bytes) {
            write_errors.push(Diagnostic::error(rel, format!("{e:#}")));
        }
    };
    for (name, bytes) in &theme.static_files {
        write(&format!("static/{name}"), bytes);
    }
    let css = if site.highlighted {
        markdown::highlight::stylesheet()
    } else {
        "/* No code on this site is highlighted. */\n".to_string()
    };
    write("static/syntax.css", css.as_bytes());
    copy_topic_assets(site, &mut write, diags);
    copy_site_static(site, &mut write, diags);
    for (rel, bytes) in crate::quiz::data_files(site) {
        write(&rel, &bytes);
    }
    diags.extend(write_errors);
    files
}

/// The other files of each topic folder, beside its pages.
fn copy_topic_assets(site: &Site, write: &mut dyn FnMut(&str, &[u8]), diags: &mut Diagnostics) {
    for t in &site.topics {
        for asset in &t.assets {
            match crate::fs::read_bytes(&site.root.join(asset)) {
                Ok(b) => {
                    let rel = asset.strip_prefix("content").unwrap_or(asset);
                    write(&rel.to_string_lossy().replace('\\', "/"), &b);
                }
                Err(e) => diags.push(Diagnostic::error(asset, format!("{e:#}"))),
            }
        }
    }
}

/// The site's `static/` folder, as it is, under the site's rule for links
/// ([`crate::fs::walk_files`]): what is not copied is named in a warning.
fn copy_site_static(site: &Site, write: &mut dyn FnMut(&str, &[u8]), diags: &mut Diagnostics) {
    let dir = site.root.join("static");
    let mut skipped = |path: &Path, why: String| {
        let rel = crate::diag::relative_to(path, &site.root);
        diags.push(Diagnostic::warning(
            crate::fs::shown(&rel.to_string_lossy()),
            why,
        ));
    };
    let files = crate::fs::walk_files(&site.root, &dir, &mut skipped);
    for path in files {
        let Ok(rel) = path.strip_prefix(&site.root) else {
            continue;
        };
        match crate::fs::read_bytes(&path) {
            Ok(b) => write(&rel.to_string_lossy().replace('\\', "/"), &b),
            Err(e) => diags.push(Diagnostic::error(rel, format!("{e:#}"))),
        }
    }
}
