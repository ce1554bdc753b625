//! JSON inside a page: data for the theme's scripts is embedded as
//! `<script type="application/json">`, where the text must not be able to end the element.

use serde::Serialize;

/// Escapes JSON for inclusion in a `<script>` element: `<`, `>`, `&`, U+2028 and U+2029 become
/// `\uXXXX` (they only occur inside JSON strings, where the escape means the same).
pub fn escape_script_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Serializes `value` for a `<script type="application/json">` element.
pub fn script_json(value: &impl Serialize) -> String {
    escape_script_json(&serde_json::to_string(value).unwrap_or_else(|_| "null".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn script_json_cannot_close_the_script_element() {
        let s = script_json(&json!({"p": "</script><script>alert(1)</script>\u{2028}&"}));
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('&'),
            "{s}"
        );
        assert!(!s.contains('\u{2028}'));
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["p"], "</script><script>alert(1)</script>\u{2028}&");
    }
}
