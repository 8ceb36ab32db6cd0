//! postcheck build driver.
//!
//! ```text
//! cargo run -p postcheck-xtask --release -- wasm OUT_DIR
//! ```
//!
//! 1. `cargo build -p postcheck --lib --target wasm32-unknown-unknown --release`
//! 2. runs wasm-bindgen (library form, `wasm-bindgen-cli-support`, pinned to the same
//!    version as the `wasm-bindgen` dependency of the core) with the `web` target and the
//!    name section removed, writing `OUT_DIR/postcheck_wasm.js` (ES module glue: default
//!    export `init`, named `initSync`, `Checker`) and `OUT_DIR/postcheck_wasm_bg.wasm`;
//! 3. prints the wasm size, raw and gzipped (`gzip -9`, if a `gzip` binary is on PATH).
//!
//! `POSTCHECK_WASM_KEEP_NAMES=1` keeps the wasm name section (function names), for
//! attributing bytes to crates and functions (`python3 crate/xtask/wasm-size.py FILE`).
//!
//! The wasm is built with `opt-level = "s"` (the native build keeps the workspace's 3):
//! measured on the same tree, raw 1296 -> 1155 KiB, gzip -9 481 -> 411 KiB, and a faster cold
//! start in Node (instantiate + new Checker() + first check, best of 6 fresh processes 237 ->
//! 187 ms: less code for V8 to compile), for checks ~5-15 % slower (280 chars best 94 -> 111 µs,
//! 63,206 chars 24.3 -> 25.6 ms). `POSTCHECK_WASM_OPT_LEVEL=3` (or `z`, `2`, …) overrides it.
//!
//! Tried and not kept (measured at d89a074, same tree, `gzip -9`):
//! - `opt-level = "z"`: raw 1164.9 -> 1120.3 KiB, gzip 413.4 -> 395.0 KiB (-18.4 KiB), but the
//!   same tree built natively at `z` instead of `s` runs 38-49 % more instructions (callgrind,
//!   `bench-icount`: cold 255.3M -> 366.8M, 280-char check x20 6.35M -> 8.79M, 63,206 chars
//!   58.8M -> 87.4M), against check-speed targets that are already missed; wasm timings on the
//!   shared machine were too noisy (load 7) to measure the wasm difference directly.
//! - binaryen `wasm-opt` (npm `binaryen` 132, `-Os` / `-Oz` on the wasm-bindgen output): raw
//!   1164.9 -> 1079.3 / 1071.1 KiB but gzip *larger*, 413.4 -> 428.0 / 428.1 KiB (what is shipped
//!   and counted against the budget is compressed), and it would add an npm tool to the build.
//!
//! - (measured at c46cec2) `opt-level = "z"` for the crates that only load data (serde_json,
//!   serde_core, serde; `--config profile.release.package.<crate>.opt-level`): the wasm grew,
//!   1,700,070 -> 1,704,071 bytes raw with names, gzip 546.9 -> 549.7 KiB.
//! - (measured at 170aaca) the `talc` allocator (5.1, `talc::wasm::WasmDynamicTalc`) as the wasm's
//!   global allocator instead of Rust's default dlmalloc: gzip 435,804 -> 433,449 bytes, and no
//!   difference in speed beyond the noise (`tests/bench/wasm-bench.mjs`, two runs each,
//!   alternating: cold start 83.7 / 91.9 ms with dlmalloc, 87.6 / 82.2 ms with talc, main-thread
//!   CPU 45.9 / 48.7 against 49.7 / 49.2 ms; 280 chars 57.8 / 61.5 against 57.5 / 57.4 µs;
//!   63,206 chars 18.5 / 18.6 against 18.1 / 18.5 ms): 2.3 KB was not worth another dependency.
//!
//! The library form exists because `cargo install wasm-bindgen-cli` is not available on the
//! build machines; the versions must match exactly or wasm-bindgen refuses the module.

use std::env;
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

const USAGE: &str = "usage: cargo run -p postcheck-xtask --release -- wasm OUT_DIR";
const OUT_NAME: &str = "postcheck_wasm";
const TARGET: &str = "wasm32-unknown-unknown";
/// Default `opt-level` of the wasm build (see the module docs).
const WASM_OPT_LEVEL: &str = "s";

fn main() -> ExitCode {
    let args: Vec<OsString> = env::args_os().skip(1).collect();
    let result = match args.first().and_then(|a| a.to_str()) {
        Some("wasm") if args.len() == 2 => wasm(Path::new(&args[1])),
        Some("-h") | Some("--help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: two levels above this crate's manifest (`crate/xtask`).
fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| here.to_path_buf())
}

fn wasm(out_dir: &Path) -> Result<(), String> {
    let root = workspace_root();
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());

    eprintln!("xtask: cargo build -p postcheck --lib --target {TARGET} --release");
    let mut build = Command::new(&cargo);
    build
        .current_dir(&root)
        .args(["build", "-p", "postcheck", "--lib", "--target", TARGET, "--release"]);
    // Size/speed trade-off for the wasm only (default "s", see the module docs); the native
    // build is untouched.
    let level = env::var_os("POSTCHECK_WASM_OPT_LEVEL").unwrap_or_else(|| WASM_OPT_LEVEL.into());
    build.env("CARGO_PROFILE_RELEASE_OPT_LEVEL", level);
    let status = build
        .status()
        .map_err(|e| format!("could not run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build for {TARGET} failed ({status})"));
    }

    // Respect CARGO_TARGET_DIR if the caller set one.
    let target_dir = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| if p.is_absolute() { p } else { root.join(p) })
        .unwrap_or_else(|| root.join("target"));
    let input = target_dir.join(TARGET).join("release").join("postcheck.wasm");
    if !input.is_file() {
        return Err(format!("expected {} after the build", input.display()));
    }

    std::fs::create_dir_all(out_dir)
        .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;

    eprintln!("xtask: wasm-bindgen --target web {} -> {}", input.display(), out_dir.display());
    let mut bindgen = wasm_bindgen_cli_support::Bindgen::new();
    bindgen
        .input_path(&input)
        .out_name(OUT_NAME)
        .web(true)
        .map_err(|e| format!("wasm-bindgen: {e:#}"))?
        .typescript(true)
        // No `new URL(…, import.meta.url)` fallback: callers pass the packaged file's URL.
        .omit_default_module_path(true)
        // POSTCHECK_WASM_KEEP_NAMES=1 keeps the name section (function names) for size
        // attribution (crate/xtask/wasm-size.py); the shipped build removes it.
        .remove_name_section(env::var_os("POSTCHECK_WASM_KEEP_NAMES").is_none())
        .remove_producers_section(true)
        .generate(out_dir)
        .map_err(|e| format!("wasm-bindgen: {e:#}"))?;

    let wasm_path = out_dir.join(format!("{OUT_NAME}_bg.wasm"));
    let js_path = out_dir.join(format!("{OUT_NAME}.js"));
    let bytes = std::fs::read(&wasm_path)
        .map_err(|e| format!("cannot read {}: {e}", wasm_path.display()))?;
    let gz = gzip_len(&bytes)
        .map(|n| format!("{n} bytes ({:.1} KiB)", n as f64 / 1024.0))
        .unwrap_or_else(|| "n/a (no gzip on PATH)".into());
    println!("wrote {}", js_path.display());
    println!("wrote {}", wasm_path.display());
    println!(
        "wasm size: raw {} bytes ({:.1} KiB), gzip -9 {gz}",
        bytes.len(),
        bytes.len() as f64 / 1024.0
    );
    Ok(())
}

/// Length of `bytes` compressed with `gzip -9`, or None if gzip is unavailable.
fn gzip_len(bytes: &[u8]) -> Option<usize> {
    let mut child = Command::new("gzip")
        .args(["-9", "-c", "-n"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let data = bytes.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&data));
    let out = child.wait_with_output().ok()?;
    writer.join().ok()?.ok()?;
    out.status.success().then_some(out.stdout.len())
}
