//! A page that cannot go silent. If the page's wasm panics or traps, Yew
//! stops answering; instead of a frozen page the person sees what happened,
//! a way out (reload), and the error text for a bug report. The case lives
//! in the tab's `sessionStorage`, so the reload brings it back.
//!
//! Everything here is built with plain DOM calls outside Yew's tree: after a
//! panic Yew cannot render anything any more.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, ErrorEvent, PromiseRejectionEvent};

use crate::share::SharePayload;

/// The `sessionStorage` key holding the case of this tab.
const CASE_KEY: &str = "err521-case";
/// The id of the message shown after a crash.
pub const CRASH_ID: &str = "crash";
pub const MESSAGE: &str = "Something went wrong: reload; your paste is kept in this tab.";

/// Show the message on any panic of this wasm, and on any trap that
/// reaches the page as an uncaught `WebAssembly.RuntimeError`.
pub fn install() {
    // Through Yew, which would otherwise replace it with its own hook.
    yew::set_custom_panic_hook(Box::new(|info| {
        let text = info.to_string();
        // Still in the console, as Yew's own hook does.
        web_sys::console::error_1(&wasm_bindgen::JsValue::from_str(&text));
        show(&text);
    }));
    let Some(window) = web_sys::window() else {
        return;
    };
    let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(|e: ErrorEvent| {
        if is_trap(&e.error()) {
            show(&e.message());
        }
    });
    let on_rejection =
        Closure::<dyn FnMut(PromiseRejectionEvent)>::new(|e: PromiseRejectionEvent| {
            let reason = e.reason();
            if is_trap(&reason) {
                show(&String::from(js_sys::Error::from(reason).message()));
            }
        });
    let _ = window.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
    let _ = window.add_event_listener_with_callback(
        "unhandledrejection",
        on_rejection.as_ref().unchecked_ref(),
    );
    // Both listeners live as long as the page.
    on_error.forget();
    on_rejection.forget();
}

fn is_trap(error: &JsValue) -> bool {
    error.is_instance_of::<js_sys::WebAssembly::RuntimeError>()
}

/// Show (or add to) the crash message. Never panics: it runs inside the
/// panic hook.
fn show(detail: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(pre) = doc.get_element_by_id("crash-detail") {
        let before = pre.text_content().unwrap_or_default();
        pre.set_text_content(Some(&format!("{before}\n{detail}")));
        return;
    }
    let _ = build(&doc, detail);
}

fn build(doc: &Document, detail: &str) -> Result<(), JsValue> {
    let el = |tag: &str, text: Option<&str>| -> Result<web_sys::Element, JsValue> {
        let e = doc.create_element(tag)?;
        if let Some(t) = text {
            e.set_text_content(Some(t));
        }
        Ok(e)
    };
    let box_ = el("div", None)?;
    box_.set_id(CRASH_ID);
    box_.set_class_name("crash");
    box_.set_attribute("role", "alert")?;
    let message = el("p", Some(MESSAGE))?;
    box_.append_child(&message)?;
    let reload = el("button", Some("Reload"))?;
    reload.set_attribute("type", "button")?;
    let on_reload = Closure::<dyn FnMut()>::new(|| {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    });
    reload.add_event_listener_with_callback("click", on_reload.as_ref().unchecked_ref())?;
    on_reload.forget();
    box_.append_child(&reload)?;
    let details = el("details", None)?;
    let summary = el("summary", Some("The error, to copy into a bug report"))?;
    details.append_child(&summary)?;
    let pre = el("pre", Some(detail))?;
    pre.set_id("crash-detail");
    pre.set_attribute("tabindex", "0")?;
    details.append_child(&pre)?;
    box_.append_child(&details)?;
    // Outside the nodes Yew manages, first in the body so it is seen.
    let body = doc.body().ok_or(JsValue::NULL)?;
    body.insert_before(&box_, body.first_child().as_ref())?;
    Ok(())
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// Keep the case in this tab (`None`: nothing to keep). A case too large for
/// the storage is not kept; the page works on regardless.
pub fn keep_case(case: Option<&SharePayload>) {
    let Some(s) = storage() else {
        return;
    };
    match case.and_then(|c| serde_json::to_string(c).ok()) {
        Some(json) => {
            if s.set_item(CASE_KEY, &json).is_err() {
                let _ = s.remove_item(CASE_KEY);
            }
        }
        None => {
            let _ = s.remove_item(CASE_KEY);
        }
    }
}

/// The case kept in this tab, if any.
pub fn kept_case() -> Option<SharePayload> {
    let json = storage()?.get_item(CASE_KEY).ok().flatten()?;
    serde_json::from_str(&json).ok()
}
