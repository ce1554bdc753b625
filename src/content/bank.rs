//! Question banks (题库): a spreadsheet in a topic folder, `content/<topic>/<name>.xlsx` (or
//! `.xls`, `.ods`, `.csv`), read into a [`BankSource`]: the cells of each question row under
//! the columns its header row names, each cell with its position (`Sheet!G7`, or line and
//! column for CSV), so that the quiz feature's checks can report every problem at its cell.
//!
//! This is input work only: which file is a bank, how its bytes become rows of text (calamine
//! for workbooks, formulas by their cached value; the csv crate for CSV, in UTF-8 with or
//! without BOM or in GB18030/GBK, detected with chardetng), and which column is which
//! (README, "Question banks"). What a cell means — a type, an answer against the options — is
//! checked by `quiz::check_bank`.
//!
//! Cells are read as Excel shows them, so that an answer is what the learner sees in the sheet:
//! an .xlsx cell's number format (calamine 0.38's `Xlsx::worksheet_style` gives each cell's
//! format code) is applied — dates (`yyyy"年"m"月"d"日"` → `1921年7月1日`), times, percent
//! (`0.5%`, not `0.005`), thousands separators and fixed decimals, literal text around the
//! number; a number stored as text stays as typed. A merged cell's value fills every cell of
//! the merge (`Xlsx::worksheet_merge_cells`), so a 题型 merged down ten rows is each row's
//! type. Other workbook kinds (.xls, .ods) are read as calamine gives their values.

use std::path::{Path, PathBuf};

use crate::diag::{CellRef, Diagnostic};

/// The file extensions that make a file in a topic folder a question bank.
pub const BANK_EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xls", "ods", "csv"];

/// Whether `name` is a question bank's file name; returns its stem.
pub fn bank_stem(name: &str) -> Option<&str> {
    let (stem, ext) = name.rsplit_once('.')?;
    let ext = ext.to_ascii_lowercase();
    (BANK_EXTENSIONS.contains(&ext.as_str()) && !stem.is_empty()).then_some(stem)
}

/// Where a cell is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellPos {
    /// A workbook cell.
    Cell(CellRef),
    /// A CSV field: 1-based line and column (in characters) where it starts.
    Line {
        line: usize,
        column: usize,
        /// The line's text, for the snippet.
        text: String,
    },
}

impl CellPos {
    /// A diagnostic at this cell.
    pub fn place(&self, d: Diagnostic) -> Diagnostic {
        match self {
            CellPos::Cell(c) => d.at_cell(c.clone()),
            CellPos::Line { line, column, text } => d.at(text, *line, *column),
        }
    }
}

/// One cell's text (trimmed) and position.
#[derive(Debug, Clone)]
pub struct BankCell {
    pub text: String,
    pub pos: CellPos,
    /// For a workbook's date or time cell, its value whatever the cell's number format shows:
    /// `[year, month, day, hour, minute]` (a time alone has year 0).
    pub when: Option<[u32; 5]>,
}

/// One question row: its cells under the recognised columns. `kind`, `prompt` and `answer`
/// are always there (a sheet without those columns has no rows); the others when the sheet
/// has the column.
#[derive(Debug, Clone)]
pub struct BankRow {
    pub id: Option<BankCell>,
    pub kind: BankCell,
    pub prompt: BankCell,
    /// The options as written: one cell per 选项A…选项H column up to the last filled one, or
    /// the pieces of one 选项 column (each at that cell).
    pub options: Vec<BankCell>,
    pub answer: BankCell,
    pub explanation: Option<BankCell>,
    pub source: Option<BankCell>,
    pub points: Option<BankCell>,
}

/// A question bank as read: its rows in sheet and row order.
#[derive(Debug, Clone)]
pub struct BankSource {
    /// `content/<topic>/<name>.xlsx`, relative to the root.
    pub path: PathBuf,
    pub slug: String,
    /// The first sheet's name, unless it is a default one (`Sheet1`, `工作表1`); else the file
    /// name without its extension. CSV: the file name.
    pub title: String,
    pub rows: Vec<BankRow>,
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Id,
    Kind,
    Prompt,
    /// 选项A … 选项H: the option's index.
    Option(usize),
    /// One 选项 column with every option.
    Options,
    Answer,
    Explanation,
    Source,
    Points,
    /// 序号, 题号, 编号: the author's numbering, not read.
    Numbering,
}

/// The columns a bank must have, as the messages name them.
const REQUIRED: [(Column, &str); 3] = [
    (Column::Kind, "题型"),
    (Column::Prompt, "题干"),
    (Column::Answer, "答案"),
];

const EXPECTED: &str = "题型 (type), 题干 (prompt), 答案 (answer), and optionally 选项A…选项H or one 选项 column (options), 解析 (explanation), 出处 (source), 分值 (points), id";

/// Folds a header: no spaces, full-width forms to ASCII, lower case, no trailing colon or `*`.
pub fn fold_header(s: &str) -> String {
    s.chars()
        .map(|c| match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | ':' | '_' | '-' | '（' | '）'))
        .collect::<String>()
        .to_lowercase()
}

/// Recognises a header cell (README, "Question banks", has the table).
fn column_of(header: &str) -> Option<Column> {
    let h = fold_header(header);
    let h = h.as_str();
    let c = match h {
        "id" => Column::Id,
        "题型" | "类型" | "题目类型" | "试题类型" | "type" | "questiontype" | "kind" => {
            Column::Kind
        }
        "题干" | "题目" | "问题" | "试题" | "题目内容" | "试题内容" | "prompt" | "question"
        | "stem" => Column::Prompt,
        "选项" | "options" | "choices" => Column::Options,
        "答案" | "正确答案" | "参考答案" | "标准答案" | "answer" | "correctanswer" | "key" => {
            Column::Answer
        }
        "解析" | "答案解析" | "试题解析" | "题目解析" | "explanation" | "analysis" => {
            Column::Explanation
        }
        "出处" | "来源" | "source" => Column::Source,
        "分值" | "分数" | "points" | "score" => Column::Points,
        "序号" | "题号" | "编号" | "no" | "no." | "#" => Column::Numbering,
        _ => return option_letter(h).map(Column::Option),
    };
    Some(c)
}

/// `选项a`, `a`, `a选项`, `optiona` → 0 (A–H).
fn option_letter(h: &str) -> Option<usize> {
    let rest = h
        .strip_prefix("选项")
        .or_else(|| h.strip_prefix("option"))
        .or_else(|| h.strip_suffix("选项"))
        .unwrap_or(h);
    let mut chars = rest.chars();
    match (chars.next(), chars.next()) {
        (Some(c @ 'a'..='h'), None) => Some(c as usize - 'a' as usize),
        _ => None,
    }
}

/// A sheet (or a CSV file) as rows of cells: text and position. The sessions' workbooks are
/// read into these too ([`read_grids`]).
#[derive(Debug, Clone)]
pub struct Grid {
    /// The sheet's name; `None` for CSV.
    pub sheet: Option<String>,
    pub rows: Vec<Vec<BankCell>>,
}

/// Every sheet of a workbook, or the one grid of a CSV file (by the extension of `rel`), as
/// cells with their positions; the error says why the bytes are not a spreadsheet.
pub fn read_grids(rel: &Path, bytes: &[u8]) -> Result<Vec<Grid>, String> {
    let is_csv = rel
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv {
        csv_grid(bytes).map(|g| vec![g])
    } else {
        workbook_grids(bytes)
    }
}

/// Reads a bank file. Returns the bank (its rows from every sheet whose header could be read)
/// and every problem: errors for what makes rows unreadable, one warning per sheet for the
/// columns that are not read.
pub fn load_bank(rel: &Path, slug: String, bytes: &[u8]) -> (Option<BankSource>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let grids = match read_grids(rel, bytes) {
        Ok(g) => g,
        Err(msg) => return (None, vec![Diagnostic::error(rel, msg)]),
    };
    let stem = rel
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut rows = Vec::new();
    let mut any_header = false;
    // The bank is named by its first sheet of questions (a 说明 sheet before it never names it).
    let mut first_with_rows: Option<&Grid> = None;
    for grid in &grids {
        match sheet_rows(grid, rel, &mut diags) {
            Some(r) => {
                any_header = true;
                first_with_rows.get_or_insert(grid);
                rows.extend(r);
            }
            None => continue,
        }
    }
    let title = first_with_rows
        .or(grids.first())
        .and_then(|g| g.sheet.clone())
        .filter(|s| !is_default_sheet_name(s))
        .unwrap_or(stem);
    if !any_header
        && !diags
            .iter()
            .any(|d| d.severity == crate::diag::Severity::Error)
    {
        let found = grids
            .iter()
            .flat_map(|g| g.rows.first())
            .next()
            .map(|r| found_list(r))
            .unwrap_or_else(|| "nothing (the file is empty)".into());
        diags.push(Diagnostic::error(
            rel,
            format!("no header row names the bank's columns: found {found}; expected {EXPECTED}"),
        ));
    }
    let bank = BankSource {
        path: rel.to_path_buf(),
        slug,
        title,
        rows,
    };
    (Some(bank), diags)
}

fn found_list(row: &[BankCell]) -> String {
    let names: Vec<&str> = row.iter().map(|c| c.text.as_str()).collect();
    if names.is_empty() {
        "no columns".into()
    } else {
        names.join(", ")
    }
}

/// `Sheet1`, `sheet 2`, `工作表1`, `WorkSheet`: the names a spreadsheet program gives.
fn is_default_sheet_name(name: &str) -> bool {
    let n = fold_header(name);
    let rest = n
        .strip_prefix("sheet")
        .or_else(|| n.strip_prefix("worksheet"))
        .or_else(|| n.strip_prefix("工作表"));
    rest.is_some_and(|r| r.chars().all(|c| c.is_ascii_digit()))
}

/// How far down a sheet its header row is looked for (notes above it are common).
const HEADER_ROWS: usize = 30;

/// The header row of a sheet (among its first 30 rows, the first that names the three
/// required columns, else the first that names a known column), then its question rows.
/// `None` when the sheet has no header (a sheet of notes is skipped; one whose rows look like
/// questions is warned about) or lacks a required column (reported).
fn sheet_rows(grid: &Grid, rel: &Path, diags: &mut Vec<Diagnostic>) -> Option<Vec<BankRow>> {
    let has_all = |r: &Vec<BankCell>| {
        REQUIRED
            .iter()
            .all(|(col, _)| r.iter().any(|c| column_of(&c.text) == Some(*col)))
    };
    let found = grid
        .rows
        .iter()
        .enumerate()
        .take(HEADER_ROWS)
        .find(|(_, r)| has_all(r))
        .or_else(|| {
            grid.rows
                .iter()
                .enumerate()
                .take(HEADER_ROWS)
                .find(|(_, r)| r.iter().any(|c| column_of(&c.text).is_some()))
        });
    let Some((hi, header)) = found else {
        no_header(grid, rel, diags);
        return None;
    };
    let columns: Vec<Option<Column>> = header.iter().map(|c| column_of(&c.text)).collect();
    let missing: Vec<&str> = REQUIRED
        .iter()
        .filter(|(col, _)| !columns.contains(&Some(*col)))
        .map(|(_, name)| *name)
        .collect();
    if !missing.is_empty() {
        let first = header.first().map(|c| c.pos.clone());
        let d = Diagnostic::error(
            rel,
            format!(
                "the header row has no {} column: found {}; expected {EXPECTED}",
                missing.join(", "),
                found_list(header)
            ),
        );
        diags.push(match first {
            Some(p) => p.place(d),
            None => d,
        });
        return None;
    }
    let unknown: Vec<&str> = header
        .iter()
        .zip(&columns)
        .filter(|(c, col)| col.is_none() && !c.text.is_empty())
        .map(|(c, _)| c.text.as_str())
        .collect();
    if !unknown.is_empty() {
        let d = Diagnostic::warning(
            rel,
            format!(
                "column{} {} {} not read (the columns read: {EXPECTED})",
                if unknown.len() == 1 { "" } else { "s" },
                unknown
                    .iter()
                    .map(|u| format!("`{u}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                if unknown.len() == 1 { "is" } else { "are" },
            ),
        );
        diags.push(header[0].pos.place(d));
    }
    let rows = grid.rows[hi + 1..]
        .iter()
        .filter(|r| r.iter().any(|c| !c.text.is_empty()) && !is_section_row(r))
        .map(|r| bank_row(r, &columns, header))
        .collect();
    Some(rows)
}

/// `一、单项选择题（每题1分）` between the questions: a row of one filled cell that heads a
/// section. (A question needs three cells, so such a row is never one.)
fn is_section_row(row: &[BankCell]) -> bool {
    let mut filled = row.iter().filter(|c| !c.text.is_empty());
    let (Some(only), None) = (filled.next(), filled.next()) else {
        return false;
    };
    let t = only.text.trim();
    let numeral: usize = t
        .chars()
        .take_while(|c| "一二三四五六七八九十".contains(*c))
        .map(char::len_utf8)
        .sum();
    (numeral > 0 && t[numeral..].starts_with(['、', '.', '．']))
        || t.starts_with("第") && t.contains("部分")
        || t.contains("题") && (t.contains("每题") || t.contains("共") || t.ends_with('题'))
}

/// Is this a question type as banks write it (`单选`, `判断题`, `多项选择题`)?
fn looks_like_type(text: &str) -> bool {
    let t = fold_header(text);
    let t = t.trim_end_matches('题');
    matches!(
        t,
        "单选" | "多选" | "判断" | "填空" | "单项选择" | "多项选择" | "不定项选择" | "是非"
    )
}

/// A sheet without a header row: a warning when its rows look like questions.
fn no_header(grid: &Grid, rel: &Path, diags: &mut Vec<Diagnostic>) {
    let Some(cell) = grid
        .rows
        .iter()
        .flatten()
        .find(|c| looks_like_type(&c.text))
    else {
        return;
    };
    let d = Diagnostic::warning(
        rel,
        format!(
            "the sheet `{}` has rows that look like questions (`{}`) but no header row in its first {HEADER_ROWS} rows: they are not read; add a header row ({EXPECTED})",
            grid.sheet.clone().unwrap_or_default(),
            cell.text
        ),
    );
    diags.push(cell.pos.place(d));
}

/// The cells of one row under their columns; a short row's missing cells are empty cells at
/// the position they would have.
fn bank_row(row: &[BankCell], columns: &[Option<Column>], header: &[BankCell]) -> BankRow {
    let cell = |i: usize| -> BankCell {
        row.get(i).cloned().unwrap_or_else(|| BankCell {
            text: String::new(),
            pos: beside(&row[0].pos, &header[i].pos),
            when: None,
        })
    };
    let find = |want: Column| columns.iter().position(|c| *c == Some(want)).map(cell);
    let mut lettered: Vec<(usize, BankCell)> = columns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match c {
            Some(Column::Option(k)) => Some((*k, cell(i))),
            _ => None,
        })
        .collect();
    lettered.sort_by_key(|(k, _)| *k);
    let mut options: Vec<BankCell> = lettered.into_iter().map(|(_, c)| c).collect();
    while options.last().is_some_and(|c| c.text.is_empty()) {
        options.pop();
    }
    if options.is_empty()
        && let Some(all) = find(Column::Options)
    {
        options = split_options(&all);
    }
    let required = |want: Column| find(want).unwrap_or_else(|| cell(0));
    BankRow {
        id: find(Column::Id).filter(|c| !c.text.is_empty()),
        kind: required(Column::Kind),
        prompt: required(Column::Prompt),
        options,
        answer: required(Column::Answer),
        explanation: find(Column::Explanation),
        source: find(Column::Source).filter(|c| !c.text.is_empty()),
        points: find(Column::Points).filter(|c| !c.text.is_empty()),
    }
}

/// The position of a missing cell: the row of `row_pos`, the column of `header_pos`.
fn beside(row_pos: &CellPos, header_pos: &CellPos) -> CellPos {
    match (row_pos, header_pos) {
        (CellPos::Cell(r), CellPos::Cell(h)) => CellPos::Cell(CellRef {
            column: h.column,
            ..r.clone()
        }),
        _ => row_pos.clone(),
    }
}

/// One 选项 cell split into options at `|` or new lines, each without a leading `A.`, `A、`,
/// `A:` or `(A)`.
fn split_options(cell: &BankCell) -> Vec<BankCell> {
    if cell.text.is_empty() {
        return Vec::new();
    }
    cell.text
        .split(['|', '\n'])
        .map(|piece| BankCell {
            text: strip_option_letter(piece.trim()).to_string(),
            pos: cell.pos.clone(),
            when: None,
        })
        .filter(|c| !c.text.is_empty())
        .collect()
}

fn strip_option_letter(s: &str) -> &str {
    let folded = s
        .strip_prefix('(')
        .or_else(|| s.strip_prefix('（'))
        .unwrap_or(s);
    let mut chars = folded.char_indices();
    let Some((_, c)) = chars.next() else { return s };
    if !c.is_ascii_uppercase() && !('Ａ'..='Ｈ').contains(&c) {
        return s;
    }
    let after = &folded[c.len_utf8()..];
    for sep in [".", "．", "、", ":", "：", ")", "）", " "] {
        if let Some(rest) = after.strip_prefix(sep) {
            return rest.trim_start();
        }
    }
    s
}

/// Every sheet of a workbook as a grid; formulas give their cached values.
fn workbook_grids(bytes: &[u8]) -> Result<Vec<Grid>, String> {
    use calamine::Reader;
    let not_a_workbook = "the file is not a spreadsheet studysite can read: save it from Excel or WPS as an Excel workbook (.xlsx), or as CSV";
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|_| not_a_workbook.to_string())?;
    let mut grids = Vec::new();
    for (si, name) in book.sheet_names().into_iter().enumerate() {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| format!("the sheet `{name}` cannot be read: {e}"))?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let (styles, merges) = match &mut book {
            calamine::Sheets::Xlsx(x) => (
                x.worksheet_style(&name).ok(),
                x.merge_cells_by_sheet_name(&name).unwrap_or_default(),
            ),
            _ => (None, Vec::new()),
        };
        let mut rows: Vec<Vec<BankCell>> = range
            .rows()
            .enumerate()
            .map(|(ri, row)| {
                row.iter()
                    .enumerate()
                    .map(|(ci, data)| {
                        let at = (r0 + ri as u32, c0 + ci as u32);
                        let format = styles
                            .as_ref()
                            .and_then(|s| s.get(at))
                            .and_then(|s| s.number_format.as_ref())
                            .map(|f| f.format_code.as_str());
                        BankCell {
                            text: cell_text(data, format),
                            pos: CellPos::Cell(CellRef {
                                sheet_index: si,
                                row: at.0 as usize + 1,
                                column: at.1 as usize + 1,
                                sheet: name.clone(),
                            }),
                            when: cell_when(data),
                        }
                    })
                    .collect()
            })
            .collect();
        // A merged cell's value in every cell of the merge.
        for m in &merges {
            let get = |rows: &Vec<Vec<BankCell>>, r: u32, c: u32| -> Option<String> {
                let (r, c) = (r.checked_sub(r0)? as usize, c.checked_sub(c0)? as usize);
                rows.get(r)?.get(c).map(|x| x.text.clone())
            };
            let Some(value) = get(&rows, m.start.0, m.start.1) else {
                continue;
            };
            let when = m
                .start
                .0
                .checked_sub(r0)
                .zip(m.start.1.checked_sub(c0))
                .and_then(|(r, c)| rows.get(r as usize)?.get(c as usize)?.when);
            for r in m.start.0..=m.end.0 {
                for c in m.start.1..=m.end.1 {
                    let (Some(ri), Some(ci)) = (r.checked_sub(r0), c.checked_sub(c0)) else {
                        continue;
                    };
                    if let Some(cell) = rows
                        .get_mut(ri as usize)
                        .and_then(|row| row.get_mut(ci as usize))
                    {
                        cell.text.clone_from(&value);
                        cell.when = when;
                    }
                }
            }
        }
        grids.push(Grid {
            sheet: Some(name),
            rows,
        });
    }
    Ok(grids)
}

/// A date or time cell's value, `[year, month, day, hour, minute]` (a time alone has year 0):
/// Excel's serial dates, and the ISO dates and durations OpenDocument files hold.
fn cell_when(data: &calamine::Data) -> Option<[u32; 5]> {
    use calamine::Data;
    match data {
        Data::DateTime(dt) => {
            let (y, mo, d, h, mi, _, _) = dt.to_ymd_hms_milli();
            // Serial values below 1 are times of day (Excel's day 0 is 1899-12-31).
            let y = if dt.as_f64() < 1.0 { 0 } else { y as u32 };
            Some([y, mo.into(), d.into(), h.into(), mi.into()])
        }
        Data::DateTimeIso(s) => {
            let (date, time) = s.split_once('T').unwrap_or((s, ""));
            let mut d = date.splitn(3, '-').map(|p| p.parse::<u32>().ok());
            let (y, mo, day) = (d.next()??, d.next()??, d.next()??);
            let mut t = time.splitn(3, ':').map(|p| p.parse::<u32>().ok());
            let (h, mi) = (
                t.next().flatten().unwrap_or(0),
                t.next().flatten().unwrap_or(0),
            );
            Some([y, mo, day, h, mi])
        }
        Data::DurationIso(s) => {
            // `PT08H30M00S`
            let rest = s.strip_prefix("PT")?;
            let (h, rest) = rest.split_once('H')?;
            let (mi, _) = rest.split_once('M')?;
            Some([0, 0, 0, h.parse().ok()?, mi.parse().ok()?])
        }
        _ => None,
    }
}

/// A cell's value as text: numbers as written (`2`, not `2.0`), dates as `2024-07-01`.
/// A cell's text as Excel shows it, given its number format code (if the workbook has one).
fn cell_text(data: &calamine::Data, format: Option<&str>) -> String {
    use calamine::Data;
    if let Some(code) = format.map(number_section)
        && !matches!(code.to_lowercase().as_str(), "" | "general" | "@")
    {
        match data {
            Data::DateTime(dt) if has_date_tokens(&code) => {
                let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
                return format_date(
                    &code,
                    [y as u32, mo.into(), d.into(), h.into(), mi.into(), s.into()],
                )
                .trim()
                .to_string();
            }
            Data::Float(_) | Data::Int(_) if !has_date_tokens(&code) => {
                let v = match data {
                    Data::Float(f) => *f,
                    Data::Int(i) => *i as f64,
                    _ => 0.0,
                };
                if let Some(t) = format_number(&code, v) {
                    return t.trim().to_string();
                }
            }
            _ => {}
        }
    }
    let text = match data {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(true) => "TRUE".into(),
        Data::Bool(false) => "FALSE".into(),
        Data::DateTime(dt) => {
            let (y, mo, d, h, mi, _, _) = dt.to_ymd_hms_milli();
            if (h, mi) == (0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}")
            }
        }
        Data::Error(e) => format!("#{e:?}"),
    };
    text.trim().to_string()
}

/// CSV bytes as text: UTF-8 (a BOM is dropped), else what chardetng finds (GB18030 for the
/// GBK files Excel writes on Chinese Windows).
fn decode_csv(bytes: &[u8]) -> Result<String, String> {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom..]);
        return Ok(text.into_owned());
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_string());
    }
    if bytes.contains(&0) {
        return Err("the file is not CSV text: save the sheet from Excel or WPS as CSV, or as an Excel workbook (.xlsx)".into());
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let mut enc = detector.guess(Some(b"cn"), chardetng::Utf8Detection::Deny);
    if enc == encoding_rs::GBK {
        enc = encoding_rs::GB18030;
    }
    let (text, _, had_errors) = enc.decode(bytes);
    if had_errors {
        return Err(format!(
            "the file is neither UTF-8 nor {} text: save it as CSV (UTF-8)",
            enc.name()
        ));
    }
    Ok(text.into_owned())
}

/// A CSV file as one grid (comma-separated, or tab-separated when the first line has tabs
/// and no commas); every field with its line and column.
fn csv_grid(bytes: &[u8]) -> Result<Grid, String> {
    let text = decode_csv(bytes)?;
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.contains('\t') && !first.contains(',') {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let lines: Vec<&str> = text.lines().collect();
    let mut rows = Vec::new();
    loop {
        let at = reader.position().clone();
        let mut record = csv::StringRecord::new();
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(format!("the file is not valid CSV: {e}")),
        }
        let (mut start, mut line) = (at.byte() as usize, at.line() as usize);
        // After a CRLF record the reader stands before its `\n`: skip the line ends.
        while let Some(b) = text
            .as_bytes()
            .get(start)
            .filter(|b| matches!(b, b'\r' | b'\n'))
        {
            line += usize::from(*b == b'\n');
            start += 1;
        }
        let starts = field_starts(&text[start.min(text.len())..], line, delimiter as char);
        let row = record
            .iter()
            .enumerate()
            .map(|(i, field)| {
                let (l, c) = starts.get(i).copied().unwrap_or((line, 1));
                BankCell {
                    text: field.trim().to_string(),
                    pos: CellPos::Line {
                        line: l,
                        column: c,
                        text: lines.get(l - 1).copied().unwrap_or("").to_string(),
                    },
                    when: None,
                }
            })
            .collect();
        rows.push(row);
    }
    Ok(Grid { sheet: None, rows })
}

/// Where each field of the record that `text` starts with begins: (line, column in
/// characters), quotes respected.
fn field_starts(text: &str, first_line: usize, delimiter: char) -> Vec<(usize, usize)> {
    let (mut line, mut column) = (first_line, 1);
    let mut starts = vec![(line, column)];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' if !quoted => break,
            c if c == delimiter && !quoted => starts.push((line, column + 1)),
            _ => {}
        }
        if c == '\n' {
            line += 1;
            column = 1;
        } else if c != '\r' {
            column += 1;
        }
    }
    starts
}

/// The section of a format code for positive numbers, without `[…]` (locale, colour,
/// `[DBNum1]`).
fn number_section(code: &str) -> String {
    let mut out = String::new();
    let (mut quoted, mut bracket) = (false, false);
    let mut chars = code.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' if !bracket => {
                quoted = !quoted;
                out.push(c);
            }
            '\\' if !quoted && !bracket => {
                out.push(c);
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            '[' if !quoted => bracket = true,
            ']' if bracket => bracket = false,
            ';' if !quoted && !bracket => break,
            _ if bracket => {}
            _ => out.push(c),
        }
    }
    out
}

/// The pieces of a format code: literal text, or a run of one placeholder letter.
fn format_pieces(code: &str) -> Vec<(Option<char>, String)> {
    let mut out: Vec<(Option<char>, String)> = Vec::new();
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                let lit: String = chars.by_ref().take_while(|c| *c != '"').collect();
                out.push((None, lit));
            }
            '\\' => {
                if let Some(n) = chars.next() {
                    out.push((None, n.to_string()));
                }
            }
            '_' | '*' => {
                chars.next();
            }
            'y' | 'Y' | 'm' | 'M' | 'd' | 'D' | 'h' | 'H' | 's' | 'S' => {
                let lower = c.to_ascii_lowercase();
                let mut run = lower.to_string();
                while chars
                    .peek()
                    .is_some_and(|n| n.to_ascii_lowercase() == lower)
                {
                    chars.next();
                    run.push(lower);
                }
                out.push((Some(lower), run));
            }
            _ => out.push((None, c.to_string())),
        }
    }
    out
}

fn has_date_tokens(code: &str) -> bool {
    format_pieces(code)
        .iter()
        .any(|(k, _)| matches!(k, Some('y' | 'm' | 'd' | 'h' | 's')))
}

/// A date or time in a format code's pattern: `[year, month, day, hour, minute, second]`.
fn format_date(code: &str, v: [u32; 6]) -> String {
    let pieces = format_pieces(code);
    let mut out = String::new();
    let mut after_hour = false;
    for (i, (kind, run)) in pieces.iter().enumerate() {
        let n = run.len();
        let pad = |x: u32, w: usize| format!("{x:0w$}");
        match kind {
            Some('y') => out.push_str(&if n <= 2 {
                pad(v[0] % 100, 2)
            } else {
                v[0].to_string()
            }),
            Some('m') => {
                let minutes = after_hour
                    || pieces[i + 1..]
                        .iter()
                        .find(|(k, _)| k.is_some())
                        .is_some_and(|(k, _)| *k == Some('s'));
                let x = if minutes { v[4] } else { v[1] };
                out.push_str(&if n >= 2 { pad(x, 2) } else { x.to_string() });
                after_hour = false;
            }
            Some('d') => out.push_str(&if n >= 2 {
                pad(v[2], 2)
            } else {
                v[2].to_string()
            }),
            Some('h') => {
                out.push_str(&if n >= 2 {
                    pad(v[3], 2)
                } else {
                    v[3].to_string()
                });
                after_hour = true;
            }
            Some('s') => out.push_str(&if n >= 2 {
                pad(v[5], 2)
            } else {
                v[5].to_string()
            }),
            _ => out.push_str(run),
        }
    }
    out
}

/// A number in a format code's pattern: percent, thousands separators, fixed decimals, literal
/// text around it. `None` for a code this does not understand (scientific, fractions).
fn format_number(code: &str, v: f64) -> Option<String> {
    if code.contains(['E', 'e', '?', '/']) {
        return None;
    }
    let pieces = format_pieces(code);
    let is_placeholder = |s: &str| s == "0" || s == "#" || s == "," || s == ".";
    let first = pieces
        .iter()
        .position(|(k, s)| k.is_none() && (s == "0" || s == "#"))?;
    let last = pieces
        .iter()
        .rposition(|(k, s)| k.is_none() && (s == "0" || s == "#"))?;
    let pattern: String = pieces[first..=last]
        .iter()
        .map(|(_, s)| s.as_str())
        .collect();
    if !pattern.chars().all(|c| is_placeholder(&c.to_string())) {
        return None;
    }
    let percent = pieces.iter().any(|(k, s)| k.is_none() && s == "%");
    let value = if percent { v * 100.0 } else { v };
    let decimals = pattern.split_once('.').map_or(0, |(_, d)| {
        d.chars().filter(|c| *c == '0' || *c == '#').count()
    });
    let min_decimals = pattern
        .split_once('.')
        .map_or(0, |(_, d)| d.chars().filter(|c| *c == '0').count());
    let mut number = format!("{:.*}", decimals, value.abs());
    if decimals > min_decimals && number.contains('.') {
        // `#` decimals are shown only when they are not zero.
        while number.ends_with('0')
            && number.len() - number.find('.').unwrap_or(0) - 1 > min_decimals
        {
            number.pop();
        }
        if number.ends_with('.') {
            number.pop();
        }
    }
    if pattern.split('.').next().is_some_and(|i| i.contains(',')) {
        let (int, frac) = match number.split_once('.') {
            Some((i, f)) => (i.to_string(), format!(".{f}")),
            None => (number.clone(), String::new()),
        };
        let mut grouped = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        number = grouped + &frac;
    }
    let sign = if value < 0.0 && number.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    let text = |range: &[(Option<char>, String)]| -> String {
        range.iter().map(|(_, s)| s.as_str()).collect()
    };
    Some(format!(
        "{}{sign}{number}{}",
        text(&pieces[..first]),
        text(&pieces[last + 1..])
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_in_chinese_and_english() {
        assert_eq!(column_of("题干"), Some(Column::Prompt));
        assert_eq!(column_of(" 正确答案 "), Some(Column::Answer));
        assert_eq!(column_of("选项C"), Some(Column::Option(2)));
        assert_eq!(column_of("Ｄ"), Some(Column::Option(3)));
        assert_eq!(column_of("Option B"), Some(Column::Option(1)));
        assert_eq!(column_of("题型*"), Some(Column::Kind));
        assert_eq!(column_of("难度"), None);
        assert_eq!(column_of("选项I"), None);
    }

    #[test]
    fn default_sheet_names() {
        assert!(is_default_sheet_name("Sheet1"));
        assert!(is_default_sheet_name("工作表2"));
        assert!(!is_default_sheet_name("题库"));
    }

    #[test]
    fn options_in_one_cell() {
        assert_eq!(strip_option_letter("A. 甲"), "甲");
        assert_eq!(strip_option_letter("B、乙"), "乙");
        assert_eq!(strip_option_letter("（C）丙"), "丙");
        assert_eq!(strip_option_letter("1/3以上"), "1/3以上");
    }

    #[test]
    fn csv_positions_and_encodings() {
        let (gbk, _, _) = encoding_rs::GB18030.encode("题型,题干,答案\n单选,\"甲,乙\",A\n");
        let grid = csv_grid(&gbk).unwrap();
        assert_eq!(grid.rows[1][1].text, "甲,乙");
        assert_eq!(grid.rows[1][2].text, "A");
        match &grid.rows[1][2].pos {
            CellPos::Line { line, column, .. } => assert_eq!((*line, *column), (2, 10)),
            other => panic!("{other:?}"),
        }
        let bom = b"\xEF\xBB\xBF\xE9\xA2\x98\xE5\x9E\x8B\n";
        assert_eq!(csv_grid(bom).unwrap().rows[0][0].text, "题型");
    }

    #[test]
    fn number_formats_as_excel_shows_them() {
        assert_eq!(format_number("0.0%", 0.005).as_deref(), Some("0.5%"));
        assert_eq!(
            format_number("#,##0.00", -1234567.891).as_deref(),
            Some("-1,234,567.89")
        );
        assert_eq!(format_number("0\"分\"", 5.0).as_deref(), Some("5分"));
        assert_eq!(format_number("0.##", 2.5).as_deref(), Some("2.5"));
        let code = number_section("[$-804]yyyy\"年\"m\"月\"d\"日\";@");
        assert_eq!(format_date(&code, [1921, 7, 1, 0, 0, 0]), "1921年7月1日");
        assert_eq!(
            format_date("yyyy-mm-dd hh:mm", [2024, 7, 1, 9, 5, 0]),
            "2024-07-01 09:05"
        );
    }
}
