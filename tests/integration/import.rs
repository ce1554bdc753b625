//! `studysite import` (issue 14): the seed outline as text, as a Word document made here with a
//! real OOXML zip (plain paragraphs, bold part lines, automatic numbering, a table, an image,
//! no heading styles) and saved in GB18030; a law in 章/节/条; every bad input with its exact
//! message; `--dry-run`; importing twice; a long document with bounded memory; the imported
//! site in Chromium.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use crate::support::{Run, TempSite, bin, snapshot};

/// The seed outline the shipped `content/` was made from (a copy of
/// `../shared/seeds/000_9cf695960f17f08b.txt`, kept with the fixtures so a fresh clone has it).
fn seed_path() -> PathBuf {
    crate::support::fixtures().join("import/seed/outline.txt")
}

fn seed() -> String {
    std::fs::read_to_string(seed_path()).expect("the seed outline")
}

#[test]
fn the_seed_fixture_is_the_shared_seed() {
    let shared = crate::support::repo_root().join("../shared/seeds/000_9cf695960f17f08b.txt");
    if let Ok(text) = std::fs::read_to_string(shared) {
        assert_eq!(text, seed());
    }
}

/// A fixed date for the draft session, so outputs can be compared whole.
const EPOCH: &str = "1765000000"; // 2025-12-06

/// `studysite <args…>` run in `dir` (so messages name files as typed).
fn run_in(dir: &Path, args: &[&str]) -> Run {
    Run::from(
        bin()
            .args(args)
            .current_dir(dir)
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .output()
            .expect("run studysite"),
    )
}

/// The whole of stderr, for exact comparisons.
#[track_caller]
fn stderr_is(run: &Run, expected: &str) {
    assert_eq!(run.stderr, expected, "stdout:\n{}", run.stdout);
}

// ---------------------------------------------------------------------------------------------
// A Word document writer (the OOXML parts a real .docx has).

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A run of text, bold or not.
fn run(text: &str, bold: bool) -> String {
    let b = if bold { "<w:rPr><w:b/></w:rPr>" } else { "" };
    format!(
        "<w:r>{b}<w:t xml:space=\"preserve\">{}</w:t></w:r>",
        xml_escape(text)
    )
}

fn para(runs: &str) -> String {
    format!("<w:p>{runs}</w:p>")
}

/// A paragraph of list `num_id` (automatic numbering, from numbering.xml).
fn numbered(num_id: u32, runs: &str) -> String {
    format!(
        "<w:p><w:pPr><w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"{num_id}\"/></w:numPr></w:pPr>{runs}</w:p>"
    )
}

fn table(rows: &[&[&str]]) -> String {
    let mut s = String::from("<w:tbl><w:tblPr/>");
    for row in rows {
        s.push_str("<w:tr>");
        for cell in *row {
            s.push_str(&format!("<w:tc>{}</w:tc>", para(&run(cell, false))));
        }
        s.push_str("</w:tr>");
    }
    s + "</w:tbl>"
}

/// A paragraph holding an inline picture of relationship `rid`.
fn picture(rid: &str) -> String {
    format!(
        "<w:p><w:r><w:drawing><wp:inline><wp:docPr id=\"1\" name=\"图片 1\"/><a:graphic><a:graphicData><pic:pic><pic:blipFill><a:blip r:embed=\"{rid}\"/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"
    )
}

/// Two lists: 1 numbers `第%1，` (Chinese counting), 2 numbers `（%1）`.
const NUMBERING: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="第%1，"/><w:suff w:val="nothing"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%1）"/><w:suff w:val="nothing"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="2"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%1）"/><w:suff w:val="nothing"/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
<w:num w:numId="3"><w:abstractNumId w:val="2"/></w:num>
</w:numbering>"#;

/// Writes a .docx: the body's XML, numbering.xml when given, and images (`media/<name>`,
/// relationship ids `rIdImg1`, `rIdImg2`, …).
fn write_docx(path: &Path, body: &str, numbering: Option<&str>, images: &[(&str, &[u8])]) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut put = |name: &str, bytes: &[u8]| {
        zip.start_file(name, opts).unwrap();
        zip.write_all(bytes).unwrap();
    };
    put(
        "[Content_Types].xml",
        br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/></Types>"#,
    );
    put(
        "_rels/.rels",
        br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#,
    );
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    if numbering.is_some() {
        rels.push_str(r#"<Relationship Id="rIdNum" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/>"#);
    }
    for (i, (name, _)) in images.iter().enumerate() {
        rels.push_str(&format!(
            r#"<Relationship Id="rIdImg{}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/{name}"/>"#,
            i + 1
        ));
    }
    rels.push_str("</Relationships>");
    put("word/_rels/document.xml.rels", rels.as_bytes());
    if let Some(n) = numbering {
        put("word/numbering.xml", n.as_bytes());
    }
    for (name, bytes) in images {
        put(&format!("word/media/{name}"), bytes);
    }
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body>{body}<w:sectPr/></w:body></w:document>"#
    );
    put("word/document.xml", document.as_bytes());
    zip.finish().unwrap();
}

/// Is this line of the seed a part line (`第一，…`)?
fn is_part_line(line: &str) -> bool {
    let mut c = line.chars();
    c.next() == Some('第') && line.chars().take(4).any(|c| c == '，')
}

/// The seed as a Word document: one paragraph a line, part lines bold, no heading styles.
fn seed_docx(path: &Path) {
    let mut body = String::new();
    for line in seed().lines().filter(|l| !l.trim().is_empty()) {
        body.push_str(&para(&run(line, is_part_line(line))));
    }
    write_docx(path, &body, None, &[]);
}

// ---------------------------------------------------------------------------------------------
// What an imported site holds.

/// The text of every original unit under `content/`, in topic and unit order, Markdown
/// structure (front matter, `#`, `**`, `{#id}`, escapes) and whitespace left out: read here
/// without the importer's own check.
fn original_text(site: &Path) -> String {
    let mut out = String::new();
    for topic in sorted_dirs(&site.join("content")) {
        let mut units: Vec<(i64, PathBuf)> = Vec::new();
        for e in std::fs::read_dir(&topic).unwrap().flatten() {
            let p = e.path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if name.ends_with(".md") && name != "_index.md" {
                let text = std::fs::read_to_string(&p).unwrap();
                if text.contains("\nkind: original\n") {
                    let w = front(&text, "weight").parse().unwrap_or(0);
                    units.push((w, p));
                }
            }
        }
        units.sort();
        for (_, p) in units {
            let text = std::fs::read_to_string(p).unwrap();
            let body = text.splitn(3, "---\n").nth(2).unwrap();
            for line in body.lines() {
                let mut l = line.trim_start_matches('#').to_string();
                if let Some(i) = l.rfind(" {#") {
                    l.truncate(i);
                }
                out.push_str(&l.replace("**", "").replace('\\', ""));
            }
        }
    }
    out.chars().filter(|c| !c.is_whitespace()).collect()
}

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() && !p.ends_with("sessions"))
        .collect();
    v.sort();
    v
}

/// A front matter value (the quotes the importer writes taken off).
fn front(text: &str, key: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}: ")))
        .map(|v| v.trim_matches('"').to_string())
        .unwrap_or_default()
}

fn topic_titles(site: &Path) -> Vec<String> {
    sorted_dirs(&site.join("content"))
        .iter()
        .map(|d| {
            front(
                &std::fs::read_to_string(d.join("_index.md")).unwrap(),
                "title",
            )
        })
        .collect()
}

fn no_whitespace(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Imports the seed in some form into `new-site` and checks what the issue asks of it.
#[track_caller]
fn assert_seed_site(dir: &Path, file: &str, encoding: &str) {
    let r = run_in(dir, &["import", file, "--into", "new-site"]);
    r.ok();
    stderr_is(
        &r,
        &format!(
            "imported {file} into new-site: 10 topics, 11 units, 5,724 characters (read as {encoding})\n\
             next: studysite serve --watch --root new-site   (or studysite build --root new-site); add explanations, discussions and quizzes beside the original units\n"
        ),
    );
    let site = dir.join("new-site");
    // Ten topics in the outline's order, titled after its part lines.
    let parts: Vec<String> = seed()
        .lines()
        .filter(|l| is_part_line(l))
        .map(|l| l.replacen('，', "　", 1))
        .collect();
    assert_eq!(parts.len(), 10);
    assert_eq!(topic_titles(&site), parts);
    // The introduction unit, and every character of the outline, in order.
    let intro = std::fs::read_to_string(site.join("content/01-tuidong/yinyan.md")).unwrap();
    assert!(intro.starts_with("---\ntitle: \"原文：引言\"\nweight: 0\nkind: original\nsource: \"引言\"\n---\n**中组部基层党建工作重点任务推进会精神**\n"), "{intro}");
    assert_eq!(original_text(&site), no_whitespace(&seed()));
    // Task anchors in every part that has 一是.
    for topic in sorted_dirs(&site.join("content")) {
        let unit = std::fs::read_to_string(topic.join("yuanwen.md")).unwrap();
        if unit.contains("一是") {
            assert!(
                unit.contains("是") && unit.contains("{#task-1}"),
                "{}",
                topic.display()
            );
        }
    }
    // It builds, and the draft session passes check's one-third rule.
    run_in(dir, &["build", "--root", "new-site"]).ok();
    let check = run_in(dir, &["check", "--root", "new-site"]);
    check.ok();
    assert_eq!(
        check.stdout,
        "session                                           date        study min  original min   share  rule\n\
         中组部基层党建工作重点任务推进会精神（班次草稿）  2025-12-06         62            31  50.0 %  OK\n\
         minimum original-text share: 33.3 % of study time (breaks excluded)\n"
    );
}

#[test]
fn the_seed_outline_becomes_a_site_of_ten_topics_verbatim() {
    let dir = TempSite::empty();
    std::fs::copy(seed_path(), dir.path().join("outline.txt")).unwrap();
    assert_seed_site(dir.path(), "outline.txt", "UTF-8");
    let site = dir.path().join("new-site");
    // The task headings are cut at the first sentence end; the rest stays as text.
    let first = std::fs::read_to_string(site.join("content/01-tuidong/yuanwen.md")).unwrap();
    assert_eq!(
        first.lines().take(13).collect::<Vec<_>>().join("\n"),
        "---\ntitle: \"原文：推动基层党组织和广大党员认真学习贯彻习近平新时代中国特色社会主义思想\"\nweight: 1\nkind: original\nsource: \"第一\"\n---\n\
         **第一，推动基层党组织和广大党员认真学习贯彻习近平新时代中国特色社会主义思想**\n\n\
         ## 一是深入开展基层党组织书记学习贯彻习近平新时代中国特色社会主义思想和党的十九大精神集中轮训。 {#task-1}\n\n\
         要分领域、分层次举办培训班，对基层党组织书记进行集中轮训，确保全覆盖。每个班次都要拿出1/3以上时间，原原本本学习。要结合基层党组织书记思想和工作实际，采取生动鲜活的方式，让他们学有兴趣、学有所得。\n\n\
         ## 二是扎实推进党员教育培训。 {#task-2}"
    );
    // Labels that group tasks get headings of their own; tasks inside one paragraph are cut.
    let fourth = std::fs::read_to_string(site.join("content/04-zhengti/yuanwen.md")).unwrap();
    for line in [
        "## 城市基层党建： {#group-1}",
        "### 二是加快社区工作者职业体系建设，抓紧解决社区工作者身份定位、报酬待遇、发展出路等方面的问题。 {#task-2}",
        "## 高校等事业单位党建： {#group-4}",
        "### 一是抓好任务分解。 {#task-10}",
    ] {
        assert!(fourth.lines().any(|l| l == line), "{line}\n{fourth}");
    }
    let session = std::fs::read_to_string(site.join("content/sessions/zhongzu-draft.md")).unwrap();
    assert!(session.starts_with("---\ntitle: \"中组部基层党建工作重点任务推进会精神（班次草稿）\"\ndate: 2025-12-06\nblocks:\n  - unit: 01-tuidong/yinyan\n    minutes: 2\n  - unit: 01-tuidong/yuanwen\n    minutes: 2\n  - title: \"研讨：第一　推动"), "{session}");
    assert!(session.contains("**这是草稿。**"));
    assert_eq!(session.matches("kind: discussion").count(), 10);
}

#[test]
fn the_seed_as_a_word_document_gives_the_same_topics_and_text() {
    let dir = TempSite::empty();
    std::fs::copy(seed_path(), dir.path().join("outline.txt")).unwrap();
    run_in(
        dir.path(),
        &["import", "outline.txt", "--into", "from-text"],
    )
    .ok();
    seed_docx(&dir.path().join("提纲.docx"));
    assert_seed_site(dir.path(), "提纲.docx", "Word");
    assert_eq!(
        snapshot(&dir.path().join("new-site/content")),
        snapshot(&dir.path().join("from-text/content"))
    );
}

#[test]
fn the_seed_saved_in_gb18030_gives_the_same_topics_and_text() {
    let dir = TempSite::empty();
    std::fs::copy(seed_path(), dir.path().join("outline.txt")).unwrap();
    run_in(
        dir.path(),
        &["import", "outline.txt", "--into", "from-utf8"],
    )
    .ok();
    // As Notepad on an older Chinese Windows saves it: GB18030, CRLF, full-width indents.
    let windows = seed()
        .replace('\n', "\r\n")
        .replace("\r\n一是", "\r\n　　一是");
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&windows);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the bytes are not UTF-8"
    );
    std::fs::write(dir.path().join("gb.txt"), &bytes).unwrap();
    assert_seed_site(dir.path(), "gb.txt", "GB18030");
    assert_eq!(
        snapshot(&dir.path().join("new-site/content")),
        snapshot(&dir.path().join("from-utf8/content"))
    );
    // UTF-16 with a byte-order mark reads the same.
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(seed().encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(dir.path().join("u16.txt"), &utf16).unwrap();
    let r = run_in(dir.path(), &["import", "u16.txt", "--into", "from-utf16"]);
    r.ok().has_line("imported u16.txt into from-utf16: 10 topics, 11 units, 5,724 characters (read as UTF-16LE)");
    assert_eq!(
        snapshot(&dir.path().join("from-utf16/content")),
        snapshot(&dir.path().join("from-utf8/content"))
    );
}

#[test]
fn word_numbering_bold_tables_and_images() {
    let dir = TempSite::empty();
    let png: &[u8] = b"\x89PNG\r\n\x1a\n not really a picture";
    let body = [
        para(&run("关于加强支部建设的意见", true)),
        para(&run("为推动支部建设，提出如下意见。", false)),
        numbered(1, &run("总体要求", true)),
        numbered(
            2,
            &format!("{}{}", run("坚持", false), run("政治引领", true)),
        ),
        para(&run("把政治建设摆在首位。", false)),
        numbered(2, &run("坚持问题导向。查找短板。", false)),
        table(&[&["项目", "要求"], &["三会一课", "按期召开|不走过场"]]),
        numbered(1, &run("主要任务", true)),
        numbered(3, &run("规范组织生活。", false)),
        picture("rIdImg1"),
        para(&run("1. 按期换届；2. 发展党员。", false)),
    ]
    .concat();
    write_docx(
        &dir.path().join("意见.docx"),
        &body,
        Some(NUMBERING),
        &[("image1.png", png)],
    );
    let r = run_in(dir.path(), &["import", "意见.docx", "--into", "site"]);
    r.ok()
        .has_line("imported 意见.docx into site: 2 topics, 3 units, 115 characters (read as Word)");
    let site = dir.path().join("site");
    assert_eq!(topic_titles(&site), ["第一　总体要求", "第二　主要任务"]);
    let first = std::fs::read_to_string(site.join("content/01-zongti/yuanwen.md")).unwrap();
    assert_eq!(
        first,
        "---\ntitle: \"原文：总体要求\"\nweight: 1\nkind: original\nsource: \"第一\"\n---\n\
         **第一，总体要求**\n\n\
         ## （一）坚持政治引领 {#task-1}\n\n\
         把政治建设摆在首位。\n\n\
         ## （二）坚持问题导向。 {#task-2}\n\n\
         查找短板。\n\n\
         | 项目 | 要求 |\n| --- | --- |\n| 三会一课 | 按期召开\\|不走过场 |\n\n"
    );
    let second = std::fs::read_to_string(site.join("content/02-zhuyao/yuanwen.md")).unwrap();
    assert!(second.ends_with("## （一）规范组织生活。 {#task-1}\n\n![](tu-1.png)\n\n## 1\\. 按期换届；2. 发展党员。 {#task-2}\n\n"), "{second}");
    assert_eq!(
        std::fs::read(site.join("content/02-zhuyao/tu-1.png")).unwrap(),
        png
    );
    let intro = std::fs::read_to_string(site.join("content/01-zongti/yinyan.md")).unwrap();
    assert!(
        intro.ends_with("---\n**关于加强支部建设的意见**\n\n为推动支部建设，提出如下意见。\n\n"),
        "{intro}"
    );
    run_in(dir.path(), &["build", "--root", "site"]).ok();
    assert!(site.join("public/02-zhuyao/tu-1.png").is_file());
    let html = std::fs::read_to_string(site.join("public/01-zongti/yuanwen.html")).unwrap();
    assert!(
        html.contains("<td>按期召开|不走过场</td>"),
        "the table is a table"
    );
    assert!(
        html.contains("（一）坚持<strong>政治引领</strong>") || html.contains("（一）坚持政治引领")
    );
}

#[test]
fn a_law_imports_with_chapters_as_topics_and_every_article_anchored() {
    let dir = TempSite::empty();
    let law = "中华人民共和国示例法\n\
               第一章　总则\n\
               第一条　为了规范示例工作，制定本法。\n\
               第二条　本法适用于示例活动。\n\
               第二章　组织\n\
               第一节　一般规定\n\
               第三条　示例组织依法设立。\n\
               第四条　示例组织应当：\n\
               （一）遵守法律；\n\
               （二）接受监督。\n\
               第二节　特别规定\n\
               第五条　特别组织另行规定。\n\
               第三章　附则\n\
               第六条　本法自公布之日起施行。\n";
    std::fs::write(dir.path().join("law.txt"), law).unwrap();
    let r = run_in(dir.path(), &["import", "law.txt", "--into", "law"]);
    r.ok()
        .has_line("imported law.txt into law: 3 topics, 4 units, 133 characters (read as UTF-8)");
    let site = dir.path().join("law");
    assert_eq!(
        topic_titles(&site),
        ["第一章　总则", "第二章　组织", "第三章　附则"]
    );
    let ch2 = std::fs::read_to_string(site.join("content/02-zuzhi/yuanwen.md")).unwrap();
    assert_eq!(
        ch2,
        "---\ntitle: \"原文：组织\"\nweight: 1\nkind: original\nsource: \"第二章\"\n---\n\
         **第二章　组织**\n\n\
         ## 第一节　一般规定 {#section-1}\n\n\
         ### 第三条 {#article-3}\n\n示例组织依法设立。\n\n\
         ### 第四条 {#article-4}\n\n示例组织应当：\n\n（一）遵守法律；\n\n（二）接受监督。\n\n\
         ## 第二节　特别规定 {#section-2}\n\n\
         ### 第五条 {#article-5}\n\n特别组织另行规定。\n\n"
    );
    let ch1 = std::fs::read_to_string(site.join("content/01-zongze/yuanwen.md")).unwrap();
    assert!(
        ch1.contains(
            "## 第一条 {#article-1}\n\n为了规范示例工作，制定本法。\n\n## 第二条 {#article-2}\n"
        ),
        "{ch1}"
    );
    assert_eq!(original_text(&site), no_whitespace(law));
    run_in(dir.path(), &["build", "--root", "law"]).ok();
}

#[test]
fn dry_run_prints_the_structure_and_writes_nothing() {
    let dir = TempSite::empty();
    std::fs::copy(seed_path(), dir.path().join("outline.txt")).unwrap();
    let before = snapshot(dir.path());
    let r = run_in(dir.path(), &["import", "outline.txt", "--dry-run"]);
    r.ok();
    stderr_is(
        &r,
        "dry run: 10 topics, 11 units, 5,724 characters (read as UTF-8); nothing was written\n",
    );
    let expected =
        std::fs::read_to_string(crate::support::fixtures().join("import/seed-dry-run.txt"))
            .unwrap();
    assert_eq!(r.stdout, expected);
    assert_eq!(snapshot(dir.path()), before);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no staging folder is left"
    );
    let r = run_in(
        dir.path(),
        &["import", "outline.txt", "--into", "absent", "--dry-run"],
    );
    r.ok();
    assert!(!dir.path().join("absent").exists());
}

#[test]
fn importing_into_a_site_adds_topics_after_its_own_and_twice_is_refused() {
    let site = TempSite::minimal();
    std::fs::copy(seed_path(), site.path().join("outline.txt")).unwrap();
    let r = run_in(site.path(), &["import", "outline.txt"]);
    r.ok().has_line(
        "imported outline.txt into .: 10 topics, 11 units, 5,724 characters (read as UTF-8)",
    );
    assert_eq!(
        site.read("site.yaml"),
        "title: 测试站点\n",
        "the site's settings stay"
    );
    let titles = topic_titles(site.path());
    assert_eq!(titles[0], "第一专题");
    assert_eq!(
        titles[1],
        "第一　推动基层党组织和广大党员认真学习贯彻习近平新时代中国特色社会主义思想"
    );
    assert!(
        site.read("content/02-tuidong/_index.md")
            .contains("\nweight: 2\n")
    );
    assert!(
        site.read("content/11-fayang/_index.md")
            .contains("\nweight: 11\n")
    );
    run_in(site.path(), &["check"]).ok();

    let before = snapshot(site.path());
    let r = run_in(site.path(), &["import", "outline.txt"]);
    r.fails(1);
    let mut expected = String::from(
        "error: `.` already has what importing `outline.txt` would write; nothing was changed:\n  content/sessions/zhongzu-draft.md exists\n",
    );
    for (t, slug) in titles.iter().skip(1).zip([
        "02-tuidong",
        "03-shenru",
        "04-dali",
        "05-zhengti",
        "06-tuidong",
        "07-qieshi",
        "08-zhuanxiang",
        "09-zhuzhong",
        "10-chixu",
        "11-fayang",
    ]) {
        expected.push_str(&format!(
            "  the topic `{t}` exists (content/{slug}/_index.md)\n"
        ));
    }
    stderr_is(&r, &expected);
    assert_eq!(snapshot(site.path()), before, "no file changed");
}

// ---------------------------------------------------------------------------------------------
// Bad input: the exact message, exit 1, nothing written.

/// Imports `name` (written with `bytes`) into `out` in a fresh folder; asserts exit 1, the
/// whole stderr, and that nothing was written.
#[track_caller]
fn refused(name: &str, bytes: &[u8], stderr: &str) {
    let dir = TempSite::empty();
    std::fs::write(dir.path().join(name), bytes).unwrap();
    let before = snapshot(dir.path());
    let r = run_in(dir.path(), &["import", name, "--into", "out"]);
    r.fails(1);
    stderr_is(&r, stderr);
    assert_eq!(snapshot(dir.path()), before);
    assert!(!dir.path().join("out").exists(), "nothing written");
}

#[test]
fn an_empty_file_is_refused() {
    refused(
        "empty.txt",
        b"",
        "error: `empty.txt` is empty: there is no outline to import\n",
    );
    refused(
        "blank.txt",
        b" \r\n\r\n",
        "error: `blank.txt` is empty: there is no outline to import\n",
    );
}

#[test]
fn a_binary_file_named_txt_is_refused() {
    refused(
        "outline.txt",
        b"\x7fELF\x02\x01\x01\x00\x00\x00",
        "error: `outline.txt` is not a text file: it holds binary data (a zero byte at byte 7); import the outline as .txt or .docx\n",
    );
    refused(
        "scan.txt",
        b"%PDF-1.7\n",
        "error: `scan.txt` is a PDF, not a text file: import the Word (.docx) or text file it was made from\n",
    );
}

#[test]
fn doc_wps_and_pdf_are_refused_with_what_to_do() {
    let ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    refused(
        "提纲.doc",
        ole,
        "error: `提纲.doc` is an old Word document (.doc), which studysite cannot read: open it in Word or WPS, save it as .docx (Word 文档), and import that file\n",
    );
    refused(
        "提纲.wps",
        ole,
        "error: `提纲.wps` is a WPS document (.wps), which studysite cannot read: open it in WPS, save it as .docx (Word 文档), and import that file\n",
    );
    refused(
        "提纲.pdf",
        b"%PDF-1.4\n",
        "error: `提纲.pdf` is a PDF, which keeps no paragraphs or parts to import: import the Word (.docx) or text file it was made from, or copy its text into a .txt file\n",
    );
    refused(
        "提纲.odt",
        b"PK",
        "error: `提纲.odt` is not a document studysite imports: it reads .docx (Word, WPS), .txt and .md files; save the outline as one of these\n",
    );
}

#[test]
fn a_broken_or_foreign_docx_is_refused() {
    refused(
        "broken.docx",
        b"PK\x03\x04 this zip ends here",
        "error: `broken.docx` is not a Word document: it is not a .docx (zip) file, or it is damaged; open it in Word or WPS and save it again as .docx\n",
    );
    let dir = TempSite::empty();
    let p = dir.path().join("photos.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
    zip.start_file("a.jpg", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(b"jpeg").unwrap();
    zip.finish().unwrap();
    refused(
        "photos.docx",
        &std::fs::read(&p).unwrap(),
        "error: `photos.docx` is a zip archive but not a Word document (it has no word/document.xml): save the outline as .docx in Word or WPS\n",
    );
}

#[test]
fn a_docx_of_images_only_is_refused() {
    let dir = TempSite::empty();
    let p = dir.path().join("scan.docx");
    let png: &[u8] = b"\x89PNG\r\n\x1a\n";
    write_docx(
        &p,
        &[picture("rIdImg1"), picture("rIdImg2")].concat(),
        None,
        &[("image1.png", png), ("image2.png", png)],
    );
    refused(
        "scan.docx",
        &std::fs::read(&p).unwrap(),
        "error: `scan.docx` has no text, only 2 images: studysite imports an outline's text; if the pages are scanned, have them typed or recognised (OCR) into a .docx first\n",
    );
}

#[test]
fn two_parts_with_the_same_title_are_refused() {
    refused(
        "dup.txt",
        "提纲\n第一，加强学习\n一是学原文。\n第二，加强学习\n一是悟原理。\n".as_bytes(),
        "error: dup.txt:4: part 第二 has the same title as part 第一 (dup.txt:2): `第二　加强学习`; give each part its own title\n",
    );
}

#[test]
fn numbering_that_skips_is_a_warning() {
    let dir = TempSite::empty();
    std::fs::write(
        dir.path().join("skip.txt"),
        "提纲\n第一，加强学习\n一是学原文。\n第三，改进作风\n一是转作风。\n",
    )
    .unwrap();
    let r = run_in(dir.path(), &["import", "skip.txt", "--into", "out"]);
    r.ok();
    stderr_is(
        &r,
        "warning: skip.txt:4: the parts' numbering skips from 第一 to 第三: is a part missing?\n\
         imported skip.txt into out: 2 topics, 3 units, 28 characters (read as UTF-8)\n\
         next: studysite serve --watch --root out   (or studysite build --root out); add explanations, discussions and quizzes beside the original units\n",
    );
    assert_eq!(
        topic_titles(&dir.path().join("out")),
        ["第一　加强学习", "第三　改进作风"]
    );
}

#[test]
fn a_text_without_parts_is_one_topic_with_a_warning() {
    let dir = TempSite::empty();
    std::fs::write(
        dir.path().join("notes.md"),
        "学习笔记\n一是学原文。\n二是悟原理。\n",
    )
    .unwrap();
    let r = run_in(dir.path(), &["import", "notes.md", "--into", "out"]);
    r.ok().has_line("warning: notes.md: no parts found (looked for `第一，…`, `第一、…`, `一、…`, `第一部分 …`, `第一章 …` or a Word heading at the start of a paragraph): the whole text becomes one topic");
    let site = dir.path().join("out");
    assert_eq!(topic_titles(&site), ["学习笔记"]);
    let unit = std::fs::read_to_string(site.join("content/01-xuexi/yuanwen.md")).unwrap();
    assert!(
        unit.ends_with(
            "---\n学习笔记\n\n## 一是学原文。 {#task-1}\n\n## 二是悟原理。 {#task-2}\n\n"
        ),
        "{unit}"
    );
    run_in(dir.path(), &["check", "--root", "out"]).ok();
}

#[test]
fn into_a_folder_holding_someone_elses_folder_is_refused() {
    let dir = TempSite::empty();
    std::fs::copy(seed_path(), dir.path().join("outline.txt")).unwrap();
    std::fs::create_dir_all(dir.path().join("photos/2024")).unwrap();
    std::fs::write(dir.path().join("photos/2024/a.jpg"), b"jpeg").unwrap();
    let before = snapshot(dir.path());
    let r = run_in(dir.path(), &["import", "outline.txt"]);
    r.fails(1);
    stderr_is(
        &r,
        "error: `.` is not a site (it has no site.yaml) and is not empty: it holds the folder `photos/`; import into a new or empty folder, or into a site\n",
    );
    assert_eq!(snapshot(dir.path()), before);
}

/// The peak resident memory of a running process, sampled from /proc until it exits.
fn peak_rss_kib(child: &mut std::process::Child) -> (std::process::ExitStatus, u64) {
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(s) = std::fs::read_to_string(&status_file)
            && let Some(kb) = s
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
        {
            peak = peak.max(kb);
        }
        if let Some(status) = child.try_wait().unwrap() {
            return (status, peak);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_50_mb_text_streams_with_bounded_memory() {
    let dir = TempSite::empty();
    let seed = seed();
    let copies = 50 * 1024 * 1024 / seed.len() + 1;
    {
        let mut f =
            std::io::BufWriter::new(std::fs::File::create(dir.path().join("big.txt")).unwrap());
        for _ in 0..copies {
            f.write_all(seed.as_bytes()).unwrap();
        }
    }
    let mut child = bin()
        .args(["import", "big.txt", "--into", "big"])
        .current_dir(dir.path())
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (status, peak) = peak_rss_kib(&mut child);
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(status.success(), "{err}");
    assert!(
        err.starts_with("imported big.txt into big: 10 topics, "),
        "{err}"
    );
    // Fifty megabytes of text held whole would need several times that.
    eprintln!(
        "import of {} MB: peak memory {peak} KiB",
        copies * seed.len() / 1_000_000
    );
    assert!(peak > 0 && peak < 120 * 1024, "peak memory {peak} KiB");
    let total: u64 = walkdir::WalkDir::new(dir.path().join("big/content"))
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.metadata().unwrap().len())
        .sum();
    assert!(
        total > 50 * 1024 * 1024,
        "all the text was written ({total} bytes)"
    );
}

// ---------------------------------------------------------------------------------------------
// The imported seed site in a browser.

#[test]
#[cfg_attr(no_browser, ignore = "needs Chromium: see tests/README.md")]
fn the_imported_seed_site_passes_the_themes_browser_checks() {
    use crate::browser::{Page, file_url};
    let b = crate::require_browser!();
    let Some(axe) = crate::theme::axe_source() else {
        return;
    };
    let dir = TempSite::empty();
    std::fs::copy(seed_path(), dir.path().join("outline.txt")).unwrap();
    run_in(dir.path(), &["import", "outline.txt", "--into", "site"]).ok();
    run_in(dir.path(), &["build", "--root", "site"]).ok();
    let public = dir.path().join("site/public");
    let url = |rel: &str| file_url(&public.join(rel));
    let page = Page::open(b, &url("index.html"), 360, 740);
    let mut problems = Vec::new();
    for e in walkdir::WalkDir::new(&public).into_iter().flatten() {
        let p = e.path();
        if p.extension().is_none_or(|x| x != "html") {
            continue;
        }
        let rel = p
            .strip_prefix(&public)
            .unwrap()
            .to_string_lossy()
            .to_string();
        page.goto(&url(&rel));
        // Navigation: every link names an existing file of the site.
        let hrefs = page.eval("[...document.querySelectorAll('a[href]')].map(a => a.href)");
        for href in hrefs.as_array().unwrap() {
            let href = href.as_str().unwrap();
            let base = file_url(&public);
            let Some(rest) = href.strip_prefix(&base) else {
                problems.push(format!("{rel}: {href} leaves the site"));
                continue;
            };
            let target = crate::support::percent_decode(
                rest.trim_start_matches('/').split('#').next().unwrap(),
            );
            if !public.join(&target).is_file() {
                problems.push(format!("{rel}: {href} is missing"));
            }
        }
        if page.overflows_horizontally() {
            problems.push(format!("{rel} scrolls sideways at 360 px"));
        }
    }
    for rel in [
        "index.html",
        "01-tuidong/index.html",
        "01-tuidong/yinyan.html",
        "04-zhengti/yuanwen.html",
        "sessions/zhongzu-draft.html",
    ] {
        page.goto(&url(rel));
        crate::theme::inject_axe(&page, &axe);
        let result = page.eval_str(
            "axe.run(document, { resultTypes: ['violations'] }).then(r => JSON.stringify(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id + ' ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))))",
        );
        if result != "[]" {
            problems.push(format!("axe on {rel}: {result}"));
        }
    }
    // Clicking through: home → the first topic → its first unit (the introduction).
    page.goto(&url("index.html"));
    page.click(".topic-card h2 a");
    page.wait_until(
        "location.pathname.endsWith('/01-tuidong/index.html')",
        Duration::from_secs(10),
    );
    page.click(".topic .unit-list a");
    page.wait_until(
        "location.pathname.endsWith('/01-tuidong/yinyan.html')",
        Duration::from_secs(10),
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Issue 24: faithful import of Word — notes, text boxes, numbering as Word counts, a table of
// contents, page furniture; the independent verbatim reference.

/// The namespaces Word declares on `w:document`, `w:footnotes`, `w:hdr`….
const WORD_NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" mc:Ignorable="wps""#;

/// Writes a .docx as Word does: `document.xml` with `body`, and each of `parts` (name under
/// `word/`, its root element with Word's namespaces around `inner`).
fn write_word(path: &Path, body: &str, parts: &[(&str, &str, &str)]) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut put = |name: &str, text: &str| {
        zip.start_file(name, opts).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    };
    let decl = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;
    put(
        "[Content_Types].xml",
        &format!(
            r#"{decl}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#
        ),
    );
    put(
        "_rels/.rels",
        &format!(
            r#"{decl}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#
        ),
    );
    let mut rels = format!(
        r#"{decl}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
    );
    for (i, (name, _, _)) in parts.iter().enumerate() {
        let kind = name
            .trim_end_matches(".xml")
            .trim_end_matches(char::is_numeric);
        rels.push_str(&format!(
            r#"<Relationship Id="rIdP{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}" Target="{name}"/>"#
        ));
    }
    rels.push_str("</Relationships>");
    put("word/_rels/document.xml.rels", &rels);
    for (name, root, inner) in parts {
        put(
            &format!("word/{name}"),
            &format!("{decl}\n<w:{root} {WORD_NS}>{inner}</w:{root}>"),
        );
    }
    put(
        "word/document.xml",
        &format!("{decl}\n<w:document {WORD_NS}><w:body>{body}<w:sectPr/></w:body></w:document>"),
    );
    zip.finish().unwrap();
}

/// A run that refers to footnote or endnote `id`, as Word writes it.
fn note_ref(kind: &str, id: u32) -> String {
    let style = if kind == "footnote" {
        "FootnoteReference"
    } else {
        "EndnoteReference"
    };
    format!(
        r#"<w:r><w:rPr><w:rStyle w:val="{style}"/></w:rPr><w:{kind}Reference w:id="{id}"/></w:r>"#
    )
}

/// `footnotes.xml` / `endnotes.xml` inner XML: Word's two separators, then each note.
fn notes_xml(kind: &str, notes: &[(u32, &str)]) -> String {
    let mut s = format!(
        r#"<w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}><w:{kind} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:{kind}>"#
    );
    let mark = if kind == "footnote" {
        "footnoteRef"
    } else {
        "endnoteRef"
    };
    for (id, text) in notes {
        s.push_str(&format!(
            r#"<w:{kind} w:id="{id}"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr><w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:{mark}/></w:r><w:r><w:t xml:space="preserve"> </w:t></w:r>{}</w:p></w:{kind}>"#,
            run(text, false)
        ));
    }
    s
}

/// A text box as Word 2010+ writes it: the drawing (`wps`) as the choice, the same text again
/// in VML as the fallback.
fn text_box(paras: &[&str]) -> String {
    let content: String = paras.iter().map(|p| para(&run(p, false))).collect();
    format!(
        r##"<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><wp:docPr id="2" name="文本框 2"/><a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp><wps:cNvSpPr txBox="1"/><wps:txbx><w:txbxContent>{content}</w:txbxContent></wps:txbx><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape type="#_x0000_t202"><v:textbox><w:txbxContent>{content}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"##
    )
}

/// Compares the unit `content/<unit>` of `site` with the golden file
/// `fixtures/import/word/expected/<doc>/<unit>` (written instead with `STUDYSITE_BLESS=1`).
#[track_caller]
fn golden_unit(site: &Path, unit: &str, doc: &str) {
    let actual = read(site, &format!("content/{unit}"));
    let path = crate::support::fixtures()
        .join("import/word/expected")
        .join(doc)
        .join(unit);
    if std::env::var_os("STUDYSITE_BLESS").is_some_and(|v| v != "0") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (bless with STUDYSITE_BLESS=1)", path.display()));
    assert_eq!(actual, expected, "{}", path.display());
}

fn read(site: &Path, rel: &str) -> String {
    std::fs::read_to_string(site.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every `id="…"` of every built page, each once per page.
#[track_caller]
fn no_duplicate_ids(public: &Path) {
    for e in walkdir::WalkDir::new(public).into_iter().flatten() {
        if e.path().extension().is_some_and(|x| x == "html") {
            let html = std::fs::read_to_string(e.path()).unwrap();
            let mut seen = std::collections::HashSet::new();
            for part in html.split(" id=\"").skip(1) {
                let id = part.split('"').next().unwrap();
                assert!(seen.insert(id), "{}: id `{id}` twice", e.path().display());
            }
        }
    }
}

#[test]
fn issue_24_word_notes_text_boxes_and_page_furniture_arrive_or_are_named() {
    let dir = TempSite::empty();
    let body = [
        para(&run("关于示例学习的通知", true)),
        para(&run("第一，总体要求", true)),
        para(&format!(
            "{}{}{}",
            run("坚持原原本本学习原文", false),
            note_ref("footnote", 1),
            run("，做到学深悟透。", false)
        )),
        para(&format!(
            "{}{}",
            text_box(&["重点提示：", "学习以原文为准。"]),
            run("要结合实际学习。", false)
        )),
        para(&run("第二，主要任务", true)),
        format!(
            r#"<w:p><w:commentRangeStart w:id="0"/>{}<w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r>{}{}{}</w:p>"#,
            run("一是认真学习原文。", false),
            run("检查学习效果", false),
            note_ref("endnote", 1),
            run("。", false)
        ),
        r#"<w:p><w:r><w:object><v:shape id="_x0000_i1025"/><o:OLEObject Type="Embed" ProgID="Excel.Sheet.12" ShapeID="_x0000_i1025"/></w:object></w:r></w:p>"#.to_string(),
    ]
    .concat();
    write_word(
        &dir.path().join("通知.docx"),
        &body,
        &[
            (
                "footnotes.xml",
                "footnotes",
                &notes_xml("footnote", &[(1, "原文以正式文本为准。")]),
            ),
            (
                "endnotes.xml",
                "endnotes",
                &notes_xml("endnote", &[(1, "检查办法另行通知。")]),
            ),
            ("header1.xml", "hdr", &para(&run("示例单位文件", false))),
            (
                "footer1.xml",
                "ftr",
                &para(&format!(
                    r#"{}<w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>{}"#,
                    run("第 ", false),
                    run(" 页", false)
                )),
            ),
            (
                "comments.xml",
                "comments",
                &format!(
                    r#"<w:comment w:id="0" w:author="王某"><w:p>{}</w:p></w:comment>"#,
                    run("请核对原文。", false)
                ),
            ),
        ],
    );
    let r = run_in(dir.path(), &["import", "通知.docx", "--into", "site"]);
    r.ok();
    stderr_is(
        &r,
        "warning: 通知.docx, paragraph 8: an embedded object (OLE) is not imported; if it holds text the site needs, put that text into the document as text\n\
         warning: 通知.docx: the page headers and footers (页眉、页脚) are not imported: `示例单位文件`, `第 1 页`\n\
         warning: 通知.docx: 1 comment (批注) is not imported: `请核对原文。`\n\
         imported 通知.docx into site: 2 topics, 3 units, 97 characters (read as Word)\n\
         next: studysite serve --watch --root site   (or studysite build --root site); add explanations, discussions and quizzes beside the original units\n",
    );
    let site = dir.path().join("site");
    assert_eq!(
        read(&site, "content/01-zongti/yuanwen.md"),
        "---\ntitle: \"原文：总体要求\"\nweight: 1\nkind: original\nsource: \"第一\"\n---\n\
         **第一，总体要求**\n\n\
         坚持原原本本学习原文[^1]，做到学深悟透。\n\n\
         要结合实际学习。\n\n\
         > 重点提示：\n>\n> 学习以原文为准。\n\n\
         [^1]: 原文以正式文本为准。\n\n"
    );
    assert_eq!(
        read(&site, "content/02-zhuyao/yuanwen.md"),
        "---\ntitle: \"原文：主要任务\"\nweight: 1\nkind: original\nsource: \"第二\"\n---\n\
         **第二，主要任务**\n\n\
         ## 一是认真学习原文。 {#task-1}\n\n\
         检查学习效果[^2]。\n\n\
         [^2]: 检查办法另行通知。\n\n"
    );
    run_in(dir.path(), &["build", "--root", "site"]).ok();
    let html = read(&site, "public/01-zongti/yuanwen.html");
    assert!(
        html.contains("原文以正式文本为准。") && html.contains("footnote-backref"),
        "the note and its back link: {html}"
    );
    assert!(html.contains("<blockquote>"), "{html}");
    no_duplicate_ids(&site.join("public"));
}

/// Numbering as Word counts: a list restarted in each part (`w:startOverride`), another num of
/// the same list continuing it, chapters numbered by their paragraph style, `%1.%2`, `w:suff`;
/// a table of contents (a `TOC` field in `toc 1` paragraphs) left out with a note.
#[test]
fn issue_24_word_numbering_restarts_styles_levels_and_a_toc() {
    let dir = TempSite::empty();
    let numbering = r#"<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%1）"/><w:suff w:val="nothing"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="2"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:pStyle w:val="ListItem2"/><w:lvlText w:val="%1.%2"/><w:suff w:val="space"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="4"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:pStyle w:val="1"/><w:lvlText w:val="第%1章"/><w:suff w:val="space"/></w:lvl></w:abstractNum>
<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
<w:num w:numId="3"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>
<w:num w:numId="4"><w:abstractNumId w:val="4"/></w:num>
<w:num w:numId="5"><w:abstractNumId w:val="2"/></w:num>
<w:num w:numId="6"><w:abstractNumId w:val="1"/></w:num>"#;
    let styles = r#"<w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/><w:pPr><w:numPr><w:numId w:val="4"/></w:numPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/></w:style>
<w:style w:type="paragraph" w:styleId="ListItem2"><w:name w:val="List Item 2"/><w:pPr><w:numPr><w:numId w:val="5"/></w:numPr></w:pPr></w:style>"#;
    let styled = |style: &str, text: &str| {
        format!(
            r#"<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{}</w:p>"#,
            run(text, false)
        )
    };
    let item = |num: u32, ilvl: u32, text: &str| {
        format!(
            r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num}"/></w:numPr></w:pPr>{}</w:p>"#,
            run(text, false)
        )
    };
    let toc_line = |text: &str, page: &str| {
        format!(
            r#"<w:hyperlink w:anchor="_Toc1"><w:r><w:t>{text}</w:t></w:r><w:r><w:tab/></w:r><w:r><w:t>{page}</w:t></w:r></w:hyperlink>"#
        )
    };
    let body = [
        para(&run("示例学习规定", true)),
        para(&run("目录", false)),
        format!(
            r#"<w:p><w:pPr><w:pStyle w:val="TOC1"/></w:pPr><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> TOC \o "1-3" \h \z \u </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>{}</w:p>"#,
            toc_line("第一章 总则", "1")
        ),
        format!(
            r#"<w:p><w:pPr><w:pStyle w:val="TOC1"/></w:pPr>{}</w:p>"#,
            toc_line("第二章 组织", "2")
        ),
        r#"<w:p><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>"#.to_string(),
        styled("1", "总则"),
        item(2, 0, "坚持依法学习。"),
        item(2, 0, "坚持学用结合。"),
        styled("1", "组织"),
        item(3, 0, "成立学习小组。"),
        item(3, 0, "明确学习责任。"),
        item(6, 0, "加强督促检查。"),
        item(5, 0, "学习安排"),
        item(5, 1, "集中学习"),
        item(5, 1, "个人自学"),
        styled("ListItem2", "交流研讨"),
        styled("1", "附则"),
        para(&run("本规定自印发之日起施行。", false)),
    ]
    .concat();
    write_word(
        &dir.path().join("规定.docx"),
        &body,
        &[
            ("numbering.xml", "numbering", numbering),
            ("styles.xml", "styles", styles),
        ],
    );
    let r = run_in(dir.path(), &["import", "规定.docx", "--into", "site"]);
    r.ok();
    stderr_is(
        &r,
        "note: 规定.docx, paragraph 3: the table of contents (目录, 2 lines) is not imported: the site's topics take its place\n\
         imported 规定.docx into site: 3 topics, 4 units, 112 characters (read as Word)\n\
         next: studysite serve --watch --root site   (or studysite build --root site); add explanations, discussions and quizzes beside the original units\n",
    );
    let site = dir.path().join("site");
    assert_eq!(
        topic_titles(&site),
        ["第一章　总则", "第二章　组织", "第三章　附则"]
    );
    assert_eq!(
        read(&site, "content/01-zongze/yuanwen.md"),
        "---\ntitle: \"原文：总则\"\nweight: 1\nkind: original\nsource: \"第一章\"\n---\n\
         **第一章 总则**\n\n\
         ## （一）坚持依法学习。 {#task-1}\n\n\
         ## （二）坚持学用结合。 {#task-2}\n\n"
    );
    assert_eq!(
        read(&site, "content/02-zuzhi/yuanwen.md"),
        "---\ntitle: \"原文：组织\"\nweight: 1\nkind: original\nsource: \"第二章\"\n---\n\
         **第二章 组织**\n\n\
         ## （一）成立学习小组。 {#task-1}\n\n\
         ## （二）明确学习责任。 {#task-2}\n\n\
         ## （三）加强督促检查。 {#task-3}\n\n\
         ## 1\\. 学习安排 {#task-4}\n\n\
         1\\.1 集中学习\n\n\
         1\\.2 个人自学\n\n\
         1\\.3 交流研讨\n\n"
    );
    assert_eq!(
        read(&site, "content/01-zongze/yinyan.md"),
        "---\ntitle: \"原文：引言\"\nweight: 0\nkind: original\nsource: \"引言\"\n---\n\
         **示例学习规定**\n\n**目录**\n\n"
    );
}

/// Real files: footnotes as pandoc writes them (`pandoc-notes.md` → `pandoc-notes.docx`, pandoc
/// 2.17), and a footnote, an endnote, a text frame, lists restarted per part, a header and a
/// footer as LibreOffice writes them (`lo-box.fodt` → `lo-box.docx`, LibreOffice 7.4,
/// `soffice --headless --convert-to docx`). Both made for these tests.
#[test]
fn issue_24_word_files_made_by_pandoc_and_libreoffice() {
    let dir = TempSite::empty();
    let word = crate::support::fixtures().join("import/word");
    for f in ["pandoc-notes.docx", "lo-box.docx"] {
        std::fs::copy(word.join(f), dir.path().join(f)).unwrap();
    }
    let r = run_in(dir.path(), &["import", "pandoc-notes.docx", "--into", "p"]);
    r.ok().has_line(
        "imported pandoc-notes.docx into p: 2 topics, 3 units, 121 characters (read as Word)",
    );
    let p = dir.path().join("p");
    for unit in ["01-zongti/yuanwen.md", "02-zhuyao/yuanwen.md"] {
        golden_unit(&p, unit, "pandoc-notes");
    }

    let r = run_in(dir.path(), &["import", "lo-box.docx", "--into", "lo"]);
    r.ok();
    stderr_is(
        &r,
        "warning: lo-box.docx: the page headers and footers (页眉、页脚) are not imported: `示例单位学习材料`, `内部资料`\n\
         imported lo-box.docx into lo: 2 topics, 3 units, 128 characters (read as Word)\n\
         next: studysite serve --watch --root lo   (or studysite build --root lo); add explanations, discussions and quizzes beside the original units\n",
    );
    let lo = dir.path().join("lo");
    for unit in ["01-zongti/yuanwen.md", "02-zhuyao/yuanwen.md"] {
        golden_unit(&lo, unit, "lo-box");
    }
    run_in(dir.path(), &["build", "--root", "lo"]).ok();
    no_duplicate_ids(&lo.join("public"));
}

/// A law in 编 (written for this test, in the shape of 刑法 and 民法典): 章 numbers restart in
/// each 编, 分编 and 节 inside, `第X条之一` articles, an unnumbered 附则.
const LAW_IN_BIAN: &str = "示例协会管理法\n\
第一编　总则\n\
第一章　基本规定\n\
第一条　为了规范示例协会的管理，制定本法。\n\
第二条　示例协会应当遵守本法。\n\
第二章　成立\n\
第三条　成立示例协会，应当经过登记。\n\
第三条之一　登记机关应当公开登记事项。\n\
第二编　组织\n\
第一分编　一般规定\n\
第一章　会员\n\
第一节　会员资格\n\
第四条　会员应当遵守章程。\n\
第二节　会员权利\n\
第五条　会员享有下列权利：\n\
（一）选举权；\n\
（二）监督权。\n\
第二分编　特别规定\n\
第二章　理事会\n\
第六条　理事会对会员大会负责。\n\
第六条之一　理事会每年至少召开一次会议。\n\
第六条之二　理事会会议应当制作记录。\n\
附　　则\n\
第七条　本法自公布之日起施行。\n";

#[test]
fn issue_24_a_law_in_bian_has_a_topic_per_bian_every_chapter_and_article_anchored_once() {
    let dir = TempSite::empty();
    std::fs::write(dir.path().join("law.txt"), LAW_IN_BIAN).unwrap();
    // The same law as Markdown: `#` title, `##` 编, `###` 章.
    let md: String = LAW_IN_BIAN
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let hashes = if i == 0 {
                "# "
            } else if l.contains('编') && l.starts_with('第') && !l.contains("分编") {
                "## "
            } else if l.starts_with('第') && l.contains('章') {
                "### "
            } else {
                ""
            };
            format!("{hashes}{l}\n\n")
        })
        .collect();
    std::fs::write(dir.path().join("law.md"), md).unwrap();
    let r = run_in(dir.path(), &["import", "law.txt", "--into", "law"]);
    r.ok();
    stderr_is(
        &r,
        "imported law.txt into law: 3 topics, 4 units, 243 characters (read as UTF-8)\n\
         next: studysite serve --watch --root law   (or studysite build --root law); add explanations, discussions and quizzes beside the original units\n",
    );
    let site = dir.path().join("law");
    assert_eq!(
        topic_titles(&site),
        ["第一编　总则", "第二编　组织", "附　　则"]
    );
    assert_eq!(
        read(&site, "content/01-zongze/yuanwen.md"),
        "---\ntitle: \"原文：总则\"\nweight: 1\nkind: original\nsource: \"第一编\"\n---\n\
         **第一编　总则**\n\n\
         ## 第一章　基本规定 {#chapter-1}\n\n\
         ### 第一条 {#article-1}\n\n为了规范示例协会的管理，制定本法。\n\n\
         ### 第二条 {#article-2}\n\n示例协会应当遵守本法。\n\n\
         ## 第二章　成立 {#chapter-2}\n\n\
         ### 第三条 {#article-3}\n\n成立示例协会，应当经过登记。\n\n\
         ### 第三条之一 {#article-3-1}\n\n登记机关应当公开登记事项。\n\n"
    );
    assert_eq!(
        read(&site, "content/02-zuzhi/yuanwen.md"),
        "---\ntitle: \"原文：组织\"\nweight: 1\nkind: original\nsource: \"第二编\"\n---\n\
         **第二编　组织**\n\n\
         ## 第一分编　一般规定 {#subpart-1}\n\n\
         ## 第一章　会员 {#chapter-1}\n\n\
         ### 第一节　会员资格 {#section-1}\n\n\
         #### 第四条 {#article-4}\n\n会员应当遵守章程。\n\n\
         ### 第二节　会员权利 {#section-2}\n\n\
         #### 第五条 {#article-5}\n\n会员享有下列权利：\n\n（一）选举权；\n\n（二）监督权。\n\n\
         ## 第二分编　特别规定 {#subpart-2}\n\n\
         ## 第二章　理事会 {#chapter-2}\n\n\
         ### 第六条 {#article-6}\n\n理事会对会员大会负责。\n\n\
         ### 第六条之一 {#article-6-1}\n\n理事会每年至少召开一次会议。\n\n\
         ### 第六条之二 {#article-6-2}\n\n理事会会议应当制作记录。\n\n"
    );
    assert_eq!(
        read(&site, "content/03-fuze/yuanwen.md"),
        "---\ntitle: \"原文：附　　则\"\nweight: 1\nkind: original\nsource: \"附　　则\"\n---\n\
         **附　　则**\n\n\
         ## 第七条 {#article-7}\n\n本法自公布之日起施行。\n\n"
    );
    assert_eq!(original_text(&site), no_whitespace(LAW_IN_BIAN));
    run_in(dir.path(), &["build", "--root", "law"]).ok();
    no_duplicate_ids(&site.join("public"));

    // Markdown headings are read as headings: the same topics and units.
    let r = run_in(dir.path(), &["import", "law.md", "--into", "law-md"]);
    r.ok()
        .has_line("imported law.md into law-md: 3 topics, 4 units, 243 characters (read as UTF-8)");
    assert_eq!(
        snapshot(&dir.path().join("law-md/content")),
        snapshot(&site.join("content"))
    );
}

/// Without 编 lines, a chapter numbered at or below the one before is kept as text, with a
/// warning (it was silent).
#[test]
fn issue_24_a_chapter_numbered_backwards_is_a_warning() {
    let dir = TempSite::empty();
    std::fs::write(
        dir.path().join("law.txt"),
        "示例法\n第一章　总则\n第一条　甲。\n第二章　组织\n第二条　乙。\n第一章　一般规定\n第三条　丙。\n",
    )
    .unwrap();
    let r = run_in(dir.path(), &["import", "law.txt", "--into", "law"]);
    r.ok().has_line("warning: law.txt:6: `第一章` is numbered at or below the chapter before it (第二章) and is kept as text: if the law has 编, is a `第X编` line missing?");
}

/// A law as pandoc writes it from Markdown: the title in Heading 1, the chapters in Heading 2.
/// The heading levels are a hint: the title is the title, and every `第X章` is a topic.
#[test]
fn issue_24_a_law_with_its_title_in_heading_1_and_chapters_in_heading_2() {
    let dir = TempSite::empty();
    let styles = r#"<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style><w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/></w:style>"#;
    let h = |style: &str, text: &str| {
        format!(
            r#"<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{}</w:p>"#,
            run(text, false)
        )
    };
    let body = [
        h("Heading1", "示例章程"),
        h("Heading2", "第一章　总纲"),
        para(&run("第一条　本章程适用于示例协会。", false)),
        h("Heading2", "第二章　会员"),
        para(&run("第二条　会员应当遵守本章程。", false)),
    ]
    .concat();
    write_word(
        &dir.path().join("章程.docx"),
        &body,
        &[("styles.xml", "styles", styles)],
    );
    run_in(dir.path(), &["import", "章程.docx", "--into", "site"]).ok();
    let site = dir.path().join("site");
    assert_eq!(topic_titles(&site), ["第一章　总纲", "第二章　会员"]);
    assert_eq!(
        read(&site, "content/01-zonggang/yinyan.md"),
        "---\ntitle: \"原文：引言\"\nweight: 0\nkind: original\nsource: \"引言\"\n---\n**示例章程**\n\n"
    );
}
