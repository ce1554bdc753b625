//! `studysite build`, `check` and `init` on fixture sites and on the shipped site.

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
