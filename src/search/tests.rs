//! The search index's tests across its parts: tokens, postings, the JSON of the files, the
//! ranking specification ([`super::score`]) and whole sites indexed.

use super::codec::{FIELD_HEADING, FIELD_PREFIX, FIELD_TITLE, Postings, field_bits};
use super::dedup::{SEEN_BODY, SEEN_HEADING, SEEN_PREFIX, SEEN_TITLE, SEEN_WHOLE, posting_fields};
use super::format::{push_json_compact, push_json_str};
use super::score::*;
use super::tokens::{is_word_char, word_key};
use super::*;
use crate::model::Site;

/// The specification of [`push_json_compact`]'s compaction, as a string.
fn compact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending: Option<char> = None;
    for c in text.trim().chars() {
        if c.is_whitespace() && c != '\u{3000}' {
            pending = Some(match pending {
                Some('\n') => '\n',
                _ if c == '\n' => '\n',
                _ => ' ',
            });
        } else {
            if let Some(p) = pending.take() {
                out.push(p);
            }
            out.push(c);
        }
    }
    out
}

#[test]
fn section_text_is_compacted_and_escaped_in_one_pass() {
    for text in [
        "",
        "  \n ",
        "第一书记　驻村",
        " 甲 \t 乙\r\n\n丙\u{2028}丁\u{85}戊\u{a0}己 ",
        "a  <b>&\"c\"\\ \u{1}\u{1f}　\n　x",
        "软弱\n \n涣散 \u{3000}",
        "\u{3000} 甲 \u{3000}",
        "one space, two  spaces, \u{7f} end",
        "a \n b\u{2028}\u{3000}c \u{e01} \u{1680}d\u{205f}\u{202f}\u{2029}e \u{1f600}",
    ] {
        let (mut fused, mut reference) = (Vec::new(), Vec::new());
        push_json_compact(&mut fused, text);
        push_json_str(&mut reference, &compact(text));
        assert_eq!(
            String::from_utf8(fused).unwrap(),
            String::from_utf8(reference).unwrap(),
            "{text:?}"
        );
    }
}

fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut scratch = String::new();
    tokenize(text, &mut scratch, |t| out.push(t.text()));
    out
}

#[test]
fn chinese_is_characters_plus_overlapping_bigrams() {
    assert_eq!(
        tokens("三会一课"),
        ["三", "会", "三会", "一", "会一", "课", "一课"]
    );
}

#[test]
fn punctuation_and_latin_break_chinese_runs() {
    assert_eq!(
        tokens("整顿，软弱"),
        ["整", "顿", "整顿", "软", "弱", "软弱"]
    );
    assert_eq!(tokens("第1书"), ["第", "1", "书"]);
}

#[test]
fn latin_words_and_numbers_are_case_folded_words() {
    assert_eq!(
        tokens("2018年 APP下载 e-Mail"),
        [
            "2018", "20", "201", "年", "app", "ap", "下", "载", "下载", "e", "mail", "ma", "mai"
        ]
    );
}

#[test]
fn full_width_forms_fold_to_half_width() {
    assert_eq!(tokens("２０１８ＡＢＣ")[0], "2018abc");
    assert_eq!(fold('　'), ' ');
    assert_eq!(query_tokens("Ｇ２０　峰会"), ["g20", "峰会"]);
}

#[test]
fn the_punctuation_fast_path_agrees_with_unicode() {
    // The ranges `is_word_char` answers without the table.
    for r in [0x2000..=0x206F, 0x3000..=0x3004, 0x3008..=0x3020] {
        for c in r.filter_map(char::from_u32) {
            assert!(!c.is_alphanumeric(), "{c:?} is alphanumeric");
        }
    }
    assert!(is_word_char('〇') && is_word_char('々'));
    assert_eq!(tokens("一〇"), ["一", "〇"]);
}

#[test]
fn queries_use_bigrams_or_the_single_character() {
    assert_eq!(query_tokens("第一书记"), ["第一", "一书", "书记"]);
    assert_eq!(query_tokens("党"), ["党"]);
    assert_eq!(query_tokens("2018年"), ["2018", "年"]);
    assert!(query_tokens("，。！").is_empty());
}

#[test]
fn postings_round_trip_with_fields() {
    let mut p = Postings::default();
    let docs = [
        (0, SEEN_BODY),
        (1, SEEN_TITLE),
        (2, SEEN_HEADING | SEEN_BODY),
        (40, SEEN_BODY),
        (70_000, SEEN_TITLE | SEEN_HEADING),
    ];
    for (d, f) in docs {
        p.push(d, posting_fields(f), 2);
    }
    let s = String::from_utf8(p.data.clone()).unwrap();
    // `tests/js/search.test.js` has search.js decode this very list.
    assert_eq!(s, "ACB0E_oxI");
    assert_eq!(
        decode_postings(&s, 2),
        [(0, 0), (1, 2), (2, 1), (40, 0), (70_000, 3)]
    );
    // Neighbouring documents in the body cost one character each.
    assert_eq!(&s[..1], "A");
}

#[test]
fn word_postings_have_the_prefix_bit_when_only_a_prefix_was_seen() {
    let mut p = Postings::default();
    let docs = [
        (0, SEEN_BODY | SEEN_WHOLE),
        (3, SEEN_TITLE | SEEN_PREFIX),
        (4, SEEN_BODY | SEEN_PREFIX | SEEN_HEADING | SEEN_WHOLE),
        (90_000, SEEN_HEADING | SEEN_PREFIX),
    ];
    for (d, f) in docs {
        p.push(d, posting_fields(f), field_bits(word_key("201")));
    }
    let s = String::from_utf8(p.data).unwrap();
    assert_eq!(s, "AWB9i_V", "as tests/js/search.test.js has it");
    assert_eq!(
        decode_postings(&s, 3),
        [
            (0, 0),
            (3, FIELD_TITLE | FIELD_PREFIX),
            (4, FIELD_HEADING),
            (90_000, FIELD_HEADING | FIELD_PREFIX)
        ]
    );
    assert_eq!((field_bits(word_key("a")), field_bits('党' as u64)), (3, 2));
}

#[test]
fn words_are_indexed_with_their_beginnings_from_two_to_twelve_characters() {
    assert_eq!(
        tokens("2018年 PPT x ab"),
        ["2018", "20", "201", "年", "ppt", "pp", "x", "ab"]
    );
    let long = tokens("abcdefghijklmnopq");
    assert_eq!(long.len(), 1 + 11, "{long:?}");
    assert_eq!(long[1], "ab");
    assert_eq!(long.last().unwrap(), "abcdefghijkl");
    // Characters, not bytes.
    assert_eq!(word_prefixes("ÉtéΩ").collect::<Vec<_>>(), ["Ét", "Été"]);
    // A beginning is looked up under the same key as the word written so.
    assert_eq!(Tok::Prefix("201").key(), Tok::Word("201").key());
    assert_eq!(Tok::Prefix("201").hash(), Tok::Word("201").hash());
}

#[test]
fn title_ranks_above_heading_above_body() {
    let q = "三会一课";
    let title = score("落实三会一课制度", &[("概述", "支部工作。")], q);
    let heading = score("支部工作", &[("三会一课", "按时召开。")], q);
    let body = score("支部工作", &[("概述", "要落实三会一课。")], q);
    assert!(title.score > heading.score, "{title:?} {heading:?}");
    assert!(heading.score > body.score, "{heading:?} {body:?}");
    assert!(body.score > 0);
}

#[test]
fn all_terms_rank_above_some_even_in_the_title() {
    let q = "第一书记 整顿";
    let both = score("驻村工作", &[("", "第一书记要抓好软弱涣散党组织整顿。")], q);
    let one_in_title = score("第一书记", &[("", "选派工作。")], q);
    assert_eq!((both.present, one_in_title.present), (2, 1));
    assert!(both.score > one_in_title.score);
}

#[test]
fn adjacent_characters_rank_above_scattered_bigrams() {
    let q = "第一书记";
    let phrase = score("单元", &[("", "选派第一书记。")], q);
    let scattered = score("单元", &[("", "第一次会议由支部书记主持，一书一档。")], q);
    assert_eq!(scattered.present, 1, "all bigrams occur, apart");
    assert!(phrase.score > scattered.score, "{phrase:?} {scattered:?}");
}

#[test]
fn terms_side_by_side_rank_above_terms_far_apart() {
    let q = "软弱 涣散";
    let far = "软弱".to_string() + &"的".repeat(40) + "涣散";
    let adjacent = score("单元", &[("", "整顿软弱涣散党组织。")], q);
    let apart = score("单元", &[("", &far)], q);
    assert!(adjacent.score > apart.score);
}

#[test]
fn the_link_goes_to_the_best_section() {
    let s = score(
        "单元",
        &[
            ("引言", "会议精神。"),
            ("二是整顿", "整顿软弱涣散基层党组织。"),
        ],
        "软弱涣散",
    );
    assert_eq!(s.section, Some(1));
    assert_eq!(score("单元", &[("引言", "会议。")], "软弱涣散").present, 0);
}

#[test]
fn whole_words_rank_above_words_found_only_inside_longer_ones() {
    let whole = score("单元", &[("", "第201号文件。")], "201");
    let prefix = score("2018年工作", &[("二〇一八", "2018年要点。")], "201");
    assert_eq!((whole.present, prefix.present), (1, 1));
    assert!(whole.score > prefix.score, "{whole:?} {prefix:?}");
    // Whole in a later section only still counts as whole.
    let later = score("单元", &[("", "2018年"), ("", "201年")], "201");
    assert!(later.score > prefix.score);
    // Case and full width do not matter; CJK terms as written are whole.
    assert!(
        score("单元", &[("", "用 PPT 讲")], "ppt").score
            > score("单元", &[("", "apps")], "pp").score
    );
    assert_eq!(
        score("单元", &[("", "第一书记")], "第一书记").score,
        10_000 + 1000 + 11 + 11
    );
}

#[test]
fn word_boundaries() {
    assert!(whole_in("第201号", "201"));
    assert!(whole_in("201", "201"));
    assert!(whole_in("2018 201", "201"));
    assert!(!whole_in("2018", "201"));
    assert!(!whole_in("x201", "201"));
    assert!(
        !whole_in("ébc", "bc"),
        "letters beyond ASCII are word characters"
    );
    assert!(
        whole_in("2018年度", "2018年"),
        "a term ending in CJK needs no boundary after"
    );
    assert!(whole_in("软弱涣散", "涣散"));
    assert!(!whole_in("", "201"));
}

#[test]
fn coarse_scores_put_whole_words_above_prefixes_and_more_terms_above_all() {
    let whole_body = coarse_term(0, false, false);
    let prefix_title = coarse_term(2, true, true);
    assert!(whole_body > prefix_title);
    assert!(coarse_term(2, false, true) > coarse_term(1, false, false));
    assert!(coarse_term(1, true, false) > coarse_term(0, true, false));
    assert!(2 * coarse_term(0, true, false) > coarse_term(2, false, true));
}

#[test]
fn json_strings_are_safe_in_script_tags() {
    let mut out = Vec::new();
    push_json_str(&mut out, "</script>&\u{2028}\"\\\u{1}");
    assert_eq!(
        String::from_utf8(out).unwrap(),
        r#""\u003c/script\u003e\u0026\u2028\"\\\u0001""#
    );
}

/// The model of a site made of `files` (path, text), in a folder removed afterwards.
pub(super) fn site_of(files: &[(&str, &str)]) -> Site {
    let dir = tempfile::tempdir().unwrap();
    for (p, text) in files {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let (site, diags) = crate::load::load_site(dir.path());
    site.unwrap_or_else(|| panic!("{diags:?}"))
}

#[test]
fn site_index_has_every_unit_and_topic_and_no_quiz_text() {
    let site = site_of(&[
        ("site.yaml", "title: 测试\n"),
        (
            "content/01-a/_index.md",
            "---\ntitle: 专题甲\nweight: 1\n---\n导言。\n",
        ),
        (
            "content/01-a/yuanwen.md",
            "---\ntitle: 第一书记\nkind: original\nminutes: 5\n---\n## 整顿 {#zd}\n\n软弱涣散。\n",
        ),
        (
            "content/01-a/jiedu.md",
            "---\ntitle: 解读\nkind: explanation\nminutes: 5\nquiz:\n  - id: q1\n    type: truefalse\n    prompt: 测验独有词汇\n    answer: true\n---\n正文。\n",
        ),
    ]);
    let files = data_files(&site).unwrap();
    let all: String = files
        .iter()
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert!(all.contains("\"书记\":"), "bigram indexed");
    assert!(all.contains("\"涣散\":"));
    assert!(all.contains("\"专题甲\""));
    assert!(!all.contains("测验"), "quiz text is not indexed");
    assert!(files.iter().any(|(p, _)| p == "search/index.js"));
    // The title bigram carries the title field for the unit that has it.
    let shard = files.iter().find(|(p, _)| p == "search/i/0.js").unwrap();
    let text = String::from_utf8_lossy(&shard.1);
    let at = text.find("\"书记\":\"").unwrap() + "\"书记\":\"".len();
    let postings = &text[at..at + text[at..].find('"').unwrap()];
    let unit = site
        .units
        .iter()
        .position(|u| u.title == "第一书记")
        .unwrap() as u32;
    assert_eq!(decode_postings(postings, 2), [(unit, FIELD_TITLE)]);
    assert!(files.iter().all(|(p, _)| is_search_file(p)), "{files:?}");
}

#[test]
fn prefixes_summaries_and_tags_are_indexed() {
    let site = site_of(&[
        ("site.yaml", "title: 测试\n"),
        (
            "content/01-a/_index.md",
            "---\ntitle: 专题甲\nweight: 1\nsummary: 专题摘要独有\n---\n导言。\n",
        ),
        (
            "content/01-a/a.md",
            "---\ntitle: 甲\nkind: original\nminutes: 5\n---\n第201号文件。\n",
        ),
        (
            "content/01-a/b.md",
            "---\ntitle: 乙\nkind: original\nminutes: 5\nsummary: 课件说明\ntags: [PPT, 课件]\n---\n2018年。\n",
        ),
        (
            "content/01-a/c.md",
            "---\ntitle: 丙 2018\nkind: original\nminutes: 5\n---\n201 与 2019。\n",
        ),
    ]);
    let id = |title: &str| site.units.iter().position(|u| u.title == title).unwrap() as u32;
    let files = data_files(&site).unwrap();
    let shard =
        String::from_utf8_lossy(&files.iter().find(|(p, _)| p == "search/i/0.js").unwrap().1)
            .into_owned();
    let list = |tok: &str, bits| {
        let key = format!("\"{tok}\":\"");
        let at = shard
            .find(&key)
            .unwrap_or_else(|| panic!("{tok} not indexed"))
            + key.len();
        decode_postings(&shard[at..at + shard[at..].find('"').unwrap()], bits)
    };
    let mut expected = vec![
        (id("甲"), 0),
        (id("乙"), FIELD_PREFIX),
        // Whole in the body, and the beginning of "2018" in the title: the fields are
        // every occurrence's, the prefix bit is off.
        (id("丙 2018"), FIELD_TITLE),
    ];
    expected.sort();
    assert_eq!(list("201", 3), expected);
    let mut expected = vec![(id("乙"), 0), (id("丙 2018"), FIELD_TITLE)];
    expected.sort();
    assert_eq!(list("2018", 3), expected);
    assert_eq!(list("ppt", 3), [(id("乙"), 0)], "a tag is indexed");
    assert_eq!(list("pp", 3), [(id("乙"), FIELD_PREFIX)]);
    assert_eq!(list("课件", 2), [(id("乙"), 0)], "a summary is indexed");
    let topic = site.units.len() as u32;
    assert_eq!(
        list("摘要", 2),
        [(topic, 0)],
        "a topic's summary is indexed"
    );
    // Shipped as a last section with neither anchor nor heading.
    let text: String = files
        .iter()
        .filter(|(p, _)| p.starts_with("search/d/"))
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert!(text.contains(r#"["","","课件说明\nPPT、课件"]]"#), "{text}");
    let manifest = &files
        .iter()
        .find(|(p, _)| p == "search/index.js")
        .unwrap()
        .1;
    assert!(String::from_utf8_lossy(manifest).contains(&format!("{{\"v\":{FORMAT},")));
}

#[test]
fn search_files_are_told_from_pages_of_a_topic_named_search() {
    for p in ["search/index.js", "search/i/0.js", "search/d/12.js"] {
        assert!(is_search_file(p), "{p}");
    }
    for p in [
        "search/index.html",
        "search/i.html",
        "search/i/a.js",
        "search/img/x.js",
        "searchx/index.js",
        "static/search.js",
    ] {
        assert!(!is_search_file(p), "{p}");
    }
}
