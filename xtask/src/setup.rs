//! Installs what the build needs, each piece only when it is missing, so a second run
//! installs nothing and prints nothing. Versions are pinned; see
//! `../shared/reference/toolchain.md` for why these ones.

use crate::{root, run_cmd, target_dir};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use xtask::browsers::{self, Engine};

/// Trunk 0.21.14 is the newest that builds on Rust 1.95.
const TRUNK_VERSION: &str = "0.21.14";
/// npm's binaryen; Debian's binaryen 108 makes a .wasm that fails at load time.
const BINARYEN_VERSION: &str = "132";
/// Minifies the release build's JavaScript (wasm-bindgen's glue, the split loader).
const ESBUILD_VERSION: &str = "0.28.2";
/// Checks `deploy/least-privilege.yaml`: the newest on PyPI, and it installs on Python 3.11.
const CFN_LINT_VERSION: &str = "1.58.0";
/// moto's server, the deploy test's AWS stand-in (S3, CloudFormation, CloudFront).
const MOTO_VERSION: &str = "5.2.1";
/// The AWS CLI the deploy test drives (v1, from PyPI; the deploy works with v2 as well).
const AWSCLI_VERSION: &str = "1.45.11";
/// The release build's toolchain (see `split.rs`): a dated nightly, for `-Zbuild-std`
/// and `-Cpanic=immediate-abort` (a smaller first load). Everything else uses stable.
pub const RELEASE_TOOLCHAIN: &str = "nightly-2026-05-20";
/// Mozilla's WebDriver server for Firefox, published on crates.io.
const GECKODRIVER_VERSION: &str = "0.37.1";
/// Xvfb, the X display WebKitGTK's MiniBrowser needs on a machine without a screen.
pub const XVFB_RUN: &str = "/usr/bin/xvfb-run";
const XAUTH: &str = "/usr/bin/xauth";

pub fn run() -> Result<()> {
    let wasm_bindgen = locked_wasm_bindgen_version()?;
    check_trunk_toml_pin(&wasm_bindgen)?;

    let targets = output(Command::new("rustup").args(["target", "list", "--installed"]))?;
    if !targets
        .lines()
        .any(|t| t.trim() == "wasm32-unknown-unknown")
    {
        run_cmd(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }

    let release = output(Command::new("rustup").args([
        "component",
        "list",
        "--installed",
        "--toolchain",
        RELEASE_TOOLCHAIN,
    ]))
    .unwrap_or_default();
    if !release.lines().any(|c| c.trim() == "rust-src")
        || !release
            .lines()
            .any(|c| c.trim() == "rust-std-wasm32-unknown-unknown")
    {
        run_cmd(Command::new("rustup").args([
            "toolchain",
            "install",
            RELEASE_TOOLCHAIN,
            "--profile",
            "minimal",
            "--component",
            "rust-src",
            "--target",
            "wasm32-unknown-unknown",
        ]))?;
    }

    if !has_version("wasm-bindgen", &format!("wasm-bindgen {wasm_bindgen}")) {
        // Without --locked: its lockfile wants a crate version the registry lacks.
        run_cmd(
            quick_install()
                .args(["wasm-bindgen-cli", "--version", &wasm_bindgen])
                // Its work is a second per build: optimising it harder took 5 more
                // minutes to compile on a 2-core machine.
                .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1"),
        )?;
    }

    if !has_version("trunk", &format!("trunk {TRUNK_VERSION}")) {
        // No default features: they are TLS (to download tools, which `offline = true`
        // forbids) and the update check. Without its fat LTO, Trunk compiles in under
        // 5 minutes instead of 17 on 2 cores.
        run_cmd(quick_install().args([
            "trunk",
            "--locked",
            "--version",
            TRUNK_VERSION,
            "--no-default-features",
        ]))?;
    }

    let wanted_opt = format!("version_{BINARYEN_VERSION}");
    if !has_version("wasm-opt", &wanted_opt) {
        run_cmd(
            Command::new("npm")
                .args(["install", "--global", "--no-fund", "--no-audit"])
                .arg(format!("binaryen@{BINARYEN_VERSION}")),
        )?;
        if !has_version("wasm-opt", &wanted_opt) {
            bail!("wasm-opt on PATH is not binaryen {BINARYEN_VERSION} after `npm install --global`; remove the other wasm-opt (Debian's `binaryen`?) from PATH");
        }
    }

    if !has_version("esbuild", ESBUILD_VERSION) {
        run_cmd(
            Command::new("npm")
                .args(["install", "--global", "--no-fund", "--no-audit"])
                .arg(format!("esbuild@{ESBUILD_VERSION}")),
        )?;
    }

    // axe-core for the browser tests' accessibility audit, at the version the lock pins.
    let tests = crate::root().join("tests");
    if !tests.join("node_modules/axe-core/axe.min.js").exists() {
        run_cmd(
            Command::new("npm")
                .current_dir(&tests)
                .args(["ci", "--no-fund", "--no-audit"]),
        )?;
    }

    browsers(&[Engine::Chromium])
}

/// The browser engines `engines` and their WebDriver servers (`xtask::browsers`):
/// Debian's Chromium, WebKitGTK (with Xvfb, as its MiniBrowser has no headless mode) and
/// Firefox ESR, each package installed only when its program is missing, and
/// geckodriver from crates.io at the pinned version.
/// What `fonts-ipafont-gothic` installs (every engine finds it through fontconfig).
const JAPANESE_FONT: &str = "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf";

pub fn browsers(engines: &[Engine]) -> Result<()> {
    let mut packages: Vec<&str> = engines
        .iter()
        .flat_map(|engine| match engine {
            // A Japanese font (phones have one; this machine may not), so the tests'
            // screenshots of the app in Japanese show its words.
            Engine::Chromium => vec![
                (browsers::CHROMIUM, "chromium"),
                (browsers::CHROMEDRIVER, "chromium-driver"),
                (JAPANESE_FONT, "fonts-ipafont-gothic"),
            ],
            Engine::WebKit => vec![
                (browsers::WEBKIT_DRIVER, "webkit2gtk-driver"),
                (browsers::MINIBROWSER, "webkit2gtk-driver"),
                (XVFB_RUN, "xvfb"),
                (XAUTH, "xauth"),
            ],
            Engine::Firefox => vec![(browsers::FIREFOX, "firefox-esr")],
        })
        .filter(|(program, _)| !Path::new(program).exists())
        .map(|(_, package)| package)
        .collect();
    packages.dedup();
    if !packages.is_empty() {
        let sudo = if is_root() { vec![] } else { vec!["sudo"] };
        let apt = |args: &[&str]| {
            let mut cmd = Command::new(sudo.first().copied().unwrap_or("apt-get"));
            if !sudo.is_empty() {
                cmd.arg("apt-get");
            }
            cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
            run_cmd(&mut cmd)
        };
        apt(&["update", "-qq"])?;
        let mut install = vec!["install", "-y", "-qq", "--no-install-recommends"];
        install.extend(packages);
        apt(&install)?;
    }
    if engines.contains(&Engine::Firefox)
        && !has_version(
            browsers::GECKODRIVER,
            &format!("geckodriver {GECKODRIVER_VERSION}"),
        )
    {
        run_cmd(quick_install().args([
            "geckodriver",
            "--locked",
            "--version",
            GECKODRIVER_VERSION,
        ]))?;
    }
    Ok(())
}

/// cfn-lint at the pinned version, installed when missing, for `cargo xtask test` only (the
/// build does not need it). It lives in its own venv under the target folder: a pin that
/// neither depends on nor changes a cfn-lint the machine may have, and no `pip install` into
/// a system Python (which Debian refuses).
pub fn cfn_lint() -> Result<PathBuf> {
    let venv = target_dir().join("cfn-lint");
    let cfn_lint = venv.join("bin").join("cfn-lint");
    let wanted = format!("cfn-lint {CFN_LINT_VERSION}");
    if !has_version(&cfn_lint.to_string_lossy(), &wanted) {
        run_cmd(
            Command::new("python3")
                .args(["-m", "venv", "--clear"])
                .arg(&venv),
        )
        .context("cfn-lint needs Python 3 with venv (Debian: apt-get install python3-venv)")?;
        run_cmd(
            Command::new(venv.join("bin").join("pip"))
                .args(["install", "--quiet", "--disable-pip-version-check"])
                .arg(format!("cfn-lint=={CFN_LINT_VERSION}")),
        )?;
        if !has_version(&cfn_lint.to_string_lossy(), &wanted) {
            bail!("{} is not {wanted} after `pip install`", cfn_lint.display());
        }
    }
    Ok(cfn_lint)
}

/// The AWS CLI and moto's server (a local AWS stand-in), pinned, for the deploy's test in
/// `cargo xtask test`: a venv under the target folder, as for cfn-lint. Returns its `bin`.
pub fn aws_tools() -> Result<PathBuf> {
    let venv = target_dir().join("aws-tools");
    let bin = venv.join("bin");
    let wanted = format!("moto[server]=={MOTO_VERSION} awscli=={AWSCLI_VERSION}");
    let marker = venv.join("installed");
    if std::fs::read_to_string(&marker).ok().as_deref() != Some(wanted.as_str())
        || !bin.join("aws").exists()
        || !bin.join("moto_server").exists()
    {
        run_cmd(
            Command::new("python3")
                .args(["-m", "venv", "--clear"])
                .arg(&venv),
        )
        .context("moto needs Python 3 with venv (Debian: apt-get install python3-venv)")?;
        run_cmd(
            Command::new(bin.join("pip"))
                .args(["install", "--quiet", "--disable-pip-version-check"])
                .args(wanted.split(' ')),
        )?;
        std::fs::write(&marker, &wanted)?;
    }
    Ok(bin)
}

/// `cargo install` of a tool this project only runs, not ships: compiled for a quick
/// install rather than the last percent of speed (no LTO, parallel code generation, no
/// debug info), whatever the tool's own release profile says.
fn quick_install() -> Command {
    let mut cmd = Command::new("cargo");
    cmd.arg("install")
        .env("CARGO_PROFILE_RELEASE_LTO", "off")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false");
    cmd
}

/// The wasm-bindgen version Cargo.lock resolved: the CLI must match it exactly.
fn locked_wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(version.trim_end_matches('"').to_string());
            }
        }
    }
    bail!("Cargo.lock has no wasm-bindgen package")
}

fn check_trunk_toml_pin(wasm_bindgen: &str) -> Result<()> {
    let trunk_toml =
        std::fs::read_to_string(root().join("Trunk.toml")).context("reading Trunk.toml")?;
    let pin = format!("wasm_bindgen = \"{wasm_bindgen}\"");
    if !trunk_toml.lines().any(|l| l.trim() == pin) {
        bail!("Trunk.toml must pin `{pin}` to match Cargo.lock, or Trunk will try to download wasm-bindgen");
    }
    Ok(())
}

/// Whether `tool --version` runs and its first line contains `expected`.
fn has_version(tool: &str, expected: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|out| {
            out.status.success()
                && String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .next()
                    .is_some_and(|line| line.contains(expected))
        })
}

fn output(cmd: &mut Command) -> Result<String> {
    let out = cmd
        .output()
        .with_context(|| format!("could not start {cmd:?}"))?;
    if !out.status.success() {
        bail!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn is_root() -> bool {
    output(Command::new("id").arg("-u")).is_ok_and(|uid| uid.trim() == "0")
}
