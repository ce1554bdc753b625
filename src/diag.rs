//! Problems found in user content, with where they are.
//!
//! A [`Diagnostic`] names a file (relative to the site root), and where known a line and column
//! counted from the top of the file, plus the offending source line for a snippet. Loading and
//! validation push every problem into [`Diagnostics`] and carry on, so one run lists all of them
//! (ripgrep's habit); the command decides the exit code from the count of errors.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The file, relative to the site root where possible.
    pub path: PathBuf,
    /// 1-based line in the file, when known.
    pub line: Option<usize>,
    /// 1-based column (in characters), when known.
    pub column: Option<usize>,
    pub message: String,
    /// The source line the position points into, for a snippet.
    #[serde(skip)]
    pub source_line: Option<String>,
    /// A spreadsheet cell (question banks, `content/<topic>/<name>.xlsx`), when the problem is
    /// in a workbook rather than at a line of a text file: shown as `Sheet!G7` after the path.
    /// (Boxed: a diagnostic travels in `Result`s, and most have no cell.)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<Box<CellRef>>,
}

/// A cell of a workbook: its sheet (by position and name), row and column, 1-based.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct CellRef {
    /// The sheet's position in the workbook (orders problems as the workbook does).
    pub sheet_index: usize,
    pub row: usize,
    pub column: usize,
    pub sheet: String,
}

impl CellRef {
    /// The column's letters: 1 → `A`, 27 → `AA`.
    pub fn column_letters(column: usize) -> String {
        let mut n = column.max(1);
        let mut out = Vec::new();
        while n > 0 {
            let rem = (n - 1) % 26;
            out.push(char::from(b'A' + rem as u8));
            n = (n - 1) / 26;
        }
        out.iter().rev().collect()
    }
}

impl fmt::Display for CellRef {
    /// `题库!G7`, as Excel writes a reference to another sheet (quoted when the name has
    /// spaces: `'Sheet 1'!G7`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let letters = CellRef::column_letters(self.column);
        if self.sheet.contains([' ', '!', '\'']) {
            write!(
                f,
                "'{}'!{letters}{}",
                self.sheet.replace('\'', "''"),
                self.row
            )
        } else {
            write!(f, "{}!{letters}{}", self.sheet, self.row)
        }
    }
}

impl Diagnostic {
    pub fn error(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.into(),
            line: None,
            column: None,
            message: message.into(),
            source_line: None,
            cell: None,
        }
    }

    pub fn warning(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, message)
        }
    }

    /// Sets the position and takes the snippet line from `source` (the whole file's text).
    pub fn at(mut self, source: &str, line: usize, column: usize) -> Self {
        self.line = Some(line.max(1));
        self.column = Some(column.max(1));
        self.source_line = source
            .lines()
            .nth(line.saturating_sub(1))
            .map(str::to_owned);
        self
    }

    /// Points at a workbook cell (no line, no snippet).
    pub fn at_cell(mut self, cell: CellRef) -> Self {
        self.cell = Some(Box::new(cell));
        self
    }

    /// Sets the line only (no column), with its snippet.
    pub fn at_line(mut self, source: &str, line: usize) -> Self {
        self.line = Some(line.max(1));
        self.source_line = source
            .lines()
            .nth(line.saturating_sub(1))
            .map(str::to_owned);
        self
    }

    /// `path:line:col` as an editor understands it, or `path: Sheet!G7` for a cell.
    pub fn location(&self) -> String {
        let path = crate::fs::shown(&self.path.display().to_string());
        if let Some(cell) = &self.cell {
            return format!("{path}: {cell}");
        }
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{path}:{l}:{c}"),
            (Some(l), None) => format!("{path}:{l}"),
            _ => path,
        }
    }

    /// The first line of the report: `error: path:line:col: message`.
    pub fn headline(&self) -> String {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        format!("{label}: {}: {}", self.location(), self.message)
    }
}

impl fmt::Display for Diagnostic {
    /// The headline, then the source line with a caret under the column:
    ///
    /// ```text
    /// error: content/01/a.md:3:1: unknown key `colour`; allowed keys: title, weight, …
    ///    3 | colour: red
    ///      | ^
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.headline())?;
        if let (Some(line), Some(src)) = (self.line, &self.source_line) {
            let gutter = line.to_string().len();
            write!(f, "\n {line} | {src}")?;
            if let Some(col) = self.column {
                let pad: usize = src
                    .chars()
                    .take(col.saturating_sub(1))
                    .map(display_width)
                    .sum();
                write!(f, "\n {:gutter$} | {:pad$}^", "", "")?;
            }
        }
        Ok(())
    }
}

/// Terminal columns a character takes: CJK and full-width forms take two.
pub fn display_width(c: char) -> usize {
    let cp = c as u32;
    let wide = matches!(cp,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD);
    if c == '\t' {
        4
    } else if wide {
        2
    } else {
        1
    }
}

/// Every problem of one run, errors and warnings.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// In a stable order: by file, then position, then message.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut v: Vec<&Diagnostic> = self.items.iter().collect();
        v.sort_by(|a, b| {
            (&a.path, &a.cell, a.line, a.column, &a.message)
                .cmp(&(&b.path, &b.cell, b.line, b.column, &b.message))
        });
        v
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Prints every diagnostic to stderr, errors and warnings, then a count.
    pub fn print(&self) {
        for d in self.sorted() {
            eprintln!("{d}");
        }
        let (e, w) = (self.error_count(), self.warning_count());
        if e > 0 || w > 0 {
            eprintln!("{}", summary_line(e, w));
        }
    }
}

/// "2 errors, 1 warning"
pub fn summary_line(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

/// `path` relative to `root` when it lies below it, as it was otherwise.
pub fn relative_to(path: &Path, root: &Path) -> PathBuf {
    path.strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_points_at_the_column_under_wide_characters() {
        let src = "---\ntitle: 标题\nkind: 乱写\n---\n";
        let d = Diagnostic::error("content/a/b.md", "unknown kind").at(src, 3, 7);
        assert_eq!(
            d.to_string(),
            "error: content/a/b.md:3:7: unknown kind\n 3 | kind: 乱写\n   |       ^"
        );
    }

    #[test]
    fn cells_are_named_as_excel_names_them() {
        let cell = |sheet: &str, row, column| CellRef {
            sheet_index: 0,
            row,
            column,
            sheet: sheet.into(),
        };
        let d = Diagnostic::error("content/a/tiku.xlsx", "bad").at_cell(cell("题库", 7, 7));
        assert_eq!(d.to_string(), "error: content/a/tiku.xlsx: 题库!G7: bad");
        assert_eq!(cell("Sheet 1", 2, 28).to_string(), "'Sheet 1'!AB2");
        assert_eq!(CellRef::column_letters(26), "Z");
        assert_eq!(CellRef::column_letters(53), "BA");
    }

    #[test]
    fn summary_counts_are_pluralised() {
        assert_eq!(summary_line(1, 0), "1 error, 0 warnings");
        assert_eq!(summary_line(2, 1), "2 errors, 1 warning");
    }
}
