//! The WebAssembly features the release build's modules use, and the page's check for
//! them. A browser too old for one of them would fail to compile the app and show the
//! "did not finish loading" message, wrongly blaming the network; the page asks
//! `WebAssembly.validate` about [`PROBE`] first and tells such a browser which one to
//! use instead (`split.rs`, `CANNOT_RUN`). The build checks every module it writes
//! against [`USED`], so a compiler upgrade that starts using a newer feature (SIMD, tail
//! calls, …) fails the build instead of blanking old iPhones.
//!
//! What those features need (MDN's compatibility tables, the README's browser table):
//! reference types and bulk memory came last, in Safari 15, Chrome 96 and Firefox 79.

use anyhow::{bail, Result};
use wasmparser::{Validator, WasmFeatures};

/// The features `wasm-opt --print-features` finds in the release build (rustc's
/// defaults for `wasm32-unknown-unknown` since LLVM 20): WebAssembly 2.0 without SIMD.
pub const USED: WasmFeatures = WasmFeatures::WASM1
    .union(WasmFeatures::MULTI_VALUE)
    .union(WasmFeatures::REFERENCE_TYPES)
    .union(WasmFeatures::BULK_MEMORY)
    .union(WasmFeatures::SATURATING_FLOAT_TO_INT)
    .union(WasmFeatures::SIGN_EXTENSION);

/// A module that uses each of [`USED`], assembled by binaryen's `wasm-as` from:
///
/// ```text
/// (module
///   (memory 1)
///   (table 1 externref)                                ;; reference types
///   (global (export "g") (mut i32) (i32.const 0))      ;; mutable globals
///   (func (result i32 i32) (i32.const 0) (i32.const 0)) ;; multi-value
///   (func (param f32) (result i32) (i32.trunc_sat_f32_s (local.get 0)))
///   (func (param i32) (result i32) (i32.extend8_s (local.get 0)))
///   (func (memory.copy (i32.const 0) (i32.const 0) (i32.const 0))) ;; bulk memory
///   (func (param externref) (table.set 0 (i32.const 0) (local.get 0))))
/// ```
pub const PROBE: [u8; 112] = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x17, 0x05, 0x60, 0x00, 0x02, 0x7f, 0x7f,
    0x60, 0x01, 0x7d, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x00, 0x60, 0x01, 0x6f,
    0x00, 0x03, 0x06, 0x05, 0x00, 0x01, 0x02, 0x03, 0x04, 0x04, 0x04, 0x01, 0x6f, 0x00, 0x01, 0x05,
    0x03, 0x01, 0x00, 0x01, 0x06, 0x06, 0x01, 0x7f, 0x01, 0x41, 0x00, 0x0b, 0x07, 0x05, 0x01, 0x01,
    0x67, 0x03, 0x00, 0x0a, 0x2b, 0x05, 0x06, 0x00, 0x41, 0x00, 0x41, 0x00, 0x0b, 0x06, 0x00, 0x20,
    0x00, 0xfc, 0x00, 0x0b, 0x05, 0x00, 0x20, 0x00, 0xc0, 0x0b, 0x0c, 0x00, 0x41, 0x00, 0x41, 0x00,
    0x41, 0x00, 0xfc, 0x0a, 0x00, 0x00, 0x0b, 0x08, 0x00, 0x41, 0x00, 0x20, 0x00, 0x26, 0x00, 0x0b,
];

/// The page's test, as JavaScript: true where the browser can run the apps.
pub fn page_check() -> String {
    use base64::Engine as _;
    let probe = base64::engine::general_purpose::STANDARD.encode(PROBE);
    format!(
        "typeof WebAssembly == \"object\" && WebAssembly.validate(Uint8Array.from(atob(\"{probe}\"), (c) => c.charCodeAt(0)))"
    )
}

/// Fails when `module` needs a feature beyond [`USED`], naming the module.
pub fn check(name: &str, module: &[u8]) -> Result<()> {
    if let Err(e) = Validator::new_with_features(USED).validate_all(module) {
        bail!(
            "{name} uses a WebAssembly feature the page does not check for ({e}): add it to \
             xtask/src/wasm_features.rs (USED and PROBE) and the README's browser table"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probe_needs_every_feature_used_and_no_other() {
        check("the probe", &PROBE).unwrap();
        for feature in [
            WasmFeatures::MUTABLE_GLOBAL,
            WasmFeatures::MULTI_VALUE,
            WasmFeatures::REFERENCE_TYPES,
            WasmFeatures::BULK_MEMORY,
            WasmFeatures::SATURATING_FLOAT_TO_INT,
            WasmFeatures::SIGN_EXTENSION,
        ] {
            let without = USED.difference(feature);
            assert!(
                Validator::new_with_features(without)
                    .validate_all(&PROBE)
                    .is_err(),
                "the probe validates without {feature:?}: it does not test for it"
            );
        }
    }

    #[test]
    fn a_module_with_a_newer_feature_fails_the_build() {
        // (module (func (result v128) (v128.const i64x2 0 0))): SIMD.
        let simd = [
            0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01,
            0x7b, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x0b,
        ];
        wasmparser::Validator::new().validate_all(&simd).unwrap();
        let refused = check("simd.wasm", &simd).unwrap_err().to_string();
        assert!(
            refused.contains("simd.wasm uses a WebAssembly feature"),
            "{refused}"
        );
    }

    #[test]
    fn the_page_check_carries_the_probe() {
        let check = page_check();
        assert!(check.starts_with("typeof WebAssembly == \"object\" && WebAssembly.validate("));
        assert!(check.contains("AGFzbQEAAAA"), "{check}"); // "\0asm" version 1
    }
}
