//! Components in a real browser (headless Chromium via wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Event, EventInit, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

const PAGE_521: &str = include_str!("fixtures/error-page/visible-text-521.txt");
const PAGE_525: &str = include_str!("fixtures/error-page/modern-525-api.html");

async fn mount() -> web_sys::Element {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("a browser document");
    let root = document.create_element("div").expect("a div");
    document
        .body()
        .expect("a body")
        .append_child(&root)
        .expect("append");
    yew::Renderer::<err521::ui::components::app::App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    root
}

async fn type_into_paste(root: &web_sys::Element, text: &str) {
    let area: HtmlTextAreaElement = root
        .query_selector("#paste")
        .ok()
        .flatten()
        .expect("the paste area")
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
