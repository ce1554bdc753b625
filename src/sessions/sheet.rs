//! What the sessions feature needs of a sheet of cells: its header row found and its columns
//! recognised by their (folded) names, each data row's cells by column, and problems placed at
//! a cell (`日程!E5`, or line and column for CSV). Shared by the timetable ([`super::workbook`])
//! and the roster ([`super::roster`]).

use crate::content::bank::fold_header;
use crate::content::{BankCell, CellPos, SheetSource};
use crate::diag::Diagnostic;

/// A sheet with its header row found: the column of each wanted name, and the data rows.
pub(super) struct Table<'a> {
    pub sheet: &'a SheetSource,
    pub header: &'a [BankCell],
    /// For each wanted column (in the order asked), its index in the row.
    pub columns: Vec<Option<usize>>,
    /// Rows after the header that have any text.
    pub rows: Vec<&'a [BankCell]>,
}

/// A header's name as compared: [`fold_header`], and without brackets (`时长（分钟）` →
/// `时长分钟`).
pub(super) fn fold(s: &str) -> String {
    fold_header(s)
        .chars()
        .filter(|c| !matches!(c, '(' | ')' | '[' | ']' | '【' | '】'))
        .collect()
}

/// Finds the header row (the first of the first ten rows naming one of `wanted`'s columns,
/// each given as its accepted names) and the data rows below it.
pub(super) fn table<'a>(sheet: &'a SheetSource, wanted: &[&[&str]]) -> Option<Table<'a>> {
    let which = |cell: &BankCell| {
        let f = fold(&cell.text);
        wanted.iter().position(|names| names.contains(&f.as_str()))
    };
    let (hi, header) = sheet
        .rows
        .iter()
        .enumerate()
        .take(10)
        .find(|(_, r)| r.iter().any(|c| which(c).is_some()))?;
    let mut columns = vec![None; wanted.len()];
    for (i, c) in header.iter().enumerate() {
        if let Some(w) = which(c)
            && columns[w].is_none()
        {
            columns[w] = Some(i);
        }
    }
    let rows = sheet.rows[hi + 1..]
        .iter()
        .filter(|r| r.iter().any(|c| !c.text.is_empty()))
        .map(Vec::as_slice)
        .collect();
    Some(Table {
        sheet,
        header,
        columns,
        rows,
    })
}

impl Table<'_> {
    /// The cell of `row` under wanted column `w`, when the sheet has it and it is not empty.
    pub fn cell<'r>(&self, row: &'r [BankCell], w: usize) -> Option<&'r BankCell> {
        self.columns[w]
            .and_then(|i| row.get(i))
            .filter(|c| !c.text.is_empty())
    }

    /// An error at `cell`.
    pub fn error(&self, cell: &BankCell, message: impl Into<String>) -> Diagnostic {
        cell.pos.place(Diagnostic::error(&self.sheet.path, message))
    }

    /// An error about `row` at its cell under wanted column `w` (which is empty), or at its
    /// first cell with text when the sheet has no such column.
    pub fn row_error(&self, row: &[BankCell], w: usize, message: impl Into<String>) -> Diagnostic {
        let cell = self.columns[w]
            .and_then(|i| row.get(i))
            .or_else(|| row.iter().find(|c| !c.text.is_empty()))
            .or(row.first());
        match cell {
            Some(c) => self.error(c, message),
            None => self.sheet_error(message),
        }
    }

    /// An error at the first cell of the header row (about the sheet as a whole).
    pub fn sheet_error(&self, message: impl Into<String>) -> Diagnostic {
        match self.header.first() {
            Some(c) => self.error(c, message),
            None => Diagnostic::error(&self.sheet.path, message),
        }
    }

    /// The header texts, for messages: `日期, 内容, …`.
    pub fn found(&self) -> String {
        let names: Vec<&str> = self
            .header
            .iter()
            .map(|c| c.text.as_str())
            .filter(|t| !t.is_empty())
            .collect();
        names.join(", ")
    }
}

/// The sheet named `name` (folded), else the first sheet whose header row names `marker`.
pub(super) fn find_sheet<'a>(
    sheets: &'a [SheetSource],
    name: &str,
    marker: &[&str],
) -> Option<&'a SheetSource> {
    sheets.iter().find(|s| fold(&s.name) == name).or_else(|| {
        sheets
            .iter()
            .find(|s| table(s, &[marker]).is_some_and(|t| t.columns[0].is_some()))
    })
}

/// A cell's name for a message: `名册!A3`, or `line 3` in CSV.
pub(super) fn cell_name(pos: &CellPos) -> String {
    match pos {
        CellPos::Cell(c) => c.to_string(),
        CellPos::Line { line, .. } => format!("line {line}"),
    }
}
