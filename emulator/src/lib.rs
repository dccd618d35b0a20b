//! The Serverlesspresso backend in one process, for development and tests.
//!
//! It speaks the wire contract of variant W (`../shared/reference/serverlesspresso-contract.md`)
//! so that the apps cannot tell it from AWS, and it can serve the three apps' built files
//! so one URL opens everything.

mod apps;
pub mod local;

use std::net::SocketAddr;
use std::path::PathBuf;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// How to run the emulator.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on; port 0 picks a free one.
    pub listen: SocketAddr,
    /// Folder holding `order/dist`, `barista/dist` and `display/dist`; apps are served
    /// under `/order/`, `/barista/` and `/display/` when set.
    pub apps_dir: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], local::DEFAULT_PORT)),
            apps_dir: None,
        }
    }
}

/// A running emulator. Dropping it stops the server.
pub struct Running {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// `http://host:port`, no trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections and waits for the server to finish.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task).await??;
        Ok(())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Binds and starts serving in the background.
pub async fn start(config: Config) -> anyhow::Result<Running> {
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let mut router = axum::Router::new();
    if let Some(dir) = &config.apps_dir {
        router = router.merge(apps::router(dir, &format!("http://{addr}")));
    }
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    Ok(Running {
        addr,
        stop: Some(stop),
        task,
    })
}
