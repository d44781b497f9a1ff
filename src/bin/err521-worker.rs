//! The analysis engine as a Web Worker, built by Trunk (index.html names
//! this bin with `data-type="worker"`). It answers each request the page
//! posts with the report; it never touches the DOM.
#![forbid(unsafe_code)]

#[cfg(target_arch = "wasm32")]
fn main() {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_to = scope.clone();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        if let Some(request) = e.data().as_string() {
            let answer = err521::ui::protocol::handle(&request);
            let _ = reply_to.post_message(&JsValue::from_str(&answer));
        }
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    onmessage.forget();
    // Messages posted before this point would be lost: the page waits.
    let _ = scope.post_message(&JsValue::from_str(err521::ui::protocol::READY));
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("err521-worker is the page's Web Worker: run `trunk serve` (see README.md)");
}
