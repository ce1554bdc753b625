//! One timetable row from one item of a session's `blocks:`: a unit reference (its kind and
//! minutes from the unit unless given) or a free activity (title, kind and minutes all given).
//! Every problem of the block is reported before giving up on it; a unit name that does not
//! exist gets the closest names.

use serde_saphyr::{Location, Spanned};

use super::file::FileRef;
use crate::content::{BlockSource, Kind};
use crate::diag::Diagnostics;
use crate::model::{Block, BlockKind, Site, Unit};

/// The largest number of minutes one block may have (a week); more is a typing error.
const MAX_BLOCK_MINUTES: i64 = 7 * 24 * 60;

/// What a block says of itself, each value read (and reported when wrong) on its own.
struct Given {
    line: usize,
    minutes: Option<u32>,
    kind: Option<(BlockKind, Location)>,
    title: Option<String>,
    /// No value was wrong.
    ok: bool,
}

/// Turns one block (not a day break) into a timetable row, or reports why it cannot be one.
pub(super) fn resolve_block(
    site: &Site,
    file: &FileRef<'_>,
    sb: &Spanned<BlockSource>,
    diags: &mut Diagnostics,
) -> Option<Block> {
    let given = read_given(file, sb, diags);
    match &sb.value.unit {
        Some(unit_ref) => unit_block(site, file, unit_ref, given, diags),
        None => activity_block(file, sb, given, diags),
    }
}

fn read_given(file: &FileRef<'_>, sb: &Spanned<BlockSource>, diags: &mut Diagnostics) -> Given {
    let b = &sb.value;
    let mut ok = true;
    let minutes = match &b.minutes {
        Some(m) if m.value > 0 && m.value <= MAX_BLOCK_MINUTES => Some(m.value as u32),
        Some(m) => {
            diags.push(file.error_at(
                m.referenced,
                format!(
                    "`minutes` must be a positive whole number of minutes, got {}",
                    m.value
                ),
            ));
            ok = false;
            None
        }
        None => None,
    };
    let kind = match &b.kind {
        Some(k) => match BlockKind::parse(&k.value) {
            Some(kind) => Some((kind, k.referenced)),
            None => {
                diags.push(file.error_at(
                    k.referenced,
                    format!(
                        "unknown kind `{}`; use original, explanation, discussion, practice, other or break (原文, 解读, 研讨, 实践, 其他, 休息)",
                        k.value
                    ),
                ));
                ok = false;
                None
            }
        },
        None => None,
    };
    let title = b.title.as_ref().map(|t| t.value.trim().to_string());
    if let Some(t) = b.title.as_ref().filter(|t| t.value.trim().is_empty()) {
        diags.push(file.error_at(t.referenced, "`title` must not be empty"));
        ok = false;
    }
    Given {
        line: file.line(sb.referenced),
        minutes,
        kind,
        title,
        ok,
    }
}

/// A block naming a unit: kind and minutes from the unit unless the block gives them.
fn unit_block(
    site: &Site,
    file: &FileRef<'_>,
    unit_ref: &Spanned<String>,
    given: Given,
    diags: &mut Diagnostics,
) -> Option<Block> {
    let key = unit_ref.value.trim();
    let Some(unit) = site.unit_by_key(key) else {
        diags.push(file.error_at(unit_ref.referenced, unknown_unit_message(site, key)));
        return None;
    };
    let kind = match given.kind {
        Some((BlockKind::Break, at)) => {
            diags.push(file.error_at(
                at,
                "a unit cannot be a break: remove `kind: break`, or make the break a block of its own",
            ));
            return None;
        }
        Some((kind, at)) => {
            warn_if_counted_as_original(file, unit, kind, at, diags);
            kind
        }
        None => unit.kind.into(),
    };
    if !given.ok {
        return None;
    }
    Some(Block {
        title: given.title.unwrap_or_else(|| unit.title.clone()),
        kind,
        minutes: given.minutes.unwrap_or(unit.minutes),
        unit: Some(unit.index),
        start: None,
        end: None,
        line: given.line,
        speaker: None,
        room: None,
    })
}

fn warn_if_counted_as_original(
    file: &FileRef<'_>,
    unit: &Unit,
    kind: BlockKind,
    at: Location,
    diags: &mut Diagnostics,
) {
    if kind == BlockKind::Original && unit.kind != Kind::Original {
        diags.push(file.warning_at(
            at,
            format!(
                "`{}` is a unit of kind `{}` but is counted here as original text",
                unit.key,
                unit.kind.as_str()
            ),
        ));
    }
}

/// A free activity: title, kind and minutes are all required.
fn activity_block(
    file: &FileRef<'_>,
    sb: &Spanned<BlockSource>,
    given: Given,
    diags: &mut Diagnostics,
) -> Option<Block> {
    let Some(title) = given.title else {
        diags.push(file.error_at(
            sb.referenced,
            "a block is a unit (`unit: <topic>/<unit>`), an activity (`title`, `kind`, `minutes`) or a day break (`break: day`)",
        ));
        return None;
    };
    let mut ok = given.ok;
    if sb.value.kind.is_none() {
        diags.push(file.error_at(
            sb.referenced,
            format!(
                "the activity `{title}` needs `kind:` (original, explanation, discussion, practice, other or break)"
            ),
        ));
        ok = false;
    }
    if sb.value.minutes.is_none() {
        diags.push(file.error_at(
            sb.referenced,
            format!("the activity `{title}` needs `minutes:` (a positive whole number)"),
        ));
        ok = false;
    }
    let (Some((kind, _)), Some(minutes), true) = (given.kind, given.minutes, ok) else {
        return None;
    };
    Some(Block {
        title,
        kind,
        minutes,
        unit: None,
        start: None,
        end: None,
        line: given.line,
        speaker: None,
        room: None,
    })
}

/// "unknown unit `x`" with the closest unit keys, or the topic's units, or what keys look like.
fn unknown_unit_message(site: &Site, key: &str) -> String {
    let want = key.trim_end_matches(".md");
    // A unit named by its title (`原文：第一部分`, `第一部分`) or its topic's title: the key.
    let squeeze = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).collect() };
    let wanted = squeeze(want);
    let by_title = site.units.iter().find(|u| {
        let title = squeeze(&u.title);
        title == wanted
            || title.split_once('：').is_some_and(|(_, t)| t == wanted)
            || (matches!(u.kind, Kind::Original) && squeeze(&site.topics[u.topic].title) == wanted)
    });
    if let Some(u) = by_title {
        return format!(
            "unknown unit `{key}`: units are named by folder and file, not by title; did you mean `{}`?",
            u.key
        );
    }
    let mut close: Vec<(usize, &str)> = site
        .units
        .iter()
        .map(|u| (edit_distance(want, &u.key), u.key.as_str()))
        .filter(|(d, k)| *d <= (k.chars().count() / 3).max(2))
        .collect();
    close.sort();
    close.truncate(3);
    let mut msg = format!("unknown unit `{key}`");
    if !close.is_empty() {
        let list: Vec<String> = close.iter().map(|(_, k)| format!("`{k}`")).collect();
        msg.push_str(&format!("; did you mean {}?", list.join(", ")));
        return msg;
    }
    let topic = want.split('/').next().unwrap_or("");
    if let Some(t) = site.topics.iter().find(|t| t.slug == topic) {
        let list: Vec<String> = site.units[t.units.clone()]
            .iter()
            .map(|u| format!("`{}`", u.key))
            .collect();
        msg.push_str(&format!("; the topic `{topic}` has {}", list.join(", ")));
    } else {
        msg.push_str("; units are named `<topic>/<unit>` after their folder and file, e.g. ");
        match site.units.first() {
            Some(u) => msg.push_str(&format!("`{}`", u.key)),
            None => msg.push_str("`01-xuexi/yuanwen`"),
        }
    }
    msg
}

/// The units whose title is close to `title` (at most three, closest first).
pub(super) fn close_titles<'s>(site: &'s Site, title: &str) -> Vec<&'s Unit> {
    let mut close: Vec<(usize, &Unit)> = site
        .units
        .iter()
        .map(|u| (edit_distance(title, &u.title), u))
        .filter(|(d, u)| *d <= (u.title.chars().count() / 3).max(1))
        .collect();
    close.sort_by_key(|(d, u)| (*d, u.index));
    close.truncate(3);
    close.into_iter().map(|(_, u)| u).collect()
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_characters() {
        assert_eq!(edit_distance("01-xuexi/yuanwn", "01-xuexi/yuanwen"), 1);
        assert_eq!(edit_distance("原文", "原文"), 0);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
