//! Quizzes and learner progress: every validation message (exact, with file:line:column), the
//! embedded quiz JSON, the topic/final quiz and progress pages, and — in Chromium — answering,
//! explanations and source links, keyboard use, saved scores, export/import of progress and
//! text that tries to close the script element.

use std::path::Path;
use std::sync::MutexGuard;
use std::time::Duration;

use headless_chrome::Browser;
use serde_json::Value;

use crate::browser::{Page, file_url, launch, shipped_site};
use crate::support::*;

const UNIT: &str = "content/01-a/jiedu.md";

/// The minimal site plus `content/01-a/jiedu.md` with `quiz:` set to `questions` (YAML lines,
/// indented by two). The first question starts on line 5, column 5.
fn site_with_quiz(questions: &str) -> TempSite {
    let site = TempSite::minimal();
    site.write(UNIT, &unit_text("解读", questions));
    site
}

fn unit_text(title: &str, questions: &str) -> String {
    format!("---\ntitle: {title}\nkind: explanation\nquiz:\n{questions}---\n正文。\n")
}

/// Both `check` and `build` fail with exit code 1 and print this exact headline.
#[track_caller]
fn rejected_with(site: &TempSite, headline: &str) {
    site.run(&["check"]).fails(1).has_line(headline);
    site.build().fails(1).has_line(headline);
    assert!(
        !site.path().join("public/index.html").exists(),
        "a failed build wrote the site"
    );
}

#[test]
fn answer_naming_a_missing_option() {
    let site = site_with_quiz(
        "  - type: single\n    prompt: 问题？\n    options: [甲, 乙, 丙]\n    answer: D\n",
    );
    rejected_with(
        &site,
        "error: content/01-a/jiedu.md:5:5: answer `D` names no option: the question has 3 options (A–C)",
    );
}

#[test]
fn multiple_answer_naming_a_missing_option() {
    let site = site_with_quiz(
        "  - type: 多选\n    prompt: 问题？\n    options: [甲, 乙]\n    answer: [A, C]\n",
    );
    rejected_with(
        &site,
        "error: content/01-a/jiedu.md:5:5: answer `C` names no option: the question has 2 options (A–B)",
    );
}

#[test]
fn single_with_two_answers() {
    let site = site_with_quiz(
        "  - type: single\n    prompt: 问题？\n    options: [甲, 乙]\n    answer: [A, B]\n",
    );
    rejected_with(
        &site,
        "error: content/01-a/jiedu.md:5:5: a `single` question needs exactly one answer, found 2 (A, B)",
    );
}

#[test]
fn single_with_no_answer_letter() {
    let site = site_with_quiz(
        "  - type: 单选\n    prompt: 问题？\n    options: [甲, 乙]\n    answer: []\n",
    );
    rejected_with(
        &site,
        "error: content/01-a/jiedu.md:5:5: a `single` question needs exactly one answer, found none",
    );
}

#[test]
fn multiple_with_no_answer_letter() {
    let site = site_with_quiz(
        "  - type: multiple\n    prompt: 问题？\n    options: [甲, 乙]\n    answer: []\n",
    );
    rejected_with(
        &site,
        "error: content/01-a/jiedu.md:5:5: a `multiple` question needs at least one answer",
    );
}

#[test]
fn fewer_than_two_options() {
    let site =
        site_with_quiz("  - type: single\n    prompt: 问题？\n    options: [甲]\n    answer: A\n");
    rejected_with(
        &site,
        "error: content/01-a/jiedu.md:5:5: a `single` question needs at least two options, found 1",
    );
}

#[test]
fn duplicate_ids_across_the_site() {
    let site =
        site_with_quiz("  - id: q1\n    type: truefalse\n    prompt: 甲。\n    answer: true\n");
    site.write(
        "content/01-a/yantao.md",
        &format!(
            "---\ntitle: 研讨\nkind: discussion\nweight: 5\nquiz:\n{}---\n",
            "  - id: q2\n    type: truefalse\n    prompt: 乙。\n    answer: false\n  - id: q1\n    type: truefalse\n    prompt: 丙。\n    answer: true\n"
        ),
    );
    rejected_with(
        &site,
        "error: content/01-a/yantao.md:10:5: duplicate question id `q1`: also used at content/01-a/jiedu.md:5",
    );
}

#[test]
fn empty_prompt() {
    let site = site_with_quiz("  - type: truefalse\n    prompt: \"  \"\n    answer: true\n");
    rejected_with(
        &site,
        "error: content/01-a/jiedu.md:5:5: the question has an empty `prompt`",
    );
}

#[test]
fn source_naming_no_anchor() {
    let site = site_with_quiz(
        "  - type: truefalse\n    prompt: 甲。\n    answer: true\n    source: 01-a/yuanwen#task-9\n",
    );
    rejected_with(
        &site,
        "error: content/01-a/jiedu.md:5:5: `source` names no anchor `task-9` in `01-a/yuanwen`; its anchors are: task-1",
    );
}

#[test]
fn source_naming_a_unit_that_is_not_original() {
    let site = site_with_quiz(
        "  - type: truefalse\n    prompt: 甲。\n    answer: true\n    source: 01-a/jiedu#section\n",
    );
    rejected_with(
        &site,
        "error: content/01-a/jiedu.md:5:5: `source` must point into an original (原文) unit, but `01-a/jiedu` is of kind `explanation`",
    );
}

#[test]
fn source_naming_no_unit() {
    let site = site_with_quiz(
        "  - type: truefalse\n    prompt: 甲。\n    answer: true\n    source: 01-a/yuanwn#task-1\n",
    );
    rejected_with(
        &site,
        "error: content/01-a/jiedu.md:5:5: `source` names `01-a/yuanwn`, which is not a unit of this site",
    );
}

#[test]
fn source_without_an_anchor() {
    let site = site_with_quiz(
        "  - type: truefalse\n    prompt: 甲。\n    answer: true\n    source: 01-a/yuanwen\n",
    );
    rejected_with(
        &site,
        "error: content/01-a/jiedu.md:5:5: `source` must name a passage as `topic/unit#anchor`, found `01-a/yuanwen`",
    );
}

#[test]
fn blanks_count_differs_from_answers_count() {
    let site = site_with_quiz(
        "  - type: fill\n    prompt: 推进___常态化___。\n    answer: [[两学一做]]\n",
    );
    rejected_with(
        &site,
        "error: content/01-a/jiedu.md:5:5: the prompt has 2 blanks (`___`) but `answer` has 1 entry: give one list of accepted answers per blank",
    );
}

#[test]
fn fill_without_blanks() {
    let site = site_with_quiz("  - type: 填空\n    prompt: 推进常态化。\n    answer: 常态化\n");
    rejected_with(
        &site,
        "error: content/01-a/jiedu.md:5:5: the prompt has 0 blanks (`___`) but `answer` has 1 entry: give one list of accepted answers per blank",
    );
}

#[test]
fn fill_answer_that_is_only_an_ideographic_space() {
    let site =
        site_with_quiz("  - type: fill\n    prompt: 推进___。\n    answer: [[\"\u{3000}\"]]\n");
    rejected_with(
        &site,
        "error: content/01-a/jiedu.md:5:5: an accepted answer of blank 1 is empty",
    );
}

#[test]
fn unknown_type() {
    let site = site_with_quiz("  - type: essay\n    prompt: 谈谈体会。\n    answer: 略\n");
    rejected_with(
        &site,
        "error: content/01-a/jiedu.md:5:5: unknown question type `essay`; use single (单选), multiple (多选), truefalse (判断) or fill (填空)",
    );
}

#[test]
fn missing_answer() {
    let site = site_with_quiz("  - type: truefalse\n    prompt: 甲。\n");
    rejected_with(
        &site,
        "error: content/01-a/jiedu.md:5:5: the question has no `answer`",
    );
}

#[test]
fn truefalse_answer_that_is_not_true_or_false() {
    let site = site_with_quiz("  - type: 判断\n    prompt: 甲。\n    answer: B\n");
    rejected_with(
        &site,
        "error: content/01-a/jiedu.md:5:5: `answer` of a `truefalse` question must be true or false, found `B`",
    );
}

#[test]
fn truefalse_with_options() {
    let site = site_with_quiz(
        "  - type: truefalse\n    prompt: 甲。\n    options: [对, 错]\n    answer: true\n",
    );
    rejected_with(
        &site,
        "error: content/01-a/jiedu.md:5:5: a `truefalse` question takes no `options`",
    );
}

#[test]
fn answer_that_is_not_letters() {
    let site = site_with_quiz(
        "  - type: single\n    prompt: 甲？\n    options: [对, 错]\n    answer: 1\n",
    );
    rejected_with(
        &site,
        "error: content/01-a/jiedu.md:5:5: `answer` must be option letters such as `B` or `[A, C]`, found `1`",
    );
}

#[test]
fn zero_points_and_empty_option_are_both_reported() {
    let site = site_with_quiz(
        "  - type: single\n    prompt: 甲？\n    options: [对, \"\"]\n    answer: A\n    points: 0\n",
    );
    rejected_with(
        &site,
        "error: content/01-a/jiedu.md:5:5: `points` must be at least 1",
    );
    rejected_with(&site, "error: content/01-a/jiedu.md:5:5: option B is empty");
}

#[test]
fn problems_of_later_questions_point_at_their_own_line() {
    let site = site_with_quiz(concat!(
        "  - type: truefalse\n    prompt: 甲。\n    answer: true\n",
        "  - type: single\n    prompt: 乙？\n    options: [对, 错]\n    answer: E\n",
    ));
    let run = site.run(&["check"]);
    run.fails(1).has_line(
        "error: content/01-a/jiedu.md:8:5: answer `E` names no option: the question has 2 options (A–B)",
    );
    assert!(
        run.stderr.contains(" 8 |   - type: single"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_unit_named_quiz_would_hide_the_topic_quiz() {
    let site = TempSite::minimal();
    site.write(
        "content/01-a/quiz.md",
        "---\ntitle: 测验\nkind: practice\n---\n",
    );
    rejected_with(
        &site,
        "error: content/01-a/quiz.md: `quiz` is reserved for the topic's quiz page (`<topic>/quiz.html`): rename the file",
    );
}

/// The quiz data embedded in a built page.
fn embedded(html: &str, id: &str) -> Value {
    let open = format!("<script type=\"application/json\" id=\"{id}\">");
    let start = html
        .find(&open)
        .unwrap_or_else(|| panic!("no #{id} in the page"))
        + open.len();
    let end = start + html[start..].find("</script>").expect("script closed");
    serde_json::from_str(&html[start..end]).expect("embedded JSON parses")
}

const XSS: &str = "</script><script>alert(1)</script>";

fn quiz_fixture() -> TempSite {
    TempSite::fixture("quiz/basic")
}

#[test]
fn text_that_closes_script_elements_stays_inside_the_json() {
    let site = quiz_fixture();
    site.build().ok();
    let html = site.read("public/01-a/jiedu.html");
    assert!(
        !html.contains("<script>alert(1)"),
        "injected script element in the page"
    );
    let data = embedded(&html, "quiz-data");
    let q = &data["questions"][1];
    assert_eq!(
        q["prompt"],
        "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; 是什么？"
    );
    assert_eq!(
        q["options"][0],
        "&lt;/script&gt;&lt;script&gt;window.pwned=1&lt;/script&gt;"
    );
    // Inside the script element, the JSON holds no `<`, `>` or `&` at all.
    let open = "<script type=\"application/json\" id=\"quiz-data\">";
    let start = html.find(open).unwrap() + open.len();
    let raw = &html[start..start + html[start..].find("</script>").unwrap()];
    assert!(!raw.contains(['<', '>', '&']), "{raw}");
    assert!(
        raw.contains("\\u0026lt;/script\\u0026gt;\\u0026lt;script\\u0026gt;alert(1)"),
        "{raw}"
    );
}

#[test]
fn unit_pages_topic_quiz_final_test_and_data_files() {
    let site = quiz_fixture();
    site.build().ok();
    let unit = embedded(&site.read("public/01-a/jiedu.html"), "quiz-data");
    assert_eq!(unit["version"], 1);
    assert_eq!(unit["id"], "unit:01-a/jiedu");
    assert_eq!(
        unit["pass_mark"], 60,
        "site.yaml quiz.pass_mark reaches the page"
    );
    let ids: Vec<&str> = unit["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["a-single", "a-xss", "a-multi", "a-tf", "01-a/jiedu#5"]
    );
    let single = &unit["questions"][0];
    assert_eq!(single["answer"], serde_json::json!([1]));
    assert_eq!(single["source"]["href"], "01-a/yuanwen.html#task-1");
    assert_eq!(
        single["explanation"],
        "<p>提纲要求<strong>三分之一</strong>以上。</p>\n"
    );
    let fill = &unit["questions"][4];
    assert_eq!(
        fill["parts"],
        serde_json::json!(["推进“两学一做”学习教育", "制度化、", "。"])
    );
    assert_eq!(
        fill["answer"],
        serde_json::json!([["常态化"], ["ABC", "abc"]])
    );
    assert_eq!(single["hash"].as_str().unwrap().len(), 12);

    // 阶段测验 of topic 01-a draws the questions of its units; 03-c has none, so no page.
    let topic = embedded(&site.read("public/01-a/quiz.html"), "quiz-data");
    assert_eq!(topic["id"], "topic:01-a");
    assert_eq!(topic["shuffle_questions"], true);
    assert_eq!(topic["questions"].as_array().unwrap().len(), 5);
    assert!(site.path().join("public/02-b/quiz.html").exists());
    assert!(!site.path().join("public/03-c/quiz.html").exists());
    let topic_page = site.read("public/01-a/index.html");
    assert!(
        topic_page.contains("href=\"../01-a/quiz.html\">阶段测验</a>"),
        "{topic_page}"
    );
    // (The menu links the final test, quiz.html, from every page.)
    assert!(
        !site
            .read("public/03-c/index.html")
            .contains("03-c/quiz.html")
    );

    let final_test = embedded(&site.read("public/quiz.html"), "quiz-data");
    assert_eq!(final_test["id"], "final");
    assert_eq!(final_test["questions"].as_array().unwrap().len(), 6);
    let home = site.read("public/index.html");
    assert!(home.contains("href=\"quiz.html\">综合测试</a>"), "{home}");
    assert!(
        home.contains("href=\"progress.html\">学习进度</a>"),
        "{home}"
    );

    let progress = site.read("public/progress.html");
    assert!(
        progress.contains(
            "<li data-progress-quiz=\"topic:01-a\"><a href=\"01-a/quiz.html\">阶段测验</a>"
        ),
        "{progress}"
    );
    assert!(!progress.contains("topic:03-c"), "{progress}");
    assert!(
        progress.contains("<li data-progress-unit=\"03-c/y\"><a href=\"03-c/y.html\">三的单元</a>"),
        "{progress}"
    );

    let all: Value = serde_json::from_str(&site.read("public/quizzes.json")).unwrap();
    assert_eq!(all["version"], 1);
    assert_eq!(all["quizzes"].as_array().unwrap().len(), 2);
    assert_eq!(all["topic_quizzes"][1]["id"], "topic:02-b");
    assert_eq!(
        all["topic_quizzes"][1]["questions"],
        serde_json::json!(["b-tf"])
    );
    assert_eq!(all["final"]["questions"].as_array().unwrap().len(), 6);
    assert_eq!(
        all["quizzes"][0]["questions"][0]["prompt"],
        "每个班次至少拿出多少时间学习原文？"
    );
    assert_eq!(all["quizzes"][0]["questions"][0]["line"], 7);
    let schema: Value = serde_json::from_str(&site.read("public/quiz.schema.json")).unwrap();
    assert_eq!(schema["type"], "array");
}

#[test]
fn an_edited_question_gets_a_new_hash_but_a_new_explanation_does_not() {
    let hash_of = |questions: &str| {
        let site = site_with_quiz(questions);
        site.build().ok();
        embedded(&site.read("public/01-a/jiedu.html"), "quiz-data")["questions"][0]["hash"].clone()
    };
    let a = hash_of(
        "  - id: q\n    type: truefalse\n    prompt: 甲。\n    answer: true\n    explanation: 一\n",
    );
    let b = hash_of(
        "  - id: q\n    type: truefalse\n    prompt: 甲。\n    answer: true\n    explanation: 二\n",
    );
    let c = hash_of(
        "  - id: q\n    type: truefalse\n    prompt: 甲。\n    answer: false\n    explanation: 一\n",
    );
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn every_shipped_topic_has_a_valid_quiz() {
    let out = shipped_site();
    let root = repo_root();
    let mut topics = 0;
    for entry in std::fs::read_dir(root.join("content")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name == "sessions" || name.starts_with('.') {
            continue;
        }
        topics += 1;
        let page = std::fs::read_to_string(out.join(&name).join("quiz.html"))
            .unwrap_or_else(|e| panic!("{name}/quiz.html: {e}"));
        let quiz = embedded(&page, "quiz-data");
        assert!(quiz["questions"].as_array().unwrap().len() >= 3, "{name}");
    }
    assert_eq!(topics, 10);
}

// ---- In the browser. ----

/// This module's own Chromium (progress lives in its profile's localStorage, which other
/// modules' tests must not touch), taken by one test at a time. Open pages with [`open_clean`].
/// Opens `url` with that origin's localStorage emptied (cleared from the same tab, then the page
/// loaded again, so the page never sees what an earlier test left).
fn open_clean(browser: &Browser, url: &str, width: u32, height: u32) -> Page {
    let page = Page::open(browser, url, width, height);
    // (A statement list evaluates to nothing here: always hand `eval` one expression.)
    page.eval("(localStorage.clear(), true)");
    assert_eq!(page.eval("localStorage.length"), 0);
    page.goto(url);
    page.wait_until("document.body && document.readyState === 'complete'", WAIT);
    page
}

fn quiz_browser() -> Option<(&'static Browser, MutexGuard<'static, ()>)> {
    crate::module_browser!()
}

/// Answers the question shown `n`-th (1-based) on the page, rightly or wrongly, by clicking and
/// typing into its controls (the right answer is read from the page's quiz data).
fn choose(page: &Page, n: usize, right: bool) {
    let js = r#"((n, right) => {
        const data = JSON.parse(document.getElementById('quiz-data').textContent);
        const fs = document.querySelector('#quiz-q-' + n);
        const q = data.questions[Number(fs.dataset.index)];
        if (q.type === 'truefalse') {
            fs.querySelector('input[value="' + String(right ? q.answer : !q.answer) + '"]').click();
        } else if (q.type === 'fill') {
            fs.querySelectorAll('input[data-blank]').forEach((i, k) => {
                i.value = right ? q.answer[k][0] : '不对';
                i.dispatchEvent(new Event('input', {bubbles: true}));
            });
        } else {
            const inputs = [...fs.querySelectorAll('input[data-option]')];
            inputs.forEach(i => { if (i.checked && i.type === 'checkbox') i.click(); });
            const isRight = i => q.answer.includes(Number(i.value));
            if (right) inputs.filter(isRight).forEach(i => i.click());
            else inputs.filter(i => !isRight(i)).slice(0, 1).forEach(i => i.click());
        }
        return true;
    })"#;
    page.eval(&format!("{js}({n}, {right})"));
}

fn question_count(page: &Page) -> usize {
    page.eval("document.querySelectorAll('fieldset.quiz-question').length")
        .as_u64()
        .unwrap() as usize
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn answering_a_unit_quiz_shows_results_saves_the_score_and_links_to_the_source() {
    let Some((b, _one_at_a_time)) = quiz_browser() else {
        return;
    };
    let unit = shipped_site().join("01-xuexi/jiedu.html");
    let page = open_clean(b, &file_url(&unit), 1280, 800);
    page.wait_until(
        "document.querySelectorAll('fieldset.quiz-question').length > 0",
        WAIT,
    );
    let n = question_count(&page);
    assert_eq!(n, 6);
    // Questions 1–4 right, 5–6 wrong: 4 of 6 = 67%, below the pass mark of 80.
    for i in 1..=n {
        choose(&page, i, i <= 4);
    }
    page.click("button.quiz-submit");
    page.wait_until(
        "document.querySelector('.quiz-results').dataset.percent",
        WAIT,
    );
    assert_eq!(
        page.eval_str("document.querySelector('.quiz-results').dataset.percent"),
        "67"
    );
    assert_eq!(
        page.eval_str("document.querySelector('.quiz-results .quiz-score').textContent"),
        "得分 4/6（67%）"
    );
    assert_eq!(
        page.eval_str("document.querySelector('.quiz-results').getAttribute('aria-live')"),
        "polite"
    );
    assert_eq!(
        page.eval_str("document.activeElement.className"),
        "quiz-results"
    );
    assert_eq!(
        page.eval_str("document.querySelector('#quiz-q-1').dataset.result"),
        "correct"
    );
    assert_eq!(
        page.eval_str("document.querySelector('#quiz-q-6').dataset.result"),
        "wrong"
    );
    let verdict = page.eval_str("document.querySelector('#quiz-q-6 .q-verdict').textContent");
    assert_eq!(verdict, "回答错误");
    let explanation =
        page.eval_str("document.querySelector('#quiz-q-6 .q-explanation-body').textContent");
    assert!(explanation.contains("新时代讲习所"), "{explanation}");
    page.screenshot("quiz-unit-results");

    // The score is saved and survives a reload.
    page.reload();
    page.wait_until("document.querySelector('.quiz-history') && !document.querySelector('.quiz-history').hidden", WAIT);
    let history = page.eval_str("document.querySelector('.quiz-history').textContent");
    assert!(history.starts_with("最好成绩 67%，上次 67%"), "{history}");
    // The answers given are restored into the form.
    assert!(page.eval_bool("document.querySelectorAll('#quiz input:checked').length >= 4"));

    // Retry, all right: passed; best becomes 100.
    page.click("button.quiz-submit");
    page.wait_until("document.querySelector('button.quiz-retry') && !document.querySelector('button.quiz-retry').hidden", WAIT);
    page.click("button.quiz-retry");
    page.wait_until(
        "!document.querySelector('.quiz-results').dataset.percent",
        WAIT,
    );
    assert!(page.eval_bool("document.querySelectorAll('#quiz input:checked').length === 0"));
    for i in 1..=n {
        choose(&page, i, true);
    }
    page.click("button.quiz-submit");
    page.wait_until(
        "document.querySelector('.quiz-results').dataset.percent === '100'",
        WAIT,
    );
    assert_eq!(
        page.eval_str("document.querySelector('.quiz-results').dataset.passed"),
        "true"
    );

    // Follow the source link of question 1 to the passage in the original text.
    let href =
        page.eval_str("document.querySelector('#quiz-q-1 .q-source-link').getAttribute('href')");
    assert_eq!(href, "../01-xuexi/yuanwen.html#task-1");
    page.click("#quiz-q-1 .q-source-link");
    page.wait_until(
        "location.pathname.endsWith('/01-xuexi/yuanwen.html') && location.hash === '#task-1'",
        WAIT,
    );
    // (The new document may still be loading when its address has changed.)
    page.wait_until("document.getElementById('task-1')", WAIT);

    // The progress page shows it.
    page.goto(&file_url(&shipped_site().join("progress.html")));
    page.wait_until(
        "document.querySelector('[data-quiz-state=\"unit:01-xuexi/jiedu\"]').textContent !== ''",
        WAIT,
    );
    assert_eq!(
        page.eval_str(
            "document.querySelector('[data-quiz-state=\"unit:01-xuexi/jiedu\"]').textContent"
        ),
        "测验通过 · 最好成绩 100%"
    );
    // And the topic page shows the badge.
    page.goto(&file_url(&shipped_site().join("01-xuexi/index.html")));
    assert!(page.eval_bool(
        "!document.querySelector('[data-progress-quiz=\"unit:01-xuexi/jiedu\"] [data-badge=passed]').hidden"
    ));
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn a_quiz_works_from_the_keyboard_alone() {
    let Some((b, _one_at_a_time)) = quiz_browser() else {
        return;
    };
    let site = quiz_fixture();
    site.build().ok();
    let page = open_clean(
        b,
        &file_url(&site.path().join("public/02-b/x.html")),
        1280,
        800,
    );
    // 02-b/x has one truefalse question (answer: false). Press 已学完, then Tab into it.
    page.wait_until("document.querySelector('#quiz input')", WAIT);
    page.click("[data-mark-read]");
    page.press("Tab");
    assert_eq!(page.eval_str("document.activeElement.value"), "true");
    page.press("ArrowDown");
    assert_eq!(
        page.eval_str("document.querySelector('#quiz input:checked').value"),
        "false"
    );
    page.press("Tab");
    assert_eq!(
        page.eval_str("document.activeElement.className"),
        "quiz-submit"
    );
    page.press("Enter");
    page.wait_until(
        "document.querySelector('.quiz-results').dataset.percent === '100'",
        WAIT,
    );
    let legend = page.eval_str("document.querySelector('#quiz-q-1 legend').textContent");
    assert_eq!(legend, "第 1 题判断题二是乙。");
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn injected_markup_in_prompts_and_options_shows_as_text() {
    let Some((b, _one_at_a_time)) = quiz_browser() else {
        return;
    };
    let site = quiz_fixture();
    site.build().ok();
    let page = open_clean(
        b,
        &file_url(&site.path().join("public/01-a/jiedu.html")),
        1280,
        800,
    );
    page.wait_until(
        "document.querySelectorAll('fieldset.quiz-question').length === 5",
        WAIT,
    );
    assert!(
        page.eval_bool("window.pwned === undefined"),
        "an injected script ran"
    );
    // Only the page's own scripts: none holds the payload.
    assert!(page.eval_bool(
        "[...document.scripts].every(s => !/alert\\(1\\)|pwned/.test(s.textContent) || s.id === 'quiz-data')"
    ));
    let prompt = page.eval_str("document.querySelector('#quiz-q-2 .q-prompt').textContent");
    assert_eq!(prompt, format!("{XSS} 是什么？"));
    let options = page.eval_str("[...document.querySelectorAll('#quiz-q-2 .q-option-text')].map(o => o.textContent).join('|')");
    assert!(
        options.contains("</script><script>window.pwned=1</script>"),
        "{options}"
    );
    assert!(page.eval_bool(
        "document.querySelector('#quiz-q-2 .q-prompt').getBoundingClientRect().height > 0"
    ));
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn fill_answers_fold_full_width_forms() {
    let Some((b, _one_at_a_time)) = quiz_browser() else {
        return;
    };
    let site = quiz_fixture();
    site.build().ok();
    let page = open_clean(
        b,
        &file_url(&site.path().join("public/01-a/jiedu.html")),
        1280,
        800,
    );
    page.wait_until(
        "document.querySelector('#quiz-q-5 input[data-blank]')",
        WAIT,
    );
    page.eval(
        "(() => { const i = document.querySelectorAll('#quiz-q-5 input[data-blank]'); i[0].value = '\u{3000}常态化 '; i[1].value = 'ＡＢＣ'; return true; })()",
    );
    page.click("button.quiz-submit");
    // The other questions are blank: asked first (issue 28).
    page.wait_until("document.querySelector('.quiz-confirm')", WAIT);
    page.click(".quiz-confirm-submit");
    page.wait_until("document.querySelector('#quiz-q-5').dataset.result", WAIT);
    assert_eq!(
        page.eval_str("document.querySelector('#quiz-q-5').dataset.result"),
        "correct"
    );
    assert_eq!(
        page.eval_str("document.querySelector('#quiz-q-1').dataset.result"),
        "wrong"
    );
    assert_eq!(
        page.eval_str("document.querySelector('#quiz-q-1 .q-verdict').textContent"),
        "未作答"
    );
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn the_topic_quiz_draws_every_question_and_records_its_own_score() {
    let Some((b, _one_at_a_time)) = quiz_browser() else {
        return;
    };
    let page = open_clean(
        b,
        &file_url(&shipped_site().join("02-tuopin/quiz.html")),
        360,
        740,
    );
    page.wait_until(
        "document.querySelectorAll('fieldset.quiz-question').length > 0",
        WAIT,
    );
    let expected =
        page.eval("JSON.parse(document.getElementById('quiz-data').textContent).questions.length");
    assert_eq!(
        page.eval("document.querySelectorAll('fieldset.quiz-question').length"),
        expected
    );
    let meta = page.eval_str("document.querySelector('.quiz-meta').textContent");
    assert!(meta.ends_with("及格线 80%"), "{meta}");
    let n = question_count(&page);
    for i in 1..=n {
        choose(&page, i, true);
    }
    page.click("button.quiz-submit");
    page.wait_until(
        "document.querySelector('.quiz-results').dataset.passed === 'true'",
        WAIT,
    );
    assert!(!page.overflows_horizontally());
    page.screenshot("quiz-topic-mobile");
    page.goto(&file_url(&shipped_site().join("index.html")));
    assert!(page.eval_bool(
        "!document.querySelector('[data-progress-quiz=\"topic:02-tuopin\"] [data-badge=passed]').hidden"
    ));
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn units_are_marked_read_at_their_end_or_by_the_button() {
    let Some((b, _one_at_a_time)) = quiz_browser() else {
        return;
    };
    let page = open_clean(
        b,
        &file_url(&shipped_site().join("03-xiangcun/yuanwen.html")),
        1280,
        600,
    );
    let key = "JSON.parse(localStorage.getItem('studysite:' + document.body.dataset.siteKey + ':progress') || '{\"read\":{}}').read";
    assert!(
        page.eval_bool(&format!("!{key}['03-xiangcun/yuanwen']")),
        "read before reaching the end"
    );
    // Scroll to the end as a reader would (the End key).
    page.press("End");
    page.wait_until(&format!("{key}['03-xiangcun/yuanwen']"), WAIT);
    page.goto(&file_url(&shipped_site().join("03-xiangcun/jiedu.html")));
    page.click("[data-mark-read]");
    page.wait_until(&format!("{key}['03-xiangcun/jiedu']"), WAIT);
    assert_eq!(
        page.eval_str("document.querySelector('[data-mark-read]').getAttribute('aria-pressed')"),
        "true"
    );
    page.goto(&file_url(&shipped_site().join("03-xiangcun/index.html")));
    assert!(page.eval_bool("!document.querySelector('li [data-progress-unit=\"03-xiangcun/jiedu\"] [data-badge=read]').hidden"));
    assert!(page.eval_bool("document.querySelector('li [data-progress-unit=\"03-xiangcun/yantao\"] [data-badge=read]').hidden"));
    page.goto(&file_url(&shipped_site().join("progress.html")));
    assert_eq!(
        page.eval_str(
            "document.querySelector('[data-progress-summary=\"03-xiangcun\"]').textContent"
        ),
        "已学完 2/3 个单元，通过测验 0/2 项"
    );
    let left =
        page.eval_str("document.querySelector('[data-progress-left=\"03-xiangcun\"]').textContent");
    assert!(left.starts_with("还没完成："), "{left}");
    assert_eq!(
        page.eval("document.querySelector('[data-progress-bar=\"03-xiangcun\"]').value"),
        2
    );
    page.screenshot("progress-page");
}

/// The scripts' words and separators come from the site's language table (`#studysite-i18n`,
/// read by `studysite.t()`): in an `en` site the progress page joins its summary's clauses with
/// `, `, a right answer's letters are joined with `, ` and a fill-in's answers with `; `, and the
/// end-of-unit button and the menu button speak English.
#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn an_english_site_gets_the_scripts_words_and_separators_from_its_table() {
    let Some((b, _one_at_a_time)) = quiz_browser() else {
        return;
    };
    let site = quiz_fixture();
    let yaml = site.read("site.yaml");
    site.write("site.yaml", &format!("{yaml}language: en\n"));
    site.build().ok();
    let public = site.path().join("public");

    let page = open_clean(b, &file_url(&public.join("progress.html")), 1280, 800);
    let summary = "document.querySelector('[data-progress-summary=\"01-a\"]').textContent";
    page.wait_until(summary, WAIT);
    assert_eq!(
        page.eval_str(summary),
        "0 of 2 units read, 0 of 2 quizzes passed"
    );
    assert_eq!(
        page.eval("[...document.querySelectorAll('[data-progress-left=\"01-a\"] li')].map(li => li.textContent)"),
        serde_json::json!(["原文一", "解读一", "解读一 · Self-test", "Topic quiz"])
    );
    let state = "document.querySelector('[data-quiz-state=\"unit:01-a/jiedu\"]').textContent";
    assert_eq!(page.eval_str(state), "Quiz not taken");

    // Submitted with nothing answered: every question shows its right answer.
    page.goto(&file_url(&public.join("01-a/jiedu.html")));
    page.wait_until(
        "document.querySelectorAll('fieldset.quiz-question').length === 5",
        WAIT,
    );
    page.click("button.quiz-submit");
    // Asked first, in the site's language (issue 28).
    page.wait_until("document.querySelector('.quiz-confirm')", WAIT);
    assert_eq!(
        page.eval_str("document.querySelector('.quiz-confirm-text').textContent"),
        "5 questions are not answered yet. Submit anyway?"
    );
    page.click(".quiz-confirm-submit");
    page.wait_until(
        "document.querySelector('.quiz-results').dataset.percent === '0'",
        WAIT,
    );
    let right = |n: usize| {
        page.eval_str(&format!(
            "document.querySelector('#quiz-q-{n} .q-right-answer').textContent"
        ))
    };
    assert_eq!(right(3), "Right answer: A, C"); // a-multi, options in their order
    assert_eq!(right(4), "Right answer: True");
    assert_eq!(right(5), "Right answer: 常态化; ABC");
    assert_eq!(
        page.eval_str("document.querySelector('#quiz-q-3 .q-verdict').textContent"),
        "Not answered"
    );
    assert_eq!(
        page.eval_str("document.querySelector('.quiz-results .quiz-score').textContent"),
        "Score 0 of 5 (0%)"
    );

    // A unit without a quiz: the end-of-unit button, and the menu button's label.
    page.goto(&file_url(&public.join("01-a/yuanwen.html")));
    page.click("[data-mark-read]");
    page.wait_until(
        "document.querySelector('[data-mark-read]').getAttribute('aria-pressed') === 'true'",
        WAIT,
    );
    assert_eq!(
        page.eval_str("document.querySelector('[data-mark-read]').textContent"),
        "Marked as read"
    );
    let label = "document.querySelector('.menu-button .menu-label').textContent";
    assert_eq!(page.eval_str(label), "Menu");
    page.eval("(document.querySelector('.menu-button').click(), true)");
    assert_eq!(page.eval_str(label), "Close menu");

    page.goto(&file_url(&public.join("progress.html")));
    page.wait_until(&format!("{state} !== 'Quiz not taken'"), WAIT);
    assert_eq!(page.eval_str(state), "Quiz not passed · Best 0%");
}

fn set_download_dir(page: &Page, dir: &Path) {
    use headless_chrome::protocol::cdp::Browser::{
        SetDownloadBehavior, SetDownloadBehaviorBehaviorOption,
    };
    page.tab
        .call_method(SetDownloadBehavior {
            behavior: SetDownloadBehaviorBehaviorOption::Allow,
            browser_context_id: None,
            download_path: Some(dir.to_string_lossy().into_owned()),
            events_enabled: None,
        })
        .expect("allow downloads");
}

fn import_file(page: &Page, path: &Path) {
    let input = page
        .tab
        .wait_for_element("[data-progress-import]")
        .expect("import input");
    input
        .set_input_files(&[&path.to_string_lossy()])
        .expect("set file");
}

fn stored(page: &Page) -> String {
    page.eval_str(
        "localStorage.getItem('studysite:' + document.body.dataset.siteKey + ':progress') || ''",
    )
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn progress_exported_on_one_browser_imports_into_a_fresh_one() {
    let Some((b, _one_at_a_time)) = quiz_browser() else {
        return;
    };
    let progress = file_url(&shipped_site().join("progress.html"));
    let downloads = tempfile::tempdir().unwrap();

    // On the first device: a unit read and a quiz taken, then export.
    let page = open_clean(
        b,
        &file_url(&shipped_site().join("04-chengshi/jiedu.html")),
        1280,
        800,
    );
    page.click("[data-mark-read]");
    page.wait_until(
        "document.querySelectorAll('fieldset.quiz-question').length > 0",
        WAIT,
    );
    for i in 1..=question_count(&page) {
        choose(&page, i, true);
    }
    page.click("button.quiz-submit");
    page.wait_until(
        "document.querySelector('.quiz-results').dataset.passed === 'true'",
        WAIT,
    );
    page.goto(&progress);
    set_download_dir(&page, downloads.path());
    page.click("[data-progress-export]");
    let deadline = std::time::Instant::now() + WAIT;
    let file = loop {
        let found = std::fs::read_dir(downloads.path())
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "json"));
        if let Some(f) = found {
            break f;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no export file downloaded"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    std::thread::sleep(Duration::from_millis(300));
    let exported: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(exported["format"], "studysite-progress");
    assert!(exported["read"]["04-chengshi/jiedu"].is_string());
    assert_eq!(exported["quizzes"]["unit:04-chengshi/jiedu"]["best"], 100);
    page.eval("(localStorage.clear(), true)");

    // On a fresh browser profile: nothing yet; a damaged file and another site's file change
    // nothing; the export restores everything.
    let Some(fresh) = launch() else { return };
    let page2 = Page::open(&fresh, &progress, 1280, 800);
    assert_eq!(stored(&page2), "");
    let work = tempfile::tempdir().unwrap();
    let damaged = work.path().join("damaged.json");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&damaged, &text[..text.len() / 2]).unwrap();
    import_file(&page2, &damaged);
    page2.wait_until(
        "document.querySelector('[data-progress-status]').textContent !== ''",
        WAIT,
    );
    assert_eq!(
        page2.eval_str("document.querySelector('[data-progress-status]').textContent"),
        "导入失败：文件已损坏或不是本网站的学习进度文件，本网站的进度没有改动。"
    );
    assert_eq!(stored(&page2), "");

    let mut other: Value = exported.clone();
    other["site"] = Value::from("0123456789");
    other["site_title"] = Value::from("另一个网站");
    let other_file = work.path().join("other.json");
    std::fs::write(&other_file, other.to_string()).unwrap();
    page2.eval("(document.querySelector('[data-progress-status]').textContent = '', true)");
    import_file(&page2, &other_file);
    page2.wait_until(
        "document.querySelector('[data-progress-status]').textContent !== ''",
        WAIT,
    );
    assert_eq!(
        page2.eval_str("document.querySelector('[data-progress-status]').textContent"),
        "导入失败：这个文件是另一个学习网站（另一个网站）的进度，本网站的进度没有改动。"
    );
    assert_eq!(stored(&page2), "");

    page2.eval("(document.querySelector('[data-progress-status]').textContent = '', true)");
    import_file(&page2, &file);
    page2.wait_until(
        "document.querySelector('[data-progress-status]').textContent !== ''",
        WAIT,
    );
    assert_eq!(
        page2.eval_str("document.querySelector('[data-progress-status]').textContent"),
        "已导入进度：1 个已学单元，1 项测验成绩。"
    );
    assert_eq!(
        page2.eval_str(
            "document.querySelector('[data-quiz-state=\"unit:04-chengshi/jiedu\"]').textContent"
        ),
        "测验通过 · 最好成绩 100%"
    );
    assert_eq!(
        page2.eval_str("document.querySelector('[data-progress-topic=\"04-chengshi\"] [data-progress-unit=\"04-chengshi/jiedu\"] [data-unit-state]').textContent"),
        "已学"
    );

    // A damaged import after that still changes nothing.
    let before = stored(&page2);
    page2.eval("(document.querySelector('[data-progress-status]').textContent = '', true)");
    import_file(&page2, &damaged);
    page2.wait_until(
        "document.querySelector('[data-progress-status]').textContent !== ''",
        WAIT,
    );
    assert_eq!(stored(&page2), before);

    // Reset asks first; confirmed, it clears everything.
    let reset = |answer: bool| {
        page2.eval(&format!(
            "(() => {{ window.confirm = () => {answer}; document.querySelector('[data-progress-reset]').click(); return true; }})()"
        ));
    };
    reset(false);
    assert_eq!(stored(&page2), before);
    reset(true);
    assert_eq!(stored(&page2), "");
    assert_eq!(
        page2.eval_str("document.querySelector('[data-progress-status]').textContent"),
        "学习进度已清除。"
    );
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn quizzes_and_progress_work_over_http_from_studysite_serve() {
    let Some((browser, _one_at_a_time)) = quiz_browser() else {
        return;
    };
    let site = quiz_fixture();
    let server = Serve::start(site.path(), &[]);
    assert!(
        server.base().starts_with("http://127.0.0.1:"),
        "{}",
        server.base()
    );
    let page = open_clean(
        browser,
        &format!("{}01-a/jiedu.html", server.base()),
        1280,
        800,
    );
    page.wait_until(
        "document.querySelectorAll('fieldset.quiz-question').length === 5",
        WAIT,
    );
    for i in 1..=5 {
        choose(&page, i, i != 3);
    }
    page.click("button.quiz-submit");
    page.wait_until(
        "document.querySelector('.quiz-results').dataset.percent === '80'",
        WAIT,
    );
    assert_eq!(
        page.eval_str("document.querySelector('.quiz-results').dataset.passed"),
        "true"
    );
    page.reload();
    page.wait_until("document.querySelector('.quiz-history') && !document.querySelector('.quiz-history').hidden", WAIT);
    assert!(
        page.eval_str("document.querySelector('.quiz-history').textContent")
            .starts_with("最好成绩 80%，上次 80%")
    );
    page.click("button.quiz-submit");
    page.wait_until("document.querySelector('#quiz-q-1 .q-source-link')", WAIT);
    page.click("#quiz-q-1 .q-source-link");
    page.wait_until(
        "location.pathname === '/01-a/yuanwen.html' && location.hash === '#task-1'",
        WAIT,
    );
    page.goto(&format!("{}progress.html", server.base()));
    page.wait_until(
        "document.querySelector('[data-quiz-state=\"unit:01-a/jiedu\"]').textContent !== ''",
        WAIT,
    );
    assert_eq!(
        page.eval_str(
            "document.querySelector('[data-quiz-state=\"unit:01-a/jiedu\"]').textContent"
        ),
        "测验通过 · 最好成绩 80%"
    );
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn an_edited_question_does_not_get_its_old_answer_back() {
    let Some((b, _one_at_a_time)) = quiz_browser() else {
        return;
    };
    let site = quiz_fixture();
    site.build().ok();
    let url = file_url(&site.path().join("public/01-a/jiedu.html"));
    let page = open_clean(b, &url, 1280, 800);
    page.wait_until("document.querySelector('#quiz-q-4 input')", WAIT);
    choose(&page, 3, true); // a-multi: A and C
    choose(&page, 4, true); // a-tf: true
    page.reload();
    page.wait_until("document.querySelector('#quiz-q-4 input')", WAIT);
    let checked =
        "[...document.querySelectorAll('#quiz-q-N input:checked')].map(i => i.value).join(',')";
    assert_eq!(page.eval_str(&checked.replace('N', "3")), "0,2");
    assert_eq!(page.eval_str(&checked.replace('N', "4")), "true");

    // The author changes a-tf's prompt: its saved answer no longer applies; a-multi's still does.
    let text = site
        .read("content/01-a/jiedu.md")
        .replace("prompt: 这是对的。", "prompt: 这是错的。");
    site.write("content/01-a/jiedu.md", &text);
    site.build().ok();
    page.goto(&url);
    page.wait_until("document.querySelector('#quiz-q-4 input')", WAIT);
    assert_eq!(page.eval_str(&checked.replace('N', "3")), "0,2");
    assert_eq!(page.eval_str(&checked.replace('N', "4")), "");
}

/// axe-core's serious and critical violations on the current page (None when axe-core is not
/// installed: `npm install --prefix target/axe axe-core@4`, as `.ci/run` does).
fn axe_violations(page: &Page) -> Option<Value> {
    let path = repo_root().join("target/axe/node_modules/axe-core/axe.min.js");
    if !path.is_file() {
        let msg = format!(
            "the accessibility check needs axe-core at {}",
            path.display()
        );
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{msg} — CI=true, so this is a failure");
        }
        eprintln!("\n*** SKIPPED: {msg} ***\n");
        return None;
    }
    let loaded = page.eval_str(&format!(
        "new Promise(done => {{ const s = document.createElement('script'); s.src = {:?}; \
         s.onload = () => done(typeof axe.run); s.onerror = () => done('not loaded'); document.head.append(s); }})",
        file_url(&path)
    ));
    assert_eq!(loaded, "function");
    let found = page.eval_str(
        "axe.run(document, { resultTypes: ['violations'] }).then(r => JSON.stringify(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({ id: v.id, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ')) }))))",
    );
    Some(serde_json::from_str(&found).expect("axe result"))
}

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn quiz_and_progress_pages_pass_axe() {
    let Some((b, _one_at_a_time)) = quiz_browser() else {
        return;
    };
    let unit = file_url(&shipped_site().join("05-zhibu/jiedu.html"));
    let page = open_clean(b, &unit, 1280, 800);
    page.wait_until(
        "document.querySelectorAll('fieldset.quiz-question').length > 0",
        WAIT,
    );
    for i in 1..=question_count(&page) {
        choose(&page, i, i % 2 == 0);
    }
    page.click("button.quiz-submit");
    page.wait_until(
        "document.querySelector('.quiz-results').dataset.percent",
        WAIT,
    );
    let Some(v) = axe_violations(&page) else {
        return;
    };
    assert_eq!(v, serde_json::json!([]), "unit page after submitting");
    for rel in ["05-zhibu/quiz.html", "quiz.html", "progress.html"] {
        page.goto(&file_url(&shipped_site().join(rel)));
        page.wait_until("document.readyState === 'complete'", WAIT);
        let v = axe_violations(&page).expect("axe-core");
        assert_eq!(v, serde_json::json!([]), "{rel}");
    }
}
