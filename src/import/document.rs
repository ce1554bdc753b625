//! Which documents can be imported: the kind a file name says, or why it cannot be imported
//! (an old .doc, a .wps, a PDF) and what to do instead.

use std::path::Path;

use anyhow::{Result, bail};

/// The kinds of document read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Docx,
}

/// The kind of document a file name says, or why it cannot be imported.
pub fn kind_of(path: &Path) -> Result<Kind> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let shown = path.display();
    match ext.as_str() {
        "txt" | "md" | "markdown" | "text" => Ok(Kind::Text),
        "docx" => Ok(Kind::Docx),
        "doc" => bail!(
            "`{shown}` is an old Word document (.doc), which studysite cannot read: open it in Word or WPS, save it as .docx (Word 文档), and import that file"
        ),
        "wps" => bail!(
            "`{shown}` is a WPS document (.wps), which studysite cannot read: open it in WPS, save it as .docx (Word 文档), and import that file"
        ),
        "pdf" => bail!(
            "`{shown}` is a PDF, which keeps no paragraphs or parts to import: import the Word (.docx) or text file it was made from, or copy its text into a .txt file"
        ),
        _ => bail!(
            "`{shown}` is not a document studysite imports: it reads .docx (Word, WPS), .txt and .md files; save the outline as one of these"
        ),
    }
}
