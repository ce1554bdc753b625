//! The real-browser harness: drives Debian's Chromium headless through the DevTools protocol
//! (`headless_chrome`, synchronous, no driver process).
//!
//! Chromium is looked up as `$CHROME` (when set, only there), `/usr/bin/chromium`, then
//! `chromium` on PATH. Where none is found, `build.rs` sets `cfg(no_browser)` and every browser
//! test, marked `#[cfg_attr(no_browser, ignore = …)]`, is reported as ignored — except under
//! `CI=true`, where a missing Chromium fails the test (`.ci/run` installs it).
//!
//! The shipped site is built once per test run into `target/test-shipped-site/public`
//! ([`shipped_site`]); pages are opened via file:// unless a test serves them. Screenshots go
//! to `target/screenshots/` for a person to look at.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use headless_chrome::protocol::cdp::Emulation;
use headless_chrome::protocol::cdp::Page as Cdp;
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::{Browser, LaunchOptions, Tab};

fn chromium_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROME") {
        let p = PathBuf::from(p);
        return p.exists().then_some(p);
    }
    let debian = PathBuf::from("/usr/bin/chromium");
    if debian.exists() {
        return Some(debian);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("chromium"))
            .find(|p| p.exists())
    })
}

/// Launches a new Chromium with its own temporary profile.
pub fn launch() -> Option<Browser> {
    let Some(path) = chromium_path() else {
        let msg = "browser tests need Chromium: install it with `apt-get install -y chromium fonts-noto-cjk` (or set CHROME=/path/to/chromium)";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{msg} — CI=true, so a missing browser is a failure");
        }
        eprintln!("\n*** SKIPPED: {msg} ***\n");
        return None;
    };
    let args: Vec<&std::ffi::OsStr> = [
        "--disable-gpu",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--allow-file-access-from-files",
        "--font-render-hinting=none",
    ]
    .iter()
    .map(std::ffi::OsStr::new)
    .collect();
    let options = LaunchOptions::default_builder()
        .path(Some(path))
        .sandbox(false)
        .headless(true)
        .window_size(Some((1280, 800)))
        .idle_browser_timeout(Duration::from_secs(600))
        .args(args)
        .build()
        .expect("launch options");
    Some(Browser::new(options).expect("start Chromium"))
}

/// One Chromium shared by the tests of a run (each test opens its own tab).
pub fn shared() -> Option<&'static Browser> {
    static BROWSER: OnceLock<Option<Browser>> = OnceLock::new();
    BROWSER.get_or_init(launch_for_the_run).as_ref()
}

/// [`launch`] for a browser kept in a static. A value in a static is never dropped, so such a
/// Chromium would outlive the test binary (and a few dozen of its processes pile up on a
/// developer's machine): a watcher process waits for this process to exit, then ends the
/// browser; its other processes follow their parent. (A browser that is dropped ends with it.)
pub fn launch_for_the_run() -> Option<Browser> {
    let browser = launch()?;
    stop_with_this_process(&browser);
    Some(browser)
}

fn stop_with_this_process(browser: &Browser) {
    let Some(chromium) = browser.get_process_id() else {
        return;
    };
    let watcher = std::process::Command::new("sh")
        .args([
            "-c",
            "tail --pid=\"$1\" -f /dev/null; kill \"$2\" 2>/dev/null",
            "sh",
            &std::process::id().to_string(),
            &chromium.to_string(),
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = watcher {
        eprintln!("note: Chromium (pid {chromium}) may outlive this run: {e}");
    }
}

/// A Chromium of one module's own, with the module's lock held for the test's length: that
/// module's tests run one at a time, and their stand-ins, storage and viewports never meet
/// another module's. `None` without a browser (see [`launch`]). Each use site is its own
/// browser: call it from one function per module.
#[macro_export]
macro_rules! module_browser {
    () => {{
        static BROWSER: std::sync::OnceLock<Option<headless_chrome::Browser>> =
            std::sync::OnceLock::new();
        static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
        (BROWSER.get_or_init($crate::browser::launch_for_the_run))
            .as_ref()
            .map(|b| (b, guard))
    }};
}

/// Skips the test (returns) when no browser is available.
#[macro_export]
macro_rules! require_browser {
    () => {
        match $crate::browser::shared() {
            Some(b) => b,
            None => return,
        }
    };
}

/// The shipped site (the repository's own `content/`), built once per test run.
pub fn shipped_site() -> &'static Path {
    static SITE: OnceLock<PathBuf> = OnceLock::new();
    SITE.get_or_init(|| {
        let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/test-shipped-site/public");
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_studysite"))
            .args(["build", "--root", env!("CARGO_MANIFEST_DIR"), "--out"])
            .arg(&out)
            .status()
            .expect("run studysite build");
        assert!(status.success(), "building the shipped site failed");
        out
    })
}

/// `file://` URL of a path.
pub fn file_url(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap();
    let mut url = String::from("file://");
    for part in abs.to_string_lossy().split('/').filter(|s| !s.is_empty()) {
        url.push('/');
        url.push_str(&percent_encode(part));
    }
    url
}

fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A tab with helpers. Closed on drop.
pub struct Page {
    pub tab: Arc<Tab>,
}

impl Drop for Page {
    fn drop(&mut self) {
        let _ = self.tab.close(false);
    }
}

impl Page {
    /// Opens `url` in a new tab of `browser` at the given viewport size.
    #[track_caller]
    pub fn open(browser: &Browser, url: &str, width: u32, height: u32) -> Page {
        let tab = browser.new_tab().expect("new tab");
        tab.set_default_timeout(Duration::from_secs(20));
        let page = Page { tab };
        page.set_viewport(width, height);
        page.goto(url);
        page
    }

    /// [`Page::open`], with `script` run in every document of the tab before the page's own
    /// scripts (`Page.addScriptToEvaluateOnNewDocument`): for stand-ins of browser APIs.
    #[track_caller]
    pub fn open_with_script(
        browser: &Browser,
        url: &str,
        width: u32,
        height: u32,
        script: &str,
    ) -> Page {
        let tab = browser.new_tab().expect("new tab");
        tab.set_default_timeout(Duration::from_secs(20));
        tab.call_method(Cdp::AddScriptToEvaluateOnNewDocument {
            source: script.to_string(),
            world_name: None,
            include_command_line_api: None,
            run_immediately: None,
        })
        .expect("add the script to every new document");
        let page = Page { tab };
        page.set_viewport(width, height);
        page.goto(url);
        page
    }

    pub fn set_viewport(&self, width: u32, height: u32) {
        self.tab
            .call_method(Emulation::SetDeviceMetricsOverride {
                width,
                height,
                device_scale_factor: 1.0,
                mobile: width < 600,
                scale: None,
                screen_width: None,
                screen_height: None,
                position_x: None,
                position_y: None,
                dont_set_visible_size: None,
                screen_orientation: None,
                viewport: None,
                display_feature: None,
                device_posture: None,
            })
            .expect("set viewport");
    }

    /// Navigates and waits for the load event.
    #[track_caller]
    pub fn goto(&self, url: &str) {
        self.tab.navigate_to(url).expect("navigate");
        self.tab.wait_until_navigated().expect("page loaded");
    }

    #[track_caller]
    pub fn reload(&self) {
        self.tab.reload(false, None).expect("reload");
        self.tab.wait_until_navigated().expect("page reloaded");
    }

    /// Evaluates a JavaScript expression and returns its JSON value (promises are awaited).
    #[track_caller]
    pub fn eval(&self, js: &str) -> serde_json::Value {
        // Serialise in the page so arrays and objects come back whole (CDP returns only a
        // preview of objects otherwise).
        let wrapped = format!("(async () => JSON.stringify(await ({js})))()");
        let obj = self
            .tab
            .evaluate(&wrapped, true)
            .unwrap_or_else(|e| panic!("evaluate `{js}`: {e}"));
        match obj.value {
            Some(serde_json::Value::String(s)) => {
                serde_json::from_str(&s).unwrap_or(serde_json::Value::String(s))
            }
            _ => serde_json::Value::Null,
        }
    }

    pub fn eval_str(&self, js: &str) -> String {
        match self.eval(js) {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        }
    }

    pub fn eval_bool(&self, js: &str) -> bool {
        self.eval(js).as_bool().unwrap_or(false)
    }

    /// Waits until the expression is truthy (polling), or panics after `timeout`.
    #[track_caller]
    pub fn wait_until(&self, js: &str, timeout: Duration) {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if self.eval_bool(&format!("!!({js})")) {
                return;
            }
            if std::time::Instant::now() > deadline {
                panic!("timed out waiting for `{js}` on {}", self.url());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    #[track_caller]
    pub fn click(&self, selector: &str) {
        self.tab
            .wait_for_element(selector)
            .unwrap_or_else(|e| panic!("find `{selector}`: {e}"))
            .click()
            .unwrap_or_else(|e| panic!("click `{selector}`: {e}"));
    }

    #[track_caller]
    pub fn press(&self, key: &str) {
        self.tab
            .press_key(key)
            .unwrap_or_else(|e| panic!("press {key}: {e}"));
    }

    #[track_caller]
    pub fn type_text(&self, text: &str) {
        self.tab.type_str(text).expect("type text");
    }

    pub fn url(&self) -> String {
        self.tab.get_url()
    }

    /// Does the page scroll sideways?
    pub fn overflows_horizontally(&self) -> bool {
        self.eval_bool("document.documentElement.scrollWidth > window.innerWidth")
    }

    /// Saves a PNG screenshot to `target/screenshots/<name>.png`.
    pub fn screenshot(&self, name: &str) -> PathBuf {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let png = self
            .tab
            .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
            .expect("screenshot");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    /// Emulates a CSS media type ("print" or "screen").
    pub fn emulate_media(&self, media: &str) {
        self.tab
            .call_method(Emulation::SetEmulatedMedia {
                media: Some(media.to_string()),
                features: None,
            })
            .expect("emulate media");
    }
}
