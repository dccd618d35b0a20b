//! The project's task runner: `cargo xtask <task>`.
//!
//! - `setup`  installs the toolchain pieces the build needs, skipping what is present
//! - `build`  builds the three apps with Trunk (release)
//! - `run`    builds the apps and starts the emulator serving them
//! - `test`   runs every check and test: fmt, clippy, native tests, browser tests
//! - `size`   builds the apps and prints the bytes of each first page load
//! - `bench`  loads the emulator and prints throughput and latency
//! - `soak`   a time-scaled event day with faults, the apps in Chromium, figures printed
//! - `fuzz`   fuzzes the typed-JSON, event and REST parsers
//! - `aws-settings` writes each built app's `settings.json` for a real deployment
//! - `deploy` builds and uploads the apps to S3 and CloudFront for an event

mod setup;
mod size;
mod split;
mod wasm_features;

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use xtask::browsers::{self, Engine};
use xtask::{aws, csp, deploy};

const APPS: [&str; 3] = ["order", "barista", "display"];

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = args.first().map(String::as_str).unwrap_or("help");
    // `cargo xtask run -- --flag` and `cargo xtask run --flag` mean the same.
    let mut rest = &args[args.len().min(1)..];
    if rest.first().map(String::as_str) == Some("--") {
        rest = &rest[1..];
    }
    match task {
        "setup" => {
            setup::run()?;
            setup::browsers(&Engine::ALL)
        }
        "build" => {
            setup::run()?;
            build_apps().map(drop)
        }
        "run" => run(rest),
        "aws-settings" => {
            if rest.is_empty() {
                println!("{}", aws::USAGE);
                return Ok(());
            }
            aws::write(&root(), &aws::settings_from(rest)?)
        }
        "deploy" => {
            if rest.is_empty() {
                println!("{}", deploy::USAGE);
                return Ok(());
            }
            let options = deploy::Options::parse(rest)?;
            let template = options
                .template
                .clone()
                .unwrap_or_else(|| root().join("deploy/hosting.yaml"));
            let scratch = target_dir().join("deploy");
            deploy::run(&options, &root().join("apps"), &template, &scratch, || {
                setup::run()?;
                build_apps().map(drop)
            })
            .map(drop)
        }
        "test" => test(rest),
        "bench" => run_cmd(emulator_bin("bench").args(rest)),
        "bench-ui" => measure_in_browsers("latency", None),
        "bench-load" => measure_in_browsers("load", None),
        "soak" => measure_in_browsers("soak", Some("a_whole_day_at_the_bar")),
        "fuzz" => fuzz(
            rest.first()
                .map_or(Ok(60), |s| s.parse())
                .context("fuzz takes seconds per target")?,
        ),
        "size" => {
            setup::run()?;
            build_apps()?;
            size::report(&root())
        }
        _ => {
            eprintln!(
                "usage: cargo xtask <task>\n\n\
                 tasks:\n  \
                 setup   install the wasm target, Trunk, wasm-bindgen-cli, wasm-opt, the three browsers and their drivers (skips what is present)\n  \
                 build   build the three apps in release mode\n  \
                 run     build the apps and start the emulator serving them (extra args go to the emulator)\n  \
                 test    fmt, clippy, native tests, then browser tests against the emulator\n          \
                 (--browser chromium|webkit|firefox: one engine's whole set; default: all three)\n  \
                 size    build the apps and print each first page load, raw and gzip -9\n  \
                 bench   the emulator with 2,000 WebSocket subscribers and 500 orders a minute (args: --help)\n  \
                 bench-ui  time from an API call to its card on the barista console (100 orders)\n  \
                 soak    a time-scaled event day with every fault, three apps in Chromium; prints its figures\n  \
                 bench-load  each app's first load on Slow 4G with a 4x slower CPU, gzipped and not, fresh and repeat\n  \
                 fuzz    fuzz the wire parsers with cargo fuzz (arg: seconds per target, default 60)\n  \
                 aws-settings  write each built app's settings.json for a real AWS deployment (see its --help)\n  \
                 deploy  build and upload the apps to S3 + CloudFront for an event (run it alone for its options)"
            );
            if task == "help" {
                Ok(())
            } else {
                bail!("unknown task `{task}`")
            }
        }
    }
}

/// The workspace root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one folder below the root")
        .to_path_buf()
}

/// Cargo's target folder: `CARGO_TARGET_DIR` when set (relative to the root), else `target/`.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(|dir| root().join(dir))
        .unwrap_or_else(|| root().join("target"))
}

/// Runs a command to completion, failing on a non-zero exit.
fn run_cmd(cmd: &mut Command) -> Result<()> {
    let shown = format!("{cmd:?}").replace('"', "");
    eprintln!("\n$ {shown}");
    let status = cmd
        .status()
        .with_context(|| format!("could not start `{shown}`"))?;
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

/// `cargo run` of one of the emulator crate's binaries, optimised; arguments follow.
fn emulator_bin(bin: &str) -> Command {
    let mut cmd = cargo();
    cmd.args([
        "run",
        "--profile",
        "native",
        "--package",
        "emulator",
        "--bin",
        bin,
        "--",
    ]);
    cmd
}

/// Builds the apps, then runs the ignored tests of `tests/tests/<file>.rs` (`only` one of
/// them): measurements that print figures, run with the built apps in headless Chromium.
fn measure_in_browsers(file: &str, only: Option<&str>) -> Result<()> {
    setup::run()?;
    build_apps()?;
    run_cmd(
        cargo()
            .args([
                "test",
                "--package",
                "e2e",
                "--test",
                file,
                "--",
                "--ignored",
                "--nocapture",
            ])
            .args(only),
    )
}

/// Builds each app into `apps/<app>/dist`, served under `/<app>/`: the release build,
/// split (see `split.rs`), redoing only what changed; says what it reused.
fn build_apps() -> Result<Vec<split::AppBuild>> {
    let report = split::build(&APPS)?;
    for app in &report {
        println!("      {app}");
    }
    Ok(report)
}

/// Builds everything, then runs the emulator with the apps until Ctrl-C. The emulator
/// is the same build `cargo xtask test` makes (the dev profile), so a machine where the
/// tests ran compiles nothing again.
fn run(emulator_args: &[String]) -> Result<()> {
    let mut steps = Steps::new(4);
    steps.start("Checking the toolchain (installs what is missing; the first time takes a while)");
    setup::run()?;
    steps.start("Building the three apps (release; unchanged steps are reused)");
    build_apps()?;
    steps.start("Building the emulator");
    build_emulator()?;
    steps.start("Starting the emulator with the apps (Ctrl-C stops it)");
    run_cmd(
        Command::new(emulator_path())
            .current_dir(root())
            .arg("--apps")
            .arg(root().join("apps"))
            .args(emulator_args),
    )
}

/// One line per step of a long task, each with the time the previous step took.
struct Steps {
    total: usize,
    done: usize,
    started: std::time::Instant,
    step_started: Option<std::time::Instant>,
}

impl Steps {
    fn new(total: usize) -> Self {
        Self {
            total,
            done: 0,
            started: std::time::Instant::now(),
            step_started: None,
        }
    }

    fn finish_step(&mut self) {
        if let Some(started) = self.step_started.take() {
            println!(
                "      done in {:.1} s ({:.0} s so far)",
                started.elapsed().as_secs_f64(),
                self.started.elapsed().as_secs_f64()
            );
        }
    }

    fn start(&mut self, what: &str) {
        self.finish_step();
        self.done += 1;
        println!("[{}/{}] {what}…", self.done, self.total);
        self.step_started = Some(std::time::Instant::now());
    }
}

/// The emulator binary of the dev profile, as `cargo xtask test` builds it.
fn build_emulator() -> Result<()> {
    run_quiet(cargo().args(["build", "--package", "emulator", "--bin", "emulator"]))
}

fn emulator_path() -> PathBuf {
    target_dir().join("debug/emulator")
}

/// Runs a command to completion without echoing it (its own output still shows).
fn run_quiet(cmd: &mut Command) -> Result<()> {
    let shown = format!("{cmd:?}").replace('"', "");
    let status = cmd
        .status()
        .with_context(|| format!("could not start `{shown}`"))?;
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

/// Every check and test, in the order that fails fastest; `args` may choose the browser
/// engines (`--browser`).
fn test(args: &[String]) -> Result<()> {
    let (engines, plan) = engines_from(args)?;
    setup::run()?;
    run_cmd(cargo().args(["fmt", "--all", "--", "--check"]))?;
    // The IAM template an operator deploys for least privilege (docs/security.md). It takes
    // a second or two; warnings fail it as errors do.
    run_cmd(
        Command::new(setup::cfn_lint()?)
            .current_dir(root())
            .arg("deploy/least-privilege.yaml")
            .arg("deploy/hosting.yaml"),
    )?;
    run_cmd(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    // The apps as `trunk serve` builds them, then as the split release build.
    for features in ["", "order/split,barista/split,display/split"] {
        run_cmd(cargo().args([
            "clippy",
            "--target",
            "wasm32-unknown-unknown",
            "--package",
            "order",
            "--package",
            "barista",
            "--package",
            "display",
            "--features",
            features,
            "--",
            "-D",
            "warnings",
        ]))?;
    }
    // Native tests: shared logic (with its server half), the emulator, and the apps'
    // pure logic (flows, boards).
    run_cmd(cargo().args([
        "test",
        "--features",
        "shared/server",
        "--package",
        "shared",
        "--package",
        "emulator",
        "--package",
        "xtask",
        "--package",
        "order",
        "--package",
        "barista",
        "--package",
        "display",
    ]))?;
    // The shared client in headless Chromium against a running emulator.
    with_emulator(|url, local_token| {
        run_cmd(
            cargo()
                .args([
                    "test",
                    "--target",
                    "wasm32-unknown-unknown",
                    "--package",
                    "shared",
                    "--features",
                    "ui",
                    "--test",
                    "web_client",
                ])
                .env("SERVERLESSPRESSO_EMULATOR", url)
                .env("SERVERLESSPRESSO_LOCAL_TOKEN", local_token)
                .env("CHROMEDRIVER", browsers::CHROMEDRIVER),
        )
    })?;
    build_apps()?;
    // The pipeline is incremental: a second build with nothing changed must reuse every
    // step of every app (and take seconds).
    let again = build_apps()?;
    if let Some(redone) = again.iter().find(|app| !app.all_reused()) {
        bail!("a second build with nothing changed did not reuse every step: {redone}");
    }
    let aws_tools = setup::aws_tools()?;
    setup::browsers(&engines)?;
    for engine in engines {
        browser_tests(engine, &aws_tools, plan)?;
    }
    size::report(&root())
}

/// Runs the browser tests in `engine`, as `plan` says: in Chromium, all of them, then
/// again against the emulator's `--least-privilege` (the rules a security-minded operator
/// deploys, docs/security.md, must not break the apps); in WebKit, all but those that
/// need Chromium's DevTools ([`browsers::CHROMIUM_ONLY`]), under Xvfb; in Firefox, the
/// journeys ([`browsers::FIREFOX_JOURNEYS`]) when every engine runs, else as WebKit.
fn browser_tests(engine: Engine, aws_tools: &Path, plan: Plan) -> Result<()> {
    println!("Browser tests in {}", engine.name());
    let e2e = |least_privilege: bool| {
        let mut cmd = cargo();
        if engine == Engine::WebKit {
            // MiniBrowser has no headless mode: one virtual screen, as large as the 4K TV.
            let cargo = cmd.get_program().to_owned();
            cmd = Command::new(setup::XVFB_RUN);
            cmd.current_dir(root())
                .args(["--auto-servernum", "--server-args=-screen 0 3840x2160x24"])
                .arg(cargo);
        }
        cmd.args(["test", "--package", "e2e", "--", "--test-threads", "2"])
            .env("SERVERLESSPRESSO_BROWSER", engine.name())
            .env("SERVERLESSPRESSO_APPS", root().join("apps"))
            .env("SERVERLESSPRESSO_AWS_TOOLS", aws_tools);
        if least_privilege {
            cmd.env("SERVERLESSPRESSO_LEAST_PRIVILEGE", "1")
                .args(NOT_AGAIN.iter().flat_map(|t| ["--skip", t]));
        }
        cmd
    };
    match (engine, plan) {
        (Engine::Chromium, _) => {
            run_cmd(&mut e2e(false))?;
            run_cmd(&mut e2e(true))
        }
        (Engine::Firefox, Plan::EveryEngine) => {
            run_cmd(e2e(false).args(browsers::FIREFOX_JOURNEYS).arg("--exact"))
        }
        (Engine::WebKit | Engine::Firefox, _) => {
            run_cmd(e2e(false).args(browsers::CHROMIUM_ONLY.iter().flat_map(|t| ["--skip", t])))
        }
    }
}

/// Which browser tests `cargo xtask test` runs: every engine (the default, and CI's), or
/// one engine's whole set (`--browser chromium|webkit|firefox`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Plan {
    EveryEngine,
    OneEngine,
}

/// `--browser chromium|webkit|firefox|all` (default `all`).
fn engines_from(args: &[String]) -> Result<(Vec<Engine>, Plan)> {
    match args {
        [] => Ok((Engine::ALL.to_vec(), Plan::EveryEngine)),
        [flag, name] if flag == "--browser" && name == "all" => {
            Ok((Engine::ALL.to_vec(), Plan::EveryEngine))
        }
        [flag, name] if flag == "--browser" => {
            Ok((vec![Engine::from_name(name)?], Plan::OneEngine))
        }
        _ => bail!("usage: cargo xtask test [--browser chromium|webkit|firefox|all]"),
    }
}

/// The browser tests not run a second time against `--least-privilege`: the day at the
/// bar (two minutes of the same journeys and faults), the developer loop (Trunk's
/// build, which no backend rule touches) and the deploy (which no backend rule touches).
const NOT_AGAIN: [&str; 3] = [
    "a_short_day_at_the_bar",
    "trunk_serve_signs_in",
    "a_deploy_uploads_safely_and_the_uploaded_apps_serve_a_customer",
];

/// Runs `f` with an in-memory emulator listening on a free loopback port: `f` gets its
/// URL and the token of its local-only routes.
fn with_emulator(f: impl FnOnce(&str, &str) -> Result<()>) -> Result<()> {
    build_emulator()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let address = format!("127.0.0.1:{port}");
    let local_token = new_local_token()?;
    let log = std::fs::File::create(target_dir().join("emulator-for-tests.log"))?;
    let mut emulator = Command::new(emulator_path())
        .args(["--in-memory", "--listen", &address])
        .args(["--local-token", &local_token])
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .context("starting the emulator")?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::net::TcpStream::connect(&address).is_err() {
        if std::time::Instant::now() > deadline {
            let _ = emulator.kill();
            bail!(
                "the emulator did not start; see {}",
                target_dir().join("emulator-for-tests.log").display()
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let result = f(&format!("http://{address}"), &local_token);
    let _ = emulator.kill();
    let _ = emulator.wait();
    result
}

/// A random token for the emulator's local-only routes: 24 bytes from the system's
/// random source, in hex.
fn new_local_token() -> Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 24];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut random| random.read_exact(&mut bytes))
        .context("reading /dev/urandom for the emulator's local token")?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Runs every fuzz target of `shared/fuzz` for `seconds`. cargo-fuzz needs unstable
/// compiler flags (sanitizers); `RUSTC_BOOTSTRAP=1` allows them on the stable toolchain,
/// for fuzzing only: no shipped build uses it.
fn fuzz(seconds: u32) -> Result<()> {
    if Command::new("cargo")
        .args(["fuzz", "--version"])
        .output()
        .map_or(true, |o| !o.status.success())
    {
        run_cmd(Command::new("cargo").args([
            "install",
            "cargo-fuzz",
            "--locked",
            "--version",
            "0.13.2",
        ]))?;
    }
    for target in ["typed_json", "realtime_event", "rest_answers"] {
        run_cmd(
            Command::new("cargo")
                .current_dir(root().join("shared"))
                .args(["fuzz", "run", "-O", target, "--"])
                .arg(format!("-max_total_time={seconds}"))
                .env("RUSTC_BOOTSTRAP", "1"),
        )?;
    }
    Ok(())
}
