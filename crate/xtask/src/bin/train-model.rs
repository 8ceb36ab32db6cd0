//! `cargo run -p xtask --release --bin train-model [-- --no-write]`: retrains the stance model
//! and rewrites `crate/model/stance.json`, printing the 5-fold cross-validation table.
//!
//! The trainer itself is the example `crate/examples/train-model.rs` (it needs the core's
//! skeleton, features and profiles, and this package does not depend on the core); this binary
//! runs it in the release profile with the same arguments and exits with its status.

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let status = Command::new(cargo)
        .current_dir(root)
        .args(["run", "-q", "--release", "-p", "postcheck", "--example", "train-model", "--"])
        .args(std::env::args_os().skip(1))
        .status();
    match status {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(s) => {
            eprintln!("train-model: the trainer exited with {s}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("train-model: could not run cargo: {e}");
            ExitCode::FAILURE
        }
    }
}
