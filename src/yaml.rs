//! YAML (site.yaml, front matter) into typed values, with positions in the whole file.
//!
//! serde-saphyr reports positions inside the YAML text it was given; front matter starts below
//! the `---` fence, so every position is shifted to count from the top of the file (zola #1133
//! asked for exactly this). [`file_line`] is that shift, the one place it is written: parse
//! errors here, and the positions of spanned values (a question, a session block) that later
//! checks report at.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde_saphyr::Location;

use crate::diag::Diagnostic;

/// Parses `yaml`, which starts at 1-based line `first_line` of the file whose whole text is
/// `file_text`. On error, returns a diagnostic at the file-absolute line and column.
pub fn parse<T: DeserializeOwned>(
    yaml: &str,
    first_line: usize,
    file_text: &str,
    path: &Path,
) -> Result<T, Diagnostic> {
    let options = serde_saphyr::options! { with_snippet: false };
    serde_saphyr::from_str_with_options::<T>(yaml, options).map_err(|err| {
        let message = clean_message(&err.without_snippet().to_string());
        match err.location() {
            Some(loc) if loc.line() > 0 => {
                let (line, column) = file_position(loc, first_line);
                Diagnostic::error(path, message).at(file_text, line, column)
            }
            _ => Diagnostic::error(path, message).at_line(file_text, first_line),
        }
    })
}

/// The 1-based file line of a position in YAML that starts at file line `yaml_first_line`
/// (a position without a line, which serde-saphyr gives for some values, is the YAML's first
/// line).
pub fn file_line(loc: Location, yaml_first_line: usize) -> usize {
    match loc.line() as usize {
        0 => yaml_first_line,
        line => line + yaml_first_line - 1,
    }
}

/// [`file_line`] and the 1-based column.
pub fn file_position(loc: Location, yaml_first_line: usize) -> (usize, usize) {
    (
        file_line(loc, yaml_first_line),
        (loc.column() as usize).max(1),
    )
}

/// The 1-based line of the top-level `key:` in a file's text (1 if not found), for problems
/// that belong to a key as a whole (a missing value, a rule about a list).
pub fn line_of_key(text: &str, key: &str) -> usize {
    let prefix = format!("{key}:");
    text.lines()
        .position(|l| l.starts_with(&prefix))
        .map_or(1, |i| i + 1)
}

/// serde-saphyr appends " at line L column C" to its messages; we print the position ourselves,
/// counted from the top of the file, so drop theirs.
fn clean_message(msg: &str) -> String {
    let msg = msg.trim();
    let msg = match msg.rfind(" at line ") {
        Some(i) if msg[i..].contains("column") => &msg[..i],
        _ => msg,
    };
    let msg = msg.strip_prefix("error: ").unwrap_or(msg);
    msg.trim_end_matches(['.', ',']).to_string()
}

/// Makes serde's and the YAML parser's messages read as ours, naming the key of the line the
/// error points at where that helps: "unknown key `x`; allowed keys: a, b, c",
/// "`tags` expects a list", "the key `title` appears twice".
pub fn friendlier_at(message: &str, source_line: Option<&str>) -> String {
    let key = source_line.and_then(|l| {
        let (k, _) = l.trim_start().trim_start_matches("- ").split_once(':')?;
        let k = k.trim();
        (!k.is_empty()
            && k.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-'))
        .then(|| k.to_string())
    });
    let about = |what: &str| match &key {
        Some(k) => format!("`{k}` {what}"),
        None => format!("a value {what}"),
    };
    if let Some(rest) = message.strip_prefix("duplicate mapping key: ") {
        let name = rest.split(',').next().unwrap_or(rest).trim();
        return format!("the key `{name}` appears twice");
    }
    if message == "expected sequence start" {
        return about("expects a list, such as `[甲, 乙]`");
    }
    if message == "expected string scalar" {
        return about("expects text");
    }
    if message.starts_with("invalid i64")
        || message.starts_with("invalid u32")
        || message.starts_with("invalid u64")
    {
        return about("expects a whole number");
    }
    if message.starts_with("invalid bool") {
        return about("expects true or false");
    }
    if let Some(rest) = message.strip_prefix("unknown variant ")
        && let Some((name, expected)) = rest.split_once(", expected one of ")
    {
        return format!(
            "{} is not allowed; expected one of: {}",
            about(&format!("value {name}")),
            expected.replace('`', "")
        );
    }
    if message.starts_with("unexpected end of input") {
        return "the front matter is empty: it needs at least `title:`".to_string();
    }
    friendlier(message)
}

/// The serde message for an unknown field lists the expected keys with back-ticks; make it read
/// as ours: "unknown key `x`; allowed keys: a, b, c".
pub fn friendlier(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("unknown field ") {
        if let Some((name, expected)) = rest.split_once(", expected one of ") {
            let keys = expected.replace('`', "");
            return format!("unknown key {name}; allowed keys: {keys}");
        }
        if let Some((name, expected)) = rest.split_once(", expected ") {
            let keys = expected.replace('`', "");
            return format!("unknown key {name}; allowed keys: {keys}");
        }
        if let Some((name, _)) = rest.split_once(", there are no fields") {
            return format!("unknown key {name}; no keys are allowed here");
        }
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        return format!("missing required key {rest}");
    }
    message.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_of_key_finds_top_level_keys_only() {
        let text = "---\ntitle: a\nextra:\n  title: b\nkind: original\n---\n";
        assert_eq!(line_of_key(text, "title"), 2);
        assert_eq!(line_of_key(text, "kind"), 5);
        assert_eq!(line_of_key(text, "missing"), 1);
    }
}
