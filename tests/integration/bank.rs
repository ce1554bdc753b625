//! Question banks (题库, issue 15): a spreadsheet in a topic folder (`.xlsx` written here by
//! rust_xlsxwriter, and the same rows as GB18030 CSV) is a practice unit whose quiz is its
//! rows; bad cells get the quiz messages at the cell; large quizzes are drawn; and in Chromium
//! from file:// the bank's questions are answered and counted by the progress page.

use rust_xlsxwriter::{Formula, Workbook};

use crate::browser::{Page, file_url};
use crate::support::TempSite;
use crate::support::WAIT;

/// The bank's header row: the usual layout, plus a numbering column (read as nothing) and a
/// column studysite does not know (one warning).
const HEADER: [&str; 11] = [
    "序号", "题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "难度", "分值",
];

/// The `n`-th question row (0-based), cycling through the four types.
pub fn bank_row(n: usize) -> Vec<String> {
    let s = |x: &str| x.to_string();
    let no = (n + 1).to_string();
    let mut row = match n % 4 {
        0 => vec![
            s("单选"),
            format!("第{no}题：三分之一以上指什么？"),
            s("四分之一"),
            s("三分之一以上"),
            s("二分之一"),
            s("不作要求"),
            s("B"),
        ],
        1 => vec![
            s("多项选择题"),
            format!("第{no}题：哪些属于“三会一课”？"),
            s("支部党员大会"),
            s("支部委员会"),
            s("党小组会"),
            s("茶话会"),
            s("A、B、C"),
        ],
        2 => vec![
            s("判断题"),
            format!("第{no}题：第一书记应派到软弱涣散村。"),
            s(""),
            s(""),
            s(""),
            s(""),
            s("√"),
        ],
        _ => vec![
            s("填空"),
            format!("第{no}题：整顿软弱涣散___。"),
            s(""),
            s(""),
            s(""),
            s(""),
            s("党组织|基层党组织"),
        ],
    };
    row.insert(0, no.clone());
    row.extend([format!("第{no}题的解析。"), s("易"), s("1")]);
    row
}

/// An .xlsx bank with `n` questions in sheet `sheet`: a blank row after the 20th question,
/// and the answer of the first question written as a formula whose cached value is `B`.
/// `edit` may change any cell (row, column, text) before it is written; a formula is kept.
pub fn xlsx_bank(sheet: &str, n: usize, edit: &[(u32, u16, &str)]) -> Vec<u8> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).unwrap();
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let mut r = 1u32;
    for i in 0..n {
        if i == 20 {
            r += 1; // a blank row
        }
        for (c, text) in bank_row(i).iter().enumerate() {
            if !text.is_empty() {
                ws.write_string(r, c as u16, text).unwrap();
            }
        }
        if i == 0 {
            ws.write_formula(r, 7, Formula::new("=CHAR(66)").set_result("B"))
                .unwrap();
        }
        r += 1;
    }
    for (row, col, text) in edit {
        ws.write_string(*row, *col, *text).unwrap();
    }
    book.save_to_buffer().unwrap()
}

/// The same rows as CSV in GB18030 (what Excel writes as "CSV" on Chinese Windows).
fn gb18030_csv(n: usize) -> Vec<u8> {
    let mut text = HEADER.join(",") + "\r\n";
    for i in 0..n {
        if i == 20 {
            text.push_str(",,,,,,,,,,\r\n");
        }
        text.push_str(&bank_row(i).join(","));
        text.push_str("\r\n");
    }
    let (bytes, _, bad) = encoding_rs::GB18030.encode(&text);
    assert!(!bad);
    bytes.into_owned()
}

/// The minimal site with a second topic `02-tiku` holding only a bank.
fn site_with_bank(file: &str, bytes: &[u8]) -> TempSite {
    let site = TempSite::minimal();
    site.write(
        "content/02-tiku/_index.md",
        "---\ntitle: 第二专题\nweight: 2\n---\n导言。\n",
    );
    site.write_bytes(&format!("content/02-tiku/{file}"), bytes);
    site
}

fn quizzes_json(site: &TempSite) -> serde_json::Value {
    serde_json::from_str(&site.read("public/quizzes.json")).unwrap()
}

const COLUMNS_READ: &str = "题型 (type), 题干 (prompt), 答案 (answer), and optionally 选项A…选项H or one 选项 column (options), 解析 (explanation), 出处 (source), 分值 (points), id";

#[test]
fn an_xlsx_bank_is_a_practice_unit_and_the_same_csv_in_gb18030_gives_the_same_questions() {
    let site = site_with_bank("tiku.xlsx", &xlsx_bank("党建知识题库", 60, &[]));
    let run = site.build();
    run.ok();
    run.has_line(&format!(
        "warning: content/02-tiku/tiku.xlsx: 党建知识题库!A1: column `难度` is not read (the columns read: {COLUMNS_READ})"
    ));
    let all = quizzes_json(&site);
    let unit = &all["quizzes"][0];
    assert_eq!(unit["id"], "unit:02-tiku/tiku");
    assert_eq!(unit["title"], "党建知识题库", "the sheet's name");
    assert_eq!(unit["file"], "content/02-tiku/tiku.xlsx");
    let questions = unit["questions"].as_array().unwrap();
    assert_eq!(questions.len(), 60, "the blank row is skipped");
    assert_eq!(
        questions[0]["answer"],
        serde_json::json!([1]),
        "the formula's cached value"
    );
    assert_eq!(questions[1]["answer"], serde_json::json!([0, 1, 2]));
    assert_eq!(questions[2]["answer"], serde_json::json!(true));
    assert_eq!(
        questions[3]["answer"],
        serde_json::json!([["党组织", "基层党组织"]])
    );
    let page = site.read("public/02-tiku/tiku.html");
    assert!(page.contains("data-page-kind=\"unit\""), "a unit page");
    assert!(
        !site.path().join("public/02-tiku/tiku.xlsx").exists(),
        "a source, not copied"
    );

    let csv = site_with_bank("tiku.csv", &gb18030_csv(60));
    csv.build().ok();
    let from_csv = quizzes_json(&csv);
    let hashes = |q: &serde_json::Value| -> Vec<String> {
        q["questions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["hash"].to_string())
            .collect()
    };
    assert_eq!(
        from_csv["quizzes"][0]["title"], "tiku",
        "a CSV is named by its file"
    );
    assert_eq!(hashes(&from_csv["quizzes"][0]), hashes(unit));
}

#[test]
fn a_markdown_file_of_the_same_name_gives_the_bank_unit_its_front_matter_and_text() {
    let site = site_with_bank("tiku.xlsx", &xlsx_bank("Sheet1", 8, &[]));
    site.write(
        "content/02-tiku/tiku.md",
        "---\ntitle: 题库练习\nkind: practice\nweight: 3\n---\n说明文字。\n",
    );
    site.build().ok();
    let all = quizzes_json(&site);
    assert_eq!(all["quizzes"][0]["title"], "题库练习");
    assert_eq!(all["quizzes"][0]["questions"].as_array().unwrap().len(), 8);
    assert!(site.read("public/02-tiku/tiku.html").contains("说明文字。"));

    site.write(
        "content/02-tiku/tiku.md",
        "---\ntitle: 题库练习\nkind: practice\nquiz:\n  - type: truefalse\n    prompt: 甲。\n    answer: true\n---\n",
    );
    site.build().fails(1).has_line(
        "error: content/02-tiku/tiku.md:4: this unit has `quiz:` and the question bank `content/02-tiku/tiku.xlsx` beside it: keep its questions in one of the two files",
    );
}

/// Builds the good bank, then `bytes` as `file`: exit 1, `line` in stderr, and the previous
/// output as it was.
#[track_caller]
fn fails_keeping_output(file: &str, bytes: &[u8], line: &str) {
    let site = site_with_bank("tiku.xlsx", &xlsx_bank("题库", 12, &[]));
    site.build().ok();
    let before = crate::support::snapshot(&site.path().join("public"));
    site.remove("content/02-tiku/tiku.xlsx");
    site.write_bytes(&format!("content/02-tiku/{file}"), bytes);
    site.build().fails(1).has_line(line);
    assert_eq!(
        crate::support::snapshot(&site.path().join("public")),
        before,
        "output kept"
    );
}

#[test]
fn a_bad_answer_cell_is_reported_at_its_cell() {
    // Sheet row 7 is question 6, a 多选 with four options; its 答案 is column H.
    fails_keeping_output(
        "tiku.xlsx",
        &xlsx_bank("题库", 12, &[(6, 7, "E")]),
        "error: content/02-tiku/tiku.xlsx: 题库!H7: answer `E` names no option: the question has 4 options (A–D)",
    );
}

#[test]
fn an_unknown_type_is_reported_at_its_cell_and_in_csv_at_its_line_and_column() {
    fails_keeping_output(
        "tiku.xlsx",
        &xlsx_bank("题库", 12, &[(3, 1, "问答题")]),
        "error: content/02-tiku/tiku.xlsx: 题库!B4: unknown question type `问答题`; use single (单选), multiple (多选), truefalse (判断) or fill (填空)",
    );
    let csv = HEADER.join(",") + "\r\n1,论述,谈谈体会。,,,,,略,,,\r\n";
    fails_keeping_output(
        "tiku.csv",
        csv.as_bytes(),
        "error: content/02-tiku/tiku.csv:2:3: unknown question type `论述`; use single (单选), multiple (多选), truefalse (判断) or fill (填空)",
    );
}

#[test]
fn a_missing_prompt_column_names_the_columns_found_and_expected() {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("题库").unwrap();
    for (c, h) in ["题型", "选项A", "选项B", "答案"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_row(1, 0, ["单选", "甲", "乙", "A"]).unwrap();
    fails_keeping_output(
        "tiku.xlsx",
        &book.save_to_buffer().unwrap(),
        &format!(
            "error: content/02-tiku/tiku.xlsx: 题库!A1: the header row has no 题干 column: found 题型, 选项A, 选项B, 答案; expected {COLUMNS_READ}"
        ),
    );
}

#[test]
fn a_file_that_is_not_a_spreadsheet_says_so() {
    fails_keeping_output(
        "tiku.xlsx",
        b"<html>not a workbook</html>",
        "error: content/02-tiku/tiku.xlsx: the file is not a spreadsheet studysite can read: save it from Excel or WPS as an Excel workbook (.xlsx), or as CSV",
    );
}

/// The size of a built page, in bytes.
fn page_size(site: &TempSite, rel: &str) -> usize {
    std::fs::metadata(site.path().join("public").join(rel))
        .unwrap()
        .len() as usize
}

/// Waits for the quiz to render, then answers every question shown rightly (from the
/// attempt's questions, `studysite.quiz`) except the `wrong`-th.
fn answer_all(page: &Page, wrong: usize) -> usize {
    page.wait_until(
        "document.querySelectorAll('fieldset.quiz-question').length > 0",
        WAIT,
    );
    let js = r#"((wrong) => {
        const qs = window.studysite.quiz.questions;
        const sets = [...document.querySelectorAll('fieldset.quiz-question')];
        sets.forEach((fs, n) => {
            const q = qs[Number(fs.dataset.index)];
            const right = n + 1 !== wrong;
            if (q.type === 'truefalse') {
                fs.querySelector('input[value="' + String(right ? q.answer : !q.answer) + '"]').click();
            } else if (q.type === 'fill') {
                fs.querySelectorAll('input[data-blank]').forEach((i, k) => {
                    i.value = right ? q.answer[k][q.answer[k].length - 1] : '不对';
                    i.dispatchEvent(new Event('input', {bubbles: true}));
                });
            } else {
                const inputs = [...fs.querySelectorAll('input[data-option]')];
                const isRight = i => q.answer.includes(Number(i.value));
                if (right) inputs.filter(isRight).forEach(i => i.click());
                else inputs.filter(i => !isRight(i)).slice(0, 1).forEach(i => i.click());
            }
        });
        return sets.length;
    })"#;
    let n = page.eval(&format!("{js}({wrong})")).as_u64().unwrap() as usize;
    page.click("button.quiz-submit");
    page.wait_until(
        "document.querySelector('.quiz-results').dataset.percent",
        WAIT,
    );
    n
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn chromium_answers_the_bank_from_file_urls_and_the_progress_page_counts_it() {
    let browser = crate::require_browser!();
    let site = site_with_bank("tiku.xlsx", &xlsx_bank("党建知识题库", 60, &[]));
    site.write("site.yaml", "title: 题库站点\nquiz:\n  draw: 0\n");
    site.build().ok();
    let url = file_url(&site.path().join("public/02-tiku/tiku.html"));
    let page = Page::open(browser, &url, 1280, 800);
    page.eval("(localStorage.clear(), true)");
    page.goto(&url);
    let n = answer_all(&page, 2);
    assert_eq!(n, 60, "draw: 0 shows every question");
    assert_eq!(
        page.eval("[...document.querySelectorAll('fieldset.quiz-question')].map(f => f.dataset.result).filter(r => r === 'wrong').length"),
        1
    );
    assert_eq!(
        page.eval_str("document.querySelector('#quiz-q-2').dataset.result"),
        "wrong"
    );
    assert!(page.eval_bool("document.querySelector('#quiz-q-2 .q-right-answer') !== null"));
    assert_eq!(
        page.eval_str("document.querySelector('.quiz-results').dataset.passed"),
        "true"
    );
    page.goto(&file_url(&site.path().join("public/progress.html")));
    page.wait_until(
        "document.querySelector('[data-progress-quiz=\"unit:02-tiku/tiku\"]')",
        WAIT,
    );
    assert!(page.eval_bool(
        "document.querySelector('[data-progress-quiz=\"unit:02-tiku/tiku\"]').classList.contains('is-passed')"
    ));
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn the_topic_quiz_and_final_test_of_a_2000_question_bank_are_small_pages_that_draw_20() {
    let browser = crate::require_browser!();
    let site = site_with_bank("tiku.xlsx", &xlsx_bank("题库", 2000, &[]));
    site.build().ok();
    for rel in ["02-tiku/quiz.html", "quiz.html", "02-tiku/tiku.html"] {
        let size = page_size(&site, rel);
        assert!(size < 500_000, "{rel}: {size} bytes");
        let page = Page::open(
            browser,
            &file_url(&site.path().join("public").join(rel)),
            1280,
            800,
        );
        let n = answer_all(&page, 0);
        assert_eq!(n, 20, "{rel}: the default draw");
        assert_eq!(
            page.eval_str("document.querySelector('.quiz-results').dataset.percent"),
            "100"
        );
        let pool = page.eval_str("document.querySelector('.quiz-drawn').dataset.pool");
        assert_eq!(pool, "2000", "{rel}: drawn from every question of the bank");
        // A new attempt draws again.
        page.click("button.quiz-retry");
        page.wait_until(
            "document.querySelectorAll('fieldset.quiz-question:not([data-result])').length === 20",
            WAIT,
        );
    }
}

/// Issue 24: cells as Excel shows them (a date, percent and thousands-formatted number, a
/// number stored as text), the header of a second sheet below ten rows of notes, a leading
/// 说明 sheet that does not name the bank, a 题型 merged over three rows, a section row
/// skipped, `Ｔ` as true, and a sheet of questions without a header named in a warning.
#[test]
fn issue_24_cells_are_read_as_excel_shows_them() {
    use rust_xlsxwriter::{ExcelDateTime, Format};
    let mut book = Workbook::new();
    let notes = book.add_worksheet();
    notes.set_name("说明").unwrap();
    notes
        .write_string(0, 0, "本题库供学习使用，题型见第二张表。")
        .unwrap();
    let ws = book.add_worksheet();
    ws.set_name("党史题库").unwrap();
    for r in 0..10 {
        ws.write_string(r, 0, format!("注意事项第{}条。", r + 1))
            .unwrap();
    }
    let header = ["题型", "题干", "选项A", "选项B", "选项C", "答案"];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(12, c as u16, *h).unwrap();
    }
    ws.write_string(13, 0, "一、填空题（每题1分）").unwrap();
    let date = Format::new().set_num_format("yyyy\"年\"m\"月\"d\"日\"");
    let thousands = Format::new().set_num_format("#,##0.0");
    let integer = Format::new().set_num_format("#,##0");
    let text = Format::new().set_num_format("@");
    ws.write_string(14, 0, "填空").unwrap();
    ws.write_string(14, 1, "中国共产党第一次全国代表大会开幕于___。")
        .unwrap();
    ws.write_datetime_with_format(14, 5, ExcelDateTime::from_ymd(1921, 7, 23).unwrap(), &date)
        .unwrap();
    ws.write_string(15, 0, "填空").unwrap();
    ws.write_string(15, 1, "党员总数为___万名。").unwrap();
    ws.write_number_with_format(15, 5, 9918.5, &thousands)
        .unwrap();
    ws.write_string(16, 0, "填空").unwrap();
    ws.write_string(16, 1, "某村共有___户。").unwrap();
    ws.write_number_with_format(16, 5, 12345, &integer).unwrap();
    ws.write_string(17, 0, "填空").unwrap();
    ws.write_string(17, 1, "档案编号是___。").unwrap();
    ws.write_string_with_format(17, 5, "001", &text).unwrap();
    ws.write_string(18, 0, "二、单项选择题（每题2分）").unwrap();
    ws.merge_range(19, 0, 21, 0, "单选", &Format::new())
        .unwrap();
    let percent = Format::new().set_num_format("0.0%");
    let whole_percent = Format::new().set_num_format("0%");
    for (i, r) in (19..=21).enumerate() {
        ws.write_string(r, 1, format!("第{}题：党费比例是多少？", i + 1))
            .unwrap();
        ws.write_number_with_format(r, 2, 0.005, &percent).unwrap();
        ws.write_number_with_format(r, 3, 0.01, &whole_percent)
            .unwrap();
        ws.write_number_with_format(r, 4, 0.02, &whole_percent)
            .unwrap();
        ws.write_string(r, 5, "A").unwrap();
    }
    ws.write_string(22, 0, "判断").unwrap();
    ws.write_string(22, 1, "党的一大在上海开幕。").unwrap();
    ws.write_string(22, 5, "Ｔ").unwrap();
    let loose = book.add_worksheet();
    loose.set_name("补充").unwrap();
    loose.write_string(0, 0, "单选").unwrap();
    loose.write_string(0, 1, "没有表头的题目？").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let site = site_with_bank("tiku.xlsx", &bytes);
    let run = site.build();
    run.ok();
    run.has_line(&format!(
        "warning: content/02-tiku/tiku.xlsx: 补充!A1: the sheet `补充` has rows that look like questions (`单选`) but no header row in its first 30 rows: they are not read; add a header row ({COLUMNS_READ})"
    ));
    let all = quizzes_json(&site);
    let unit = &all["quizzes"][0];
    assert_eq!(
        unit["title"], "党史题库",
        "the 说明 sheet does not name the bank"
    );
    let questions = unit["questions"].as_array().unwrap();
    let answers: Vec<String> = questions.iter().map(|q| q["answer"].to_string()).collect();
    assert_eq!(
        answers,
        [
            r#"[["1921年7月23日"]]"#,
            r#"[["9,918.5"]]"#,
            r#"[["12,345"]]"#,
            r#"[["001"]]"#,
            "[0]",
            "[0]",
            "[0]",
            "true"
        ]
    );
    for q in &questions[4..7] {
        assert_eq!(q["type"], "single", "the merged 题型");
        assert_eq!(q["options"], serde_json::json!(["0.5%", "1%", "2%"]));
    }
    assert_eq!(questions[4]["prompt"], "第1题：党费比例是多少？");
}
