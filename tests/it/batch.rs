//! `err521 diagnose --jsonl`: batch triage of a helpdesk archive, one ticket
//! per JSON line in, one answer per line out.

use std::process::Output;

use crate::common::cli::err521;

use serde_json::{json, Value};

fn answers(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each answer is one JSON line"))
        .collect()
}

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

fn jsonl(tickets: &[Value]) -> Vec<u8> {
    tickets
        .iter()
        .map(|t| format!("{t}\n"))
        .collect::<String>()
        .into_bytes()
}

/// Tickets whose primary findings differ, so an answer written under the
/// wrong id would show.
fn corpus() -> Vec<String> {
    [
        "scenarios/nft-drop-policy-no-cloudflare.txt",
        "scenarios/oom-killed-nginx.txt",
        "scenarios/loopback-only-node-proxy.txt",
        "error-page/modern-521-shop.html",
    ]
    .into_iter()
    .map(fixture)
    .collect()
}

#[test]
fn answers_keep_input_order_and_ids_across_chunks_and_threads() {
    // What each ticket gives on its own, through the one-case command.
    let expected: Vec<Value> = corpus()
        .iter()
        .map(|text| {
            let out = err521(&["diagnose", "--format", "json"], text.as_bytes());
            serde_json::from_slice::<Value>(&out.stdout).expect("json")["primary"].clone()
        })
        .collect();
    assert_eq!(expected[0], "firewall-blocks-cloudflare");
    assert!(
        expected.iter().any(|p| *p != expected[0]),
        "the corpus must mix outcomes: {expected:?}"
    );
    // More tickets than one chunk (512 lines), ids of both JSON types.
    let texts = corpus();
    let tickets: Vec<Value> = (0..700)
        .map(|i| {
            let id = if i % 2 == 0 {
                json!(format!("T-{i}"))
            } else {
                json!(i)
            };
            let text = &texts[i % texts.len()];
            json!({"id": id, "inputs": [{"name": "ticket", "text": text}]})
        })
        .collect();
    for threads in ["1", "3"] {
        let out = err521(
            &["diagnose", "--jsonl", "--threads", threads],
            &jsonl(&tickets),
        );
        assert_eq!(out.status.code(), Some(0));
        let got = answers(&out);
        assert_eq!(got.len(), tickets.len(), "{threads} threads");
        for (i, (answer, ticket)) in got.iter().zip(&tickets).enumerate() {
            assert_eq!(answer["id"], ticket["id"], "line {}", i + 1);
            assert_eq!(
                answer["report"]["primary"],
                expected[i % expected.len()],
                "ticket {} on {threads} threads",
                ticket["id"]
            );
        }
    }
}

#[test]
fn a_malformed_line_gets_an_error_object_and_the_rest_succeed() {
    let text = fixture("scenarios/nft-drop-policy-no-cloudflare.txt");
    let good = |id: &str| json!({"id": id, "inputs": [{"name": "ruleset", "text": text}]});
    let mut input = jsonl(&[good("a"), good("b")]);
    // Truncated JSON (no id can be read), a wrong type with a readable id,
    // a misspelt option, a blank line, then good tickets again.
    input.extend_from_slice(b"{\"id\": \"c\", \"inputs\": [{\"text\": \"ss -tln\n");
    input.extend_from_slice(b"{\"id\": \"d\", \"inputs\": \"not a list\"}\n");
    input.extend_from_slice(b"{\"id\": \"e\", \"inputs\": [], \"ssl-mode\": \"full\"}\n");
    input.extend_from_slice(b"{\"id\": \"f\", \"inputs\": [], \"ssl_mode\": \"fullest\"}\n");
    input.extend_from_slice(b"   \n");
    input.extend(jsonl(&[good("g"), good("h")]));
    let out = err521(&["diagnose", "--jsonl", "--threads", "2", "-"], &input);
    assert_eq!(out.status.code(), Some(0));
    let got = answers(&out);
    let ids: Vec<&Value> = got.iter().map(|a| &a["id"]).collect();
    assert_eq!(
        ids,
        [
            &json!("a"),
            &json!("b"),
            &Value::Null,
            &json!("d"),
            &json!("e"),
            &json!("f"),
            &json!("g"),
            &json!("h")
        ]
    );
    for i in [0, 1, 6, 7] {
        assert_eq!(got[i]["report"]["primary"], "firewall-blocks-cloudflare");
        assert!(got[i].get("error").is_none());
    }
    // The unreadable ticket is found by its line number.
    assert_eq!(got[2]["line"], 3);
    for (i, needle) in [(3, "expected a sequence"), (4, "ssl-mode"), (5, "fullest")] {
        assert_eq!(got[i]["line"], i as u64 + 1);
        let error = got[i]["error"].as_str().unwrap_or_default();
        assert!(error.contains(needle), "{error}");
        assert!(got[i].get("report").is_none());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("4 of 8 tickets"), "{stderr}");
}

#[test]
fn each_tickets_ssl_mode_and_ports_are_honoured() {
    let text = fixture("scenarios/full-mode-no-443.txt");
    let ticket = |id: u32, mode: Option<&str>, ports: &[u16]| {
        let mut t = json!({"id": id, "inputs": [{"name": "ticket", "text": text}], "ports": ports});
        if let Some(mode) = mode {
            t["ssl_mode"] = json!(mode);
        }
        t
    };
    let input = jsonl(&[
        ticket(1, None, &[]),
        ticket(2, Some("full"), &[]),
        ticket(3, Some("flexible"), &[8080]),
    ]);
    let got = answers(&err521(&["diagnose", "--jsonl"], &input));
    let status = |a: &Value, id: &str| {
        a["report"]["findings"]
            .as_array()
            .and_then(|f| f.iter().find(|f| f["id"] == id))
            .map(|f| f["status"].clone())
            .unwrap_or(Value::Null)
    };
    assert_eq!(got[0]["report"]["ssl_mode"], "unknown");
    assert_eq!(got[1]["report"]["ssl_mode"], "full");
    // Full mode means Cloudflare connects on 443, where nothing listens.
    assert_eq!(status(&got[0], "tls-port-mismatch"), "likely");
    assert_eq!(status(&got[1], "tls-port-mismatch"), "confirmed");
    assert_eq!(got[2]["report"]["ssl_mode"], "flexible");
    let ports = got[2]["report"]["ports"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(ports.contains(&json!(8080)), "{ports:?}");
    assert!(
        !ports.contains(&json!(443)),
        "flexible never uses 443: {ports:?}"
    );
    // The command line's mode is the default a ticket may override.
    let got = answers(&err521(
        &["diagnose", "--jsonl", "--ssl-mode", "full"],
        &jsonl(&[ticket(4, None, &[]), ticket(5, Some("unknown"), &[])]),
    ));
    assert_eq!(got[0]["report"]["ssl_mode"], "full");
    assert_eq!(got[1]["report"]["ssl_mode"], "unknown");
}

#[test]
fn usage_errors_are_refused() {
    for args in [
        &["diagnose", "--threads", "2"][..],
        &["diagnose", "--jsonl", "--threads", "0"],
        &["diagnose", "--jsonl", "--format", "text"],
        &["diagnose", "--jsonl", "a.jsonl", "b.jsonl"],
    ] {
        let out = err521(args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
    }
}
