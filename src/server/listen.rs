//! Accepting connections and the limits that keep one client from holding the server: the
//! connection loop is hyper's HTTP/1 server driven directly (instead of `axum::serve`),
//! because that is where the header-read timeout is set.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::Sleep;

use super::app::{App, HostNames, ServerConfig};
use super::collect;
use super::router::handle;
use super::site::LiveSite;

/// File descriptors kept free for everything but connections: the results database and its
/// journal, the watcher, the build's files, the runtime.
pub const FILES_KEPT: u64 = 64;

/// Raises the process' soft limit of open files to its hard limit (macOS starts programs at
/// 256) and returns the soft limit now in force; `None` where it cannot be read.
#[cfg(unix)]
pub fn raise_file_limit() -> Option<u64> {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let lim = getrlimit(Resource::Nofile);
    if lim.current.is_some() && lim.current < lim.maximum.or(Some(u64::MAX)) {
        let raised = rustix::process::Rlimit {
            current: lim.maximum,
            maximum: lim.maximum,
        };
        if setrlimit(Resource::Nofile, raised).is_ok() {
            // `None` is "unlimited".
            return Some(lim.maximum.unwrap_or(u64::MAX));
        }
    }
    // A refusal leaves the old limit.
    Some(lim.current.unwrap_or(u64::MAX))
}

/// See the Unix version: elsewhere the limit is not known.
#[cfg(not(unix))]
pub fn raise_file_limit() -> Option<u64> {
    None
}

/// The cap on open connections: `config.max_connections`, and [`FILES_KEPT`] below the file
/// limit `files` (one descriptor a connection).
pub fn connection_cap(config: &ServerConfig, files: Option<u64>) -> usize {
    let room = files.map_or(usize::MAX, |f| {
        usize::try_from(f.saturating_sub(FILES_KEPT)).unwrap_or(usize::MAX)
    });
    config.max_connections.min(room).max(1)
}

/// Serves on `listener` until `shutdown` completes, then lets running requests finish (open
/// event streams end at once) for up to two seconds. With `hosts`, a request whose `Host` is
/// not one of the server's own names is refused ([`super::app::HostNames`]).
pub async fn serve(
    listener: tokio::net::TcpListener,
    shared: Arc<LiveSite>,
    config: ServerConfig,
    hosts: Option<Arc<HostNames>>,
    shutdown: impl Future<Output = ()>,
) {
    let (close_tx, close_rx) = watch::channel(false);
    let app = App {
        shared,
        config,
        hosts,
        closing: close_rx.clone(),
    };
    let router = Router::new().fallback(handle).with_state(app);
    let slots = Arc::new(Semaphore::new(connection_cap(&config, raise_file_limit())));
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            _ = &mut shutdown => break,
            a = accept(&listener, &slots) => a,
        };
        let Some((stream, peer, slot)) = accepted else {
            // Out of file descriptors or an aborted handshake: wait a moment, go on.
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = collect::WithPeer {
            inner: TowerToHyperService::new(router.clone()),
            peer,
        };
        let mut closing = close_rx.clone();
        let io = TokioIo::new(Stalling::new(stream, config.write_stall));
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(config.idle_timeout)
                .keep_alive(true);
            let conn = builder.serve_connection(io, service);
            tokio::pin!(conn);
            let closed = tokio::select! {
                _ = conn.as_mut() => false,
                _ = closing.wait_for(|c| *c) => true,
            };
            if closed {
                conn.as_mut().graceful_shutdown();
                let _ = conn.await;
            }
            drop(closing);
            drop(slot);
        });
    }
    drop(listener);
    let _ = close_tx.send(true);
    drop(close_rx);
    drop(router);
    let _ = tokio::time::timeout(Duration::from_secs(2), close_tx.closed()).await;
}

/// The next connection, once one of the connection slots is free (the slot is held for as
/// long as the connection is open); `None` when accepting failed.
async fn accept(
    listener: &tokio::net::TcpListener,
    slots: &Arc<Semaphore>,
) -> Option<(
    tokio::net::TcpStream,
    std::net::SocketAddr,
    OwnedSemaphorePermit,
)> {
    let slot = slots.clone().acquire_owned().await.ok()?;
    let (stream, peer) = listener.accept().await.ok()?;
    Some((stream, peer, slot))
}

/// A connection whose writes may not stall: a write (or flush) that makes no progress for
/// `limit` fails with `TimedOut`, and hyper drops the connection. Reads are not timed here:
/// an event stream's client sends nothing for hours, and a request's head and body have
/// limits of their own.
struct Stalling<S> {
    inner: S,
    limit: Duration,
    since: Option<Pin<Box<Sleep>>>,
}

impl<S> Stalling<S> {
    fn new(inner: S, limit: Duration) -> Self {
        Stalling {
            inner,
            limit,
            since: None,
        }
    }

    /// After a write attempt: progress disarms the timer; waiting arms it (once) and fails
    /// when it has run out.
    fn watch<T>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if polled.is_ready() {
            self.since = None;
            return polled;
        }
        let limit = self.limit;
        let timer = self
            .since
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client stopped reading",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Stalling<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Stalling<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.watch(cx, polled)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.watch(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.inner).poll_flush(cx);
        self.watch(cx, polled)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_stays_below_the_file_limit() {
        let config = ServerConfig::default();
        assert_eq!(connection_cap(&config, Some(256)), 192);
        assert_eq!(connection_cap(&config, Some(1 << 20)), 4096);
        assert_eq!(connection_cap(&config, None), 4096);
        assert_eq!(connection_cap(&config, Some(10)), 1);
    }
}
