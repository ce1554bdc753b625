//! The Nu Html Checker (issue 17): every page of the shipped site and of the fixture sites that
//! build is valid HTML — 0 errors. It runs `vnu.jar` from npm's `vnu-jar` on Java: `$VNU_JAR`,
//! else `target/vnu/node_modules/vnu-jar/build/dist/vnu.jar`
//! (`npm install --prefix target/vnu vnu-jar`; `.ci/run` does it, and installs
//! `default-jre-headless` where there is no `java`). Without them the test says so and is
//! skipped — a failure under `CI=true`.

use std::path::PathBuf;
use std::process::Command;

use crate::browser::shipped_site;
use crate::support::*;

fn vnu_jar() -> Option<PathBuf> {
    let jar = std::env::var_os("VNU_JAR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/vnu/node_modules/vnu-jar/build/dist/vnu.jar"));
    let java = Command::new("java")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if jar.is_file() && java {
        return Some(jar);
    }
    let msg = "the HTML check needs Java and vnu.jar: `apt-get install -y default-jre-headless` and `npm install --prefix target/vnu vnu-jar` (or set VNU_JAR)";
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{msg} — CI=true, so a missing checker is a failure");
    }
    eprintln!("\n*** SKIPPED: {msg} ***\n");
    None
}

#[test]
fn every_page_of_the_shipped_site_and_the_fixtures_is_valid_html() {
    let Some(jar) = vnu_jar() else {
        return;
    };
    let mut dirs = vec![shipped_site().to_path_buf()];
    let builds = tempfile::tempdir().unwrap();
    for case in ["golden/full", "quiz/basic", "sessions/base"] {
        // Built from a copy: a build writes its cache beside the sources.
        let site = TempSite::fixture(case);
        let out = builds.path().join(case.replace('/', "-"));
        let run = bin()
            .args(["build", "--root"])
            .arg(site.path())
            .arg("--out")
            .arg(&out)
            .output()
            .expect("run studysite build");
        assert!(
            run.status.success(),
            "{case}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        dirs.push(out);
    }
    let out = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--skip-non-html", "--format", "gnu"])
        .args(&dirs)
        .output()
        .expect("run vnu.jar");
    let report =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && report.trim().is_empty(),
        "the Nu Html Checker found errors:\n{report}"
    );
}
