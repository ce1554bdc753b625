//! Finding tags in a served HTML page and putting markup into it, for the parts that add to
//! pages (live reload, the collector's tag); bytes in, bytes out, no parsing.

/// Finds `needle` (ASCII, lower case) in `hay`, ignoring ASCII case; the last match when
/// `last`.
pub(super) fn find_ci(hay: &[u8], needle: &[u8], last: bool) -> Option<usize> {
    if hay.len() < needle.len() {
        return None;
    }
    let matches = |i: &usize| hay[*i..*i + needle.len()].eq_ignore_ascii_case(needle);
    let mut range = 0..=hay.len() - needle.len();
    if last {
        range.rfind(matches)
    } else {
        range.find(matches)
    }
}

/// `html` with `tag` before its last `</body>` (at the end when there is none).
pub fn inject_tag(html: &[u8], tag: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(html.len() + tag.len());
    match find_ci(html, b"</body", true) {
        Some(at) => {
            out.extend_from_slice(&html[..at]);
            out.extend_from_slice(tag.as_bytes());
            out.extend_from_slice(&html[at..]);
        }
        None => {
            out.extend_from_slice(html);
            out.extend_from_slice(tag.as_bytes());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tag_goes_before_the_last_body_end() {
        let out = inject_tag(b"<body>a</body><!-- --></BODY>", "<x>");
        assert_eq!(out, b"<body>a</body><!-- --><x></BODY>");
        assert_eq!(inject_tag(b"abc", "<x>"), b"abc<x>");
    }
}
