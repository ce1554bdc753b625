//! Text made safe for HTML: the one escaper every writer of HTML uses (Markdown headings' ids,
//! highlighted code, the server's error overlay). It escapes `& < > " '`, so its output may
//! stand in element content and in attribute values quoted either way.

/// HTML-escapes text into `out` (`&`, `<`, `>`, `"`, `'`).
pub fn write_escaped(out: &mut dyn std::fmt::Write, s: &str) -> std::fmt::Result {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.write_str(&s[last..i])?;
        out.write_str(rep)?;
        last = i + 1;
    }
    out.write_str(&s[last..])
}

/// `s` HTML-escaped ([`write_escaped`]).
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let _ = write_escaped(&mut out, s);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_five_characters_and_nothing_else() {
        assert_eq!(
            escape_html("<a href=\"x\" title='y'>学 & 习</a>"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;学 &amp; 习&lt;/a&gt;"
        );
    }
}
