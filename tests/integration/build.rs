//! `studysite build`, `check` and `init`: a fixture site per case, exact messages for bad input,
//! and the shipped site's offline contract (every link resolves, nothing from the network).

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::*;

#[test]
fn minimal_site_builds_and_links_pages_relatively() {
    let site = TempSite::minimal();
    let run = site.build();
    run.ok();
    assert!(run.stderr.contains("built "), "{}", run.stderr);
    let unit = site.read("public/01-a/yuanwen.html");
    assert!(unit.contains("href=\"../static/style.css\""), "{unit}");
    assert!(unit.contains("<h2 id=\"task-1\">一是学习。</h2>"), "{unit}");
    let home = site.read("public/index.html");
    assert!(home.contains("href=\"01-a/index.html\""), "{home}");
}

/// Builds the minimal site, breaks it with `breakage`, builds again: the second build must
/// fail with exit code 1, print `expected` as a line, and leave `public/` byte for byte as it was.
#[track_caller]
fn fails_keeping_output(breakage: impl FnOnce(&TempSite), expected: &[&str]) -> Run {
    let site = TempSite::minimal();
    site.build().ok();
    let before = snapshot(&site.path().join("public"));
    breakage(&site);
    let run = site.build();
    run.fails(1);
    for line in expected {
        run.has_line(line);
    }
    assert!(
        run.stderr
            .contains("build failed: nothing was written; the previous output is unchanged"),
        "{}",
        run.stderr
    );
    assert_eq!(
        before,
        snapshot(&site.path().join("public")),
        "public/ changed"
    );
    let leftovers: Vec<_> = std::fs::read_dir(site.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("studysite-"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "staging folders left behind: {leftovers:?}"
    );
    run
}

#[test]
fn no_front_matter() {
    fails_keeping_output(
        |s| s.write("content/01-a/b.md", "# 没有前言\n\n正文\n"),
        &[
            "error: content/01-a/b.md:1:1: no front matter: the file must start with a `---` line, then YAML such as `title: …`, then `---`",
            " 1 | # 没有前言",
        ],
    );
}

#[test]
fn unterminated_fence() {
    fails_keeping_output(
        |s| {
            s.write(
                "content/01-a/b.md",
                "---\ntitle: 乙\nkind: original\n\n正文\n",
            )
        },
        &[
            "error: content/01-a/b.md:1:1: front matter is not closed: the `---` on line 1 has no closing `---` line",
        ],
    );
}

#[test]
fn invalid_yaml_is_positioned_from_the_top_of_the_file() {
    fails_keeping_output(
        |s| {
            s.write(
                "content/01-a/b.md",
                "---\nkind: original\ntitle: \"未闭合\n---\n",
            )
        },
        &[
            "error: content/01-a/b.md:3:8: unclosed quote",
            " 3 | title: \"未闭合",
            "   |        ^",
        ],
    );
}

#[test]
fn unknown_key_names_the_allowed_keys() {
    fails_keeping_output(
        |s| {
            s.write(
                "content/01-a/b.md",
                "---\ntitle: 乙\nkind: original\ncolour: red\n---\n",
            )
        },
        &[
            "error: content/01-a/b.md:4:1: unknown key `colour`; allowed keys: title, weight, kind, minutes, source, summary, tags, extra, quiz",
        ],
    );
}

#[test]
fn unknown_kind() {
    fails_keeping_output(
        |s| s.write("content/01-a/b.md", "---\ntitle: 乙\nkind: 讲座\n---\n"),
        &[
            "error: content/01-a/b.md:3:7: `kind` value `讲座` is not allowed; expected one of: original, 原文, explanation, 解读, discussion, 研讨, practice, 实践",
        ],
    );
}

#[test]
fn chinese_kind_aliases_are_accepted() {
    let site = TempSite::minimal();
    site.write(
        "content/01-a/b.md",
        "---\ntitle: 乙\nkind: 研讨\n---\n讨论。\n",
    );
    site.build().ok();
    assert!(site.read("public/01-a/b.html").contains("kind-discussion"));
}

#[test]
fn missing_title() {
    fails_keeping_output(
        |s| s.write("content/01-a/b.md", "---\nkind: original\nweight: 2\n---\n"),
        &["error: content/01-a/b.md:1: missing required key `title`"],
    );
}

#[test]
fn minutes_must_be_positive_whole_numbers() {
    let run = fails_keeping_output(
        |s| {
            s.write(
                "content/01-a/b.md",
                "---\ntitle: 乙\nkind: original\nminutes: -5\n---\n",
            );
            s.write(
                "content/01-a/c.md",
                "---\ntitle: 丙\nkind: original\nminutes: 0\n---\n",
            );
            s.write(
                "content/01-a/d.md",
                "---\ntitle: 丁\nkind: original\nminutes: 十分钟\n---\n",
            );
        },
        &[
            "error: content/01-a/b.md:4:10: `minutes` must be a positive whole number of minutes, got -5",
            "error: content/01-a/c.md:4:10: `minutes` must be a positive whole number of minutes, got 0",
            // Issue 24: in plain words, with the fix.
            "error: content/01-a/d.md:4:10: `minutes` 只写数字，如 60（不带“分钟”等单位，也不加引号）",
        ],
    );
    // All problems of one run are listed.
    run.has_line("3 errors, 0 warnings");
}

#[test]
fn two_units_with_the_same_slug() {
    fails_keeping_output(
        |s| {
            s.write(
                "content/01-a/Intro.md",
                "---\ntitle: 甲\nkind: explanation\n---\n",
            );
            s.write(
                "content/01-a/intro.md",
                "---\ntitle: 乙\nkind: explanation\n---\n",
            );
        },
        &[
            "error: content/01-a/intro.md: two units have the slug `intro`: `content/01-a/Intro.md` and `content/01-a/intro.md`; rename one file",
        ],
    );
}

#[test]
fn topic_folder_without_index() {
    fails_keeping_output(
        |s| {
            s.write(
                "content/02-b/yuanwen.md",
                "---\ntitle: 乙\nkind: original\n---\n",
            )
        },
        &[
            "error: content/02-b: the topic folder `content/02-b/` has no `_index.md`: create it with front matter such as `title: 第一　…` and `weight: 1`",
        ],
    );
}

#[test]
fn broken_template_names_the_template_with_line_and_column() {
    fails_keeping_output(
        |s| {
            s.write("templates/unit.html", "{% extends \"base.html\" %}\n{% block content %}\n{{ unit.title \n{% endblock content %}\n")
        },
        &[
            "error: templates/unit.html:4:1: template error: Found `{` but expected }}.",
            " 4 | {% endblock content %}",
        ],
    );
}

#[test]
fn template_extending_a_missing_template() {
    fails_keeping_output(
        |s| s.write("templates/unit.html", "{% extends \"layout.html\" %}\n"),
        &[
            "error: templates/unit.html: template error: `unit.html` extends `layout.html`, which does not exist",
        ],
    );
}

#[test]
fn a_site_template_overrides_one_theme_template() {
    let site = TempSite::minimal();
    site.write(
        "templates/404.html",
        "<p>自定义 404：{{ site.title }}</p>\n",
    );
    site.build().ok();
    assert_eq!(
        site.read("public/404.html"),
        "<p>自定义 404：测试站点</p>\n"
    );
    assert!(site.read("public/index.html").contains("<html"));
}

#[test]
fn a_file_that_is_not_utf8() {
    fails_keeping_output(
        |s| {
            s.write_bytes(
                "content/01-a/b.md",
                b"---\ntitle: \xb2\xe2\xca\xd4\nkind: original\n---\n",
            )
        },
        &["error: content/01-a/b.md:2:8: the file is not UTF-8 text: save it as UTF-8"],
    );
}

#[test]
fn empty_content_folder() {
    fails_keeping_output(
        |s| {
            s.remove("content");
            std::fs::create_dir(s.path().join("content")).unwrap();
        },
        &[
            "error: content: `content/` holds no topics: add a folder such as `content/01-xuexi/` with an `_index.md` and a unit (or run `studysite init DIR` for a sample site)",
        ],
    );
}

#[test]
fn out_inside_content_is_refused() {
    let site = TempSite::minimal();
    let out = site.path().join("content/public");
    let run = site.run(&["build", "--out", out.to_str().unwrap()]);
    // A mistake on the command line (issue 23): exit 2, nothing read or written.
    run.fails(2);
    assert!(run.stderr.lines().any(|l| l.ends_with("--out must not be inside `content/`: the build would read its own output; choose a folder such as `public`")), "{}", run.stderr);
    assert!(!out.exists());
}

#[test]
fn out_over_a_foreign_folder_is_refused_and_kept() {
    let site = TempSite::minimal();
    site.write("mine/论文.docx", "precious");
    let out = site.path().join("mine");
    let run = site.run(&["build", "--out", out.to_str().unwrap()]);
    run.fails(1);
    assert!(
        run.stderr
            .contains("is not empty and was not written by studysite; refusing to replace it"),
        "{}",
        run.stderr
    );
    assert_eq!(site.read("mine/论文.docx"), "precious");
}

#[test]
fn missing_site_yaml_says_how_to_create_one() {
    let site = TempSite::minimal();
    site.remove("site.yaml");
    let run = site.build();
    run.fails(1);
    let expected = format!(
        "error: site.yaml: no `site.yaml` in `{}`: this is not a studysite site. Create one with `studysite init DIR`, or write a `site.yaml` with at least `title: …`",
        site.path().display()
    );
    run.has_line(&expected);
}

#[test]
fn unknown_key_in_site_yaml() {
    fails_keeping_output(
        |s| s.write("site.yaml", "title: 测试站点\nthem: dark\n"),
        &[
            "error: site.yaml:2:1: unknown key `them`; allowed keys: title, description, language, theme, reading_speed, rules, quiz, learners, extra",
        ],
    );
}

#[test]
fn problems_in_many_files_are_all_listed() {
    let run = fails_keeping_output(
        |s| {
            s.write("content/01-a/b.md", "no front matter\n");
            s.write("content/01-a/c.md", "---\ntitle: 丙\n---\n");
            s.write("content/03-c/x.md", "---\ntitle: 戊\nkind: original\n---\n");
        },
        &[
            "error: content/01-a/b.md:1:1: no front matter: the file must start with a `---` line, then YAML such as `title: …`, then `---`",
            "error: content/01-a/c.md:1: missing required key `kind`",
        ],
    );
    run.has_line("3 errors, 0 warnings");
}

#[test]
fn check_validates_and_writes_nothing() {
    let site = TempSite::minimal();
    site.run(&["check"]).ok();
    assert!(!site.path().join("public").exists());
    site.write("content/01-a/b.md", "---\ntitle: 乙\nkind: nonsense\n---\n");
    let run = site.run(&["check"]);
    run.fails(1);
    assert!(
        run.stderr.contains("content/01-a/b.md:3:7"),
        "{}",
        run.stderr
    );
    assert!(!site.path().join("public").exists());
}

#[test]
fn usage_errors_exit_with_2() {
    let out = bin().args(["build", "--no-such-flag"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = bin().arg("frobnicate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn help_describes_every_command() {
    let out = bin().arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for cmd in ["build", "check", "init", "serve"] {
        assert!(text.contains(cmd), "{text}");
    }
    let out = bin().args(["build", "--help"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("--root") && text.contains("--out"), "{text}");
}

#[test]
fn init_creates_a_site_that_builds_from_any_folder() {
    let tmp = TempSite::empty();
    let dir = tmp.path().join("x");
    let other = tempfile::tempdir().unwrap();
    let out = bin()
        .arg("init")
        .arg(&dir)
        .current_dir(other.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = bin()
        .args(["build", "--root"])
        .arg(&dir)
        .current_dir(other.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.join("public/index.html").is_file());
    assert!(dir.join("public/01-sample/yuanwen.html").is_file());
    // The embedded default theme was used: no theme folder was needed.
    assert!(!dir.join("themes").exists());
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let tmp = TempSite::minimal();
    let out = bin().arg("init").arg(tmp.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not empty"));
    assert_eq!(tmp.read("site.yaml"), "title: 测试站点\n");
}

#[test]
fn estimated_minutes_count_chinese_characters() {
    let site = TempSite::minimal();
    site.write("site.yaml", "title: 测试站点\nreading_speed: 100\n");
    // 250 CJK characters at 100 per minute: 3 minutes (rounded up).
    let body = "学".repeat(250);
    site.write(
        "content/01-a/b.md",
        &format!("---\ntitle: 乙\nkind: explanation\n---\n{body}\n"),
    );
    site.build().ok();
    let page = site.read("public/01-a/b.html");
    assert!(
        page.contains(">3 分钟<") || page.contains(" 3 分钟"),
        "{page}"
    );
}

// ---- The shipped site -------------------------------------------------------------------

fn shipped() -> &'static Path {
    crate::browser::shipped_site()
}

fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!("{attr}=\"");
    html.match_indices(&needle)
        .filter_map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

#[test]
fn shipped_site_has_the_ten_topics_in_the_outline_order() {
    let home = std::fs::read_to_string(shipped().join("index.html")).unwrap();
    let numerals = [
        "第一", "第二", "第三", "第四", "第五", "第六", "第七", "第八", "第九", "第十",
    ];
    let mut last = 0;
    for n in numerals {
        let pos = home[last..]
            .find(&format!(">{n}"))
            .unwrap_or_else(|| panic!("topic {n} missing or out of order"))
            + last;
        last = pos + 1;
    }
}

/// The seed outline's text, verbatim, is in the `original` units.
#[test]
fn shipped_original_units_hold_the_outline_verbatim() {
    let seed =
        std::fs::read_to_string(repo_root().join("../shared/seeds/000_9cf695960f17f08b.txt"))
            .or_else(|_| std::fs::read_to_string("/work/shared/seeds/000_9cf695960f17f08b.txt"));
    let Ok(seed) = seed else {
        eprintln!("seed outline not found next to the repository; skipping");
        return;
    };
    let mut originals = String::new();
    for entry in walkdir::WalkDir::new(repo_root().join("content")).sort_by_file_name() {
        let entry = entry.unwrap();
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        if entry.path().extension().is_some_and(|e| e == "md")
            && text.contains("\nkind: original\n")
        {
            let body = text.splitn(3, "---\n").nth(2).unwrap_or("");
            originals.push_str(body);
        }
    }
    let strip = |s: &str| -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find("{#") {
            out.push_str(&rest[..i]);
            rest = rest[i..].split_once('}').map_or("", |(_, r)| r);
        }
        out.push_str(rest);
        out.chars()
            .filter(|c| !c.is_whitespace() && *c != '#' && *c != '*')
            .collect()
    };
    let originals = strip(&originals);
    for line in seed.lines().filter(|l| !l.trim().is_empty()) {
        let l = strip(line);
        assert!(
            originals.contains(&l),
            "outline line missing from original units: {line}"
        );
    }
}

/// Every internal href/src of every generated page resolves to a file of the output, and no
/// script, stylesheet or image is loaded from the network.
#[test]
fn shipped_site_links_all_resolve_and_nothing_comes_from_the_network() {
    let root = shipped();
    let mut pages = 0;
    let mut problems = BTreeSet::new();
    for entry in walkdir::WalkDir::new(root) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        pages += 1;
        let html = std::fs::read_to_string(entry.path()).unwrap();
        let dir = entry.path().parent().unwrap();
        let rel_page = entry
            .path()
            .strip_prefix(root)
            .unwrap()
            .display()
            .to_string();
        for tag in ["<script", "<link", "<img"] {
            for (i, _) in html.match_indices(tag) {
                let end = html[i..].find('>').map_or(html.len(), |e| i + e);
                let el = &html[i..end];
                // An embedded data: URI (the page's icon) is inside the page: the `http://`
                // in it is an SVG namespace, not a request.
                if el.contains("href=\"data:") || el.contains("src=\"data:") {
                    continue;
                }
                if el.contains("http://")
                    || el.contains("https://")
                    || el.contains("src=\"//")
                    || el.contains("href=\"//")
                {
                    problems.insert(format!("{rel_page}: network resource in {el}"));
                }
            }
        }
        for url in attr_values(&html, "href")
            .into_iter()
            .chain(attr_values(&html, "src"))
        {
            if url.starts_with("http://")
                || url.starts_with("https://")
                || url.starts_with("mailto:")
                || url.starts_with("data:")
                || url.starts_with("blob:")
                || url.starts_with("javascript:")
            {
                continue;
            }
            let path = url.split(['#', '?']).next().unwrap();
            if path.is_empty() {
                continue; // same-page anchor
            }
            if path.ends_with('/') {
                problems.insert(format!("{rel_page}: link to a bare folder `{url}`"));
                continue;
            }
            let decoded = percent_decode(path);
            if !dir.join(&decoded).is_file() {
                problems.insert(format!("{rel_page}: `{url}` does not resolve to a file"));
            }
        }
    }
    assert!(pages >= 40, "only {pages} pages");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.into_iter().collect::<Vec<_>>().join("\n")
    );
}

/// `public/index.html` opened via file:// shows the topics, and following links lands on pages.
#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn shipped_home_page_works_from_file_url() {
    let browser = crate::require_browser!();
    let page = crate::browser::Page::open(
        browser,
        &crate::browser::file_url(&shipped().join("index.html")),
        1280,
        800,
    );
    let text = page.eval_str("document.body.innerText");
    assert!(text.contains("第一") && text.contains("第十"), "{text}");
    // Follow every link of the home page and check each lands on a real page with an h1.
    let links = page.eval("Array.from(document.querySelectorAll('main a[href]')).map(a => a.href)");
    let links: Vec<String> = serde_json::from_value(links).unwrap();
    assert!(links.len() >= 30, "{links:?}");
    for link in links.iter().step_by(3) {
        page.goto(link);
        assert!(page.url().starts_with("file://"), "{link}");
        let h1 = page
            .eval_str("document.querySelector('h1') ? document.querySelector('h1').innerText : ''");
        assert!(!h1.is_empty(), "no h1 on {link}");
    }
}

/// A topic's print page over a megabyte is written straight into its file; it must hold every
/// unit, in order, with headings moved down, exactly as a small one does.
#[test]
fn a_topic_print_page_too_large_to_buffer_holds_every_unit() {
    let site = TempSite::minimal();
    let paragraph = "每个班次都要拿出三分之一以上时间，原原本本学习原文。".repeat(40);
    for i in 1..=30 {
        let body: String = (1..=20)
            .map(|k| format!("## 第{i}单元第{k}节\n\n{paragraph}\n\n"))
            .collect();
        site.write(
            &format!("content/01-a/u{i:02}.md"),
            &format!("---\ntitle: 第{i}单元\nkind: original\nweight: {i}\nminutes: 5\n---\n{body}结束{i}。\n"),
        );
    }
    site.build().ok();
    let print = site.read("public/01-a/print.html");
    assert!(
        print.len() > 1 << 20,
        "{} bytes: not over the limit",
        print.len()
    );
    let mut at = 0;
    for i in 1..=30 {
        let next = print[at..]
            .find(&format!("结束{i}。"))
            .unwrap_or_else(|| panic!("unit {i} missing or out of order"));
        at += next;
    }
    assert!(
        // The minimal site's own unit (weight 0) comes first: the 1st of these is the 2nd unit.
        print.contains("<h3 id=\"u2-第1单元第1节\">"),
        "headings one level down, ids with the unit's prefix"
    );
    assert!(
        print.trim_end().ends_with("</html>"),
        "the whole page was written"
    );
}

/// The side navigation's unit entries (between `<ol class="nav-units">` and its `</ol>`).
fn nav_units_of(page: &str) -> &str {
    let start = page
        .find("<ol class=\"nav-units\">")
        .expect("no nav-units list");
    let rest = &page[start..];
    &rest[..rest.find("</ol>").unwrap()]
}

/// A site whose first topic has 70 units (`u01`…`u70`) and whose second has two.
fn site_with_a_large_topic() -> TempSite {
    let site = TempSite::minimal();
    std::fs::remove_file(site.path().join("content/01-a/yuanwen.md")).unwrap();
    for i in 1..=70 {
        site.write(
            &format!("content/01-a/u{i:02}.md"),
            &format!("---\ntitle: 第{i}课\nkind: explanation\nweight: {i}\n---\n正文。\n"),
        );
    }
    site.write(
        "content/02-b/_index.md",
        "---\ntitle: 第二专题\nweight: 2\n---\n",
    );
    for i in 1..=2 {
        site.write(
            &format!("content/02-b/b{i}.md"),
            &format!("---\ntitle: 乙{i}\nkind: original\nweight: {i}\n---\n原文。\n"),
        );
    }
    site
}

#[test]
fn the_side_navigation_shows_a_window_of_a_large_topic_and_marks_only_the_current_unit() {
    let site = site_with_a_large_topic();
    site.build().ok();
    let linked = |nav: &str| -> Vec<String> {
        nav.split("href=\"../")
            .skip(1)
            .map(|s| s[..s.find('"').unwrap()].to_string())
            .collect()
    };
    let page = site.read("public/01-a/u35.html");
    let nav = nav_units_of(&page);
    let expected: Vec<String> = (15..=55)
        .map(|i| format!("01-a/u{i:02}.html"))
        .chain(["01-a/index.html".to_string()])
        .collect();
    assert_eq!(
        linked(nav),
        expected,
        "41 units around the current one, then “more”"
    );
    assert_eq!(nav.matches("aria-current").count(), 1, "{nav}");
    assert!(
        nav.contains("<a href=\"../01-a/u35.html\" aria-current=\"page\"><span class=\"nav-kind\">解读</span> 第35课</a>"),
        "{nav}"
    );
    // The same entries, unmarked, on a neighbour's page.
    let neighbour = site.read("public/01-a/u36.html");
    let nav36 = nav_units_of(&neighbour);
    assert!(
        nav36.contains(
            "<a href=\"../01-a/u35.html\"><span class=\"nav-kind\">解读</span> 第35课</a>"
        ),
        "{nav36}"
    );
    assert!(nav36.contains("<a href=\"../01-a/u36.html\" aria-current=\"page\">"));
    // The topic page lists the first units, none of them current.
    let topic = site.read("public/01-a/index.html");
    let nav_topic = nav_units_of(&topic);
    assert_eq!(
        linked(nav_topic).len(),
        22,
        "the first 21 units, then “more”"
    );
    assert!(linked(nav_topic)[0].ends_with("u01.html"));
    assert!(!nav_topic.contains("aria-current"), "{nav_topic}");
    // A small topic lists all its units and none of the other topic's.
    let b = site.read("public/02-b/b1.html");
    assert_eq!(
        linked(nav_units_of(&b)),
        ["02-b/b1.html", "02-b/b2.html"],
        "{b}"
    );
}

#[test]
fn a_site_nav_unit_template_changes_every_entry_of_the_side_navigation() {
    let site = site_with_a_large_topic();
    site.write(
        "templates/nav_unit.html",
        "<li data-minutes=\"{{ u.minutes }}\">{% if current %}<b>{{ u.title }}</b>{% else %}<a href=\"{{ root }}{{ u.path }}\">{{ u.title }}</a>{% endif %}</li>\n",
    );
    site.build().ok();
    let page = site.read("public/02-b/b2.html");
    assert_eq!(
        nav_units_of(&page)["<ol class=\"nav-units\">".len()..].trim(),
        "<li data-minutes=\"1\"><a href=\"../02-b/b1.html\">乙1</a></li>\n<li data-minutes=\"1\"><b>乙2</b></li>"
    );
}

#[test]
fn broken_nav_unit_template_is_named() {
    fails_keeping_output(
        |s| s.write("templates/nav_unit.html", "<li>{{ u.title </li>\n"),
        &["error: templates/nav_unit.html:1:16: template error: Found `</` but expected }}."],
    );
}

/// A site of `topics` × `units` units of some length, big enough that a build takes a while.
fn big_site(topics: usize, units: usize) -> TempSite {
    let site = TempSite::empty();
    site.write("site.yaml", "title: 大站点\n");
    let para =
        "坚持以习近平新时代中国特色社会主义思想为指导，深入学习贯彻党的二十大精神。".repeat(12);
    for t in 0..topics {
        site.write(
            &format!("content/{t:02}-t/_index.md"),
            &format!("---\ntitle: 专题{t}\nweight: {t}\n---\n导言。\n"),
        );
        for u in 0..units {
            let body: String = (0..8)
                .map(|i| format!("## 第{i}节\n\n{para}\n\n"))
                .collect();
            site.write(
                &format!("content/{t:02}-t/u{u:03}.md"),
                &format!("---\ntitle: 单元{t}-{u}\nkind: original\nminutes: 5\n---\n{body}"),
            );
        }
    }
    site
}

/// Issue 17: `kill -9` during a build leaves its staging folder beside the output; the next
/// build removes it, so `ls -a` of the folder that holds the site shows only the site.
#[cfg(unix)]
#[test]
fn a_killed_build_leaves_no_staging_folder_after_the_next_build() {
    let site = big_site(10, 200);
    let holder = site.path().join("out");
    std::fs::create_dir_all(&holder).unwrap();
    let out = holder.join("public");
    let names = || -> BTreeSet<String> {
        std::fs::read_dir(&holder)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect()
    };
    let build = |kill: bool| {
        let mut child = bin()
            .args(["build", "--root"])
            .arg(site.path())
            .arg("--out")
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("run studysite build");
        if !kill {
            assert!(child.wait().unwrap().success(), "build failed");
            return;
        }
        // Kill it once its staging folder holds pages: mid-build.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let staged = names().into_iter().find(|n| n.contains(".studysite-new-"));
            if staged.is_some_and(|s| holder.join(s).join("00-t").exists()) {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no staging folder appeared"
            );
            assert!(
                child.try_wait().unwrap().is_none(),
                "the build ended before it was killed"
            );
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        // SIGKILL, as `kill -9`.
        let status = std::process::Command::new("kill")
            .args(["-9", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        child.wait().unwrap();
    };
    build(false);
    build(true);
    assert!(
        names().iter().any(|n| n.contains(".studysite-new-")),
        "the killed build left its staging folder: {:?}",
        names()
    );
    build(false);
    assert_eq!(names(), BTreeSet::from(["public".to_string()]));
}
