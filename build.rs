//! Embeds the default theme (`themes/default/`) in the binary, file by file, so `init` and
//! `build` work from any folder. Generates `$OUT_DIR/default_theme.rs`: a sorted list of
//! (path inside the theme, bytes) made of `include_bytes!`, and asks Cargo to rerun when
//! anything in the theme changes (`include_bytes!` alone does not notice new files).
//!
//! Also sets `STUDYSITE_BUILD_ID`: a hash (FNV-1a, 64 bits) of every file the binary is made
//! from (`src/`, the default theme, `Cargo.toml`, `Cargo.lock`) and of the compiler and the
//! features, which the build cache uses to tell packs written by another build of studysite
//! (`src/cache.rs`).
//!
//! And sets `cfg(no_browser)` when no Chromium is found (outside CI): the browser tests carry
//! `#[cfg_attr(no_browser, ignore = …)]`, so where they cannot run `cargo test` reports them as
//! ignored, never as passed. Under `CI=true` the flag is never set: a missing browser fails them.

use std::path::{Path, PathBuf};

fn collect(dir: &Path, base: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        println!("cargo:rerun-if-changed={}", path.display());
        if path.is_dir() {
            collect(&path, base, out);
        } else {
            out.push(path.strip_prefix(base).unwrap_or(&path).to_path_buf());
        }
    }
}

/// FNV-1a, 64 bits: enough to tell two builds apart, and no dependency.
fn fnv(hash: &mut u64, bytes: &[u8]) {
    for b in bytes {
        *hash = (*hash ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
    }
}

fn build_id(manifest: &Path, theme_files: &[PathBuf], theme: &Path) -> u64 {
    let mut files = Vec::new();
    collect(&manifest.join("src"), manifest, &mut files);
    files.extend(
        theme_files
            .iter()
            .map(|f| theme.strip_prefix(manifest).unwrap_or(theme).join(f)),
    );
    files.extend([PathBuf::from("Cargo.toml"), PathBuf::from("Cargo.lock")]);
    files.sort();
    let mut hash = 0xcbf2_9ce4_8422_2325;
    for f in &files {
        fnv(&mut hash, f.to_string_lossy().as_bytes());
        fnv(
            &mut hash,
            &std::fs::read(manifest.join(f)).unwrap_or_default(),
        );
    }
    for var in ["RUSTC", "CARGO_CFG_FEATURE", "PROFILE", "TARGET"] {
        fnv(&mut hash, std::env::var(var).unwrap_or_default().as_bytes());
    }
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    if let Ok(out) = std::process::Command::new(rustc).arg("-V").output() {
        fnv(&mut hash, &out.stdout);
    }
    hash
}

/// Chromium as the browser tests look it up (`tests/integration/browser.rs`): `$CHROME` when
/// set, else `/usr/bin/chromium`, else `chromium` on `PATH`.
fn browser_found() -> bool {
    if let Some(p) = std::env::var_os("CHROME") {
        return Path::new(&p).exists();
    }
    Path::new("/usr/bin/chromium").exists()
        || std::env::var_os("PATH")
            .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join("chromium").exists()))
}

fn main() {
    println!("cargo:rustc-check-cfg=cfg(no_browser)");
    println!("cargo:rerun-if-env-changed=CHROME");
    println!("cargo:rerun-if-env-changed=CI");
    // Installing Chromium changes /usr/bin (a folder is checked file by file).
    if Path::new("/usr/bin").is_dir() {
        println!("cargo:rerun-if-changed=/usr/bin");
    }
    if std::env::var("CI").as_deref() != Ok("true") && !browser_found() {
        println!("cargo:rustc-cfg=no_browser");
    }
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let theme = manifest.join("themes").join("default");
    println!("cargo:rerun-if-changed={}", theme.display());
    let mut files = Vec::new();
    collect(&theme, &theme, &mut files);
    files.sort();
    let mut code = String::from(
        "/// The default theme: (path inside the theme, contents).\npub static DEFAULT_THEME: &[(&str, &[u8])] = &[\n",
    );
    for f in &files {
        let rel = f.to_string_lossy().replace('\\', "/");
        let abs = theme.join(f);
        code.push_str(&format!(
            "    ({rel:?}, include_bytes!({:?})),\n",
            abs.to_string_lossy()
        ));
    }
    code.push_str("];\n");
    let out =
        PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("default_theme.rs");
    std::fs::write(out, code).expect("write default_theme.rs");
    println!("cargo:rerun-if-changed={}", manifest.join("src").display());
    println!(
        "cargo:rerun-if-changed={}",
        manifest.join("Cargo.lock").display()
    );
    println!(
        "cargo:rerun-if-changed={}",
        manifest.join("Cargo.toml").display()
    );
    let id = build_id(&manifest, &files, &theme);
    println!("cargo:rustc-env=STUDYSITE_BUILD_ID={id:016x}");
}
