//! Golden outputs of the three formats on realistic cases. Regenerate after
//! an intended change with `UPDATE_GOLDEN=1 cargo test --test it golden::`, and
//! review the diff like code.

use err521::options::{Options, SslMode};
use err521::parse::CaseInput;
use err521::report::{json, markdown, text};

const CASES: &[(&str, SslMode)] = &[
    ("tickets/ufw-partial-allowlist.txt", SslMode::Unknown),
    ("tickets/mixed-fences-failed-nginx.md", SslMode::Unknown),
    ("scenarios/full-mode-no-443.txt", SslMode::Full),
    ("error-page/modern-522-blog.html", SslMode::Unknown),
    ("error-page/modern-521-shop.html", SslMode::Unknown),
];

#[test]
fn outputs_match_the_golden_files() {
    let root = env!("CARGO_MANIFEST_DIR");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut mismatches = Vec::new();
    for (case, mode) in CASES {
        let text_in =
            std::fs::read_to_string(format!("{root}/tests/fixtures/{case}")).unwrap_or_default();
        assert!(!text_in.is_empty(), "missing fixture {case}");
        let options = Options {
            ssl_mode: *mode,
            ..Options::default()
        };
        let report = err521::analyze(&[CaseInput::new(*case, text_in)], &options);
        let stem = case.replace('/', "__");
        for (ext, out) in [
            ("txt", text::render(&report)),
            ("md", markdown::render(&report)),
            ("json", json::render(&report) + "\n"),
        ] {
            let path = format!("{root}/tests/golden/{stem}.{ext}");
            if update {
                std::fs::write(&path, &out).unwrap_or_else(|e| panic!("{path}: {e}"));
                continue;
            }
            let want = std::fs::read_to_string(&path).unwrap_or_default();
            if want != out {
                mismatches.push(path);
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "outputs differ from {mismatches:?}; if intended, run UPDATE_GOLDEN=1 cargo test --test it golden:: and review"
    );
}
