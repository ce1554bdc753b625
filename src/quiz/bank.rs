//! Checking the questions of a question bank (题库, [`BankSource`]): each row is read into a
//! question as the front matter would write it, then goes through the same checks and gets the
//! same messages as front-matter questions ([`super::check`]), reported at the cell the
//! problem is in (`题库!G7`, or `line:column` in a CSV file). What a bank's cells may say
//! beyond the front matter — `单项选择题`, `√`, `A、C`, `甲|乙` — is read here (README,
//! "Question banks").

use serde_json::Value;

use super::check::{Field, Position, check_question, question};
use crate::content::{BankCell, BankRow, BankSource, CellPos, QuestionSource};
use crate::diag::Diagnostic;
use crate::model::{QuestionType, Quiz};

/// A bank's type cell as the front matter's `type`: the four names in Chinese and English and
/// the usual variants (`单选题`, `单项选择题`, `Single choice`); anything else as written, so
/// that the message shows it.
fn bank_type(cell: &str) -> String {
    let folded: String = cell
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_' | '/'))
        .collect::<String>()
        .to_lowercase();
    let t = match folded.trim_end_matches('题') {
        "单选" | "单项选择" | "单择" | "single" | "singlechoice" | "radio" => "single",
        "多选" | "多项选择" | "不定项选择" | "multiple" | "multiplechoice" | "multi"
        | "checkbox" => "multiple",
        "判断" | "是非" | "truefalse" | "tf" | "judge" | "boolean" => "truefalse",
        "填空" | "fill" | "fillin" | "fillintheblank" | "blank" => "fill",
        _ => return cell.to_string(),
    };
    t.to_string()
}

/// A true/false cell: `对`/`错`, `正确`/`错误`, `√`/`×`, `T`/`F`, `TRUE`/`FALSE` (what Excel
/// shows for a logical cell), `是`/`否`, `Y`/`N`; full-width letters (`Ｔ`, `Ｆ`) as their
/// ASCII forms.
fn bank_bool(cell: &str) -> Option<bool> {
    let folded: String = cell
        .trim()
        .chars()
        .map(|c| match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect();
    match folded.to_lowercase().as_str() {
        "对" | "正确" | "√" | "✓" | "✔" | "t" | "true" | "是" | "y" | "yes" => Some(true),
        "错" | "错误" | "×" | "✗" | "✘" | "x" | "f" | "false" | "否" | "n" | "no" => {
            Some(false)
        }
        _ => None,
    }
}

/// A fill answer cell: blanks separated by `||` (or `；`, `;`), the accepted answers of one
/// blank by `|`.
fn bank_blanks(cell: &str) -> Value {
    let blanks: Vec<Value> = cell
        .split("||")
        .flat_map(|b| b.split(['；', ';']))
        .map(|blank| {
            Value::Array(
                blank
                    .split('|')
                    .map(|a| Value::String(a.trim().to_string()))
                    .collect(),
            )
        })
        .collect();
    Value::Array(blanks)
}

/// The answer cell as the front matter's `answer` for a question of type `kind`.
fn bank_answer(kind: Option<QuestionType>, cell: &str) -> Option<Value> {
    if cell.is_empty() {
        return None;
    }
    Some(match kind {
        Some(QuestionType::TrueFalse) => {
            bank_bool(cell).map_or_else(|| Value::String(cell.into()), Value::Bool)
        }
        Some(QuestionType::Fill) => bank_blanks(cell),
        _ => Value::String(cell.into()),
    })
}

/// A row as the front matter would write it; a 分值 cell that is no whole number is a problem.
fn row_source(row: &BankRow, diags: &mut Vec<Diagnostic>, bank: &BankSource) -> QuestionSource {
    let kind = bank_type(&row.kind.text);
    let text = |c: &Option<BankCell>| c.as_ref().map(|c| c.text.clone());
    let points = row.points.as_ref().and_then(|c| {
        let n = c.text.strip_suffix(".0").unwrap_or(&c.text);
        match n.parse::<u32>() {
            Ok(p) => Some(p),
            Err(_) => {
                diags.push(c.pos.place(Diagnostic::error(
                    &bank.path,
                    format!(
                        "`points` must be a whole number of at least 1, found `{}`",
                        c.text
                    ),
                )));
                None
            }
        }
    });
    QuestionSource {
        id: text(&row.id),
        answer: bank_answer(QuestionType::parse(&kind), &row.answer.text),
        kind,
        prompt: row.prompt.text.clone(),
        options: row.options.iter().map(|o| o.text.clone()).collect(),
        explanation: text(&row.explanation).unwrap_or_default(),
        source: text(&row.source),
        points,
        shuffle: None,
    }
}

/// The cell a problem about `field` is reported at.
fn cell_of(row: &BankRow, field: Field) -> &CellPos {
    let cell = match field {
        Field::Kind => &row.kind,
        Field::Id => row.id.as_ref().unwrap_or(&row.kind),
        Field::Prompt => &row.prompt,
        Field::Points => row.points.as_ref().unwrap_or(&row.kind),
        Field::Option(i) => row.options.get(i).unwrap_or(&row.prompt),
        Field::Options => row.options.first().unwrap_or(&row.prompt),
        Field::Answer => &row.answer,
    };
    &cell.pos
}

/// Checks every question row of a bank into the unit's quiz; problems at their cells.
pub fn check_bank(bank: &BankSource, diags: &mut Vec<Diagnostic>) -> Quiz {
    let mut questions = Vec::with_capacity(bank.rows.len());
    for (n, row) in bank.rows.iter().enumerate() {
        let before = diags.len();
        let q = row_source(row, diags, bank);
        let mut problems = Vec::new();
        let checked = check_question(&q, &mut problems);
        for (field, message) in problems {
            let d = Diagnostic::error(&bank.path, message);
            diags.push(cell_of(row, field).place(d));
        }
        let Some((kind, answer)) = checked else {
            continue;
        };
        if diags.len() > before {
            continue;
        }
        let at = match &row.kind.pos {
            CellPos::Cell(c) => Position {
                line: c.row,
                column: c.column,
                source_line: None,
                cell: Some(c.clone()),
            },
            CellPos::Line { line, column, text } => Position {
                line: *line,
                column: *column,
                source_line: Some(text.clone()),
                cell: None,
            },
        };
        questions.push(question(&q, n, kind, answer, at));
    }
    Quiz {
        path: bank.path.clone(),
        questions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bank_cells_in_their_usual_forms() {
        assert_eq!(bank_type("单项选择题"), "single");
        assert_eq!(bank_type("Multiple Choice"), "multiple");
        assert_eq!(bank_type("判断题"), "truefalse");
        assert_eq!(bank_type("问答"), "问答");
        assert_eq!(bank_bool("√"), Some(true));
        assert_eq!(bank_bool("Ｔ"), Some(true));
        assert_eq!(bank_bool("Ｆ"), Some(false));
        assert_eq!(bank_bool("F"), Some(false));
        assert_eq!(
            bank_blanks("4|四||甲").to_string(),
            r#"[["4","四"],["甲"]]"#
        );
        assert_eq!(
            bank_blanks("常态化；制度化").to_string(),
            r#"[["常态化"],["制度化"]]"#
        );
    }
}
