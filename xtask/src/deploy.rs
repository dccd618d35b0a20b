//! `cargo xtask deploy`: the three apps from a laptop to a live event in one command.
//! Reads the backend stack's outputs, creates or updates the hosting stack
//! (`deploy/hosting.yaml`: S3 behind CloudFront), writes each app's `settings.json` (as
//! `aws-settings` does), uploads with the right content types and cache headers in the
//! safe order (hashed folders first, `index.html` last, nothing deleted), invalidates the
//! unhashed paths, and prints the three addresses and the TV's as a QR code.
//!
//! Through the AWS CLI the operator already has (v1 ≥ 1.27 or v2; every call is printed
//! before it runs, and `--dry-run` prints them all without AWS): its credentials, profiles
//! and SSO work as they do for `sam deploy`, and the build stays free of the AWS SDK's
//! hundreds of crates. The plan ([`upload_groups`], [`invalidation_paths`]) is pure and
//! tested; `tests/tests/deploy.rs` runs the whole deploy against `moto`'s server.

use crate::aws::{self, AwsSettings};
use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use shared::trust::Deployment;
use shared::{AppKind, Field};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const USAGE: &str = "\
cargo xtask deploy --stack NAME --backend-stack STACK [options]

Builds the apps, reads the backend stack's outputs, creates or updates the hosting stack
NAME (deploy/hosting.yaml: a private S3 bucket behind CloudFront), writes each app's
settings.json, uploads the apps (hashed folders first, index.html last, the previous
build's folders kept), invalidates the pages and prints the apps' addresses. Needs the
AWS CLI (v1 1.27 or later, or v2) with credentials for the account.

  --stack NAME            the hosting stack (created on the first deploy)
  --backend-stack STACK   the Serverlesspresso backend stack (sam deploy's stack name)
  --region R, --profile P passed to every aws call
  --identity-pool ID      the identity pool, when the backend stack does not output it
  --iot-host HOST         the IoT endpoint, when the stack does not output it
                          (aws iot describe-endpoint --endpoint-type iot:Data-ATS)
  --identities KIND       authenticated with deploy/least-privilege.yaml
  --event ABC             a multi-event (E) backend's event: its apps go under /abc/
                          (two events share one hosting stack)
  --domain NAME --certificate-arn ARN
                          a custom domain, with its ACM certificate (us-east-1)
  --printer HOST          a receipt printer the barista console may reach (repeatable)
  --template FILE         another hosting template with the same parameters and outputs
  --outputs FILE          the backend's outputs from a saved describe-stacks answer
  --endpoint-url URL      an AWS stand-in (moto) instead of AWS
  --no-build              deploy the apps as last built
  --dry-run               print every call in order and change nothing (works without
                          AWS access when given --outputs FILE, --identity-pool and
                          --iot-host)";

/// What the deploy was asked to do.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Options {
    pub stack: String,
    pub backend_stack: String,
    pub region: Option<String>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    pub outputs: Option<PathBuf>,
    pub identity_pool: Option<String>,
    pub iot_host: Option<String>,
    pub identities: Option<String>,
    pub event: Option<String>,
    pub domain: Option<String>,
    pub certificate_arn: Option<String>,
    pub printers: Vec<String>,
    pub template: Option<PathBuf>,
    pub no_build: bool,
    pub dry_run: bool,
    /// The AWS CLI to run (`aws` on the PATH when none).
    pub cli: Option<PathBuf>,
    /// Environment for each call besides this process's (a stand-in's credentials).
    pub env: Vec<(String, String)>,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Self> {
        let mut options = Self::default();
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            match flag.as_str() {
                "--dry-run" => {
                    options.dry_run = true;
                    continue;
                }
                "--no-build" => {
                    options.no_build = true;
                    continue;
                }
                _ => {}
            }
            let value = args
                .next()
                .with_context(|| format!("{flag} needs a value\n\n{USAGE}"))?
                .clone();
            match flag.as_str() {
                "--stack" => options.stack = value,
                "--backend-stack" => options.backend_stack = value,
                "--region" => options.region = Some(value),
                "--profile" => options.profile = Some(value),
                "--endpoint-url" => options.endpoint_url = Some(value),
                "--outputs" => options.outputs = Some(value.into()),
                "--identity-pool" => options.identity_pool = Some(value),
                "--iot-host" => options.iot_host = Some(value),
                "--identities" => options.identities = Some(value),
                "--event" => options.event = Some(value),
                "--domain" => options.domain = Some(value),
                "--certificate-arn" => options.certificate_arn = Some(value),
                "--printer" => options.printers.push(value),
                "--template" => options.template = Some(value.into()),
                other => bail!("unknown option {other}\n\n{USAGE}"),
            }
        }
        if options.stack.is_empty()
            || (options.backend_stack.is_empty() && options.outputs.is_none())
        {
            bail!("--stack and --backend-stack (or --outputs) are needed\n\n{USAGE}");
        }
        if !is_stack_name(&options.stack) {
            bail!(
                "--stack {}: a stack name is letters, digits and hyphens, starting with a letter",
                options.stack
            );
        }
        if let Some(event) = &options.event {
            if event.is_empty()
                || event.len() > 32
                || !event
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            {
                bail!("--event {event}: an event id is letters, digits and hyphens");
            }
        }
        if options.domain.is_some() != options.certificate_arn.is_some() {
            bail!("--domain and --certificate-arn go together");
        }
        Ok(options)
    }

    /// The folder of this deploy's apps in the bucket and on the site: `` or `abc/`.
    pub fn prefix(&self) -> String {
        self.event
            .as_ref()
            .map(|e| format!("{}/", e.to_ascii_lowercase()))
            .unwrap_or_default()
    }

    /// `aws` with the options every call shares, then `args`.
    fn aws(&self, args: &[&str]) -> Vec<String> {
        let mut call = vec!["aws".to_string()];
        for (flag, value) in [
            ("--region", &self.region),
            ("--profile", &self.profile),
            ("--endpoint-url", &self.endpoint_url),
        ] {
            if let Some(value) = value {
                call.extend([flag.to_string(), value.clone()]);
            }
        }
        call.extend(["--output".to_string(), "json".to_string()]);
        call.extend(args.iter().map(|a| a.to_string()));
        call
    }
}

fn is_stack_name(name: &str) -> bool {
    name.len() <= 128
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// How one kind of file is uploaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Group {
    /// The `--include` pattern (relative to the site folder; `*` spans folders).
    pub pattern: &'static str,
    pub content_type: &'static str,
    pub cache_control: &'static str,
}

/// Hashed: never changes under its name.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Revalidated every time: what names the hashed files, and what must change at once.
const REVALIDATE: &str = "no-cache";
/// Unhashed assets (icons, the font): a day.
const A_DAY: &str = "public, max-age=86400";

/// Every kind of file the apps have, in upload order: the hashed folders first, then the
/// assets, then what a page reads at start (`manifest`, `sw.js`, `settings.json`), and
/// the pages last, so no page is served before what it names.
pub fn upload_groups() -> [Group; 10] {
    let group = |pattern, content_type, cache_control| Group {
        pattern,
        content_type,
        cache_control,
    };
    [
        group("*/wasm-*/*.wasm", "application/wasm", IMMUTABLE),
        group("*/wasm-*/*.js", "text/javascript; charset=utf-8", IMMUTABLE),
        group("*.svg", "image/svg+xml", A_DAY),
        group("*.woff2", "font/woff2", A_DAY),
        group("*.txt", "text/plain; charset=utf-8", A_DAY),
        group(
            "*/manifest.webmanifest",
            "application/manifest+json",
            REVALIDATE,
        ),
        group("*/sw.js", "text/javascript; charset=utf-8", REVALIDATE),
        group("*/settings.json", "application/json", REVALIDATE),
        // The languages' words: not hashed, and a deployment may change them.
        group("*/locales/*.json", "application/json", REVALIDATE),
        group("*/index.html", "text/html; charset=utf-8", REVALIDATE),
    ]
}

/// The AWS CLI's `--include` match: `*` any run of characters (slashes too), `?` one.
pub fn matches(pattern: &str, path: &str) -> bool {
    fn go(p: &[u8], s: &[u8]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], s) || (!s.is_empty() && go(p, &s[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &s[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &s[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), path.as_bytes())
}

/// The one group of `path` (relative to the site folder); an error for a file the deploy
/// does not know how to serve, or one two groups would upload.
pub fn group_of(path: &str) -> Result<Group> {
    let found: Vec<Group> = upload_groups()
        .into_iter()
        .filter(|g| matches(g.pattern, path))
        .collect();
    match found.as_slice() {
        [one] => Ok(*one),
        [] => bail!("{path}: the deploy does not know how to serve this kind of file (add it to deploy::upload_groups)"),
        _ => bail!("{path}: more than one upload group matches it"),
    }
}

/// The site's paths CloudFront must forget: every unhashed file, and each app's folder
/// (which serves its `index.html`). Hashed files are new names, never stale.
pub fn invalidation_paths(files: &[String]) -> Vec<String> {
    let mut paths: Vec<String> = Vec::new();
    for file in files {
        if file.contains("/wasm-") {
            continue;
        }
        paths.push(format!("/{file}"));
        if let Some(folder) = file.strip_suffix("index.html") {
            paths.push(format!("/{folder}"));
        }
    }
    paths.sort();
    paths.dedup();
    paths
}

/// Copies each app's build into `site/{prefix}{app}/` (not `_headers`, which is for
/// hosts that read it), with an event's pages based at `/{prefix}{app}/`; returns the
/// files, relative to `site`.
pub fn stage(apps: &Path, site: &Path, prefix: &str) -> Result<Vec<String>> {
    if site.exists() {
        std::fs::remove_dir_all(site).with_context(|| format!("clearing {}", site.display()))?;
    }
    let mut files = Vec::new();
    for app in AppKind::ALL {
        let dist = aws::built(apps, app)?;
        let folder = format!("{prefix}{}", app.slug());
        copy_tree(&dist, &dist, &site.join(&folder), &folder, &mut files)?;
        if !prefix.is_empty() {
            let page = site.join(&folder).join("index.html");
            let html = std::fs::read_to_string(&page)?;
            let base = format!("<base href=\"/{}/\">", app.slug());
            if !html.contains(&base) {
                bail!("{}: no {base} to move under /{prefix}", page.display());
            }
            std::fs::write(
                &page,
                html.replacen(&base, &format!("<base href=\"/{folder}/\">"), 1),
            )?;
        }
    }
    files.sort();
    for file in &files {
        group_of(file)?;
    }
    Ok(files)
}

fn copy_tree(
    root: &Path,
    from: &Path,
    to: &Path,
    folder: &str,
    files: &mut Vec<String>,
) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let target = to.join(&name);
        if entry.file_type()?.is_dir() {
            copy_tree(root, &entry.path(), &target, folder, files)?;
        } else if name != "_headers" {
            std::fs::copy(entry.path(), &target)?;
            let relative = entry
                .path()
                .strip_prefix(root)?
                .to_string_lossy()
                .replace('\\', "/");
            files.push(format!("{folder}/{relative}"));
        }
    }
    Ok(())
}

/// The policy the hosting stack sends as a header, on top of each page's own (a meta
/// element with the hashes of that page's inline scripts and styles): where the pages may
/// connect (the backend's hosts), no plugins, no other base, and `frame-ancestors 'none'`,
/// which only a header can carry. It names no script or style: every answer of the
/// distribution carries it, and pages of another build stay on the site (an event's, or
/// the previous deploy's), each with its own hashes in its own meta.
pub fn header_policy(connect: &[String]) -> String {
    let connect: String = connect.iter().map(|c| format!(" {c}")).collect();
    format!(
        "connect-src 'self'{connect}; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
    )
}

/// What a deploy did (or, dry, would do): every `aws` call in order.
#[derive(Debug, Default)]
pub struct Report {
    pub calls: Vec<Vec<String>>,
    /// The hosting stack's outputs.
    pub site_url: String,
    pub bucket: String,
}

struct Runner<'a> {
    options: &'a Options,
    report: Report,
}

impl Runner<'_> {
    /// Prints the call and, unless dry, runs it: its standard output (JSON), or the error
    /// it printed.
    fn call(&mut self, args: &[&str]) -> Result<std::result::Result<String, String>> {
        let call = self.options.aws(args);
        println!("$ {}", shown(&call));
        self.report.calls.push(call.clone());
        if self.options.dry_run {
            return Ok(Ok(String::new()));
        }
        let cli = self.options.cli.clone().unwrap_or_else(|| "aws".into());
        let output = Command::new(cli)
            .args(&call[1..])
            .envs(self.options.env.iter().map(|(k, v)| (k, v)))
            .output()
            .context("could not run the AWS CLI: install it (https://aws.amazon.com/cli/) and sign in (aws configure, or aws sso login)")?;
        let out = String::from_utf8_lossy(&output.stdout).into_owned();
        let err = String::from_utf8_lossy(&output.stderr).into_owned();
        Ok(if output.status.success() {
            Ok(out)
        } else {
            Err(err)
        })
    }

    /// A call that must succeed.
    fn must(&mut self, args: &[&str]) -> Result<String> {
        match self.call(args)? {
            Ok(out) => Ok(out),
            Err(err) => bail!("aws {} failed:\n{}", args.join(" "), err.trim()),
        }
    }
}

/// A call as a shell would take it (quoted where needed), for the operator to read.
fn shown(call: &[String]) -> String {
    call.iter()
        .map(|a| {
            if !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@".contains(c))
            {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `OutputKey → OutputValue` of a `describe-stacks` answer.
fn outputs_of(answer: &str) -> Result<Vec<(String, String)>> {
    let value: Value =
        serde_json::from_str(answer).context("describe-stacks did not answer JSON")?;
    let outputs = value
        .pointer("/Stacks/0/Outputs")
        .and_then(Value::as_array)
        .context("the stack has no outputs")?;
    Ok(outputs
        .iter()
        .map(|o| {
            (
                o["OutputKey"].as_str().unwrap_or_default().to_string(),
                o["OutputValue"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect())
}

fn output(outputs: &[(String, String)], key: &str) -> Result<String> {
    outputs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .with_context(|| format!("the hosting stack has no {key} output"))
}

/// Deploys the apps built in `apps/<app>/dist` (`apps` the folder of the three) with
/// `template`, after `build` (unless `--no-build`); `scratch` is a folder of its own for
/// the copy it writes the settings into and the tree it uploads.
pub fn run(
    options: &Options,
    apps: &Path,
    template: &Path,
    scratch: &Path,
    build: impl FnOnce() -> Result<()>,
) -> Result<Report> {
    let mut run = Runner {
        options,
        report: Report::default(),
    };
    let dry = options.dry_run;

    // 1. The backend's settings.
    let backend = match &options.outputs {
        Some(file) => std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?,
        None if dry => bail!("--dry-run needs the backend's outputs: --outputs FILE (aws cloudformation describe-stacks --stack-name {} > FILE)", options.backend_stack),
        None => run.must(&["cloudformation", "describe-stacks", "--stack-name", &options.backend_stack])?,
    };
    let mut draft = aws::from_outputs(&backend)?;
    for (field, value) in [
        (Field::IdentityPoolId, &options.identity_pool),
        (Field::IotHost, &options.iot_host),
        (Field::Identities, &options.identities),
    ] {
        if let Some(value) = value {
            draft.set(field, value);
        }
    }
    if let Some(event) = &options.event {
        draft.set(Field::Flavour, "E");
        draft.set(Field::EventId, event);
    }
    // Check everything but the addresses the hosting stack gives, before changing AWS.
    let placeholder = "https://hosting.invalid/order/";
    let mut checked = draft.clone();
    checked.set(Field::OrderAppUrl, placeholder);
    let mut connect = Vec::new();
    for app in AppKind::ALL {
        let settings = checked
            .validate(app)
            .map_err(|e| anyhow::anyhow!("{}: {e}\n\nGive what the backend stack does not output: --identity-pool, --iot-host", app.title()))?;
        connect.extend(crate::csp::connect_sources(&settings, &[]));
    }
    connect.extend(options.printers.iter().map(|p| format!("https://{p}")));
    connect.sort();
    connect.dedup();

    // 2. The apps.
    if !dry && !options.no_build {
        println!("Building the apps…");
        build()?;
    }
    let policy = header_policy(&connect);

    // 3. The hosting stack, created or updated.
    let template_arg = format!("file://{}", template.display());
    let mut parameters =
        vec![json!({"ParameterKey": "ContentSecurityPolicy", "ParameterValue": policy})];
    if let (Some(domain), Some(arn)) = (&options.domain, &options.certificate_arn) {
        parameters.push(json!({"ParameterKey": "DomainName", "ParameterValue": domain}));
        parameters.push(json!({"ParameterKey": "CertificateArn", "ParameterValue": arn}));
    }
    let parameters = Value::from(parameters).to_string();
    let exists = run.call(&[
        "cloudformation",
        "describe-stacks",
        "--stack-name",
        &options.stack,
    ])?;
    if dry {
        println!(
            "(create-stack below; update-stack and stack-update-complete if the stack exists)"
        );
    }
    let update = match &exists {
        Ok(_) => !dry,
        Err(e) if e.contains("does not exist") => false,
        Err(e) => bail!(
            "could not look for the stack {}: {}",
            options.stack,
            e.trim()
        ),
    };
    let (verb, waiter) = if update {
        ("update-stack", "stack-update-complete")
    } else {
        ("create-stack", "stack-create-complete")
    };
    let changed = run.call(&[
        "cloudformation",
        verb,
        "--stack-name",
        &options.stack,
        "--template-body",
        &template_arg,
        "--parameters",
        &parameters,
    ])?;
    match changed {
        Ok(_) => {
            run.must(&[
                "cloudformation",
                "wait",
                waiter,
                "--stack-name",
                &options.stack,
            ])?;
        }
        Err(e) if e.contains("No updates are to be performed") => {
            println!("(the hosting stack is up to date)")
        }
        Err(e) => bail!("{verb} {} failed:\n{}", options.stack, e.trim()),
    }
    let hosting = run.must(&[
        "cloudformation",
        "describe-stacks",
        "--stack-name",
        &options.stack,
    ])?;
    let (bucket, distribution, site_url) = if dry {
        (
            "<BucketName>".to_string(),
            "<DistributionId>".to_string(),
            "https://<SiteUrl>/".to_string(),
        )
    } else {
        let outputs = outputs_of(&hosting)?;
        (
            output(&outputs, "BucketName")?,
            output(&outputs, "DistributionId")?,
            output(&outputs, "SiteUrl")?,
        )
    };
    let base = format!("{}/{}", site_url.trim_end_matches('/'), options.prefix());

    // 4. Each app's settings.json, with the addresses the hosting stack gave.
    draft.set(Field::OrderAppUrl, &format!("{base}order/"));
    draft.set(Field::BaristaAppUrl, &format!("{base}barista/"));
    let settings = AwsSettings {
        deployment: Deployment {
            draft,
            allowed_hosts: Vec::new(),
        },
        printers: options.printers.clone(),
    };
    // Into a copy of the build: the build itself stays as `cargo xtask build` made it.
    let deployed = scratch.join("apps");
    if deployed.exists() {
        std::fs::remove_dir_all(&deployed)
            .with_context(|| format!("clearing {}", deployed.display()))?;
    }
    for app in AppKind::ALL {
        let dist = aws::built(apps, app)?;
        copy_tree(
            &dist,
            &dist,
            &deployed.join(app.slug()).join("dist"),
            "",
            &mut Vec::new(),
        )?;
    }
    if dry {
        println!("(would write each app's settings.json and page policy, for {base})");
    } else {
        aws::write_into(&deployed, &settings)?;
    }

    // 5. Upload, in the safe order; nothing is deleted, so pages already open keep
    //    finding the previous build's folder.
    let site = scratch.join("site");
    let files = stage(&deployed, &site, &options.prefix())?;
    let site_arg = format!("{}/", site.display());
    let bucket_arg = format!("s3://{bucket}/");
    for group in upload_groups() {
        // (A dry run has written no settings.json yet: it shows every group.)
        if !dry && !files.iter().any(|f| matches(group.pattern, f)) {
            continue;
        }
        run.must(&[
            "s3",
            "cp",
            &site_arg,
            &bucket_arg,
            "--recursive",
            "--only-show-errors",
            "--exclude",
            "*",
            "--include",
            group.pattern,
            "--content-type",
            group.content_type,
            "--cache-control",
            group.cache_control,
        ])?;
    }

    // 6. What CloudFront may hold stale.
    let paths = invalidation_paths(&files);
    let mut args = vec![
        "cloudfront",
        "create-invalidation",
        "--distribution-id",
        distribution.as_str(),
        "--paths",
    ];
    args.extend(paths.iter().map(String::as_str));
    run.must(&args)?;

    println!("\nThe apps:\n  order (customers)  {base}order/\n  barista (iPad)     {base}barista/\n  display (TV)       {base}display/\n\nOpen on the TV:\n");
    println!("{}", terminal_qr(&format!("{base}display/"))?);
    run.report.site_url = site_url;
    run.report.bucket = bucket;
    Ok(run.report)
}

/// `text` as a QR code a terminal shows (two rows a line, in half blocks), with its
/// quiet zone.
pub fn terminal_qr(text: &str) -> Result<String> {
    use qrcode_generator::qr::{Encoder, ErrorCorrection};
    let matrix = Encoder::new(ErrorCorrection::Medium)
        .encode_text(text)
        .map_err(|e| anyhow::anyhow!("the address does not fit a QR code: {e:?}"))?
        .to_matrix();
    let size = matrix.len() as isize;
    let dark = |x: isize, y: isize| {
        x >= 0 && y >= 0 && x < size && y < size && matrix[y as usize][x as usize]
    };
    let mut out = String::new();
    let mut y = -2;
    while y < size + 2 {
        for x in -2..size + 2 {
            // Light on dark terminals reads as dark on light paper: print the light cells.
            out.push(match (!dark(x, y), !dark(x, y + 1)) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        out.push('\n');
        y += 2;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn every_file_of_a_build_has_one_group_and_pages_go_last() {
        for (path, content_type, cache) in [
            (
                "order/wasm-0123abcd/order_bg.wasm",
                "application/wasm",
                IMMUTABLE,
            ),
            (
                "abc/order/wasm-0123abcd/__wasm_split.js",
                "text/javascript; charset=utf-8",
                IMMUTABLE,
            ),
            ("order/sw.js", "text/javascript; charset=utf-8", REVALIDATE),
            ("display/settings.json", "application/json", REVALIDATE),
            (
                "order/locales/pt-BR/shared.json",
                "application/json",
                REVALIDATE,
            ),
            ("barista/index.html", "text/html; charset=utf-8", REVALIDATE),
            (
                "order/manifest.webmanifest",
                "application/manifest+json",
                REVALIDATE,
            ),
            (
                "order/drinks/barista-icons_cafe-latte.svg",
                "image/svg+xml",
                A_DAY,
            ),
            ("order/fonts/inter-latin-wght.woff2", "font/woff2", A_DAY),
        ] {
            let group = group_of(path).unwrap();
            assert_eq!(
                (group.content_type, group.cache_control),
                (content_type, cache),
                "{path}"
            );
        }
        assert!(group_of("order/notes.docx").is_err());
        let order: Vec<&str> = upload_groups().iter().map(|g| g.pattern).collect();
        assert!(order[0].contains("wasm-") && order[1].contains("wasm-"));
        assert_eq!(order.last(), Some(&"*/index.html"));
    }

    #[test]
    fn include_patterns_match_as_the_aws_cli_does() {
        assert!(matches("*/wasm-*/*.wasm", "order/wasm-1/a.wasm"));
        assert!(matches("*/wasm-*/*.wasm", "abc/order/wasm-1/a.wasm"));
        assert!(!matches("*/wasm-*/*.wasm", "order/a.wasm"));
        assert!(matches("*/sw.js", "abc/order/sw.js"));
        assert!(!matches("*/sw.js", "order/wasm-1/sw.jsx"));
        assert!(matches("*.svg", "order/icons/a.svg"));
    }

    #[test]
    fn the_header_policy_leaves_scripts_to_each_pages_own() {
        let policy = header_policy(&args(&[
            "https://abc123.execute-api.us-east-1.amazonaws.com",
        ]));
        assert_eq!(
            policy,
            "connect-src 'self' https://abc123.execute-api.us-east-1.amazonaws.com; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
        );
        assert!(!policy.contains("script-src") && !policy.contains("default-src"));
    }

    #[test]
    fn only_unhashed_paths_are_invalidated() {
        let files = args(&[
            "order/index.html",
            "order/sw.js",
            "order/wasm-1/order_bg.wasm",
            "abc/display/index.html",
        ]);
        assert_eq!(
            invalidation_paths(&files),
            [
                "/abc/display/",
                "/abc/display/index.html",
                "/order/",
                "/order/index.html",
                "/order/sw.js"
            ]
        );
    }

    #[test]
    fn options_are_checked_before_anything_runs() {
        let ok = Options::parse(&args(&[
            "--stack",
            "coffee-apps",
            "--backend-stack",
            "serverlesspresso",
            "--event",
            "ABC",
        ]))
        .unwrap();
        assert_eq!(ok.prefix(), "abc/");
        assert_eq!(
            ok.aws(&["s3", "ls"]),
            args(&["aws", "--output", "json", "s3", "ls"])
        );
        for bad in [
            &["--stack", "coffee-apps"][..],
            &["--stack", "1bad", "--backend-stack", "b"],
            &["--stack", "a", "--backend-stack", "b", "--event", "../x"],
            &[
                "--stack",
                "a",
                "--backend-stack",
                "b",
                "--domain",
                "coffee.example.com",
            ],
            &["--stack", "a", "--backend-stack", "b", "--colour", "blue"],
        ] {
            assert!(Options::parse(&args(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_call_is_shown_as_a_shell_takes_it() {
        assert_eq!(
            shown(&args(&[
                "aws",
                "--parameters",
                "[{\"a\":\"it's\"}]",
                "s3://b/",
                "--include",
                "*.svg"
            ])),
            "aws --parameters '[{\"a\":\"it'\\''s\"}]' s3://b/ --include '*.svg'"
        );
    }

    /// The CloudFront Function of `deploy/hosting.yaml`, run by Node.js (CloudFront's
    /// functions are JavaScript) on the paths a person opens.
    #[test]
    fn the_deep_link_function_sends_each_app_its_page() {
        let template = include_str!("../../deploy/hosting.yaml");
        let start =
            template.find("FunctionCode: |").expect("the function") + "FunctionCode: |".len();
        let code: String = template[start..]
            .lines()
            .skip(1)
            .take_while(|l| l.starts_with("        ") || l.trim().is_empty())
            .map(|l| format!("{}\n", l.trim_start()))
            .collect();
        let cases = [
            ("/", "redirect /order/"),
            ("/order", "redirect /order/"),
            ("/order/", "/order/index.html"),
            ("/order/history", "/order/index.html"),
            ("/barista/settings", "/barista/index.html"),
            ("/abc/order/menu", "/abc/order/index.html"),
            ("/abc/display", "redirect /abc/display/"),
            (
                "/order/wasm-1a2b/order_bg.wasm",
                "/order/wasm-1a2b/order_bg.wasm",
            ),
            ("/order/settings.json", "/order/settings.json"),
            ("/robots.txt", "/robots.txt"),
        ];
        let checks: String = cases
            .iter()
            .map(|(uri, want)| format!("check({uri:?}, {want:?});\n"))
            .collect();
        let script = format!(
            "{code}\nfunction check(uri, want) {{\n  var r = handler({{ request: {{ uri: uri, headers: {{}} }} }});\n  \
             var got = r.statusCode ? 'redirect ' + r.headers.location.value : r.uri;\n  \
             if (got !== want) {{ console.error(uri + ': ' + got + ', wanted ' + want); process.exitCode = 1; }}\n}}\n{checks}"
        );
        let output = Command::new("node")
            .args(["-e", &script])
            .output()
            .expect("Node.js (cargo xtask setup installs it with npm's packages)");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// A build's shape: each app's page (with its base and an inline script) and its
    /// hashed folder.
    fn fake_build(dir: &Path) {
        for app in AppKind::ALL {
            let dist = dir.join(app.slug()).join("dist");
            std::fs::create_dir_all(dist.join("wasm-0123")).unwrap();
            std::fs::write(
                dist.join("index.html"),
                format!("<!doctype html><html><head><meta charset=\"utf-8\"><base href=\"/{}/\"><script>go()</script></head></html>", app.slug()),
            )
            .unwrap();
            std::fs::write(dist.join("wasm-0123").join("app_bg.wasm"), b"\0asm").unwrap();
            std::fs::write(dist.join("sw.js"), "// sw").unwrap();
            std::fs::write(dist.join("_headers"), "/*\n").unwrap();
        }
    }

    /// `--dry-run` with `--outputs` needs no AWS and no AWS CLI: it prints the calls in
    /// order, and an event's apps go under its folder with their pages based there.
    #[test]
    fn a_dry_run_of_an_event_prints_the_calls_and_stages_under_the_event() {
        let dir = std::env::temp_dir().join(format!("xtask-deploy-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let apps = dir.join("apps");
        fake_build(&apps);
        let outputs = dir.join("outputs.json");
        std::fs::write(
            &outputs,
            r#"{"Stacks":[{"Outputs":[{"OutputKey":"DisplayAppURI","OutputValue":"https://d.example/?region=us-east-1&userPoolId=us-east-1_AbCdEfGhI&userPoolWebClientId=1example23456789&orderManagerEndpoint=https://abc123.execute-api.us-east-1.amazonaws.com/Prod&APIGWEndpointValidatorService=https://def456.execute-api.us-east-1.amazonaws.com/Prod&APIGWEndpointConfigService=https://ghi789.execute-api.us-east-1.amazonaws.com/Prod"}]}]}"#,
        )
        .unwrap();
        let given = args(&[
            "--stack",
            "coffee-apps",
            "--outputs",
            outputs.to_str().unwrap(),
            "--dry-run",
            "--event",
            "ABC",
            "--identity-pool",
            "us-east-1:11111111-2222-3333-4444-555555555555",
            "--iot-host",
            "a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com",
        ]);
        let with_cli = [given.clone(), args(&["--cli", "/nonexistent/aws"])].concat();
        assert!(Options::parse(&with_cli).is_err(), "--cli is not a flag");
        let mut options = Options::parse(&given).unwrap();
        // Were anything run, it would fail: nothing is.
        options.cli = Some("/nonexistent/aws".into());
        let report = run(
            &options,
            &apps,
            Path::new("deploy/hosting.yaml"),
            &dir.join("work"),
            || panic!("a dry run builds nothing"),
        )
        .unwrap();
        let verbs: Vec<String> = report.calls.iter().map(|c| c[3..5].join(" ")).collect();
        assert_eq!(
            verbs.first().map(String::as_str),
            Some("cloudformation describe-stacks")
        );
        assert_eq!(
            verbs.last().map(String::as_str),
            Some("cloudfront create-invalidation")
        );
        let uploads: Vec<&Vec<String>> = report
            .calls
            .iter()
            .filter(|c| c[3..5] == ["s3", "cp"])
            .collect();
        assert_eq!(
            uploads.len(),
            upload_groups().len(),
            "every group, in order"
        );
        assert!(uploads
            .last()
            .unwrap()
            .contains(&"*/index.html".to_string()));
        let invalidation = report.calls.last().unwrap();
        assert!(invalidation.contains(&"/abc/order/index.html".to_string()));
        assert!(!invalidation.iter().any(|p| p.contains("wasm-")));
        let page = std::fs::read_to_string(dir.join("work/site/abc/order/index.html")).unwrap();
        assert!(page.contains("<base href=\"/abc/order/\">"), "{page}");
        assert!(!dir.join("work/site/abc/order/_headers").exists());
        assert!(
            !apps.join("order/dist/settings.json").exists(),
            "the build is left alone"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_tv_address_prints_as_a_qr_code() {
        let qr = terminal_qr("https://d111111abcdef8.cloudfront.net/display/").unwrap();
        let lines: Vec<&str> = qr.lines().collect();
        let width = lines[0].chars().count();
        // Two rows a line, and two modules of quiet zone each side.
        assert_eq!(lines.len(), width.div_ceil(2));
        assert!(width >= 25);
        assert!(
            lines[0].chars().all(|c| c == '█'),
            "the quiet zone is light"
        );
    }
}
