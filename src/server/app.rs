//! What every part of the server answers from: the [`App`] each request is handled with, the
//! server's limits ([`ServerConfig`]), the names it answers to ([`HostNames`]), and the headers
//! every answer carries. The bottom of the server's parts: it uses only the site itself.

use std::sync::Arc;
use std::time::Duration;

use axum::http::header;
use tokio::sync::watch;

use super::site::LiveSite;

/// What every request is answered from.
#[derive(Clone)]
pub(super) struct App {
    pub(super) shared: Arc<LiveSite>,
    pub(super) config: ServerConfig,
    /// With `serve --collect`: the names a request's `Host` may give.
    pub(super) hosts: Option<Arc<HostNames>>,
    pub(super) closing: watch::Receiver<bool>,
}

/// The names this server answers to: its bound addresses (every address of the machine when it
/// listens on all), `localhost`, the machine's host name, and the names given with
/// `--allow-host`. A page of another site that a DNS name now points at this machine (DNS
/// rebinding) sends its own name as `Host`, and is refused before anything is read — as
/// Vite's `server.allowedHosts` does (CVE-2025-24010).
#[derive(Debug, Clone, Default)]
pub struct HostNames {
    names: Vec<String>,
}

impl HostNames {
    /// The names, compared without case, a port or a trailing dot.
    pub fn new(names: impl IntoIterator<Item = String>) -> HostNames {
        let mut names: Vec<String> = names.into_iter().map(|n| normal_host(&n)).collect();
        names.sort();
        names.dedup();
        HostNames { names }
    }

    /// Whether a request's `Host` header value names this server.
    pub fn allows(&self, host: &str) -> bool {
        let name = normal_host(strip_port(host.trim()));
        !name.is_empty() && self.names.contains(&name)
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// `host` without a port: `a:8000` → `a`, `[::1]:8000` → `::1`, `::1` stays.
fn strip_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or("");
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            name
        }
        _ => host,
    }
}

fn normal_host(name: &str) -> String {
    let name = name.trim().trim_start_matches('[').trim_end_matches(']');
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// Knobs of the HTTP server: the limits that keep a slow or idle client from holding a
/// connection, and a room of clients from running the process out of files.
#[derive(Debug, Clone, Copy)]
pub struct ServerConfig {
    /// A connection that sends no (complete) request head for this long is closed: a new
    /// connection's first request, and an idle keep-alive connection's next one.
    pub idle_timeout: Duration,
    /// How often an idle event stream gets a comment, so proxies and phones keep it open.
    pub keep_alive: Duration,
    /// A request body (a posted result) must have arrived whole within this time.
    pub body_timeout: Duration,
    /// A response write that makes no progress for this long drops the connection (a reader
    /// that stopped reading).
    pub write_stall: Duration,
    /// The most connections open at once; the server also keeps [`super::listen::FILES_KEPT`] below the
    /// process' file limit. A connection past the cap waits to be accepted.
    pub max_connections: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            idle_timeout: Duration::from_secs(10),
            keep_alive: Duration::from_secs(15),
            body_timeout: Duration::from_secs(30),
            write_stall: Duration::from_secs(60),
            max_connections: 4096,
        }
    }
}

/// The headers every answer of the site carries.
pub(super) fn base_headers(
    builder: axum::http::response::Builder,
) -> axum::http::response::Builder {
    builder
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header(header::CACHE_CONTROL, "no-cache")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_matched_without_port_case_or_trailing_dot() {
        let hosts =
            HostNames::new(["127.0.0.1", "localhost", "Branch-PC", "::1"].map(String::from));
        for ok in [
            "127.0.0.1:8000",
            "LOCALHOST",
            "localhost.:80",
            "branch-pc",
            "[::1]:8000",
            "::1",
        ] {
            assert!(hosts.allows(ok), "{ok}");
        }
        for refused in [
            "evil.example",
            "evil.example:8000",
            "",
            "127.0.0.2",
            "localhost.evil",
            "[::2]:80",
        ] {
            assert!(!hosts.allows(refused), "{refused}");
        }
    }
}
