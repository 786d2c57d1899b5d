//! The sandbox test kit: a loopback HTTP server a connector's sandbox runs in.
//!
//! Each connector crate builds an [`axum::Router`] that behaves like its remote API and
//! hands it to [`SandboxServer::start`]; tests and `shipgate demo` then point the real
//! client at [`SandboxServer::base_url`]. Binding port 0 lets many sandboxes and test
//! threads run side by side. [`RequestLimit`] is the request-rate gate a sandbox puts in
//! front of its API, so tests can prove a connector stays under a remote's limit.

mod request_limit;

pub use request_limit::RequestLimit;

use std::net::SocketAddr;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running loopback server; stops when dropped.
#[derive(Debug)]
pub struct SandboxServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl SandboxServer {
    /// Binds 127.0.0.1 on a free port and serves `router` until dropped.
    pub async fn start(router: axum::Router) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, router).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(err) = serve.await {
                tracing::warn!(%err, "sandbox server stopped with an error");
            }
        });
        Ok(Self {
            addr,
            shutdown: Some(tx),
            task,
        })
    }

    /// The socket address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for SandboxServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.task.abort();
    }
}
