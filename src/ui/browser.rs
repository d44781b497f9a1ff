//! The few browser calls the page makes, wrapped so a missing API (an old
//! browser, `file://`, a locked-down embed) is an error value, never a
//! thrown exception.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::HtmlTextAreaElement;

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// Copy `text`: the async Clipboard API first, then the old
/// `execCommand('copy')` on a temporary text area.
pub async fn copy_text(text: &str) -> bool {
    if let Some(w) = window() {
        let nav = w.navigator();
        let has_api = js_sys::Reflect::get(&nav, &JsValue::from_str("clipboard"))
            .map(|v| !v.is_undefined() && !v.is_null())
            .unwrap_or(false);
        if has_api {
            let promise = nav.clipboard().write_text(text);
            if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                return true;
            }
        }
    }
    copy_with_exec_command(text)
}

fn copy_with_exec_command(text: &str) -> bool {
    let Some(doc) = window().and_then(|w| w.document()) else {
        return false;
    };
    let Some(body) = doc.body() else {
        return false;
    };
    let Ok(area) = doc
        .create_element("textarea")
        .map(|e| e.unchecked_into::<HtmlTextAreaElement>())
    else {
        return false;
    };
    area.set_value(text);
    let _ = area.set_attribute("readonly", "");
    let _ = area.set_attribute("class", "offscreen");
    if body.append_child(&area).is_err() {
        return false;
    }
    area.select();
    let ok = doc
        .dyn_ref::<web_sys::HtmlDocument>()
        .and_then(|d| d.exec_command("copy").ok())
        .unwrap_or(false);
    area.remove();
    ok
}

/// Offer `text` as a file download.
pub fn download(file_name: &str, mime: &str, text: &str) -> bool {
    let Some(doc) = window().and_then(|w| w.document()) else {
        return false;
    };
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let bag = web_sys::BlobPropertyBag::new();
    bag.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &bag) else {
        return false;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return false;
    };
    let Ok(a) = doc
        .create_element("a")
        .map(|e| e.unchecked_into::<web_sys::HtmlAnchorElement>())
    else {
        return false;
    };
    a.set_href(&url);
    a.set_download(file_name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    true
}

/// Select lines `first..=last` (1-based, as the engine numbers them) of the
/// text area `id` holding `text`, and scroll them into view.
pub fn select_lines(id: &str, text: &str, first: usize, last: usize) {
    let Some(area) = window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<HtmlTextAreaElement>().ok())
    else {
        return;
    };
    let (start, end, total_lines) = utf16_line_span(text, first, last);
    let _ = area.focus();
    let _ = area.set_selection_range(start, end);
    // Lines do not wrap in the paste areas, so each line is one row.
    let rows = f64::from(total_lines.max(1));
    let per_line = f64::from(area.scroll_height()) / rows;
    let top = per_line * f64::from(line_index(first)) - f64::from(area.client_height()) / 3.0;
    area.set_scroll_top(top.max(0.0) as i32);
}

fn line_index(first: usize) -> u32 {
    u32::try_from(first.saturating_sub(1)).unwrap_or(u32::MAX)
}

/// UTF-16 offsets of the start of line `first` and the end of line `last`,
/// and the number of lines, with `\r\n`, `\n` and `\r` all ending a line
/// (as `crate::text::lines` counts them).
pub fn utf16_line_span(text: &str, first: usize, last: usize) -> (u32, u32, u32) {
    let mut line = 1usize;
    let mut pos: u32 = 0;
    let mut start = None;
    let mut end = None;
    let mut chars = text.chars().peekable();
    if first <= 1 {
        start = Some(0);
    }
    while let Some(c) = chars.next() {
        let is_break = c == '\n' || c == '\r';
        if is_break {
            if line == last && end.is_none() {
                end = Some(pos);
            }
            pos = pos.saturating_add(1);
            if c == '\r' && chars.peek() == Some(&'\n') {
                chars.next();
                pos = pos.saturating_add(1);
            }
            line += 1;
            if line == first {
                start = Some(pos);
            }
            continue;
        }
        pos = pos.saturating_add(c.len_utf16() as u32);
    }
    let start = start.unwrap_or(pos);
    let end = end.unwrap_or(pos).max(start);
    (start, end, u32::try_from(line).unwrap_or(u32::MAX))
}

pub fn location_hash() -> String {
    window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

pub fn location_search() -> String {
    window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// The page URL without its fragment, for share links.
pub fn page_url() -> String {
    window()
        .and_then(|w| w.location().href().ok())
        .map(|h| h.split('#').next().unwrap_or_default().to_string())
        .unwrap_or_default()
}

/// Replace the fragment without a history entry or a hashchange event.
pub fn replace_hash(hash: &str) {
    if let Some(history) = window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(hash));
    }
}

pub fn scroll_to_top() {
    if let Some(w) = window() {
        w.scroll_to_with_x_and_y(0.0, 0.0);
    }
}

pub fn focus(id: &str) {
    if let Some(el) = window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// Text of a `<script type="application/json" id=…>` the single-file build
/// embeds (examples), when present.
pub fn embedded_json(id: &str) -> Option<String> {
    window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.text_content())
}

/// The address of `file` in the page's own folder (`new URL(file,
/// document.baseURI)`), when the page came over http(s): from `file://`
/// there is nothing to fetch from.
pub fn beside_page(file: &str) -> Option<String> {
    let w = window()?;
    let protocol = w.location().protocol().ok()?;
    if protocol != "http:" && protocol != "https:" {
        return None;
    }
    let base = w.document()?.base_uri().ok().flatten()?;
    web_sys::Url::new_with_base(file, &base)
        .ok()
        .map(|u| u.href())
}
