//! The `err521` binary as a user and ticket automation run it.

use std::process::{Command, Output, Stdio};

use crate::common::cli::err521;

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("valid JSON on stdout")
}

#[test]
fn json_for_a_521_page_has_every_error_page_field() {
    let out = err521(
        &[
            "diagnose",
            "tests/fixtures/error-page/modern-521-shop.html",
            "--format",
            "json",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["schema"], 1);
    let page = &v["error_page"];
    assert_eq!(page["code"], 521);
    assert_eq!(page["title"], "Web server is down");
    assert_eq!(page["ray_id"], "8e2f4a91c03b7d15");
    assert_eq!(page["host"], "shop.example.net");
    assert_eq!(page["location"], "Frankfurt");
    assert_eq!(page["time"], "2026-11-20 09:14:03 UTC");
    assert_eq!(page["visitor_ip"], "203.0.113.77");
    assert_eq!(page["failing_box"], "host");
    assert!(v["primary"].is_null());
    assert!(!v["ask_for"].as_array().map(Vec::is_empty).unwrap_or(true));
    let inputs = v["inputs"].as_array().cloned().unwrap_or_default();
    assert!(inputs.iter().any(|i| i["kind"] == "error-page"));
}

#[test]
fn stdin_and_several_files_are_one_case() {
    let page = std::fs::read("tests/fixtures/error-page/modern-522-blog.html").unwrap_or_default();
    let out = err521(&["diagnose", "--format", "json"], &page);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["primary"], "different-error-code");
    let out = err521(
        &[
            "diagnose",
            "tests/fixtures/error-page/visible-text-521.txt",
            "tests/fixtures/error-page/curl-v-521-headers.txt",
            "--format",
            "json",
        ],
        b"",
    );
    let v = json(&out);
    let names: Vec<String> = v["inputs"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|i| i["input"].as_str().map(str::to_string))
        .collect();
    assert!(names.iter().any(|n| n.ends_with("visible-text-521.txt")));
    assert!(names.iter().any(|n| n.ends_with("curl-v-521-headers.txt")));
}

#[test]
fn input_not_understood_says_so_and_exits_zero() {
    let out = err521(&["diagnose"], b"zzkq 19 ~~ 0x33\nqqq --- 7 7 7\n");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Nothing in the input was understood"),
        "{text}"
    );
    let out = err521(&["diagnose", "--format", "json"], b"zzkq 19 ~~ 0x33\n");
    assert_eq!(json(&out)["not_understood_count"], 1);
}

#[test]
fn binary_input_is_handled_not_a_crash() {
    let bytes: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    let out = err521(&["diagnose", "--format", "json"], &bytes);
    assert_eq!(out.status.code(), Some(0));
    assert!(json(&out)["primary"].is_null());
}

#[test]
fn missing_file_and_bad_usage_exit_2_with_one_line() {
    let out = err521(&["diagnose", "/no/such/file.txt"], b"");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("err521: /no/such/file.txt:"), "{err}");
    assert_eq!(err.lines().count(), 1);
    for args in [
        &["diagnose", "--format", "yaml"][..],
        &["diagnose", "--ssl-mode", "halfway"][..],
        &["diagnose", "--port", "99999"][..],
        &["frobnicate"][..],
        &["explain", "no-such-id"][..],
    ] {
        assert_eq!(err521(args, b"").status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn explain_and_ranges() {
    let out = err521(&["explain", "ban-blocks-cloudflare"], b"");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("A bad example") && text.contains("fail2ban"));
    // The page states its evidence rules: a single lookup never rules out.
    assert!(text.contains("Ruled out by: only whole lists") && text.contains("csf -g"));
    let out = err521(&["ranges"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("131.0.72.0/22") && text.contains("2c0f:f248::/32"));
    assert!(text.contains("2021-04-08"));
}

#[test]
fn redact_masks_hosts_ips_and_ray_ids_consistently() {
    let out = err521(
        &[
            "diagnose",
            "tests/fixtures/error-page/visible-text-521.txt",
            "--format",
            "json",
            "--redact",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for secret in ["www.example-store.com", "8e3c77d1a9f20b44"] {
        assert!(!text.contains(secret), "{secret} leaked");
    }
    let v: serde_json::Value = serde_json::from_str(&text).expect("still valid JSON");
    // The same host maps to the same placeholder everywhere.
    let host = v["error_page"]["host"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(host.ends_with(".example"), "{host}");
    assert!(text.matches(&host).count() >= 2);
    // Cloudflare's ranges stay readable in the fix commands.
    let plain = err521(
        &[
            "diagnose",
            "tests/fixtures/tickets/ufw-partial-allowlist.txt",
            "--redact",
        ],
        b"",
    );
    assert!(String::from_utf8_lossy(&plain.stdout).contains("131.0.72.0/22"));
}

const PAGE: &str = "tests/fixtures/error-page/modern-521-shop.html";

#[test]
fn an_option_value_may_be_attached_with_equals() {
    let spaced = err521(&["diagnose", PAGE, "--format", "json"], b"");
    let attached = err521(&["diagnose", PAGE, "--format=json", "--ssl-mode=full"], b"");
    assert_eq!(attached.status.code(), Some(0));
    assert_eq!(json(&attached)["error_page"], json(&spaced)["error_page"]);
    assert_eq!(json(&attached)["ssl_mode"], "full");
    // A flag takes no value; a value it does not take is a usage error.
    let out = err521(&["diagnose", PAGE, "--redact=yes"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
    for args in [
        &["diagnose", "--format=yaml"][..],
        &["diagnose", "--port=0"][..],
        &["diagnose", "--format"][..],
        &["diagnose", "--no-such-option"][..],
        &["--no-such-command"][..],
        &[][..],
    ] {
        assert_eq!(err521(args, b"").status.code(), Some(2), "{args:?}");
    }
}

/// Run err521 in `dir` with arguments that need not be UTF-8.
fn err521_in(dir: &std::path::Path, args: &[std::ffi::OsString]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_err521"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run err521")
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

#[test]
fn after_double_dash_a_dash_name_is_a_file() {
    let dir = scratch("cli-double-dash");
    std::fs::copy(page_abs(), dir.join("-page.html")).expect("copy fixture");
    let args = |a: &[&str]| a.iter().map(std::ffi::OsString::from).collect::<Vec<_>>();
    let out = err521_in(
        &dir,
        &args(&["diagnose", "--format=json", "--", "-page.html"]),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["error_page"]["code"], 521);
    assert_eq!(v["inputs"][0]["input"], "-page.html");
    // Without `--` the same name is an unknown option.
    let out = err521_in(&dir, &args(&["diagnose", "-page.html"]));
    assert_eq!(out.status.code(), Some(2));
}

fn page_abs() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(PAGE)
}

#[cfg(unix)]
#[test]
fn a_file_name_need_not_be_utf8() {
    use std::os::unix::ffi::OsStringExt;
    let dir = scratch("cli-non-utf8");
    let name = std::ffi::OsString::from_vec(b"page-\xff.html".to_vec());
    std::fs::copy(page_abs(), dir.join(&name)).expect("copy fixture");
    let out = err521_in(
        &dir,
        &["diagnose".into(), name, "--format".into(), "json".into()],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["error_page"]["code"], 521);
    // The name is shown with the byte replaced, never dropped.
    assert_eq!(v["inputs"][0]["input"], "page-\u{fffd}.html");
}
