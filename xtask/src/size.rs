//! The size report: bytes of each app's first page load (html + js + wasm + css),
//! raw and gzip -9, against the 180 KB budget.

use crate::split::files;
use crate::APPS;
use anyhow::{Context, Result};
use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Budget for an app's first load, gzip: the order app's (a customer's phone on event
/// Wi-Fi), then the staff apps' (venue devices, loaded once a day; 180 KB is their goal).
fn budget(app: &str) -> usize {
    match app {
        "order" => 180 * 1024,
        _ => 250 * 1024,
    }
}

pub fn report(root: &Path) -> Result<()> {
    println!("\nFirst page load per app (release build; gzip at level 9 with flate2):");
    println!(
        "{:<8} {:>10} {:>10} {:>14} {:>16} {:>12} {:>14}",
        "app", "raw", "gzip -9", "of which wasm", "later (gzip -9)", "font (woff2)", "budget"
    );
    for app in APPS {
        let dist = root.join("apps").join(app).join("dist");
        let first = first_load(&dist, app)?;
        let mut raw = 0;
        let mut gzip = 0;
        let mut wasm_gzip = 0;
        for path in &first {
            let bytes = std::fs::read(path)?;
            let zipped = gzip_len(&bytes)?;
            raw += bytes.len();
            gzip += zipped;
            if path.extension().is_some_and(|e| e == "wasm") {
                wasm_gzip += zipped;
            }
        }
        // The split-off modules, fetched when the screen needing them is first shown.
        let mut later = 0;
        for path in split_folder(&dist)?.map_or(Ok(Vec::new()), |f| files(&f, ""))? {
            if !first.contains(&path) {
                later += gzip_len(&std::fs::read(&path)?)?;
            }
        }
        let font =
            std::fs::metadata(dist.join("fonts/inter-latin-wght.woff2")).map_or(0, |m| m.len());
        let verdict = if gzip <= budget(app) { "ok" } else { "OVER" };
        println!(
            "{app:<8} {:>10} {:>10} {:>14} {:>16} {:>12} {:>8} {verdict}",
            kb(raw),
            kb(gzip),
            kb(wasm_gzip),
            kb(later),
            kb(font as usize),
            kb(budget(app)),
        );
    }
    println!(
        "(the first load is what the page fetches before its first screen; \"later\" is fetched when a\n\
         screen behind sign-in is first shown; the woff2 font is already compressed and is not on the\n\
         critical path)"
    );
    Ok(())
}

/// What the page loads at once: the html and styles at the root of dist, and from the
/// split build's folder the app's script, its main module and the split loader they import.
fn first_load(dist: &Path, app: &str) -> Result<Vec<PathBuf>> {
    let mut first = Vec::new();
    for path in files(dist, "")? {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if matches!(ext, "html" | "js" | "wasm" | "css") && !path.ends_with("sw.js") {
            first.push(path);
        }
    }
    if let Some(folder) = split_folder(dist)? {
        for name in [
            format!("{app}.js"),
            format!("{app}_bg.wasm"),
            "__wasm_split.js".into(),
        ] {
            first.push(folder.join(name));
        }
    }
    Ok(first)
}

/// `dist/wasm-<hash>/`, the split build's modules.
fn split_folder(dist: &Path) -> Result<Option<PathBuf>> {
    Ok(std::fs::read_dir(dist)
        .with_context(|| format!("no build at {}", dist.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.is_dir()
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("wasm-"))
        }))
}

fn gzip_len(bytes: &[u8]) -> Result<usize> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.len())
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}
