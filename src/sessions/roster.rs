//! A session's roster (名册): the 名册 sheet of its workbook, or a roster workbook of
//! `content/sessions/` named by `roster:` and shared by several sessions. Columns 姓名 and 支部
//! (or 单位), optionally 编号, 职务 and 手机; every problem at its cell.

use serde_saphyr::{Location, Spanned};

use super::file::FileRef;
use super::sheet::{Table, find_sheet, table};
use crate::content::SessionBook;
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::session::Learner;

const NAME: usize = 0;
const BRANCH: usize = 1;
const NUMBER: usize = 2;
const ROLE: usize = 3;
const PHONE: usize = 4;

const COLUMNS: [&[&str]; 5] = [
    &["姓名", "名字", "学员", "name"],
    &[
        "支部",
        "党支部",
        "所在支部",
        "单位",
        "工作单位",
        "所在单位",
        "branch",
    ],
    &["编号", "学号", "工号", "number"],
    &["职务", "职位", "role"],
    &["手机", "手机号", "手机号码", "电话", "联系电话", "phone"],
];

/// Whether the book has a roster sheet.
pub(super) fn has_roster(book: &SessionBook) -> bool {
    find_sheet(&book.sheets, "名册", COLUMNS[NAME]).is_some()
}

/// The learners of the book's roster sheet (none when it has none); problems into `diags`.
pub(super) fn read_roster(book: &SessionBook, diags: &mut Diagnostics) -> Vec<Learner> {
    let Some(sheet) = find_sheet(&book.sheets, "名册", COLUMNS[NAME]) else {
        return Vec::new();
    };
    let Some(t) = table(sheet, &COLUMNS) else {
        diags.push(Diagnostic::error(
            &sheet.path,
            format!(
                "the sheet `{}` has no header row: its first row names the columns 姓名, 支部 (or 单位), and optionally 编号, 职务, 手机",
                sheet.name
            ),
        ));
        return Vec::new();
    };
    if !check_columns(&t, diags) {
        return Vec::new();
    }
    let mut learners: Vec<Learner> = Vec::new();
    let mut seen: Vec<(String, String)> = Vec::new();
    for row in &t.rows {
        let Some(name) = t.cell(row, NAME) else {
            diags.push(t.row_error(row, NAME, "this row of the roster has no 姓名"));
            continue;
        };
        let at = super::sheet::cell_name(&name.pos);
        if let Some((_, other)) = seen.iter().find(|(n, _)| *n == name.text) {
            diags.push(t.error(
                name,
                format!(
                    "`{}` is on the roster twice (also at {other}): sign-in goes by name, so tell them apart, e.g. `{}（{}）`",
                    name.text,
                    name.text,
                    t.cell(row, BRANCH).map(|c| c.text.as_str()).unwrap_or("二")
                ),
            ));
            continue;
        }
        seen.push((name.text.clone(), at));
        let branch = match t.cell(row, BRANCH) {
            Some(c) => c.text.clone(),
            None => {
                diags.push(t.error(name, format!("`{}` has no 支部 (or 单位)", name.text)));
                String::new()
            }
        };
        let text = |w: usize| t.cell(row, w).map(|c| c.text.clone());
        learners.push(Learner {
            name: name.text.clone(),
            branch,
            number: text(NUMBER),
            role: text(ROLE),
            phone: text(PHONE),
        });
    }
    learners
}

/// 姓名 and 支部 (or 单位) must be columns of the sheet.
fn check_columns(t: &Table<'_>, diags: &mut Diagnostics) -> bool {
    let missing: Vec<&str> = [(NAME, "姓名"), (BRANCH, "支部 (or 单位)")]
        .iter()
        .filter(|(w, _)| t.columns[*w].is_none())
        .map(|(_, n)| *n)
        .collect();
    if missing.is_empty() {
        return true;
    }
    diags.push(t.sheet_error(format!(
        "the roster has no {} column: found {}; expected 姓名, 支部 (or 单位), and optionally 编号, 职务, 手机",
        missing.join(", "),
        t.found()
    )));
    false
}

/// The roster of the workbook `name` names (`名册.xlsx`, in `content/sessions/`), for the
/// session in `from` (a session file or workbook); reported when there is none.
pub(super) fn named_roster(
    from: &dyn RosterFrom,
    name: &Spanned<String>,
    books: &[SessionBook],
    diags: &mut Diagnostics,
) -> Vec<Learner> {
    let want = name.value.trim();
    let want = want.strip_prefix("content/sessions/").unwrap_or(want);
    match books
        .iter()
        .find(|b| b.file_names.iter().any(|f| f == want))
    {
        Some(book) if has_roster(book) => read_roster(book, diags),
        found => {
            let known: Vec<String> = books
                .iter()
                .filter(|b| has_roster(b))
                .flat_map(|b| b.file_names.iter().map(|f| format!("`{f}`")))
                .collect();
            let why = match found {
                Some(_) => format!("`{want}` has no 名册 sheet (columns 姓名, 支部)"),
                None => format!("there is no workbook `{want}` in content/sessions/"),
            };
            let list = if known.is_empty() {
                "no workbook there has a 名册 sheet".to_string()
            } else {
                format!("the rosters there: {}", known.join(", "))
            };
            diags.push(from.error_at(name.referenced, format!("`roster`: {why}; {list}")));
            Vec::new()
        }
    }
}

/// Where a `roster:` key is reported: a session file, or the `.md` beside a workbook.
pub(super) trait RosterFrom {
    fn error_at(&self, loc: Location, message: String) -> Diagnostic;
}

impl RosterFrom for FileRef<'_> {
    fn error_at(&self, loc: Location, message: String) -> Diagnostic {
        FileRef::error_at(self, loc, message)
    }
}

impl RosterFrom for SessionBook {
    fn error_at(&self, loc: Location, message: String) -> Diagnostic {
        match &self.companion {
            Some(raw) => FileRef { raw }.error_at(loc, message),
            None => Diagnostic::error(&self.path, message),
        }
    }
}
