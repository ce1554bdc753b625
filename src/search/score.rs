//! The exact score of one document for a query, as `search.js` computes it on the document's
//! text (the browser's `rank`). Only the tests use it: it is the specification of the ranking,
//! written where Rust tests can pin it down.

use super::{fold, query_tokens};

/// The exact score of one document for a query, as `search.js` computes it on the document's
/// text (the browser's `rank`); kept here as the specification the unit tests pin down.
///
/// Per term, the best of: in the title ([`W_TITLE`]), in a section heading ([`W_HEADING`]),
/// as written in a section's text ([`W_BODY`] + occurrences, at most 5), or only as scattered
/// tokens in one section ([`W_SCATTERED`]). The score is `terms present × 10000 + the sum of
/// those weights + the best section's score`, where a section holding every term of a
/// multi-term query earns 50, plus [`W_ADJACENT`] × 2 when the terms stand side by side or
/// [`W_ADJACENT`] when they are within 30 characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Score {
    pub present: usize,
    pub score: i64,
    /// Index of the section the result links to.
    pub section: Option<usize>,
}

pub const W_TITLE: i64 = 100;
pub const W_HEADING: i64 = 30;
pub const W_BODY: i64 = 10;
pub const W_SCATTERED: i64 = 2;
pub const W_ADJACENT: i64 = 20;

struct Term {
    text: String,
    tokens: Vec<String>,
}

fn fold_str(s: &str) -> String {
    s.chars().map(fold).collect()
}

fn parse_query(q: &str) -> Vec<Term> {
    fold_str(q)
        .split_whitespace()
        .map(|t| Term {
            text: t.to_string(),
            tokens: query_tokens(t),
        })
        .filter(|t| !t.tokens.is_empty())
        .collect()
}

fn occurrences(hay: &str, needle: &str) -> i64 {
    hay.match_indices(needle).take(5).count() as i64
}

fn near(hay: &str, terms: &[Term], span: usize) -> bool {
    let first = &terms[0].text;
    let chars: Vec<char> = hay.chars().collect();
    let first_len = first.chars().count();
    for (i, _) in hay.match_indices(first.as_str()) {
        let at = hay[..i].chars().count();
        let lo = at.saturating_sub(span);
        let hi = (at + first_len + span).min(chars.len());
        let window: String = chars[lo..hi].iter().collect();
        if terms.iter().all(|t| window.contains(&t.text)) {
            return true;
        }
    }
    false
}

/// Scores a document (title, sections as (heading, text)) for `query`; see [`Score`].
pub fn score(title: &str, sections: &[(&str, &str)], query: &str) -> Score {
    let terms = parse_query(query);
    let title = fold_str(title);
    let mut level: Vec<i64> = terms
        .iter()
        .map(|t| if title.contains(&t.text) { W_TITLE } else { 0 })
        .collect();
    let mut best: Option<(usize, i64)> = None;
    for (i, (heading, text)) in sections.iter().enumerate() {
        let (heading, text) = (fold_str(heading), fold_str(text));
        let (mut sc, mut inside) = (0, 0);
        for (k, t) in terms.iter().enumerate() {
            let all = |hay: &str| t.tokens.iter().all(|tok| hay.contains(tok.as_str()));
            let w = if heading.contains(&t.text) {
                W_HEADING
            } else if text.contains(&t.text) {
                W_BODY + occurrences(&text, &t.text)
            } else if all(&text) || all(&heading) {
                W_SCATTERED
            } else {
                0
            };
            if w > 0 {
                inside += 1;
            }
            sc += w;
            level[k] = level[k].max(w);
        }
        if inside == terms.len() && terms.len() > 1 {
            sc += 50;
            let joined: String = terms.iter().map(|t| t.text.as_str()).collect();
            if text.contains(&joined) || heading.contains(&joined) {
                sc += W_ADJACENT * 2;
            } else if near(&text, &terms, 30) {
                sc += W_ADJACENT;
            }
        }
        if best.is_none_or(|(_, b)| sc > b) {
            best = Some((i, sc));
        }
    }
    let present = level.iter().filter(|&&w| w > 0).count();
    Score {
        present,
        score: present as i64 * 10_000 + level.iter().sum::<i64>() + best.map_or(0, |b| b.1.max(0)),
        section: best.map(|b| b.0),
    }
}
