//! YAML (site.yaml, front matter) into typed values, with positions in the whole file.
//!
//! serde-saphyr reports positions inside the YAML text it was given; front matter starts below
//! the `---` fence, so every position is shifted to count from the top of the file (zola #1133
//! asked for exactly this). [`file_line`] is that shift, the one place it is written: parse
//! errors here, and the positions of spanned values (a question, a session block) that later
//! checks report at.
//!
//! The parser's words (`found a tab`, `simple key expected ':'`, `invalid i64`, `mapping values
//! are not allowed in this context`) mean nothing to the secretary who typed the session; the
//! commonest mistakes are recognised from the text itself ([`plain_words`]) and put in plain
//! Chinese, the language of the sites this is for, with the fix, at the line that has the
//! mistake (the parser sometimes points at the line after).

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
        let at = err.location().map_or(0, |l| l.line() as usize);
        if let Some((line, column, plain)) = plain_words(yaml, at, &message) {
            return Diagnostic::error(path, plain).at(file_text, line + first_line - 1, column);
        }
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

/// The commonest YAML mistakes in plain words: `(line, column, message)`, the line counted in
/// `yaml` from 1; `at` is the line the parser pointed at (0 when it gave none).
pub fn plain_words(yaml: &str, at: usize, message: &str) -> Option<(usize, usize, String)> {
    let lines: Vec<&str> = yaml.lines().collect();
    // A tab in the indentation (the parser may point at the line after it).
    for (i, l) in lines.iter().enumerate() {
        let indent = &l[..l.len() - l.trim_start().len()];
        if let Some(c) = indent.find('\t') {
            return Some((
                i + 1,
                indent[..c].chars().count() + 1,
                "这一行用 Tab 缩进了：用空格缩进，不要用 Tab".to_string(),
            ));
        }
    }
    if message.contains("tab") {
        for (i, l) in lines.iter().enumerate() {
            if let Some(c) = l.find('\t') {
                return Some((
                    i + 1,
                    l[..c].chars().count() + 1,
                    "这一行有 Tab：用空格，不要用 Tab".to_string(),
                ));
            }
        }
    }
    // `date：2026-01-01`: a key with a full-width colon.
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim_start().trim_start_matches("- ").trim_start();
        let Some(colon) = t.find('：') else { continue };
        let key = t[..colon].trim_end();
        if !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            let col = l.find('：').map_or(1, |b| l[..b].chars().count() + 1);
            return Some((
                i + 1,
                col,
                format!(
                    "`{key}` 后面是中文全角冒号 `：`：冒号要用英文半角 `:`，后面空一格，如 `{key}: …`"
                ),
            ));
        }
    }
    let line = *lines.get(at.checked_sub(1)?)?;
    let (key, value) = line.trim_start().trim_start_matches("- ").split_once(':')?;
    let (key, value) = (key.trim(), value.trim());
    // `minutes: 60分钟`: a number with its unit.
    if message.starts_with("invalid i") || message.starts_with("invalid u") {
        let digits: String = value.chars().take_while(char::is_ascii_digit).collect();
        let col = line
            .find(value)
            .map_or(1, |b| line[..b].chars().count() + 1);
        let example = if digits.is_empty() {
            "60".to_string()
        } else {
            digits
        };
        return Some((
            at,
            col,
            format!("`{key}` 只写数字，如 {example}（不带“分钟”等单位，也不加引号）"),
        ));
    }
    if message.contains("mapping values are not allowed") && value.contains(": ") {
        // `title: 学习: 原文`: a colon and a space inside the value.
        return Some((
            at,
            line.find(value)
                .map_or(1, |b| line[..b].chars().count() + 1),
            format!(
                "`{key}` 的值里有英文冒号加空格 `: `，会被读成又一个键：把整个值放进英文引号，如 {key}: \"{value}\""
            ),
        ));
    }
    if message.contains("mapping values are not allowed")
        || message.contains("did not find expected")
        || message.contains("while parsing a block")
    {
        return Some((
            at,
            1,
            "这一行的缩进和上面同一层的行没有对齐：同一层的键、同一列表的 `- ` 要用同样多的空格缩进，对照上一行改这一行前面的空格".to_string(),
        ));
    }
    None
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

    #[test]
    fn plain_words_point_at_the_line_with_the_mistake() {
        // The parser points at line 4 for a tab on line 3.
        let tab = plain_words("blocks:\n  - unit: x\n\tminutes: 3\n", 4, "found a tab");
        assert_eq!(tab.map(|t| (t.0, t.1)), Some((3, 1)));
        assert_eq!(plain_words("title: a\n", 1, "something else"), None);
    }
}
