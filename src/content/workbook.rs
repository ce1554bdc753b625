//! The workbooks of `content/sessions/`: a 班次 written as a workbook (`<slug>.xlsx`, `.xls`,
//! `.ods`, or one CSV file per sheet, `<slug>.日程.csv` and `<slug>.名册.csv`) with the `.md`
//! of the same name beside it for its notice and settings, and roster workbooks shared by
//! sessions (`roster:`). Here they are only read into sheets of cells with positions; which
//! sheet is the timetable or the roster, and what a cell means, is the sessions feature's work.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::bank::{BankCell, read_grids};
use super::{RawFile, load_raw};
use crate::diag::Diagnostic;

/// One sheet of a session workbook (or one CSV file).
#[derive(Debug, Clone)]
pub struct SheetSource {
    /// The file the cells are in (the workbook, or this sheet's CSV file).
    pub path: PathBuf,
    /// The sheet's name; for CSV, what follows the session's name (`日程` of `a.日程.csv`),
    /// or the file name without its extension.
    pub name: String,
    pub rows: Vec<Vec<BankCell>>,
}

/// A workbook of the sessions folder, read: its sheets, and the `.md` of the same name.
#[derive(Debug, Clone)]
pub struct SessionBook {
    /// The workbook (or its first CSV file), relative to the root.
    pub path: PathBuf,
    /// The file name as `roster:` names it (`名册.xlsx`); for CSV, every file's name.
    pub file_names: Vec<String>,
    pub slug: String,
    pub sheets: Vec<SheetSource>,
    /// `<slug>.md` beside it, split at its fences.
    pub companion: Option<RawFile>,
}

/// What one workbook is made of before reading: its files, and its `.md`.
#[derive(Debug)]
pub(super) struct BookPlan {
    slug: String,
    files: Vec<PathBuf>,
    companion: Option<(PathBuf, String)>,
}

/// Groups the spreadsheet files of the sessions folder into workbooks (the CSV files
/// `a.日程.csv` and `a.名册.csv` make one), and takes out of `md` the `.md` files that belong
/// to one of them (their notice and settings), which are then not sessions of their own.
pub(super) fn plan_books(
    md: &mut Vec<(PathBuf, String)>,
    sheets: Vec<(PathBuf, String)>,
) -> Vec<BookPlan> {
    let mut books: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for (path, slug) in sheets {
        let is_csv = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        let base = match slug.rsplit_once('.') {
            Some((base, _)) if is_csv && !base.is_empty() => base.to_string(),
            _ => slug,
        };
        books.entry(base).or_default().push(path);
    }
    books
        .into_iter()
        .map(|(slug, files)| {
            let companion = md
                .iter()
                .position(|(_, s)| *s == slug)
                .map(|i| md.remove(i));
            BookPlan {
                slug,
                files,
                companion,
            }
        })
        .collect()
}

/// Reads one planned workbook: every sheet of every file, and its `.md`.
pub(super) fn read_book(root: &Path, plan: BookPlan) -> (Option<SessionBook>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut sheets = Vec::new();
    let mut file_names = Vec::new();
    for rel in &plan.files {
        let name = rel
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        file_names.push(name.clone());
        let bytes = match std::fs::read(root.join(rel)) {
            Ok(b) => b,
            Err(e) => {
                diags.push(Diagnostic::error(rel, format!("cannot read the file: {e}")));
                continue;
            }
        };
        match read_grids(rel, &bytes) {
            Ok(grids) => sheets.extend(grids.into_iter().map(|g| SheetSource {
                path: rel.clone(),
                name: g.sheet.unwrap_or_else(|| csv_sheet_name(&name)),
                rows: g.rows,
            })),
            Err(msg) => diags.push(Diagnostic::error(rel, msg)),
        }
    }
    let companion = plan
        .companion
        .and_then(|(path, slug)| match load_raw(root, &path, slug) {
            Ok(f) => Some(f),
            Err(ds) => {
                diags.extend(ds);
                None
            }
        });
    let Some(path) = plan.files.first().cloned() else {
        return (None, diags);
    };
    let book = SessionBook {
        path,
        file_names,
        slug: plan.slug,
        sheets,
        companion,
    };
    (Some(book), diags)
}

/// `a.日程.csv` → `日程`; `名册.csv` → `名册`.
fn csv_sheet_name(file_name: &str) -> String {
    let stem = file_name
        .rsplit_once('.')
        .map(|(s, _)| s)
        .unwrap_or(file_name);
    stem.rsplit_once('.')
        .map(|(_, s)| s)
        .unwrap_or(stem)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_files_of_one_session_make_one_book() {
        let mut md = vec![
            (PathBuf::from("content/sessions/a.md"), "a".to_string()),
            (PathBuf::from("content/sessions/b.md"), "b".to_string()),
        ];
        let plans = plan_books(
            &mut md,
            vec![
                (
                    PathBuf::from("content/sessions/a.日程.csv"),
                    "a.日程".into(),
                ),
                (
                    PathBuf::from("content/sessions/a.名册.csv"),
                    "a.名册".into(),
                ),
                (PathBuf::from("content/sessions/r.xlsx"), "r".into()),
            ],
        );
        assert_eq!(plans.len(), 2);
        assert_eq!(plans[0].slug, "a");
        assert_eq!(plans[0].files.len(), 2);
        assert!(plans[0].companion.is_some());
        assert!(plans[1].companion.is_none());
        assert_eq!(md.len(), 1, "a.md belongs to the workbook a");
        assert_eq!(csv_sheet_name("a.日程.csv"), "日程");
        assert_eq!(csv_sheet_name("名册.csv"), "名册");
    }
}
