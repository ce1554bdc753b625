//! A session file as the sessions feature reports on it: every problem at a file-absolute line
//! and column (serde-saphyr counts from the YAML's first line; [`crate::yaml::file_line`]
//! shifts it), or at the line of a top-level key.

use serde_saphyr::Location;

use crate::content::RawFile;
use crate::diag::Diagnostic;

/// Positions in a session file: serde-saphyr counts from the YAML's first line.
pub(super) struct FileRef<'a> {
    pub raw: &'a RawFile,
}

impl FileRef<'_> {
    pub fn error_at(&self, loc: Location, message: impl Into<String>) -> Diagnostic {
        self.at(Diagnostic::error(&self.raw.path, message), loc)
    }

    pub fn warning_at(&self, loc: Location, message: impl Into<String>) -> Diagnostic {
        self.at(Diagnostic::warning(&self.raw.path, message), loc)
    }

    fn at(&self, d: Diagnostic, loc: Location) -> Diagnostic {
        if loc.line() == 0 {
            return d.at_line(&self.raw.text, self.raw.yaml_first_line);
        }
        let (line, column) = crate::yaml::file_position(loc, self.raw.yaml_first_line);
        d.at(&self.raw.text, line, column)
    }

    /// The file line of `loc`.
    pub fn line(&self, loc: Location) -> usize {
        crate::yaml::file_line(loc, self.raw.yaml_first_line)
    }

    pub fn error_at_key(&self, key: &str, message: impl Into<String>) -> Diagnostic {
        let line = crate::yaml::line_of_key(&self.raw.text, key);
        Diagnostic::error(&self.raw.path, message).at(&self.raw.text, line, 1)
    }

    pub fn warning_at_key(&self, key: &str, message: impl Into<String>) -> Diagnostic {
        let line = crate::yaml::line_of_key(&self.raw.text, key);
        Diagnostic::warning(&self.raw.path, message).at(&self.raw.text, line, 1)
    }
}
