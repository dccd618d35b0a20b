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
//! 4. `wasm-opt -Oz` on every module (each then checked for WebAssembly features the page
//!    does not test for: `wasm_features.rs`), esbuild's minifier on the JavaScript;
//! 5. Trunk builds the page with its Rust link skipped; the modules go into
//!    `dist/wasm-<hash>/`, a folder named by its content so a deployment never mixes a main
//!    module with another build's chunks, and the page preloads the script and the main
//!    module side by side.
//!
//! `trunk serve` and `trunk build` never enable `split`: there every lazy piece is a plain
//! call into one wasm.
//!
//! Incremental: steps 2–4 are redone only when their inputs change (the linked wasm, the
//! tools' versions, the flags, this pipeline's code), and step 5 only when the page's
//! inputs do (the modules, `index.html`, `style/`, `public/`, Trunk's version); each
//! app's stamps live in `target/split/stamps/`. A build with nothing changed spends a
//! second or two on the apps, and a change to one app rebuilds that app alone.

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

/// What one app's build did: which steps it could reuse from the previous build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppBuild {
    pub app: String,
    /// Split, bound, optimised and minified modules reused (inputs unchanged).
    pub modules_reused: bool,
    /// The page (Trunk's `dist/`) reused.
    pub page_reused: bool,
}

impl AppBuild {
    pub fn all_reused(&self) -> bool {
        self.modules_reused && self.page_reused
    }
}

impl std::fmt::Display for AppBuild {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let said = |reused| if reused { "reused" } else { "rebuilt" };
        write!(
            f,
            "{}: modules {}, page {}",
            self.app,
            said(self.modules_reused),
            said(self.page_reused)
        )
    }
}

/// Builds `apps/<app>/dist` for `/<app>/` for each app, with its wasm split, redoing only
/// the steps whose inputs changed (see the module's header).
pub fn build(apps: &[&str]) -> Result<Vec<AppBuild>> {
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
    let tools = tool_versions()?;
    let stamps = target.join("stamps");
    std::fs::create_dir_all(&stamps)?;
    let mut report = Vec::new();
    for app in apps {
        let linked = target
            .join("wasm32-unknown-unknown/release")
            .join(format!("{app}.wasm"));
        let out = target.join("pkg").join(app);
        let modules_key = Key::new("modules")
            .file(&linked)?
            .text(&tools)
            .text(&WASM_OPT.join(" "))
            .text(PIPELINE)
            .finish();
        let modules_stamp = stamps.join(format!("{app}.modules"));
        let modules_reused = is_current(&modules_stamp, &modules_key) && out.is_dir();
        if !modules_reused {
            let _ = std::fs::remove_file(&modules_stamp);
            build_modules(app, &linked, &out, &target)?;
            std::fs::write(&modules_stamp, &modules_key)?;
        }
        let folder = format!("wasm-{}", content_hash(&out)?);
        let dist = root().join("apps").join(app).join("dist");
        let page_key = Key::new("page")
            .text(&folder)
            .text(&tools)
            .text(PIPELINE)
            .file(&root().join("apps").join(app).join("index.html"))?
            .tree(&root().join("style"))?
            .tree(&root().join("public"))?
            .finish();
        let page_stamp = stamps.join(format!("{app}.page"));
        let page_reused = is_current(&page_stamp, &page_key)
            && std::fs::read_to_string(dist.join("index.html")).is_ok_and(|p| p.contains(&folder));
        if !page_reused {
            let _ = std::fs::remove_file(&page_stamp);
            trunk_page(app)?;
            copy_dir(&out, &dist.join(&folder))?;
            link_page(&dist.join("index.html"), app, &folder)?;
            std::fs::write(&page_stamp, &page_key)?;
        }
        report.push(AppBuild {
            app: app.to_string(),
            modules_reused,
            page_reused,
        });
    }
    Ok(report)
}

/// This pipeline's own code: a change to it redoes every step.
const PIPELINE: &str = concat!(include_str!("split.rs"), include_str!("csp.rs"));

/// Steps 2–4 for one app: split, bind, optimise, minify, into `out`.
fn build_modules(app: &str, linked: &Path, out: &Path, target: &Path) -> Result<()> {
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out)?;
    let main = target.join(format!("{app}.main.wasm"));
    split(linked, out, &main, app)?;
    run_quiet(
        Command::new("wasm-bindgen")
            .args(["--target", "web", "--no-typescript", "--keep-lld-exports"])
            .args(["--out-name", app, "--out-dir"])
            .arg(out)
            .arg(&main),
    )?;
    for module in files(out, "wasm")? {
        wasm_opt(&module)?;
        crate::wasm_features::check(&module.display().to_string(), &std::fs::read(&module)?)?;
    }
    for script in files(out, "js")? {
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
    Ok(())
}

/// wasm-opt on one module, in place. The nightly's linker writes name subsections that
/// binaryen does not know ("warning: unknown name subsection with id 3 at …", once per
/// module); it skips them, and `--strip-debug` drops the name section anyway, so those
/// lines are not shown. Anything else it says is.
fn wasm_opt(module: &Path) -> Result<()> {
    let out = Command::new("wasm-opt")
        .args(WASM_OPT)
        .arg(module)
        .arg("-o")
        .arg(module)
        .output()
        .context("starting wasm-opt (cargo xtask setup installs it)")?;
    let said = String::from_utf8_lossy(&out.stderr);
    for line in said.lines().filter(|l| !is_unknown_name_subsection(l)) {
        eprintln!("{line}");
    }
    if !out.status.success() {
        bail!("wasm-opt failed on {} ({})", module.display(), out.status);
    }
    Ok(())
}

fn is_unknown_name_subsection(line: &str) -> bool {
    line.strip_prefix("warning: unknown name subsection with id ")
        .is_some_and(|rest| rest.split(" at ").count() == 2)
}

/// The versions of the tools the steps run, as they report them.
fn tool_versions() -> Result<String> {
    let mut versions = String::new();
    for tool in ["wasm-bindgen", "wasm-opt", "esbuild", "trunk"] {
        let out = Command::new(tool)
            .arg("--version")
            .output()
            .with_context(|| format!("starting {tool} (cargo xtask setup installs it)"))?;
        versions.push_str(tool);
        versions.push(' ');
        versions.push_str(String::from_utf8_lossy(&out.stdout).trim());
        versions.push('\n');
    }
    Ok(versions)
}

/// Whether the stamp at `path` records `key` (the inputs of the step it stands for).
fn is_current(path: &Path, key: &str) -> bool {
    std::fs::read_to_string(path).is_ok_and(|recorded| recorded == key)
}

/// A digest of a step's inputs: texts, files and whole folders (names and contents).
struct Key(sha2::Sha256);

impl Key {
    fn new(step: &str) -> Self {
        use sha2::Digest;
        Self(sha2::Sha256::new_with_prefix(step))
    }

    fn text(mut self, text: &str) -> Self {
        use sha2::Digest;
        self.0.update((text.len() as u64).to_le_bytes());
        self.0.update(text);
        self
    }

    fn file(self, path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        Ok(self.text(&path.to_string_lossy()).bytes(&bytes))
    }

    fn bytes(mut self, bytes: &[u8]) -> Self {
        use sha2::Digest;
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    /// Every file under `dir`, in a stable order.
    fn tree(mut self, dir: &Path) -> Result<Self> {
        let mut stack = vec![dir.to_path_buf()];
        let mut found = Vec::new();
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir)? {
                let path = entry?.path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    found.push(path);
                }
            }
        }
        found.sort();
        for path in found {
            self = self.file(&path)?;
        }
        Ok(self)
    }

    fn finish(self) -> String {
        use sha2::Digest;
        self.0
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
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

/// The service worker (`public/sw.js`: repeat visits from the cache, a new deployment on
/// the next visit) is registered by the release build only: under `trunk serve` it would
/// answer a reload with the cached page, and an edit would show one reload late.
const REGISTER_WORKER: &str = "if (\"serviceWorker\" in navigator) addEventListener(\"load\", () => navigator.serviceWorker.register(\"sw.js\").catch(() => {}));";

/// What a person sees instead of a blank page when the app cannot start. A browser without
/// WebAssembly (Safari on an iPhone or iPad in Lockdown Mode turns it off) or without a
/// feature the build uses (a browser older than Safari 15, Chrome 96 or Firefox 79:
/// `wasm_features.rs`) is told what to use; a download that failed is told to reload.
const CANNOT_RUN: &str = "Serverlesspresso cannot run in this browser. Open this page in Safari 15 or later (on an iPhone or iPad: iOS 15 or later), or in a recent Chrome, Edge or Firefox. On an iPhone or iPad in Lockdown Mode, turn Lockdown Mode off for this website.";
const DID_NOT_LOAD: &str = "Serverlesspresso did not finish loading: the connection may have dropped. Reload the page to try again.";

/// Step 5b: the page, its styles minified, loads the split build: the app's script, the split loader it imports
/// and the main module are fetched side by side (preloads), then the script starts the app,
/// or says why it cannot ([`CANNOT_RUN`], [`DID_NOT_LOAD`]) in an alert.
fn link_page(page: &Path, app: &str, folder: &str) -> Result<()> {
    let html = std::fs::read_to_string(page)?;
    let can_run = crate::wasm_features::page_check();
    let start = format!(
        "<link rel=\"modulepreload\" href=\"{folder}/{app}.js\">\n\
         <link rel=\"modulepreload\" href=\"{folder}/__wasm_split.js\">\n\
         <link rel=\"preload\" href=\"{folder}/{app}_bg.wasm\" as=\"fetch\" type=\"application/wasm\" crossorigin>\n\
         <script type=\"module\">const say = (text) => {{ const p = document.createElement(\"p\"); p.className = \"alert error boot-failure\"; p.setAttribute(\"role\", \"alert\"); p.textContent = text; document.body.prepend(p); }}; \
         if (!({can_run})) say(\"{CANNOT_RUN}\"); \
         else import(\"./{folder}/{app}.js\").then((app) => app.default({{ module_or_path: new URL(\"{folder}/{app}_bg.wasm\", document.baseURI) }})).catch(() => say(\"{DID_NOT_LOAD}\")); \
         {REGISTER_WORKER}</script>\n</head>"
    );
    if !html.contains("</head>") {
        bail!("{} has no </head>", page.display());
    }
    std::fs::write(page, minify_page(&html)?.replacen("</head>", &start, 1))?;
    // The page's Content-Security-Policy, for a build that knows no backend yet (see
    // `csp.rs`: `cargo xtask aws-settings` narrows it).
    let any_aws = crate::csp::ANY_AWS.map(String::from);
    crate::csp::write(page.parent().context("the page's folder")?, app, &any_aws)
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
