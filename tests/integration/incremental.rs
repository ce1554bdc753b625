//! The build cache (`ROOT/.studysite/cache/`, issue 18): a build after an edit, starting from
//! the cache, must write exactly what a clean build writes — every file's bytes — whatever was
//! edited (a unit's title, a template, `site.yaml`); `--clean` ignores the cache; a damaged
//! cache is discarded with a warning and the build is still right; the cache keeps within its
//! bound. The search files are the previous build's when nothing they are made from changed;
//! the text a build parks while it renders comes back to every document, shared or not.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::*;

const CACHE: &str = ".studysite/cache";

/// `build` of `site` into `public/` (from the cache), with `env` set.
#[track_caller]
fn build_with(site: &TempSite, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = bin();
    cmd.arg("build").args(args).arg("--root").arg(site.path());
    for (k, v) in env {
        cmd.env(k, v);
    }
    Run::from(cmd.output().expect("run studysite"))
}

/// Every file of a clean build of `site`, into a folder of its own.
#[track_caller]
fn clean_build(site: &TempSite) -> BTreeMap<PathBuf, Vec<u8>> {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("clean");
    let target_arg = target.to_string_lossy().into_owned();
    let run = build_with(site, &["--clean", "--out", &target_arg], &[]);
    run.ok();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    snapshot(&target)
}

/// Builds `site` from its cache and asserts the output equals a clean build's, byte for
/// byte; returns the run.
#[track_caller]
fn incremental_equals_clean(site: &TempSite) -> Run {
    let run = build_with(site, &[], &[]);
    run.ok();
    let got = snapshot(&site.path().join("public"));
    let want = clean_build(site);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (path, bytes) in &want {
        assert!(
            got[path] == *bytes,
            "{} differs from a clean build's\nstderr:\n{}",
            path.display(),
            run.stderr
        );
    }
    run
}

/// How many pages the build took from the cache (from its `built …` line).
fn reused(run: &Run) -> usize {
    let line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("built "))
        .unwrap_or("");
    line.split("; ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn pages_pack(site: &TempSite) -> PathBuf {
    let dir = site.path().join(CACHE);
    let found = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("pages-")
        });
    found.expect("a pages pack")
}

/// The inode of the output file `rel`: the same one when a build kept the previous build's
/// file (a hard link), a new one when it wrote the file.
#[cfg(unix)]
fn inode(site: &TempSite, rel: &str) -> u64 {
    std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(site.path().join(rel)).unwrap())
}

fn cache_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.metadata().unwrap().len())
        .sum()
}

#[test]
fn after_each_edit_a_build_from_the_cache_equals_a_clean_build() {
    let site = TempSite::fixture("golden/full");
    let first = incremental_equals_clean(&site);
    assert_eq!(reused(&first), 0, "{}", first.stderr);
    assert!(site.path().join(CACHE).join("markdown.bin").is_file());

    let index_before = inode(&site, "public/search/index.js");
    let again = incremental_equals_clean(&site);
    assert!(
        reused(&again) > 10,
        "unchanged pages are reused\n{}",
        again.stderr
    );
    assert_eq!(
        inode(&site, "public/search/index.js"),
        index_before,
        "nothing the search files are made of changed: the previous build's are kept"
    );

    // A unit's title: its page, its neighbours' links, the side navigation, the topic and home
    // pages and the print page change; the search index is made anew.
    let unit = "content/01-yuanwen/yuanwen.md";
    site.write(
        unit,
        &site
            .read(unit)
            .replace("原文：推动学习贯彻", "原文：改过的标题"),
    );
    let run = incremental_equals_clean(&site);
    assert!(site.read("public/index.html").contains("改过的标题"));
    assert!(reused(&run) > 0, "{}", run.stderr);
    assert!(site.read("public/search/index.js").contains("改过的标题"));
    let index_after_title = inode(&site, "public/search/index.js");
    assert_ne!(
        index_after_title, index_before,
        "a title is in the search files"
    );

    // A template of the site's own.
    let unit_html =
        std::fs::read_to_string(repo_root().join("themes/default/templates/unit.html")).unwrap();
    let edited = unit_html.replace(
        "{% endblock scripts %}",
        "<!-- 改过的模板 -->{% endblock scripts %}",
    );
    assert_ne!(edited, unit_html);
    site.write("templates/unit.html", &edited);
    incremental_equals_clean(&site);
    assert!(
        site.read("public/01-yuanwen/yuanwen.html")
            .contains("改过的模板")
    );
    assert_eq!(
        inode(&site, "public/search/index.js"),
        index_after_title,
        "a template is not in the search files"
    );

    // site.yaml: the title every page shows.
    let yaml = site.read("site.yaml").replace("黄金样例站点", "改过的站点");
    site.write("site.yaml", &yaml);
    let run = incremental_equals_clean(&site);
    assert_eq!(
        reused(&run),
        0,
        "every page shows the site's title\n{}",
        run.stderr
    );
    assert!(site.read("public/index.html").contains("改过的站点"));
}

#[test]
fn a_page_changed_in_the_output_is_written_again() {
    let site = TempSite::fixture("golden/full");
    site.build().ok();
    let page = site.path().join("public/01-yuanwen/yuanwen.html");
    let mut bytes = std::fs::read(&page).unwrap();
    bytes.extend_from_slice(b"<!-- edited by hand -->");
    std::fs::write(&page, &bytes).unwrap();
    // A search file too: the others are kept, the index is made whole again.
    let shard = site.path().join("public/search/i/0.js");
    std::fs::write(&shard, b"damaged").unwrap();
    incremental_equals_clean(&site);
}

#[test]
fn clean_ignores_the_cache_and_a_damaged_cache_is_discarded_with_a_warning() {
    let site = TempSite::fixture("golden/full");
    site.build().ok();
    let markdown = site.path().join(CACHE).join("markdown.bin");
    let mut bytes = std::fs::read(&markdown).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&markdown, &bytes).unwrap();
    let pages = pages_pack(&site);
    let len = std::fs::metadata(&pages).unwrap().len();
    std::fs::File::options()
        .write(true)
        .open(&pages)
        .unwrap()
        .set_len(len - 7)
        .unwrap();

    // --clean reads neither pack: no warning.
    let run = build_with(&site, &["--clean"], &[]);
    run.ok();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);

    // Damage them again (--clean wrote fresh packs); a build warns and is still right.
    std::fs::write(&markdown, &bytes).unwrap();
    std::fs::write(&pages, b"not a cache").unwrap();
    let run = incremental_equals_clean(&site);
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("the build cache was discarded"))
        .collect();
    assert_eq!(warnings.len(), 2, "{}", run.stderr);
    assert!(run.stderr.contains("checksum"), "{}", run.stderr);
    assert_eq!(reused(&run), 0, "{}", run.stderr);
    // The packs written by that build are good again.
    let run = incremental_equals_clean(&site);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
}

#[test]
fn the_cache_keeps_within_its_bound() {
    let site = TempSite::fixture("golden/full");
    let dir = site.path().join(CACHE);
    site.build().ok();
    let full = cache_size(&dir);
    let limit = full / 2;
    let limit_s = limit.to_string();
    for _ in 0..2 {
        let run = build_with(&site, &[], &[("STUDYSITE_CACHE_LIMIT", &limit_s)]);
        run.ok();
        assert!(cache_size(&dir) <= limit, "{} > {limit}", cache_size(&dir));
        assert_eq!(snapshot(&site.path().join("public")), clean_build(&site));
    }
}

/// Every file of the search index under `public/search/d/` (the documents' text), joined.
fn search_text(site: &TempSite) -> String {
    let dir = site.path().join("public/search/d");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    names
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

#[test]
fn two_units_with_the_same_text_each_keep_it_in_the_search_index() {
    // A build parks every body's text outside memory while it renders and puts it back for
    // the search index; two units with one text share one rendered body, and each must get
    // the text back.
    let site = TempSite::fixture("golden/full");
    let body = "## 共同的一节\n\n这是两个单元共有的一句独特正文。\n";
    for (file, title) in [("chongfu-a.md", "重复甲"), ("chongfu-b.md", "重复乙")] {
        site.write(
            &format!("content/02-jiedu/{file}"),
            &format!("---\ntitle: {title}\nkind: explanation\nweight: 90\n---\n\n{body}"),
        );
    }
    for args in [&["--clean"][..], &[][..]] {
        build_with(&site, args, &[]).ok();
        let text = search_text(&site);
        assert_eq!(
            text.matches("这是两个单元共有的一句独特正文").count(),
            2,
            "both documents have the text ({args:?})"
        );
    }
    incremental_equals_clean(&site);
}

/// The inode of each index shard of `site`'s output, by file name.
#[cfg(unix)]
fn shard_inodes(site: &TempSite) -> BTreeMap<String, u64> {
    let dir = site.path().join("public/search/i");
    (std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap()))
        .map(|e| {
            let ino = std::os::unix::fs::MetadataExt::ino(&e.metadata().unwrap());
            (e.file_name().to_string_lossy().into_owned(), ino)
        })
        .collect()
}

/// Chinese text of `len` characters from 200 characters (a stand-in for real text: its
/// bigrams repeat across units), seeded by `seed`.
fn generated_text(seed: u64, len: usize) -> String {
    let mut x = seed.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (0..len)
        .map(|i| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            match i % 50 {
                49 => '。',
                _ => char::from_u32(0x4E00 + ((x >> 33) % 200) as u32).unwrap(),
            }
        })
        .collect()
}

#[cfg(unix)]
#[test]
fn after_a_title_edit_only_the_index_shards_it_touches_are_made_again() {
    // Enough units for several index shards; an edited title changes a handful of tokens,
    // and the shards that hold none of them are the previous build's files.
    let site = TempSite::fixture("golden/full");
    let unit = |u: usize, title: &str| {
        format!(
            "---\ntitle: {title}\nkind: explanation\nweight: {}\n---\n\n{}\n",
            100 + u,
            generated_text(u as u64, 5000)
        )
    };
    for u in 0..80 {
        site.write(
            &format!("content/02-jiedu/gen-{u:02}.md"),
            &unit(u, &format!("第{u}课 学习")),
        );
    }
    incremental_equals_clean(&site);
    let before = shard_inodes(&site);
    assert!(before.len() >= 4, "several shards: {before:?}");

    site.write("content/02-jiedu/gen-07.md", &unit(7, "第7课 复习"));
    incremental_equals_clean(&site);
    let after = shard_inodes(&site);
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    let kept = (before.iter())
        .filter(|(n, ino)| after[*n] == **ino)
        .count();
    assert!(
        kept > 0 && kept < before.len(),
        "{kept} of {} shards kept",
        before.len()
    );
    assert!(site.read("public/search/index.js").contains("第7课 复习"));
}

#[cfg(unix)]
#[test]
fn after_a_body_edit_only_what_was_rendered_since_is_written_to_the_cache() {
    // The rendered Markdown is kept in two packs: `markdown.bin`, written whole now and then,
    // and `markdown-more.bin`, what was rendered since. One edited body is written to the
    // second only; once more than a quarter of what a build uses is there, both are one again.
    let site = TempSite::fixture("golden/full");
    let cache = site.path().join(CACHE);
    let (base, more) = (cache.join("markdown.bin"), cache.join("markdown-more.bin"));
    let ino = |p: &Path| std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(p).unwrap());
    let assert_clean = |run: &Run| {
        assert_eq!(
            snapshot(&site.path().join("public")),
            clean_build(&site),
            "{}",
            run.stderr
        );
    };
    build_with(&site, &[], &[]).ok();
    let first = ino(&base);
    assert!(!more.exists());

    let unit = "content/02-jiedu/jiedu.md";
    let text = site.read(unit);
    site.write(unit, &format!("{text}\n新加的一段正文。\n"));
    let run = build_with(&site, &[], &[]);
    run.ok();
    assert_eq!(ino(&base), first, "the base pack is kept");
    assert!(more.is_file(), "the edited body is in the second pack");
    assert!(std::fs::metadata(&more).unwrap().len() < std::fs::metadata(&base).unwrap().len());
    // (`clean_build` writes fresh packs: the next checks start from a build of its own.)
    build_with(&site, &[], &[]).ok();

    // A damaged second pack: a warning, and the build is still right.
    site.write(unit, &format!("{text}\n又一段正文。\n"));
    build_with(&site, &[], &[]).ok();
    std::fs::write(&more, b"not a cache").unwrap();
    let run = build_with(&site, &[], &[]);
    run.ok();
    assert!(
        run.stderr.contains("markdown-more.bin") && run.stderr.contains("discarded"),
        "{}",
        run.stderr
    );
    assert_clean(&run);

    // Most bodies edited: one pack again.
    build_with(&site, &[], &[]).ok();
    let before = ino(&base);
    for unit in [
        "content/01-yuanwen/yuanwen.md",
        "content/01-yuanwen/daima.md",
        "content/02-jiedu/yantao.md",
    ] {
        let text = site.read(unit);
        site.write(unit, &format!("{text}\n每个单元都改了。\n"));
    }
    let run = build_with(&site, &[], &[]);
    run.ok();
    assert!(!more.exists(), "{}", run.stderr);
    assert_ne!(ino(&base), before, "the base pack was written again");
    assert_clean(&run);
}
