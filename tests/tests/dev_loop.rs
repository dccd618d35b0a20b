//! The developer loop of the README ("Working on one app with `trunk serve`"): `trunk
//! serve` of the barista console against the emulator serves a page that takes the
//! staff hand-off and signs in, and an edit to a file in `shared/` reaches the open page.
//!
//! It works on a copy of the sources (so the edit never touches the checkout) and builds
//! into the checkout's own target folder (so the dependencies compiled for the wasm tests
//! are reused).

use anyhow::{bail, Context, Result};
use e2e::{eventually_within, workspace_root, Harness, ADMIN, IPAD};
use shared::AppKind;
use std::path::Path;
use std::time::Duration;
use tokio::process::Command;

/// How long a first `trunk serve` build and a rebuild after an edit may take.
const BUILD_PATIENCE: Duration = Duration::from_secs(600);

/// The sources (no build output, no dependencies installed by npm, no git).
fn copy_sources(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let skip = ["target", "dist", "node_modules", ".git", "artifacts"];
        if skip.iter().any(|s| name == *s) {
            continue;
        }
        let (path, dest) = (entry.path(), to.join(&name));
        if entry.file_type()?.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&path)?, &dest)?;
        } else if path.is_dir() {
            copy_sources(&path, &dest)?;
        } else {
            std::fs::copy(&path, &dest)?;
        }
    }
    Ok(())
}

#[tokio::test]
async fn trunk_serve_signs_in_and_picks_up_an_edit_to_shared() -> Result<()> {
    let harness = Harness::start_without_app_settings().await?;
    let sources = tempfile::tempdir()?;
    copy_sources(&workspace_root(), sources.path())?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(|dir| workspace_root().join(dir))
        .unwrap_or_else(|| workspace_root().join("target"));
    let mut trunk = Command::new("trunk")
        .current_dir(sources.path().join("apps/barista"))
        .args(["serve", "--port", &port.to_string()])
        .env("CARGO_TARGET_DIR", &target)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting trunk serve (cargo xtask setup installs Trunk)")?;
    let served = format!("http://127.0.0.1:{port}/");
    eventually_within(BUILD_PATIENCE, "trunk serve serves the console", || {
        let stopped = trunk.try_wait().ok().flatten();
        let served = served.clone();
        async move {
            if let Some(status) = stopped {
                bail!("trunk serve stopped: {status}");
            }
            Ok(reqwest::get(&served).await.is_ok_and(|r| r.status() == 200))
        }
    })
    .await?;

    // The staff hand-off, as the emulator's start page offers it, pointed at trunk's page.
    let ipad = harness.browser(IPAD).await?;
    let settings = harness.local_settings();
    ipad.goto(&format!("{served}?{}", settings.to_query(AppKind::Barista)))
        .await?;
    ipad.click_button("Save and reload").await?;
    ipad.click_button("Use these hosts").await?;
    ipad.sign_in(ADMIN.0, ADMIN.1).await?;
    ipad.wait_for_connection("live").await?;

    // An edit to a shared component: the console's header shows it once Trunk has
    // rebuilt and reloaded the page.
    let shell = sources.path().join("shared/src/ui/shell.rs");
    let source = std::fs::read_to_string(&shell)?;
    let edited = source.replacen("\"Serverlesspresso\"", "\"Serverlesspresso (edited)\"", 1);
    if edited == source {
        bail!(
            "shared/src/ui/shell.rs no longer names the app \"Serverlesspresso\": update this test"
        );
    }
    std::fs::write(&shell, edited)?;
    eventually_within(BUILD_PATIENCE, "the edit reaches the page", || async {
        Ok(ipad
            .text(".app-header")
            .await?
            .contains("Serverlesspresso (edited)"))
    })
    .await?;
    ipad.wait_for_connection("live").await?;
    ipad.close().await?;
    trunk.kill().await?;
    Ok(())
}
