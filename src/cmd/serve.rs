//! `studysite serve`: builds the site into memory and serves it; with `--watch`, rebuilds
//! on every change and reloads open pages (mdBook's and zola's habit: reload only after a good
//! build; a failed one keeps the last good site and shows the errors).
//!
//! Every build runs the one pipeline ([`super::pipeline`]) into memory. A rebuild reads the
//! whole site again and makes every page again, with shortcuts for save→reload time: Markdown
//! bodies and pages whose inputs did not change are taken from the [`Caches`] the rebuild thread
//! owns (keyed by content, see [`crate::cache`]), and the search files are made after the reload
//! is sent (the last build's stay served until the new ones
//! replace them, quietly). Once a rebuild has finished, the served files are exactly what
//! `build` writes.
//!
//! The generator stays synchronous: the rebuild runs on one plain thread that owns the file
//! watcher, and a tokio runtime exists only here, for the HTTP server ([`crate::server`]).
//! Startup prints a parseable `serving at http://ADDR:PORT/` line on stdout.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use super::pipeline::{self, Caches, Outcome, Phases, PipelineOptions, SearchIndex};
use crate::cli::ServeArgs;
use crate::collect::SiteCollector;
use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::model::Site;
use crate::output::MemoryOutput;
use crate::render::{RenderReport, write_search};
use crate::server::{HostNames, LiveSite, ServerConfig, SiteFiles};
use crate::store::Store;
use crate::templates::Theme;
use crate::watch::{SiteWatcher, describe};

/// Environment variable: the idle-connection timeout in milliseconds (default 20000).
pub const IDLE_TIMEOUT_ENV: &str = "STUDYSITE_IDLE_TIMEOUT_MS";

/// How many ports after a taken one are tried.
const PORT_TRIES: u16 = 50;

/// Resolved options for `serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub addr: IpAddr,
    pub port: u16,
    pub lan: bool,
    pub watch: bool,
    pub poll: bool,
    pub open: bool,
    pub server: ServerConfig,
    /// `--collect`: the results database.
    pub collect: Option<PathBuf>,
    /// `--allow-host`: more names the server answers to while collecting.
    pub allow_host: Vec<String>,
}

impl ServeOptions {
    pub fn from_args(args: &ServeArgs) -> Result<ServeOptions> {
        let addr = match (args.bind, args.lan) {
            (Some(a), _) => a,
            (None, true) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            (None, false) => IpAddr::V4(Ipv4Addr::LOCALHOST),
        };
        let mut server = ServerConfig::default();
        if let Ok(v) = std::env::var(IDLE_TIMEOUT_ENV) {
            let ms: u64 = v.trim().parse().map_err(|_| {
                super::UsageError(format!(
                    "{IDLE_TIMEOUT_ENV} must be a whole number of milliseconds, got `{v}`"
                ))
            })?;
            server.idle_timeout = Duration::from_millis(ms.max(1));
        }
        let root = crate::fs::resolve(&args.root);
        let collect = if args.collect {
            Some(super::report::db_path(&root, args.db.as_deref())?)
        } else {
            None
        };
        Ok(ServeOptions {
            collect,
            allow_host: args.allow_host.clone(),
            root,
            addr,
            port: args.port,
            lan: args.lan,
            watch: args.watch,
            poll: args.poll,
            open: args.open,
            server,
        })
    }
}

/// A good in-memory build.
pub struct Built {
    pub files: SiteFiles,
    pub report: RenderReport,
    pub phases: Phases,
    /// With [`SearchIndex::Defer`]: the model, whose search files are still to make.
    pub unindexed: Option<Site>,
    /// The theme the build rendered with (the collector's report page uses it too).
    pub theme: Option<Theme>,
}

/// Loads and renders the site into memory, as `build` would write it (with
/// [`SearchIndex::Defer`], without the search files).
pub fn build_in_memory(root: &Path, opts: &PipelineOptions<'_>) -> Outcome<Built> {
    let output = MemoryOutput::new();
    let mut run = pipeline::run(root, &output, opts);
    let theme = run.take_theme();
    let Some(report) = run.report else {
        return Outcome::failed(run.diags);
    };
    let t = Instant::now();
    let files = SiteFiles::new(output.into_files());
    let phases = Phases {
        index: t.elapsed().as_millis(),
        ..run.phases
    };
    let built = Built {
        files,
        report,
        phases,
        unindexed: run.site.filter(|_| opts.search == SearchIndex::Defer),
        theme,
    };
    Outcome {
        made: Some(built),
        diags: run.diags,
    }
}

/// The search files of `site`, as a build with [`SearchIndex::Write`] adds them.
pub fn search_files(site: &Site) -> SiteFiles {
    let output = MemoryOutput::new();
    // Writing into memory cannot fail.
    let _ = write_search(site, &output, None, None);
    SiteFiles::new(output.into_files())
}

/// A rebuild that cannot panic the watcher: a panic in the generator becomes an error.
fn rebuild(root: &Path, opts: &PipelineOptions<'_>) -> Outcome<Built> {
    let build = || build_in_memory(root, opts);
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(build)) {
        Ok(r) => r,
        Err(_) => {
            let mut diags = Diagnostics::new();
            diags.push(Diagnostic::error(
                "site.yaml",
                "internal error: the build panicked (a bug in studysite; please report it with the file you changed)",
            ));
            Outcome::failed(diags)
        }
    }
}

/// The errors of a failed build as the overlay shows them: each with its snippet, then the count.
pub fn error_text(diags: &Diagnostics) -> String {
    let mut text: Vec<String> = diags
        .sorted()
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.to_string())
        .collect();
    text.push(crate::diag::summary_line(
        diags.error_count(),
        diags.warning_count(),
    ));
    text.join("\n\n")
}

/// The error overlay's headline: `serve_error_title` of the site's language table. site.yaml is
/// read as loosely as can be (only `language` and `theme`, other keys ignored), because the
/// overlay shows exactly when the site does not build; where even that fails, the default
/// language's words.
fn overlay_title(root: &Path) -> String {
    #[derive(Debug, Default, serde::Deserialize)]
    struct Loose {
        language: Option<String>,
        theme: Option<String>,
    }
    let loose: Loose = crate::fs::read_to_string(&root.join("site.yaml"))
        .ok()
        .and_then(|text| serde_saphyr::from_str(&text).ok())
        .unwrap_or_default();
    let language = loose.language.as_deref().unwrap_or("zh-CN");
    let theme = loose.theme.as_deref().unwrap_or("default");
    let words = |language: &str| {
        crate::templates::ui_strings(root, theme, language)
            .remove("serve_error_title")
            .filter(|t| !t.trim().is_empty())
    };
    words(language)
        .or_else(|| words("zh-CN"))
        .unwrap_or_else(|| crate::server::OVERLAY_TITLE.to_string())
}

/// Binds `addr:port`, or the next free port when it is taken (port 0: any free port).
async fn bind(addr: IpAddr, port: u16) -> Result<tokio::net::TcpListener> {
    let mut port_now = port;
    for _ in 0..PORT_TRIES {
        let sock = SocketAddr::new(addr, port_now);
        let socket = match addr {
            IpAddr::V4(_) => tokio::net::TcpSocket::new_v4(),
            IpAddr::V6(_) => tokio::net::TcpSocket::new_v6(),
        }
        .context("failed to create a socket")?;
        socket
            .set_reuseaddr(true)
            .context("failed to set SO_REUSEADDR")?;
        match socket.bind(sock).and_then(|()| socket.listen(1024)) {
            Ok(l) => return Ok(l),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && port_now != 0 => {
                let Some(next) = port_now.checked_add(1) else {
                    break;
                };
                eprintln!("port {port_now} is in use; trying {next}");
                port_now = next;
            }
            Err(e) => return Err(e).with_context(|| format!("cannot listen on {sock}")),
        }
    }
    Err(super::UsageError(format!(
        "no free port from {port} to {port_now}: choose another with --port"
    ))
    .into())
}

/// The names the server answers to while collecting ([`HostNames`]): the address it listens
/// on (every address of the machine, loopback included, when that is all of them),
/// `localhost`, the machine's host name (and `NAME.local`), and `--allow-host`.
fn host_names(local: SocketAddr, allow: &[String]) -> HostNames {
    let mut names: Vec<String> = vec!["localhost".into()];
    if local.ip().is_unspecified() {
        let all = if_addrs::get_if_addrs().unwrap_or_default();
        names.extend(all.iter().map(|i| i.ip().to_string()));
        names.extend(["127.0.0.1".to_string(), "::1".to_string()]);
    } else {
        names.push(local.ip().to_string());
    }
    if let Some(host) = machine_name() {
        names.push(format!("{host}.local"));
        names.push(host);
    }
    names.extend(allow.iter().cloned());
    HostNames::new(names)
}

/// This machine's host name, when the system tells it.
fn machine_name() -> Option<String> {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())?;
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_string())
}

fn url(addr: IpAddr, port: u16) -> String {
    match addr {
        IpAddr::V4(a) => format!("http://{a}:{port}/"),
        IpAddr::V6(a) => format!("http://[{a}]:{port}/"),
    }
}

/// Every non-loopback IPv4 address of this computer.
fn lan_addresses() -> Vec<Ipv4Addr> {
    let mut v: Vec<Ipv4Addr> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|i| match i.ip() {
            IpAddr::V4(a) if !a.is_loopback() && !a.is_unspecified() => Some(a),
            _ => None,
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

/// A QR code of `text` for the terminal: two rows of modules per line of text.
pub fn qr_text(text: &str) -> Option<String> {
    use qrcode::render::unicode::Dense1x2;
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    Some(
        code.render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
    )
}

/// What startup prints: the URLs (stdout, so scripts can read them), and for `--lan` every
/// network address with a QR code of the first.
fn announce(opts: &ServeOptions, local: SocketAddr, token: Option<&str>) -> String {
    let port = local.port();
    let shown = if local.ip().is_unspecified() {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        local.ip()
    };
    let mut out = format!("serving at {}\n", url(shown, port));
    let report = |base: String| {
        token.map_or(String::new(), |t| {
            format!(
                "report at {base}{}?token={t}\n",
                &crate::collect::REPORT_PATH[1..]
            )
        })
    };
    out.push_str(&report(url(shown, port)));
    if local.ip().is_unspecified() {
        let addrs = lan_addresses();
        if addrs.is_empty() {
            out.push_str("no network address found: is this computer connected to a network?\n");
        } else {
            out.push_str(if opts.collect.is_some() {
                "on the local network (visitors can read the site and send their quiz results):\n"
            } else {
                "on the local network (read-only: visitors can read the site, not change it):\n"
            });
            for a in &addrs {
                out.push_str(&format!("  {}\n", url(IpAddr::V4(*a), port)));
            }
            if token.is_some() {
                out.push_str(&format!(
                    "  the organiser's {}",
                    report(url(IpAddr::V4(addrs[0]), port))
                ));
            }
            if let Some(qr) = qr_text(&url(IpAddr::V4(addrs[0]), port)) {
                out.push_str(&qr);
                out.push('\n');
            }
        }
    } else if opts.lan {
        out.push_str("read-only: visitors can read the site, not change it\n");
    }
    out
}

pub fn run(args: ServeArgs) -> Result<u8> {
    let opts = ServeOptions::from_args(&args)?;
    // Watch before the first build, so a change during it is not lost.
    let watcher = if opts.watch {
        Some(SiteWatcher::new(&opts.root, opts.poll)?)
    } else {
        None
    };
    // What the last builds made, for the rebuild thread (`--watch` only).
    let cache = Caches::default();
    let start = Instant::now();
    let first = PipelineOptions {
        caches: opts.watch.then_some(&cache),
        search: SearchIndex::Write,
        ..PipelineOptions::default()
    };
    let Outcome { made, diags } = build_in_memory(&opts.root, &first);
    diags.print();
    let shared = match made {
        Some(built) => {
            cache.sweep();
            eprintln!(
                "built {} pages ({} files) in {} ms",
                built.report.pages,
                built.files.len(),
                start.elapsed().as_millis()
            );
            let shared = LiveSite::new(built.files, opts.watch);
            shared.set_overlay_title(&overlay_title(&opts.root));
            shared
        }
        None if opts.watch => {
            eprintln!("build failed; serving the errors until the next good build");
            let shared = LiveSite::new(SiteFiles::default(), true);
            shared.set_overlay_title(&overlay_title(&opts.root));
            shared.publish_error(&error_text(&diags));
            shared
        }
        None => {
            eprintln!("build failed: nothing to serve");
            return Ok(crate::cli::EXIT_CONTENT);
        }
    };

    let collector = match &opts.collect {
        Some(db) => {
            let c = start_collector(&opts.root, db)?;
            shared.collect_with(c.clone());
            Some(c)
        }
        None => None,
    };
    let token = collector.as_ref().map(|c| c.token().to_string());

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    runtime.block_on(async move {
        let listener = bind(opts.addr, opts.port).await?;
        let local = listener
            .local_addr()
            .context("failed to read the bound address")?;
        print!("{}", announce(&opts, local, token.as_deref()));
        use std::io::Write;
        let _ = std::io::stdout().flush();
        if let Some(w) = watcher {
            spawn_rebuilder(w, opts.root.clone(), shared.clone(), cache, collector)?;
            eprintln!("watching for changes; press Ctrl-C to stop");
        } else {
            eprintln!("press Ctrl-C to stop");
        }
        if opts.open {
            let ip = if local.ip().is_unspecified() {
                IpAddr::V4(Ipv4Addr::LOCALHOST)
            } else {
                local.ip()
            };
            if let Err(e) = open::that_detached(url(ip, local.port())) {
                eprintln!("warning: could not open a browser: {e}");
            }
        }
        let shutdown = async {
            if tokio::signal::ctrl_c().await.is_err() {
                // No signal handler: run until the process is killed.
                std::future::pending::<()>().await;
            }
            eprintln!("stopping");
        };
        let hosts = opts
            .collect
            .as_ref()
            .map(|_| Arc::new(host_names(local, &opts.allow_host)));
        crate::server::serve(listener, shared, opts.server, hosts, shutdown).await;
        Ok::<(), anyhow::Error>(())
    })?;
    runtime.shutdown_timeout(Duration::from_millis(200));
    Ok(crate::cli::EXIT_OK)
}

/// The rebuild thread: waits for changes, rebuilds, publishes the site or the errors, and says
/// what happened in one line. Nothing may end it but the watcher stopping: a panic in one
/// round (say, stderr closed under us) is caught and the thread waits for the next change.
fn spawn_rebuilder(
    mut watcher: SiteWatcher,
    root: PathBuf,
    shared: Arc<LiveSite>,
    cache: Caches,
    collector: Option<Arc<SiteCollector>>,
) -> Result<()> {
    std::thread::Builder::new()
        .name("studysite-rebuild".into())
        .spawn(move || {
            while let Some(changes) = watcher.next_changes() {
                if changes.is_empty() {
                    continue;
                }
                let round = std::panic::AssertUnwindSafe(|| {
                    let built = rebuild_round(&root, &shared, &cache, &changes);
                    if let (Some(c), Some((site, theme))) = (&collector, built) {
                        c.refresh(super::report::quiz_table(&root, &site), theme);
                    }
                });
                let _ = std::panic::catch_unwind(round);
            }
        })
        .context("failed to start the rebuild thread")?;
    Ok(())
}

/// One rebuild: publish first (so the browser is told even if the terminal is gone), then
/// make the search files and serve them too, then print.
fn rebuild_round(
    root: &Path,
    shared: &LiveSite,
    cache: &Caches,
    changes: &[crate::watch::Change],
) -> Option<(Site, Theme)> {
    let start = Instant::now();
    let opts = PipelineOptions {
        caches: Some(cache),
        search: SearchIndex::Defer,
        ..PipelineOptions::default()
    };
    let Outcome { made, diags } = rebuild(root, &opts);
    let ms = start.elapsed().as_millis();
    match made {
        Some(built) => {
            let is_search = crate::search::is_search_file;
            let mut files = built.files;
            // The last build's search files until this one's are made.
            files.add_missing_from(&shared.current(), is_search);
            // An editor's save can reach the watcher as two bursts, and saving a file unchanged
            // rebuilds too: a build that changed nothing is served without reloading open pages.
            let reload = shared.showing_error() || !files.same_as(&shared.current());
            if reload {
                shared.publish(files);
            } else {
                shared.replace_quietly(files);
            }
            cache.sweep();
            let t = Instant::now();
            if let Some(site) = &built.unindexed {
                let search = search_files(site);
                shared.replace_quietly(shared.current().replacing(is_search, search));
            }
            let search_ms = t.elapsed().as_millis();
            diags.print();
            let p = built.phases;
            eprintln!(
                "{}: rebuilt {} pages ({} unchanged) in {ms} ms (load {}, render {}, index {}), then the search index in {search_ms} ms{}",
                describe(changes),
                built.report.pages,
                built.report.reused,
                p.load,
                p.render,
                p.index,
                if reload {
                    ""
                } else {
                    "; the site is as it was: open pages are not reloaded"
                }
            );
            built.unindexed.zip(built.theme)
        }
        None => {
            shared.set_overlay_title(&overlay_title(root));
            shared.publish_error(&error_text(&diags));
            diags.print();
            eprintln!(
                "{}: build failed in {ms} ms; still serving the last good build",
                describe(changes)
            );
            None
        }
    }
}

/// `--collect`: the collector over the database at `db`, for the site at `root`.
fn start_collector(root: &Path, db: &Path) -> Result<Arc<SiteCollector>> {
    let (site, theme) = super::report::load_site(root)?;
    let store = Arc::new(Store::open(db)?);
    let per_minute = match std::env::var(crate::collect::RATE_ENV) {
        Ok(v) => v.trim().parse().map_err(|_| {
            super::UsageError(format!(
                "{} must be a whole number of records a minute, got `{v}`",
                crate::collect::RATE_ENV
            ))
        })?,
        Err(_) => 120,
    };
    let table = super::report::quiz_table(root, &site);
    eprintln!("collecting results into {}", db.display());
    Ok(Arc::new(SiteCollector::new(
        table, store, theme, per_minute,
    )?))
}
