//! What `check` prints of the sessions: a table padded by display width (CJK characters take two
//! columns), or the figures as JSON for `check --format json`.

use crate::model::share::{share_text, threshold_text};
use crate::model::{Session, Site};

/// Prints the sessions' table for `check` to stdout, padded by display width (CJK characters
/// take two columns).
pub fn print_table(site: &Site) {
    if site.sessions.is_empty() {
        return;
    }
    print!("{}", table(site));
}

/// The table `check` prints.
pub fn table(site: &Site) -> String {
    let threshold = site.config.rules.min_original_share;
    let header = [
        "session",
        "date",
        "study min",
        "original min",
        "share",
        "rule",
    ];
    let mut rows: Vec<[String; 6]> = vec![header.map(String::from)];
    for s in &site.sessions {
        rows.push([
            s.title.clone(),
            date_range(s),
            s.study_minutes.to_string(),
            s.original_minutes.to_string(),
            share_text(s.original_minutes, s.study_minutes, threshold),
            if s.study_minutes == 0 {
                "empty".into()
            } else if s.rule.meets {
                "OK".into()
            } else {
                "below".into()
            },
        ]);
    }
    let widths: Vec<usize> = (0..6)
        .map(|i| rows.iter().map(|r| str_width(&r[i])).max().unwrap_or(0))
        .collect();
    let numeric = [false, false, true, true, true, false];
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            let pad = widths[i] - str_width(cell);
            if i > 0 {
                line.push_str("  ");
            }
            if numeric[i] {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str(&format!(
        "minimum original-text share: {} of study time (breaks excluded)\n",
        threshold_text(threshold)
    ));
    out
}

fn date_range(s: &Session) -> String {
    match (s.start, s.end) {
        (Some(a), Some(b)) if a != b => format!("{a} – {b}"),
        (Some(a), _) => a.to_string(),
        _ => "?".into(),
    }
}

/// Terminal columns of a string.
pub fn str_width(s: &str) -> usize {
    s.chars().map(crate::diag::display_width).sum()
}

/// The sessions' figures for `check --format json`: per session its facts, minutes, share,
/// whether it meets the rule, and the timetable with clock times.
pub fn report_json(site: &Site) -> serde_json::Value {
    let threshold = site.config.rules.min_original_share;
    let sessions: Vec<serde_json::Value> = site
        .sessions
        .iter()
        .map(|s| {
            let v = super::pages::session_view(site, s);
            serde_json::json!({
                "slug": s.slug,
                "file": s.source.to_string_lossy().replace('\\', "/"),
                "title": s.title,
                "audience": s.audience,
                "place": s.place,
                "start": v.start.clone().or_else(|| s.start.map(|d| d.to_string())),
                "end": s.end.map(|d| d.to_string()),
                "start_time": v.start_time,
                "day_count": s.days.len(),
                "study_minutes": s.study_minutes,
                "original_minutes": s.original_minutes,
                "break_minutes": s.break_minutes,
                "share": v.share,
                "share_text": share_text(s.original_minutes, s.study_minutes, threshold),
                "threshold": threshold,
                "ok": s.rule.meets,
                "minutes_more": s.rule.minutes_more,
                "page": v.path,
                "print_page": v.print_path,
                "handout_page": v.handout_path,
                "days": v.days.iter().map(|d| serde_json::json!({
                    "number": d.number,
                    "date": d.date,
                    "start": d.start,
                    "end": d.end,
                    "study_minutes": d.study_minutes,
                    "blocks": d.rows.iter().map(|r| serde_json::json!({
                        "start": r.start,
                        "end": r.end,
                        "title": r.title,
                        "kind": r.kind,
                        "minutes": r.minutes,
                        "unit": r.unit,
                    })).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::Value::Array(sessions)
}
