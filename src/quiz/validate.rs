//! The checks of questions that need the whole site: ids unique across the site, `source`
//! naming a heading anchor of an original (原文) unit, and no unit taking the topic quiz page's
//! name. A question's `source` resolved here is also the link its explanation shows.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::RESERVED_SLUG;
use crate::content::Kind;
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{Question, Site};

fn diag_at(path: &Path, q: &Question, message: String) -> Diagnostic {
    let mut d = Diagnostic::error(path, message);
    d.line = Some(q.line);
    d.column = Some(q.column);
    d.source_line = q.source_line.clone();
    if let Some(cell) = &q.cell {
        d = Diagnostic::error(path, d.message).at_cell(cell.clone());
    }
    d
}

/// Site-wide checks: ids unique across the site, `source` naming a heading of an original
/// unit, and no unit taking the quiz page's name.
pub fn validate_site(site: &Site, diags: &mut Diagnostics) {
    let mut ids: BTreeMap<String, (PathBuf, usize)> = BTreeMap::new();
    for unit in &site.units {
        if unit.slug == RESERVED_SLUG {
            diags.push(Diagnostic::error(
                &unit.source,
                format!(
                    "`{RESERVED_SLUG}` is reserved for the topic's quiz page (`<topic>/quiz.html`): rename the file"
                ),
            ));
        }
        let Some(quiz) = &unit.quiz else { continue };
        for q in &quiz.questions {
            if q.explicit_id {
                match ids.get(&q.id) {
                    Some((path, line)) => diags.push(diag_at(
                        &quiz.path,
                        q,
                        format!(
                            "duplicate question id `{}`: also used at {}:{}",
                            q.id,
                            path.display(),
                            line
                        ),
                    )),
                    None => {
                        ids.insert(q.id.clone(), (quiz.path.clone(), q.line));
                    }
                }
            }
            if let Some(src) = &q.source
                && let Err(msg) = resolve_source(site, src)
            {
                diags.push(diag_at(&quiz.path, q, msg));
            }
        }
    }
}

/// Where a question's `source` points: the page and anchor, and a title for the link.
#[derive(Debug, Clone, Serialize)]
pub struct SourceLink {
    /// `<topic>/<unit>.html#anchor`, relative to the site root.
    pub href: String,
    pub title: String,
}

pub(super) fn resolve_source(site: &Site, src: &str) -> Result<SourceLink, String> {
    let Some((key, anchor)) = src
        .split_once('#')
        .filter(|(k, a)| k.contains('/') && !a.is_empty())
    else {
        return Err(format!(
            "`source` must name a passage as `topic/unit#anchor`, found `{src}`"
        ));
    };
    let Some(unit) = site.unit_by_key(key) else {
        return Err(format!(
            "`source` names `{key}`, which is not a unit of this site"
        ));
    };
    if unit.kind != Kind::Original {
        return Err(format!(
            "`source` must point into an original (原文) unit, but `{key}` is of kind `{}`",
            unit.kind.as_str()
        ));
    }
    if !unit.body.anchors.iter().any(|a| a == anchor) {
        const SHOWN: usize = 12;
        let mut list = unit
            .body
            .anchors
            .iter()
            .take(SHOWN)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if unit.body.anchors.len() > SHOWN {
            list.push_str(", …");
        }
        if list.is_empty() {
            list = "none (it has no headings)".into();
        }
        return Err(format!(
            "`source` names no anchor `{anchor}` in `{key}`; its anchors are: {list}"
        ));
    }
    let heading = unit
        .body
        .sections
        .iter()
        .find(|s| s.anchor.as_deref() == Some(anchor))
        .map(|s| s.heading.clone())
        .unwrap_or_default();
    let title = if heading.is_empty() {
        unit.title.clone()
    } else {
        format!("{} · {}", unit.title, heading)
    };
    Ok(SourceLink {
        href: format!("{}#{anchor}", unit.path),
        title,
    })
}
