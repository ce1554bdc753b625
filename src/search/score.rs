//! The exact score of one document for a query, as `search.js` computes it on the document's
//! text (the browser's `rank`), and the coarse score it ranks the candidates by from the
//! index (`coarse`). Only the tests use it: it is the specification of the ranking, written
//! where Rust tests can pin it down.

use super::tokens::{fold, is_word_char, query_tokens};

/// The exact score of one document for a query, as `search.js` computes it on the document's
/// text (the browser's `rank`); kept here as the specification the unit tests pin down.
///
/// Per term, the best of: in the title ([`W_TITLE`]), in a section heading ([`W_HEADING`]),
/// as written in a section's text ([`W_BODY`] + occurrences, at most 5), or only as scattered
/// tokens in one section ([`W_SCATTERED`]). The score is `terms present × 10000 + the sum of
/// those weights + the best section's score`, where a section holding every term of a
/// multi-term query earns 50, plus [`W_ADJACENT`] × 2 when the terms stand side by side or
/// [`W_ADJACENT`] when they are within 30 characters.
///
/// Terms found whole add 1000 each (after `terms present × 10000`): a term is whole when it
/// occurs somewhere (title, heading or text) at word boundaries ([`whole_in`]), so “201” as
/// written ranks above “201” only inside “2018”, whatever the fields. The weights above count
/// any occurrence, inside longer words too.
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
/// Coarse score of a term whose postings have no prefix bit ([`coarse_term`]).
pub const W_WHOLE: i64 = 200;

/// The coarse score one term adds to a document, from the index alone (`search.js`'s
/// `coarse`), when the document has every token of the term: `fields` are the heading (1)
/// and title (2) bits every token has, `prefix` whether any token's posting has the prefix
/// bit, `title_has_term` whether the title holds the term as written. Candidates are the
/// documents of highest sum over the terms (ties: the lower id).
pub fn coarse_term(fields: u8, prefix: bool, title_has_term: bool) -> i64 {
    let field = if fields & 2 != 0 && title_has_term {
        W_TITLE
    } else if fields & 1 != 0 {
        W_HEADING
    } else {
        W_BODY
    };
    1000 + if prefix { 0 } else { W_WHOLE } + field
}

/// Does `needle` occur in `hay` at word boundaries: not preceded by a word character when it
/// starts with one, not followed by one when it ends with one (“201” in “201年”, not in
/// “2018”)? Word characters are the tokeniser's (letters and digits that are not CJK).
pub fn whole_in(hay: &str, needle: &str) -> bool {
    let (Some(first), Some(last)) = (needle.chars().next(), needle.chars().next_back()) else {
        return false;
    };
    let (starts, ends) = (is_word_char(first), is_word_char(last));
    hay.match_indices(needle).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + needle.len()..].chars().next();
        let joined_before = starts && before.is_some_and(is_word_char);
        let joined_after = ends && after.is_some_and(is_word_char);
        !joined_before && !joined_after
    })
}

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
    let mut whole: Vec<bool> = terms.iter().map(|t| whole_in(&title, &t.text)).collect();
    let mut best: Option<(usize, i64)> = None;
    for (i, (heading, text)) in sections.iter().enumerate() {
        let (heading, text) = (fold_str(heading), fold_str(text));
        let (mut sc, mut inside) = (0, 0);
        for (k, t) in terms.iter().enumerate() {
            let all = |hay: &str| t.tokens.iter().all(|tok| hay.contains(tok.as_str()));
            whole[k] = whole[k] || whole_in(&heading, &t.text) || whole_in(&text, &t.text);
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
    let whole_terms = (0..terms.len())
        .filter(|&k| level[k] > 0 && whole[k])
        .count();
    Score {
        present,
        score: present as i64 * 10_000
            + whole_terms as i64 * 1000
            + level.iter().sum::<i64>()
            + best.map_or(0, |b| b.1.max(0)),
        section: best.map(|b| b.0),
    }
}
