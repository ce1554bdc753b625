//! The theme: tera templates, the UI language table and static files.
//!
//! Each file is looked up in three places, the later winning (mdBook and zola do the same):
//! the default theme embedded in the binary, the theme folder on disk (`themes/<theme>/`), and
//! the site's own `templates/` (single template overrides). Templates are compiled once per
//! build; errors name the template file with tera's line and column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tera::{Context, ErrorKind, Tera};

use crate::config::SiteConfig;
use crate::diag::Diagnostic;

/// A loaded theme, ready to render.
pub struct Theme {
    tera: Tera,
    /// Template name → where it came from (for messages).
    origins: BTreeMap<String, PathBuf>,
    /// The UI strings of the site's language (`i18n/<language>.yaml`).
    pub strings: BTreeMap<String, String>,
    /// Static files of the theme: (path below `static/`, bytes).
    pub static_files: Vec<(String, Vec<u8>)>,
    /// BLAKE3 of every template's name and text: two themes with the same fingerprint render
    /// the same context to the same bytes (what the page cache of [`crate::render`] relies on).
    pub fingerprint: blake3::Hash,
    /// What was not read (a link out of the site, a name that is not UTF-8): warnings for the
    /// run that loaded the theme to report.
    pub warnings: Vec<Diagnostic>,
}

/// Every file below `dir` (a theme's `templates/` or `static/`, the site's `templates/`) with
/// its name below `dir`, under the site's rule for links ([`crate::fs::walk_files`]); what is
/// not read goes into `warnings`.
fn read_dir_files(
    root: &Path,
    dir: &Path,
    out: &mut Vec<(String, PathBuf)>,
    warnings: &mut Vec<Diagnostic>,
) {
    let mut skipped = |path: &Path, why: String| {
        let rel = crate::diag::relative_to(path, root);
        warnings.push(Diagnostic::warning(
            crate::fs::shown(&rel.to_string_lossy()),
            why,
        ));
    };
    for path in crate::fs::walk_files(root, dir, &mut skipped) {
        if let Ok(rel) = path.strip_prefix(dir) {
            out.push((rel.to_string_lossy().replace('\\', "/"), path.clone()));
        }
    }
}

/// The theme's templates, compiled, with where each came from and its fingerprint.
struct Templates {
    tera: Tera,
    origins: BTreeMap<String, PathBuf>,
    fingerprint: blake3::Hash,
}

impl Theme {
    /// Loads the theme named in `config` for the site at `root`.
    pub fn load(root: &Path, config: &SiteConfig) -> Result<Theme, Vec<Diagnostic>> {
        let mut problems = Vec::new();
        let theme_dir = root.join("themes").join(&config.theme);
        let rel_theme_dir = Path::new("themes").join(&config.theme);
        if config.theme != "default" && !theme_dir.is_dir() {
            return Err(vec![Diagnostic::error(
                "site.yaml",
                format!(
                    "theme `{}` not found: expected a folder `{}/` (or use `theme: default`)",
                    config.theme,
                    rel_theme_dir.display()
                ),
            )]);
        }
        let templates = load_templates(root, &theme_dir, &mut problems);
        let strings = load_strings(&config.language, &theme_dir, &rel_theme_dir, &mut problems);
        let static_files = load_static_files(root, &theme_dir, &mut problems);
        if !problems
            .iter()
            .any(|d| d.severity == crate::diag::Severity::Error)
        {
            Ok(Theme {
                tera: templates.tera,
                origins: templates.origins,
                strings,
                static_files,
                fingerprint: templates.fingerprint,
                warnings: problems,
            })
        } else {
            Err(problems)
        }
    }

    /// Renders template `name` with `context`.
    pub fn render(&self, name: &str, context: &Context) -> Result<String, Diagnostic> {
        self.tera
            .render(name, context)
            .map_err(|e| self.render_diagnostic(name, &e))
    }

    /// Renders template `name` with `context` into bytes, for writing out: the same as
    /// [`Theme::render`] without a second pass over the page to check that it is UTF-8 (it is:
    /// tera writes only strings).
    /// `capacity` is the expected size of the page.
    pub fn render_bytes(
        &self,
        name: &str,
        context: &Context,
        capacity: usize,
    ) -> Result<Vec<u8>, Diagnostic> {
        let mut out = Vec::with_capacity(capacity);
        self.tera
            .render_to(name, context, &mut out)
            .map_err(|e| self.render_diagnostic(name, &e))?;
        Ok(out)
    }

    /// [`Theme::render_bytes`] into a writer (a file), for a page too large to hold twice.
    pub fn render_into(
        &self,
        name: &str,
        context: &Context,
        out: &mut dyn std::io::Write,
    ) -> Result<(), Diagnostic> {
        self.tera
            .render_to(name, context, out)
            .map_err(|e| self.render_diagnostic(name, &e))
    }

    fn render_diagnostic(&self, name: &str, e: &tera::Error) -> Diagnostic {
        let mut d = template_diagnostic(e, &self.origins, &BTreeMap::new());
        if !self.tera.contains_template(name) {
            d = Diagnostic::error(
                format!("templates/{name}"),
                format!(
                    "template `{name}` not found: create `templates/{name}` (the template context is described in the README, \"Themes\")"
                ),
            );
        }
        d
    }
}

/// Templates: embedded, then the theme folder, then the site's `templates/` (the later wins).
fn load_templates(root: &Path, theme_dir: &Path, problems: &mut Vec<Diagnostic>) -> Templates {
    let mut sources: BTreeMap<String, (PathBuf, String)> = BTreeMap::new();
    for (name, bytes) in crate::assets::default_theme_dir("templates/") {
        let text = String::from_utf8_lossy(bytes).into_owned();
        sources.insert(
            name.to_string(),
            (Path::new("themes/default/templates").join(name), text),
        );
    }
    for dir in [theme_dir.join("templates"), root.join("templates")] {
        let mut files = Vec::new();
        read_dir_files(root, &dir, &mut files, problems);
        for (name, path) in files {
            let rel = crate::diag::relative_to(&path, root);
            match crate::fs::read_text(&path) {
                Ok(text) => {
                    sources.insert(name, (rel, text));
                }
                Err(_) => problems.push(Diagnostic::error(
                    rel,
                    "cannot read the template as UTF-8 text",
                )),
            }
        }
    }
    let mut tera = Tera::new();
    tera.autoescape_on(vec![".html", ".htm", ".xml"]);
    let origins: BTreeMap<String, PathBuf> = sources
        .iter()
        .map(|(k, (p, _))| (k.clone(), p.clone()))
        .collect();
    let texts: BTreeMap<String, String> = sources
        .iter()
        .map(|(k, (_, t))| (k.clone(), t.clone()))
        .collect();
    let mut hasher = blake3::Hasher::new();
    for (name, text) in &texts {
        for part in [name.as_bytes(), b"\0", text.as_bytes(), b"\0"] {
            hasher.update(part);
        }
    }
    let fingerprint = hasher.finalize();
    if let Err(e) = tera.add_raw_templates(texts.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
        problems.push(template_diagnostic(&e, &origins, &texts));
    }
    Templates {
        tera,
        origins,
        fingerprint,
    }
}

/// The UI language table of the site's language: the theme's, its gaps filled from the
/// embedded default theme's table of the same language.
/// The UI strings of `language` in theme `theme` of the site at `root`, without the templates
/// (for `serve`'s error overlay, which must have words when the site does not build); empty
/// when the theme has no table for the language, or it does not parse.
pub fn ui_strings(root: &Path, theme: &str, language: &str) -> BTreeMap<String, String> {
    let rel_theme_dir = Path::new("themes").join(theme);
    let mut ignored = Vec::new();
    load_strings(
        language,
        &root.join(&rel_theme_dir),
        &rel_theme_dir,
        &mut ignored,
    )
}

fn load_strings(
    language: &str,
    theme_dir: &Path,
    rel_theme_dir: &Path,
    problems: &mut Vec<Diagnostic>,
) -> BTreeMap<String, String> {
    let lang_file = format!("i18n/{language}.yaml");
    let lang_path = theme_dir.join(&lang_file);
    // A theme folder is always `<root>/themes/<name>`: the site is two folders up.
    let root = theme_dir
        .parent()
        .and_then(Path::parent)
        .unwrap_or(theme_dir);
    let on_disk = match crate::fs::site_entry(root, &lang_path) {
        Ok(crate::fs::EntryKind::File) => std::fs::read_to_string(&lang_path).ok(),
        Ok(_) => None,
        Err(why) if lang_path.symlink_metadata().is_ok() => {
            problems.push(Diagnostic::warning(rel_theme_dir.join(&lang_file), why));
            None
        }
        Err(_) => None,
    };
    let lang_text = on_disk.or_else(|| {
        crate::assets::default_theme_file(&lang_file)
            .map(|b| String::from_utf8_lossy(b).into_owned())
    });
    let mut strings = BTreeMap::new();
    let Some(text) = lang_text else {
        let available: Vec<String> = crate::assets::default_theme_dir("i18n/")
            .map(|(n, _)| n.trim_end_matches(".yaml").to_string())
            .collect();
        problems.push(Diagnostic::error(
            "site.yaml",
            format!(
                "language `{}` has no UI table in the theme (`{lang_file}`); available: {}",
                language,
                available.join(", ")
            ),
        ));
        return strings;
    };
    let path = rel_theme_dir.join(&lang_file);
    match crate::yaml::parse::<BTreeMap<String, String>>(&text, 1, &text, &path) {
        Ok(map) => {
            // The default language's table fills keys a custom table lacks.
            if let Some(base) = crate::assets::default_theme_file(&lang_file)
                .and_then(|b| serde_saphyr::from_slice::<BTreeMap<String, String>>(b).ok())
            {
                strings.extend(base);
            }
            strings.extend(map);
        }
        Err(d) => problems.push(d),
    }
    strings
}

/// Static files: embedded, then the theme folder (the same path wins).
fn load_static_files(
    root: &Path,
    theme_dir: &Path,
    problems: &mut Vec<Diagnostic>,
) -> Vec<(String, Vec<u8>)> {
    let mut statics: BTreeMap<String, Vec<u8>> = crate::assets::default_theme_dir("static/")
        .map(|(n, b)| (n.to_string(), b.to_vec()))
        .collect();
    let mut files = Vec::new();
    let static_dir = theme_dir.join("static");
    read_dir_files(root, &static_dir, &mut files, problems);
    for (name, path) in files {
        match crate::fs::read_bytes(&path) {
            Ok(b) => {
                statics.insert(name, b);
            }
            Err(e) => problems.push(Diagnostic::error(
                crate::diag::relative_to(&path, root),
                format!("{e:#}"),
            )),
        }
    }
    statics.into_iter().collect()
}

/// Turns a tera error into a diagnostic at the template file, with tera's own report.
fn template_diagnostic(
    e: &tera::Error,
    origins: &BTreeMap<String, PathBuf>,
    texts: &BTreeMap<String, String>,
) -> Diagnostic {
    let origin = |name: &str| {
        origins
            .get(name)
            .cloned()
            .unwrap_or_else(|| Path::new("templates").join(name))
    };
    match e.kind() {
        ErrorKind::SyntaxError(r) | ErrorKind::RenderingError(r) => {
            let span = r.span();
            let mut d = Diagnostic::error(
                origin(r.filename()),
                format!("template error: {}", r.message()),
            );
            d.line = Some(span.start_line.max(1));
            d.column = Some(span.start_col + 1);
            d.source_line = texts
                .get(r.filename())
                .and_then(|t| t.lines().nth(span.start_line.saturating_sub(1)))
                .map(str::to_owned);
            d
        }
        ErrorKind::MissingParent { current, parent } => Diagnostic::error(
            origin(current),
            format!("template error: `{current}` extends `{parent}`, which does not exist"),
        ),
        ErrorKind::TemplateNotFound(name) => Diagnostic::error(
            Path::new("templates").join(name),
            format!("template error: template `{name}` not found"),
        ),
        _ => {
            let mut msg = e.to_string();
            let mut src = std::error::Error::source(e);
            while let Some(s) = src {
                msg.push_str(&format!(": {s}"));
                src = s.source();
            }
            Diagnostic::error("templates", format!("template error: {msg}"))
        }
    }
}
