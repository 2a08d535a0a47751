//! Serving connections: HTTP/1.1 over TCP, with timeouts for clients that stall.
//!
//! A client gets [`Timeouts::header_read`] to send a request's headers; the clock starts when
//! the server begins waiting for them, so it also closes a kept-alive connection that sends no
//! next request. Once a request is under way, a client that makes no progress for
//! [`Timeouts::idle`] (its body stops arriving, or it stops reading the response) is
//! disconnected. Nothing caps a request's total time: a download or upload that keeps moving
//! runs as long as it needs, and the clocks only run while the server waits on the client (not
//! while a handler works).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::time::Sleep;
use tower::ServiceExt;
use tower_http::timeout::TimeoutBody;

/// How long the server waits on a client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// To receive a request's headers, from when the server starts waiting for them.
    pub header_read: Duration,
    /// Without progress while the server waits on the client for the body or to read.
    pub idle: Duration,
}

impl Default for Timeouts {
    /// nginx's defaults are 60 s for each; 30 s for headers is hyper's and plenty for clients
    /// that send them in one packet.
    fn default() -> Timeouts {
        Timeouts {
            header_read: Duration::from_secs(30),
            idle: Duration::from_secs(60),
        }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets open requests finish.
pub async fn serve(
    app: Router,
    listener: TcpListener,
    timeouts: Timeouts,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    // Each connection holds a receiver: a send tells them to finish their requests and close,
    // and `closed()` resolves when the last one has.
    let (stop_tx, stop_rx) = watch::channel(());
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(connection(
            app.clone(),
            stream,
            peer,
            timeouts,
            stop_rx.clone(),
        ));
    }
    drop(stop_rx);
    drop(listener);
    stop_tx.send_replace(());
    stop_tx.closed().await;
    Ok(())
}

/// Waits after an accept error: a peer that gave up is nothing, running out of file
/// descriptors should not spin.
async fn accept_failed(e: io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if !matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        tracing::error!(error = %e, "accept failed");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// See [`connection`]: hyper's per-connection buffer bound.
const MAX_BUF: usize = 64 << 10;

async fn connection(
    app: Router,
    stream: TcpStream,
    peer: SocketAddr,
    timeouts: Timeouts,
    mut stop: watch::Receiver<()>,
) {
    let idle = timeouts.idle;
    let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        let mut req = req.map(|body| Body::new(TimeoutBody::new(idle, body)));
        req.extensions_mut().insert(ConnectInfo(peer));
        app.clone().oneshot(req)
    });
    let io = TokioIo::new(StallLimit::new(stream, idle));
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        // What hyper queues for a slow reader (and the longest request head): 64 KiB instead
        // of its ~400 KB default, so a connection's memory stays small however many there are.
        .max_buf_size(MAX_BUF)
        .header_read_timeout(timeouts.header_read)
        .serve_connection(io, service)
        .with_upgrades();
    let mut conn = pin!(conn);
    let result = tokio::select! {
        r = conn.as_mut() => r,
        _ = stop.changed() => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = result {
        tracing::debug!(%peer, error = %e, "connection ended");
    }
}

/// A stream whose writes fail with `TimedOut` once they have been blocked for `limit` without
/// any byte going out: the peer stopped reading. Reads pass through (waiting for a request is
/// hyper's header timeout, waiting for a body the request's body timeout).
struct StallLimit<S> {
    inner: S,
    limit: Duration,
    /// Running while a write is blocked; cleared by any progress.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl<S> StallLimit<S> {
    fn new(inner: S, limit: Duration) -> StallLimit<S> {
        StallLimit {
            inner,
            limit,
            stalled: None,
        }
    }

    /// After the inner write returned `poll`: clears the clock on progress, and turns a block
    /// that has lasted `limit` into an error.
    fn watch<T>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if poll.is_ready() {
            self.stalled = None;
            return poll;
        }
        let limit = self.limit;
        let clock = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match clock.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("the client read nothing for {limit:?}"),
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for StallLimit<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for StallLimit<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.watch(cx, poll)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.watch(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_flush(cx);
        this.watch(cx, poll)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_shutdown(cx);
        this.watch(cx, poll)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn a_write_blocked_without_progress_times_out() {
        let (near, mut far) = tokio::io::duplex(64);
        let mut s = StallLimit::new(near, Duration::from_secs(2));
        // Progress, however slow, keeps the clock at zero: the peer drains 64 bytes at a time
        // with pauses, while the write of five times that waits.
        let reader = tokio::spawn(async move {
            let mut buf = [0u8; 64];
            for _ in 0..4 {
                tokio::time::sleep(Duration::from_millis(50)).await;
                far.read_exact(&mut buf).await.unwrap();
            }
            far
        });
        s.write_all(&[7u8; 64 * 5]).await.unwrap();
        let _far = reader.await.unwrap();
        // Now nobody reads (the buffer is full): the write fails instead of waiting forever.
        let e = s.write_all(&[7u8; 64 * 2]).await.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
    }
}
