//! The structure of `src/`, checked: every `crate::` import points down the phase layers that
//! `src/lib.rs` describes (or stays in its own module), features never import each other, `load`
//! and `render` never import each other, there is no import cycle between modules, and no
//! function is longer than [`MAX_FN_LINES`] lines.
//!
//! The rule lives in [`LAYERS`] and [`SIDEWAYS_FORBIDDEN`]; `src/lib.rs` and the README show the
//! same table for people.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::support::repo_root;

/// Layer of every top-level module of `src/` (`src/<name>.rs` or `src/<name>/`). A module may
/// import from its own layer or a lower one.
const LAYERS: &[(usize, &[&str])] = &[
    (
        0,
        &[
            "diag", "fs", "html", "yaml", "cache", "assets", "cli", "output", "server", "store",
            "time", "watch",
        ],
    ),
    (1, &["config", "content", "markdown", "templates", "import"]),
    (2, &["model"]),
    (3, &["view"]),
    (4, &["quiz", "sessions", "search", "collect"]),
    (5, &["load", "render"]),
    (6, &["cmd"]),
];

/// Groups whose members share a layer but must not import each other.
const SIDEWAYS_FORBIDDEN: &[&[&str]] = &[
    &["quiz", "sessions", "search", "collect"],
    &["load", "render"],
];

/// Items of the crate root (`src/lib.rs`) are for the binary: no module uses them.
const ROOT_USERS_LAYER: usize = usize::MAX;

/// The longest a function in `src/` may be, braces included.
const MAX_FN_LINES: usize = 100;

/// Functions allowed to be longer, each with the reason: a long `match` over data, which
/// splitting would only hide.
const LONG_FN_ALLOWED: &[(&str, &str)] = &[];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .find(|(_, ms)| ms.contains(&module))
        .map(|(l, _)| *l)
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| e.into_path())
        .collect();
    files.sort();
    files
}

/// The top-level module a file of `src/` belongs to (`None` for `lib.rs` and `main.rs`).
fn module_of(rel: &Path) -> Option<String> {
    let mut parts = rel.components();
    let first = parts.next()?.as_os_str().to_string_lossy().into_owned();
    if parts.next().is_some() {
        return Some(first);
    }
    let stem = first.strip_suffix(".rs")?;
    (!matches!(stem, "lib" | "main")).then(|| stem.to_string())
}

/// A line of code with comments and string contents blanked out, so that neither a doc link
/// (`[`crate::x`]`) nor a string counts as an import or a brace.
struct Code {
    lines: Vec<String>,
}

impl Code {
    fn new(text: &str) -> Code {
        let mut lines = Vec::new();
        let mut line = String::new();
        let b: Vec<char> = text.chars().collect();
        let mut i = 0;
        let mut block_depth = 0usize;
        while i < b.len() {
            let c = b[i];
            let next = b.get(i + 1).copied();
            if c == '\n' {
                lines.push(std::mem::take(&mut line));
                i += 1;
                continue;
            }
            if block_depth > 0 {
                if c == '*' && next == Some('/') {
                    block_depth -= 1;
                    i += 2;
                } else if c == '/' && next == Some('*') {
                    block_depth += 1;
                    i += 2;
                } else {
                    i += 1;
                }
                continue;
            }
            match (c, next) {
                ('/', Some('/')) => {
                    while i < b.len() && b[i] != '\n' {
                        i += 1;
                    }
                }
                ('/', Some('*')) => {
                    block_depth = 1;
                    i += 2;
                }
                ('r', Some('#' | '"')) if !prev_is_ident(&b, i) => {
                    // A raw string r"…" or r#"…"#.
                    let mut j = i + 1;
                    let mut hashes = 0;
                    while b.get(j) == Some(&'#') {
                        hashes += 1;
                        j += 1;
                    }
                    if b.get(j) != Some(&'"') {
                        line.push(c);
                        i += 1;
                        continue;
                    }
                    line.push_str("\"\"");
                    j += 1;
                    loop {
                        match b.get(j) {
                            None => break,
                            Some('"') if (1..=hashes).all(|h| b.get(j + h) == Some(&'#')) => {
                                j += 1 + hashes;
                                break;
                            }
                            Some('\n') => {
                                lines.push(std::mem::take(&mut line));
                                j += 1;
                            }
                            Some(_) => j += 1,
                        }
                    }
                    i = j;
                }
                ('"', _) => {
                    line.push_str("\"\"");
                    i += 1;
                    while i < b.len() && b[i] != '"' {
                        if b[i] == '\\' {
                            i += 1;
                        }
                        if b.get(i) == Some(&'\n') {
                            lines.push(std::mem::take(&mut line));
                        }
                        i += 1;
                    }
                    i += 1;
                }
                ('\'', _) => {
                    // A char literal ('{', '\n', '\u{1F}') or a lifetime ('a).
                    let close = if next == Some('\\') {
                        (i + 2..(i + 12).min(b.len())).find(|&j| b[j] == '\'')
                    } else {
                        (b.get(i + 2) == Some(&'\'')).then_some(i + 2)
                    };
                    match close {
                        Some(j) => {
                            line.push_str("' '");
                            i = j + 1;
                        }
                        None => {
                            line.push(c);
                            i += 1;
                        }
                    }
                }
                _ => {
                    line.push(c);
                    i += 1;
                }
            }
        }
        lines.push(line);
        Code { lines }
    }
}

fn prev_is_ident(b: &[char], i: usize) -> bool {
    i > 0 && (b[i - 1].is_alphanumeric() || b[i - 1] == '_')
}

/// The top-level modules a line names after `crate::` (several for `crate::{a, b::c}`).
fn crate_paths(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("crate::") {
        let before_ok = i == 0 || {
            let p = rest.as_bytes()[i - 1];
            !(p.is_ascii_alphanumeric() || p == b'_' || p == b':')
        };
        let after = &rest[i + "crate::".len()..];
        rest = after;
        if !before_ok {
            continue;
        }
        if let Some(group) = after.strip_prefix('{') {
            let mut depth = 0;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        found.push(first_segment(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 || c != '{' {
                    item.push(c);
                }
            }
            found.push(first_segment(&item));
        } else {
            found.push(first_segment(after));
        }
    }
    found.retain(|s| !s.is_empty());
    found
}

fn first_segment(s: &str) -> String {
    s.trim()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// Every module of `src/` (file or folder) by name.
fn src_modules(src: &Path) -> BTreeSet<String> {
    rust_files(src)
        .iter()
        .filter_map(|f| module_of(f.strip_prefix(src).unwrap()))
        .collect()
}

struct Import {
    file: PathBuf,
    line: usize,
    from: String,
    to: String,
}

fn imports(src: &Path) -> Vec<Import> {
    let modules = src_modules(src);
    let mut out = Vec::new();
    for file in rust_files(src) {
        let rel = file.strip_prefix(src).unwrap().to_path_buf();
        let Some(from) = module_of(&rel) else {
            continue;
        };
        // Test modules may build their fixtures through any layer: a test module in a file of
        // its own (`#[cfg(test)] mod tests;` beside `tests.rs`) is test code whole.
        if is_test_module_file(&file) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let code = Code::new(&text);
        let end = code
            .lines
            .windows(2)
            .position(|w| {
                w[0].trim() == "#[cfg(test)]" && w[1].trim_start().starts_with("mod tests")
            })
            .unwrap_or(code.lines.len());
        for (n, line) in code.lines[..end].iter().enumerate() {
            for to in crate_paths(line) {
                let to = if modules.contains(&to) {
                    to
                } else {
                    "<crate root>".to_string()
                };
                out.push(Import {
                    file: Path::new("src").join(&rel),
                    line: n + 1,
                    from: from.clone(),
                    to,
                });
            }
        }
    }
    out
}

/// Whether `file` is `tests.rs` declared by its folder's `mod.rs` as `#[cfg(test)] mod tests;`.
fn is_test_module_file(file: &Path) -> bool {
    if file.file_name().is_none_or(|n| n != "tests.rs") {
        return false;
    }
    let parent = std::fs::read_to_string(file.with_file_name("mod.rs")).unwrap_or_default();
    let lines: Vec<&str> = parent.lines().map(str::trim).collect();
    lines
        .windows(2)
        .any(|w| w == ["#[cfg(test)]", "mod tests;"])
}

/// Why `from` may not import `to`, or `None` when it may.
fn broken_rule(from: &str, to: &str) -> Option<String> {
    if from == to {
        return None;
    }
    let Some(lf) = layer_of(from) else {
        return Some(format!(
            "module `{from}` has no layer: add it to LAYERS (and to the table in src/lib.rs)"
        ));
    };
    if to == "<crate root>" {
        return (lf < ROOT_USERS_LAYER).then(|| {
            format!("`{from}` uses an item of the crate root (`src/lib.rs`), which is only the binary's: import it from its module")
        });
    }
    let Some(lt) = layer_of(to) else {
        return Some(format!("module `{to}` has no layer: add it to LAYERS"));
    };
    if lt > lf {
        return Some(format!(
            "`{from}` (layer {lf}) imports `{to}` (layer {lt}): imports must point down"
        ));
    }
    if SIDEWAYS_FORBIDDEN
        .iter()
        .any(|g| g.contains(&from) && g.contains(&to))
    {
        return Some(format!(
            "`{from}` imports `{to}`: these modules of layer {lf} must not import each other"
        ));
    }
    None
}

#[test]
fn layers_every_import_points_down() {
    let src = repo_root().join("src");
    let modules = src_modules(&src);
    let mut problems = Vec::new();
    for m in &modules {
        if layer_of(m).is_none() {
            problems.push(format!(
                "src/{m}: module `{m}` has no layer: add it to LAYERS and to src/lib.rs"
            ));
        }
    }
    for imp in imports(&src) {
        if let Some(why) = broken_rule(&imp.from, &imp.to) {
            problems.push(format!("{}:{}: {why}", imp.file.display(), imp.line));
        }
    }
    assert!(
        problems.is_empty(),
        "imports that break the layer rule:\n{}",
        problems.join("\n")
    );
}

#[test]
fn layers_no_import_cycle_between_modules() {
    let src = repo_root().join("src");
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for imp in imports(&src) {
        if imp.from != imp.to && imp.to != "<crate root>" {
            edges.entry(imp.from).or_default().insert(imp.to);
        }
    }
    // Depth-first search for a back edge.
    fn visit(
        m: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(m) {
            Some(1) => {
                let at = path.iter().position(|p| p == m).unwrap_or(0);
                let mut cycle = path[at..].to_vec();
                cycle.push(m.to_string());
                return Some(cycle);
            }
            Some(_) => return None,
            None => {}
        }
        state.insert(m.to_string(), 1);
        path.push(m.to_string());
        for next in edges.get(m).into_iter().flatten() {
            if let Some(c) = visit(next, edges, state, path) {
                return Some(c);
            }
        }
        path.pop();
        state.insert(m.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for m in edges.keys() {
        if let Some(cycle) = visit(m, &edges, &mut state, &mut Vec::new()) {
            panic!("import cycle: {}", cycle.join(" → "));
        }
    }
}

#[test]
fn layers_rule_catches_an_upward_import() {
    // The checker itself: an upward import, a sideways one between features, and a leaf using
    // the crate root are all refused; a downward one is allowed.
    assert!(broken_rule("model", "quiz").is_some());
    assert!(broken_rule("quiz", "sessions").is_some());
    assert!(broken_rule("render", "load").is_some());
    assert!(broken_rule("diag", "<crate root>").is_some());
    assert!(broken_rule("render", "quiz").is_none());
    assert!(broken_rule("quiz", "model").is_none());
    assert_eq!(
        crate_paths(
            "use crate::{diag::Diagnostic, model::{Site, Unit}}; let x = crate::fs::read(p);"
        ),
        ["diag", "model", "fs"]
    );
    let code =
        Code::new("// crate::model\nlet s = \"crate::quiz {\"; /* crate::x */ let c = '{';\n");
    assert!(code.lines.iter().all(|l| crate_paths(l).is_empty()));
    assert!(!code.lines.concat().contains('{'));
}

/// Every function of `src/` with its length in lines (from its `fn` line to its closing brace).
fn function_lengths(src: &Path) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for file in rust_files(src) {
        let text = std::fs::read_to_string(&file).unwrap();
        let code = Code::new(&text);
        let rel = file
            .strip_prefix(repo_root())
            .unwrap()
            .display()
            .to_string();
        let lines = &code.lines;
        for (n, line) in lines.iter().enumerate() {
            let Some(name) = fn_name(line) else { continue };
            // From the line of `fn` to the brace that closes its body.
            let (mut depth, mut opened) = (0i64, false);
            let mut end = None;
            'scan: for (m, l) in lines.iter().enumerate().skip(n) {
                for c in l.chars() {
                    match c {
                        '{' => {
                            depth += 1;
                            opened = true;
                        }
                        '}' => {
                            depth -= 1;
                            if opened && depth == 0 {
                                end = Some(m);
                                break 'scan;
                            }
                        }
                        ';' if !opened && depth == 0 => break 'scan,
                        _ => {}
                    }
                }
            }
            if let Some(end) = end {
                out.push((format!("{rel}:{} {name}", n + 1), end - n + 1));
            }
        }
    }
    out
}

fn fn_name(line: &str) -> Option<String> {
    let mut words = line.split_whitespace().peekable();
    while let Some(w) = words.next() {
        if w == "fn" {
            let name = words.next()?;
            return Some(
                name.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect(),
            );
        }
        let qualifier = w.starts_with("pub")
            || matches!(w, "async" | "const" | "unsafe" | "extern" | "default")
            || w.starts_with('"');
        if !qualifier {
            return None;
        }
    }
    None
}

#[test]
fn layers_no_function_is_longer_than_the_limit() {
    let long: Vec<String> = function_lengths(&repo_root().join("src"))
        .into_iter()
        .filter(|(f, n)| {
            *n > MAX_FN_LINES && !LONG_FN_ALLOWED.iter().any(|(name, _)| f.ends_with(name))
        })
        .map(|(f, n)| format!("{f}: {n} lines"))
        .collect();
    assert!(
        long.is_empty(),
        "functions longer than {MAX_FN_LINES} lines (cut them into named steps):\n{}",
        long.join("\n")
    );
}
