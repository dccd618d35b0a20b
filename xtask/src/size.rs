//! The size report: bytes of each app's first page load (html + js + wasm + css),
//! raw and gzip -9, against the 180 KB budget.

use crate::APPS;
use anyhow::{Context, Result};
use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::Write;
use std::path::Path;

/// Budget for one app's first load, gzip.
const BUDGET_GZIP: usize = 180 * 1024;

pub fn report(root: &Path) -> Result<()> {
    println!("\nFirst page load per app (release build; gzip at level 9 with flate2):");
    println!(
        "{:<8} {:>10} {:>10} {:>10} {:>12} {:>8}",
        "app", "raw", "gzip -9", "of which wasm", "font (woff2)", "budget"
    );
    for app in APPS {
        let dist = root.join("apps").join(app).join("dist");
        let mut raw = 0;
        let mut gzip = 0;
        let mut wasm_gzip = 0;
        for entry in
            std::fs::read_dir(&dist).with_context(|| format!("no build at {}", dist.display()))?
        {
            let path = entry?.path();
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            // Trunk puts exactly what index.html loads at the root of dist.
            if path.is_file() && matches!(ext, "html" | "js" | "wasm" | "css") {
                let bytes = std::fs::read(&path)?;
                let zipped = gzip_len(&bytes)?;
                raw += bytes.len();
                gzip += zipped;
                if ext == "wasm" {
                    wasm_gzip += zipped;
                }
            }
        }
        let font =
            std::fs::metadata(dist.join("fonts/inter-latin-wght.woff2")).map_or(0, |m| m.len());
        let verdict = if gzip <= BUDGET_GZIP { "ok" } else { "OVER" };
        println!(
            "{app:<8} {:>10} {:>10} {:>13} {:>12} {:>8}",
            kb(raw),
            kb(gzip),
            kb(wasm_gzip),
            kb(font as usize),
            verdict
        );
    }
    println!(
        "(budget: {} gzip per app; the woff2 font is already compressed and cached across apps)",
        kb(BUDGET_GZIP)
    );
    Ok(())
}

fn gzip_len(bytes: &[u8]) -> Result<usize> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.len())
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}
