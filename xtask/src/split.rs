//! The release build of an app's wasm, split: the first screen's code loads with the page,
//! the rest when it is first needed.
//!
//! Trunk cannot split wasm (trunk#1022), so for the release build the Rust half is done
//! here and Trunk keeps the page, the styles and the static files:
//!
//! 1. `cargo build --release --features split` for wasm32 on the pinned nightly (std rebuilt
//!    for size, panics as traps: see `RUSTFLAGS`), linked with `--emit-relocs` (the splitter
//!    follows relocations), in `target/split` so that Trunk's builds stay cached;
//! 2. the splitter cargo-leptos uses (`wasm_split_cli_support`) writes the main module, a
//!    `split_*.wasm` per lazy piece, `chunk_*.wasm` for code several pieces share, and the
//!    loader `__wasm_split.js`;
//! 3. `wasm-bindgen --keep-lld-exports` on the main module (the chunks link to its exports);
//! 4. `wasm-opt -Oz` on every module, esbuild's minifier on the JavaScript;
//! 5. Trunk builds the page with its Rust link skipped; the modules go into
//!    `dist/wasm-<hash>/`, a folder named by its content so a deployment never mixes a main
//!    module with another build's chunks, and the page preloads the script and the main
//!    module side by side.
//!
//! `trunk serve` and `trunk build` never enable `split`: there every lazy piece is a plain
//! call into one wasm.

use crate::setup::RELEASE_TOOLCHAIN;
use crate::{root, run_quiet, target_dir};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The release build's compiler flags:
const RUSTFLAGS: [&str; 6] = [
    // the splitter follows relocations;
    "-Clink-args=--emit-relocs",
    // Leptos' components type-erased (fewer copies of generic view code);
    "--cfg erase_components",
    // a panic is a trap: no unwinding, no panic messages, no source locations, no Debug
    // formatting (a panic already aborts the app in any release build);
    "-Zunstable-options",
    "-Cpanic=immediate-abort",
    "-Zlocation-detail=none",
    "-Zfmt-debug=none",
];

/// wasm-opt's flags, the same as the Trunk build's (see each app's `index.html`).
const WASM_OPT: [&str; 9] = [
    "-Oz",
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
    "--strip-debug",
    "--strip-producers",
];

/// Builds `apps/<app>/dist` for `/<app>/` for each app, with its wasm split.
pub fn build(apps: &[&str]) -> Result<()> {
    let target = target_dir().join("split");
    // The rustup proxy picks the pinned nightly; `cargo xtask` itself runs on stable.
    let mut cargo = Command::new("cargo");
    cargo
        .current_dir(root())
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("RUSTC")
        .arg(format!("+{RELEASE_TOOLCHAIN}"))
        .args(["build", "--release", "--target", "wasm32-unknown-unknown"])
        // The standard library rebuilt for size, its panics reduced to a trap.
        .args([
            "-Zbuild-std=std,panic_abort",
            "-Zbuild-std-features=optimize_for_size",
        ]);
    for app in apps {
        cargo.args(["--package", app, "--features", &format!("{app}/split")]);
    }
    run_quiet(
        cargo
            .arg("--target-dir")
            .arg(&target)
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
                RUSTFLAGS.join(" "),
            )
            // Keep cargo's output for the app's own crates readable in CI logs.
            .env("CARGO_TERM_PROGRESS_WHEN", "never"),
    )?;
    for app in apps {
        let linked = target
            .join("wasm32-unknown-unknown/release")
            .join(format!("{app}.wasm"));
        let out = target.join("pkg").join(app);
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(&out)?;
        let main = target.join(format!("{app}.main.wasm"));
        split(&linked, &out, &main, app)?;
        run_quiet(
            Command::new("wasm-bindgen")
                .args(["--target", "web", "--no-typescript", "--keep-lld-exports"])
                .args(["--out-name", app, "--out-dir"])
                .arg(&out)
                .arg(&main),
        )?;
        for module in files(&out, "wasm")? {
            run_quiet(
                Command::new("wasm-opt")
                    .args(WASM_OPT)
                    .arg(&module)
                    .arg("-o")
                    .arg(&module),
            )?;
        }
        for script in files(&out, "js")? {
            run_quiet(
                Command::new("esbuild")
                    .args([
                        "--minify",
                        "--format=esm",
                        "--log-level=warning",
                        "--allow-overwrite",
                    ])
                    // wasm-bindgen names the split loader once per import it takes from it
                    // (the same module each time): harmless, not worth a warning per build.
                    .arg("--log-override:duplicate-object-key=silent")
                    .arg(&script)
                    .arg(format!("--outfile={}", script.display())),
            )?;
        }
        let folder = format!("wasm-{}", content_hash(&out)?);
        trunk_page(app)?;
        let dist = root().join("apps").join(app).join("dist");
        copy_dir(&out, &dist.join(&folder))?;
        link_page(&dist.join("index.html"), app, &folder)?;
    }
    Ok(())
}

/// Step 2: the splitter, as a library so its version is the one in Cargo.lock.
fn split(linked: &Path, out: &Path, main: &Path, app: &str) -> Result<()> {
    let input = std::fs::read(linked).with_context(|| format!("reading {}", linked.display()))?;
    let main_module = format!("./{app}.js");
    let mut options = wasm_split_cli_support::Options::new(&input);
    options.output_dir = out;
    options.main_out_path = main;
    options.main_module = &main_module;
    wasm_split_cli_support::transform(options)
        .map_err(|e| anyhow::anyhow!("splitting {}: {e:?}", linked.display()))?;
    Ok(())
}

/// Step 5a: Trunk builds the page, styles and files from a copy of `index.html` whose
/// Rust link is skipped (removing it would make Trunk build the crate on its own).
fn trunk_page(app: &str) -> Result<()> {
    let folder = root().join("apps").join(app);
    let html = std::fs::read_to_string(folder.join("index.html"))?;
    let skipped = html.replacen(
        "data-trunk rel=\"rust\"",
        "data-trunk data-trunk-skip rel=\"rust\"",
        1,
    );
    if skipped == html {
        bail!("apps/{app}/index.html has no `data-trunk rel=\"rust\"` link");
    }
    let page = folder.join(".index.split.html");
    std::fs::write(&page, skipped)?;
    let built = run_quiet(
        Command::new("trunk")
            .current_dir(&folder)
            .args(["build", "--release", "--offline", "--public-url"])
            .arg(format!("/{app}/"))
            .arg(".index.split.html"),
    );
    let _ = std::fs::remove_file(&page);
    built
}

/// Step 5b: the page, its styles minified, loads the split build: the app's script, the split loader it imports
/// and the main module are fetched side by side (preloads), then the script starts the app.
fn link_page(page: &Path, app: &str, folder: &str) -> Result<()> {
    let html = std::fs::read_to_string(page)?;
    let start = format!(
        "<link rel=\"modulepreload\" href=\"{folder}/{app}.js\">\n\
         <link rel=\"modulepreload\" href=\"{folder}/__wasm_split.js\">\n\
         <link rel=\"preload\" href=\"{folder}/{app}_bg.wasm\" as=\"fetch\" type=\"application/wasm\" crossorigin>\n\
         <script type=\"module\">import init from \"./{folder}/{app}.js\"; init({{ module_or_path: new URL(\"{folder}/{app}_bg.wasm\", document.baseURI) }});</script>\n</head>"
    );
    if !html.contains("</head>") {
        bail!("{} has no </head>", page.display());
    }
    std::fs::write(page, minify_page(&html)?.replacen("</head>", &start, 1))?;
    Ok(())
}

/// The page with its inline styles as one minified stylesheet (where the first was) and
/// the skipped (inert) Rust link dropped.
fn minify_page(html: &str) -> Result<String> {
    let mut page = String::with_capacity(html.len());
    let mut styles = String::new();
    let mut first = None;
    let mut rest = html;
    while let Some(open) = rest.find("<style>") {
        let css = open + "<style>".len();
        let close = css
            + rest[css..]
                .find("</style>")
                .context("a <style> is not closed")?;
        page.push_str(&rest[..open]);
        first.get_or_insert(page.len());
        styles.push_str(&rest[css..close]);
        styles.push('\n');
        rest = &rest[close + "</style>".len()..];
    }
    page.push_str(rest);
    if let Some(at) = first {
        let sheet = format!("<style>{}</style>", minify_css(&styles)?.trim_end());
        page.insert_str(at, &sheet);
    }
    let kept: Vec<&str> = page
        .lines()
        .filter(|line| !line.contains("data-trunk-skip") && !line.trim().is_empty())
        .collect();
    Ok(kept.join("\n"))
}

fn minify_css(css: &str) -> Result<String> {
    use std::io::Write;
    use std::process::Stdio;
    let mut esbuild = Command::new("esbuild")
        .args(["--loader=css", "--minify", "--log-level=warning"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("starting esbuild (cargo xtask setup installs it)")?;
    esbuild
        .stdin
        .take()
        .context("esbuild's input")?
        .write_all(css.as_bytes())?;
    let out = esbuild.wait_with_output()?;
    if !out.status.success() {
        bail!("esbuild could not minify the page's styles");
    }
    Ok(String::from_utf8(out.stdout)?)
}

/// The files (not folders) in `dir` whose extension is `ext` (`""`: every file), sorted.
pub fn files(dir: &Path, ext: &str) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() && (ext.is_empty() || path.extension().is_some_and(|e| e == ext)) {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

/// 16 hex digits of SHA-256 over every file's name and bytes.
fn content_hash(dir: &Path) -> Result<String> {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for path in files(dir, "")? {
        hash.update(path.file_name().unwrap_or_default().as_encoded_bytes());
        hash.update(std::fs::read(&path)?);
    }
    let digest = hash.finalize();
    Ok(digest[..8].iter().map(|b| format!("{b:02x}")).collect())
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let path = entry?.path();
        std::fs::copy(&path, to.join(path.file_name().unwrap_or_default()))?;
    }
    Ok(())
}
