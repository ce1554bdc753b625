//! The search files' format, written and read in one place: the manifest, the index shards
//! and the document chunks, each a script that calls `window.__studysiteSearch` (module doc of
//! [`super`]); their paths below the site root; and the JSON strings inside them.
//!
//! `search.js` reads what is written here: a change of layout changes [`FORMAT`], which the
//! manifest carries and the script checks. A build after an edit reads the previous build's
//! shards back with [`parse_shard`], which takes only exactly what [`shard_bytes`] writes.

use std::borrow::Cow;

use super::documents::{CHUNK_TARGET, Doc};
use crate::model::Site;

/// Version of the files' format (the manifest's `v`); `search.js` checks it. 2: word
/// prefixes, and the prefix bit in the postings of words.
pub const FORMAT: u32 = 2;
/// Folder of the search files below the site root.
pub const DIR: &str = "search";

/// The path of index shard `n` below the site root.
pub(super) fn shard_path(n: usize) -> String {
    format!("{DIR}/i/{n}.js")
}

/// The path of document chunk `n` below the site root.
pub(super) fn chunk_path(n: usize) -> String {
    format!("{DIR}/d/{n}.js")
}

/// The path of the manifest below the site root.
pub(super) fn manifest_path() -> String {
    format!("{DIR}/index.js")
}

/// Writes `s` as a JSON string literal that is also safe inside HTML `<script>` and in every
/// JavaScript engine (`<`, `>`, `&`, U+2028 and U+2029 are escaped).
pub(super) fn push_json_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let mut last = 0;
    for (i, c) in s.char_indices() {
        if c > '\u{2029}' {
            continue; // CJK, the bulk of the text: nothing to escape.
        }
        let esc: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            '<' => Some("\\u003c"),
            '>' => Some("\\u003e"),
            '&' => Some("\\u0026"),
            '\u{2028}' => Some("\\u2028"),
            '\u{2029}' => Some("\\u2029"),
            c if (c as u32) < 0x20 => None,
            _ => continue,
        };
        out.extend_from_slice(&s.as_bytes()[last..i]);
        match esc {
            Some(e) => out.extend_from_slice(e.as_bytes()),
            None => out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes()),
        }
        last = i + c.len_utf8();
    }
    out.extend_from_slice(&s.as_bytes()[last..]);
    out.push(b'"');
}

/// For each byte starting a character that [`push_json_compact`] copies as it is, the
/// character's length; 0 for the others (white space, control and escaped characters, and
/// U+0080–2FFF, which hold some white space). Characters from U+3000 on (CJK, mostly) are
/// never white space for it (U+3000 is kept), so they are stepped over whole.
const PLAIN: [u8; 256] = {
    let mut t = [0; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b as u8 {
            b'"' | b'\\' | b'<' | b'>' | b'&' => 0,
            0x21..=0x7F => 1,
            // Continuation bytes, of characters whose first byte was looked at.
            0x80..=0xBF => 1,
            0xE3..=0xEF => 3,
            0xF0..=0xFF => 4,
            _ => 0,
        };
        b += 1;
    }
    t
};

/// Writes section text as shipped, as a JSON string ([`push_json_str`]): runs of white space
/// become one space, or one newline when they hold a line break (kept: snippets do not run
/// across paragraphs). One pass, no intermediate string: this is most of the search output.
/// It goes byte by byte through a table ([`PLAIN`]), decoding only the characters below
/// U+3000 that are not ASCII: those can be white space.
pub(super) fn push_json_compact(out: &mut Vec<u8>, text: &str) {
    let text = text.trim();
    let bytes = text.as_bytes();
    out.push(b'"');
    // `bytes[last..i]` is a run not yet copied, holding nothing to escape or compact.
    let mut last = 0;
    let mut i = 0;
    let white = |at: usize| match text[at..].chars().next() {
        Some(c) if c.is_whitespace() && c != '\u{3000}' => Some(c),
        _ => None,
    };
    while i < bytes.len() {
        let b = bytes[i];
        let plain = PLAIN[b as usize];
        if plain > 0 {
            i += plain as usize;
            continue;
        }
        if b >= 0x80 || b <= b' ' {
            // White space, a control character, or a character from U+0080 to U+2FFF.
            let Some(c) = white(i) else {
                i += 1; // Its continuation bytes are plain.
                if b < b' ' {
                    out.extend_from_slice(&bytes[last..i - 1]);
                    out.extend_from_slice(format!("\\u{:04x}", b).as_bytes());
                    last = i;
                }
                continue;
            };
            // One space between words is kept as it is (no copy).
            let next = i + c.len_utf8();
            if c == ' ' && white(next).is_none() {
                i = next;
                continue;
            }
            // A run of white space: the text is trimmed, so something follows it.
            out.extend_from_slice(&bytes[last..i]);
            let mut newline = false;
            while let Some(c) = white(i) {
                newline |= c == '\n';
                i += c.len_utf8();
            }
            out.extend_from_slice(if newline { b"\\n" } else { b" " });
            last = i;
            continue;
        }
        out.extend_from_slice(&bytes[last..i]);
        out.extend_from_slice(match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'<' => b"\\u003c",
            b'>' => b"\\u003e",
            _ => b"\\u0026",
        });
        i += 1;
        last = i;
    }
    out.extend_from_slice(&bytes[last..]);
    out.push(b'"');
}

/// Document chunk `n`: the sections of `docs`, the first of which is document `first`.
pub(super) fn chunk_js(n: usize, docs: &[Doc<'_>], first: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(CHUNK_TARGET + 1024);
    out.extend_from_slice(format!("__studysiteSearch.d({n},{first},[").as_bytes());
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'[');
        for (j, s) in d.sections().enumerate() {
            if j > 0 {
                out.push(b',');
            }
            out.push(b'[');
            push_json_str(&mut out, s.anchor.unwrap_or(""));
            out.push(b',');
            push_json_compact(&mut out, s.heading);
            out.push(b',');
            push_json_compact(&mut out, s.text);
            out.push(b']');
        }
        out.push(b']');
    }
    out.extend_from_slice(b"]);\n");
    out
}

/// The file of index shard `n` with `entries` (token, encoded posting list), sorted by token.
pub(super) fn shard_bytes<T: AsRef<str>>(n: usize, entries: &[(T, &[u8])]) -> Vec<u8> {
    let size: usize = (entries.iter())
        .map(|(t, p)| t.as_ref().len() + p.len() + 6)
        .sum();
    let mut out = Vec::with_capacity(size + 64);
    out.extend_from_slice(format!("__studysiteSearch.i({n},{{").as_bytes());
    for (i, (tok, p)) in entries.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_json_str(&mut out, tok.as_ref());
        out.extend_from_slice(b":\"");
        out.extend_from_slice(p);
        out.push(b'"');
    }
    out.extend_from_slice(b"});\n");
    out
}

/// The entries of shard file `text` (number `n`), token and encoded list, in the file's
/// order; `None` unless it is exactly what [`shard_bytes`] writes, tokens strictly ascending.
pub(super) fn parse_shard(text: &str, n: usize) -> Option<Vec<(Cow<'_, str>, &str)>> {
    let mut rest =
        (text.strip_prefix(&format!("__studysiteSearch.i({n},{{"))?).strip_suffix("});\n")?;
    let mut entries: Vec<(Cow<'_, str>, &str)> = Vec::new();
    while !rest.is_empty() {
        if !entries.is_empty() {
            rest = rest.strip_prefix(',')?;
        }
        let (token, after) = json_string(rest)?;
        let after = after.strip_prefix(":\"")?;
        let end = after.find('"')?;
        if entries.last().is_some_and(|(last, _)| *last >= token) {
            return None;
        }
        entries.push((token, &after[..end]));
        rest = &after[end + 1..];
    }
    Some(entries)
}

/// The JSON string at the start of `s`, decoded (borrowed when it has no escapes), and what
/// follows it.
fn json_string(s: &str) -> Option<(Cow<'_, str>, &str)> {
    let bytes = s.as_bytes();
    if bytes.first() != Some(&b'"') {
        return None;
    }
    let (mut i, mut escaped) = (1, false);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                escaped = true;
                i += 1;
            }
            b'"' => break,
            _ => {}
        }
        i += 1;
    }
    let literal = s.get(..=i)?;
    let text = match escaped {
        true => Cow::Owned(serde_json::from_str(literal).ok()?),
        false => Cow::Borrowed(&literal[1..i]),
    };
    Some((text, &s[i + 1..]))
}

/// The manifest: format, counts, where each chunk starts, every document's title, topic
/// and path, and the topics.
pub(super) fn manifest_js(
    site: &Site,
    docs: &[Doc<'_>],
    shards: usize,
    starts: &[usize],
) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(
        format!(
            "__studysiteSearch.m({{\"v\":{FORMAT},\"count\":{},\"units\":{},\"shards\":{shards},\"chunks\":[",
            docs.len(),
            site.units.len()
        )
        .as_bytes(),
    );
    for (i, s) in starts.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(s.to_string().as_bytes());
    }
    // Title, topic and path of every document: results are listed as soon as the index
    // shards of a query have arrived, before any document chunk.
    out.extend_from_slice(b"],\"docs\":[");
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'[');
        push_json_str(&mut out, d.title);
        out.extend_from_slice(format!(",{},", d.topic.map_or(-1, |t| t as i64)).as_bytes());
        push_json_str(&mut out, d.path);
        out.push(b']');
    }
    out.extend_from_slice(b"],\"topics\":[");
    for (i, t) in site.topics.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'[');
        push_json_str(&mut out, &t.title);
        out.push(b',');
        push_json_str(&mut out, &t.path);
        out.push(b']');
    }
    out.extend_from_slice(b"]});\n");
    out
}

/// Whether `path` (relative to the output folder) is one of the files [`super::write_files`]
/// makes.
pub fn is_search_file(path: &str) -> bool {
    let Some(rest) = path.strip_prefix(DIR).and_then(|r| r.strip_prefix('/')) else {
        return false;
    };
    rest == "index.js"
        || ((rest.starts_with("i/") || rest.starts_with("d/"))
            && rest.ends_with(".js")
            && rest[2..rest.len() - 3].bytes().all(|b| b.is_ascii_digit()))
}

/// Sort key of a search file: index shards, then document chunks by number, then the
/// manifest.
pub(super) fn file_order(path: &str) -> (u8, usize) {
    let rest = path
        .strip_prefix(DIR)
        .unwrap_or(path)
        .trim_start_matches('/');
    let number = |r: &str| r.trim_end_matches(".js").parse().unwrap_or(usize::MAX);
    match rest.split_at_checked(2) {
        Some(("i/", r)) => (0, number(r)),
        Some(("d/", r)) => (1, number(r)),
        _ => (2, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_read_back_decoded() {
        assert_eq!(
            json_string(r#""a\"b\u003c"rest"#).unwrap(),
            ("a\"b<".into(), "rest")
        );
        assert_eq!(json_string(r#""unterminated"#), None);
    }
}
