//! Splitting a Markdown file into its YAML front matter and its body, keeping line numbers.
//!
//! Front matter is required and fenced by lines that are exactly `---` (trailing spaces
//! allowed). A malformed fence is an error, never passed on to Markdown (zola #1287).

/// A file split at its fences. Lines are 1-based and count from the top of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    pub yaml: &'a str,
    /// The file line the YAML text starts on (the line after the opening fence).
    pub yaml_first_line: usize,
    pub body: &'a str,
    /// The file line the body starts on (the line after the closing fence).
    pub body_first_line: usize,
}

/// Why a file has no usable front matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitError {
    /// The file does not start with a `---` line.
    Missing,
    /// The opening fence at line 1 has no closing fence.
    Unterminated,
}

impl SplitError {
    pub fn message(&self) -> &'static str {
        match self {
            SplitError::Missing => {
                "no front matter: the file must start with a `---` line, then YAML such as `title: …`, then `---`"
            }
            SplitError::Unterminated => {
                "front matter is not closed: the `---` on line 1 has no closing `---` line"
            }
        }
    }
}

fn is_fence(line: &str) -> bool {
    line.trim_end_matches(['\r', '\n']).trim_end() == "---"
}

/// Splits `text` (already without a byte-order mark).
pub fn split(text: &str) -> Result<Split<'_>, SplitError> {
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().ok_or(SplitError::Missing)?;
    if !is_fence(first) {
        return Err(SplitError::Missing);
    }
    let yaml_start = first.len();
    let mut offset = yaml_start;
    let mut line_no = 1;
    for line in lines {
        line_no += 1;
        if is_fence(line) {
            return Ok(Split {
                yaml: &text[yaml_start..offset],
                yaml_first_line: 2,
                body: &text[offset + line.len()..],
                body_first_line: line_no + 1,
            });
        }
        offset += line.len();
    }
    Err(SplitError::Unterminated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_counts_lines_from_the_top() {
        let s = split("---\ntitle: 甲\nweight: 2\n---\n正文\n").unwrap();
        assert_eq!(s.yaml, "title: 甲\nweight: 2\n");
        assert_eq!(s.yaml_first_line, 2);
        assert_eq!(s.body, "正文\n");
        assert_eq!(s.body_first_line, 5);
    }

    #[test]
    fn crlf_and_trailing_spaces_on_fences() {
        let s = split("--- \r\ntitle: a\r\n---\r\nbody").unwrap();
        assert_eq!(s.yaml, "title: a\r\n");
        assert_eq!(s.body, "body");
    }

    #[test]
    fn empty_front_matter_and_no_body() {
        let s = split("---\n---\n").unwrap();
        assert_eq!(s.yaml, "");
        assert_eq!(s.body, "");
        assert_eq!(s.body_first_line, 3);
    }

    #[test]
    fn missing_and_unterminated() {
        assert_eq!(split("# 标题\n"), Err(SplitError::Missing));
        assert_eq!(split(""), Err(SplitError::Missing));
        assert_eq!(split("----\n"), Err(SplitError::Missing));
        assert_eq!(split("---\ntitle: a\n"), Err(SplitError::Unterminated));
    }
}
