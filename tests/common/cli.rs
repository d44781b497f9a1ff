//! The built `err521` binary, run as a user or a ticket script runs it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Run `err521 ARGS` from the repository root with `stdin` as its input.
/// The input is written from another thread: a batch's answers fill stdout
/// while it is still being fed.
pub fn err521(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_err521"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run err521");
    let mut pipe = child.stdin.take().expect("stdin pipe");
    let input = stdin.to_vec();
    let feeder = std::thread::spawn(move || pipe.write_all(&input));
    let out = child.wait_with_output().expect("wait for err521");
    feeder.join().expect("feeder").expect("write stdin");
    out
}
