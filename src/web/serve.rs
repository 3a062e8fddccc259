//! The server's accept loop: HTTP/1.1 over hyper with limits a slow or hostile client cannot
//! get around — a connection must send its request headers within [`ServeLimits::header`]
//! (also between requests on a kept-alive connection), a handler (which reads the body) must
//! finish within [`ServeLimits::request`] (uploads within [`ServeLimits::upload`]), and at most
//! [`ServeLimits::connections`] connections are open at once (beyond that the kernel's backlog
//! waits). Each request carries its peer address (`ConnectInfo`) for rate limits.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request};
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Bounds on what one connection may hold.
#[derive(Debug, Clone, Copy)]
pub struct ServeLimits {
    /// Time to send a request's headers (slowloris), and to start the next request on a
    /// kept-alive connection.
    pub header: Duration,
    /// Time for a handler to answer, reading the body included (a streamed answer, such as a
    /// video, goes on after this).
    pub request: Duration,
    /// The same for uploads (`multipart/form-data`: rosters, videos over a weak 3G link).
    pub upload: Duration,
    /// Open connections at once.
    pub connections: usize,
    /// After a shutdown signal, time for open requests to finish.
    pub drain: Duration,
}

impl Default for ServeLimits {
    fn default() -> Self {
        Self {
            header: Duration::from_secs(15),
            request: Duration::from_secs(120),
            upload: Duration::from_secs(900),
            connections: 4096,
            drain: Duration::from_secs(20),
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then lets open requests finish for
/// at most [`ServeLimits::drain`].
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let app = app.layer(axum::middleware::from_fn(move |req: Request, next| {
        answer_within(limits, req, next)
    }));
    let slots = Arc::new(Semaphore::new(limits.connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let Ok(slot) = slots.clone().acquire_owned().await else {
            break;
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment, do not spin.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            let app = app.clone();
            async move {
                use tower::ServiceExt;
                let res: Result<Response, Infallible> =
                    app.oneshot(req.map(axum::body::Body::new)).await;
                res
            }
        });
        let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // Errors here are clients going away or timing out; nothing to report.
            let _ = conn.await;
            drop(slot);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {},
        () = tokio::time::sleep(limits.drain) => {
            tracing::warn!("requests still open after {:?}; stopping anyway", limits.drain);
        },
    }
    Ok(())
}

/// Runs the handler within the request (or upload) time; past it, 408 and the connection
/// closes.
async fn answer_within(
    limits: ServeLimits,
    req: Request,
    next: axum::middleware::Next,
) -> Response {
    let upload = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("multipart/form-data"));
    let within = if upload {
        limits.upload
    } else {
        limits.request
    };
    match tokio::time::timeout(within, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            let mut res = crate::web::error::error_page(
                axum::http::StatusCode::REQUEST_TIMEOUT,
                "Hết thời gian chờ",
                "Yêu cầu gửi đến quá chậm nên đã bị dừng. Hãy kiểm tra kết nối mạng rồi thử lại.",
            );
            res.headers_mut().insert(
                axum::http::header::CONNECTION,
                axum::http::HeaderValue::from_static("close"),
            );
            res.into_response()
        }
    }
}
