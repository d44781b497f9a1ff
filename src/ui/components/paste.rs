use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{
    ClipboardEvent, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement, InputEvent,
};
use yew::prelude::*;

use super::chips::BlockChips;
use crate::options::SslMode;
use crate::report::Report;
use crate::share::KindOverride;
use crate::ui::hooks::use_send;
use crate::ui::state::{preview, Action, LARGE_PASTE, PASTE_INPUT, PREVIEW_LINES};

pub const MODES: [(SslMode, &str, &str); 5] = [
    (SslMode::Unknown, "unknown", "I don't know"),
    (SslMode::Off, "off", "Off"),
    (SslMode::Flexible, "flexible", "Flexible"),
    (SslMode::Full, "full", "Full"),
    (SslMode::Strict, "strict", "Full (strict)"),
];

/// True for an input event that came from typing (analysed after a pause),
/// false for a paste, a drop or a cut (analysed at once).
pub fn typed(e: &InputEvent) -> bool {
    // Read as a plain property: a script may send a bare `Event("input")`.
    let kind = js_sys::Reflect::get(e, &wasm_bindgen::JsValue::from_str("inputType"))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    !matches!(
        kind.as_str(),
        "insertFromPaste"
            | "insertFromPasteAsQuotation"
            | "insertFromDrop"
            | "deleteByCut"
            | "deleteByDrag"
    )
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub paste: Rc<str>,
    pub show_all: bool,
    /// No input holds any text.
    pub empty: bool,
    pub overrides: Vec<KindOverride>,
    /// The report shown, for the chips of the blocks it read.
    pub report: Option<Rc<Report>>,
    pub busy: bool,
}

/// The big paste area with what was recognised in it.
#[component]
pub fn PasteArea(props: &Props) -> Html {
    let send = use_send();
    let oninput = {
        let send = send.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            send.emit(Action::SetPaste {
                text: Rc::from(area.value()),
                typed: typed(&e),
            });
        })
    };
    // A paste that makes the text large never goes through the text area
    // (the browser would spend seconds laying it out): it is read from the
    // clipboard event and the area shows its first lines.
    let onpaste = {
        let send = send.clone();
        let current = props.paste.clone();
        let previewing = preview(&props.paste).is_some() && !props.show_all;
        Callback::from(move |e: Event| {
            let Some(clip) = e
                .dyn_ref::<ClipboardEvent>()
                .and_then(|c| c.clipboard_data())
                .and_then(|d| d.get_data("text").ok())
            else {
                return;
            };
            if clip.len() + current.len() <= LARGE_PASTE && !previewing {
                return;
            }
            e.prevent_default();
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            let text = if previewing {
                // The box shows a preview: add to the end of the whole text.
                let mut all = current.to_string();
                if !all.is_empty() && !all.ends_with('\n') {
                    all.push('\n');
                }
                all.push_str(&clip);
                all
            } else {
                let value = area.value();
                let start = utf16_to_byte(&value, area.selection_start().ok().flatten());
                let end = utf16_to_byte(&value, area.selection_end().ok().flatten()).max(start);
                let mut all = String::with_capacity(value.len() + clip.len());
                all.push_str(value.get(..start).unwrap_or(""));
                all.push_str(&clip);
                all.push_str(value.get(end..).unwrap_or(""));
                all
            };
            send.emit(Action::SetPaste {
                text: Rc::from(text),
                typed: false,
            });
        })
    };
    let on_show_all = send.reform(|_: MouseEvent| Action::ShowAll);
    let on_clear = send.reform(|_: MouseEvent| Action::Clear);
    let lines = props.paste.lines().count();
    let shown = preview(&props.paste).filter(|_| !props.show_all);
    let value = shown.map_or_else(|| props.paste.to_string(), str::to_string);
    let blocks: Vec<_> = props
        .report
        .as_ref()
        .map(|r| {
            r.inputs
                .iter()
                .filter(|b| b.input == PASTE_INPUT)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    html! {
        <>
            <h2 id="inputs-title" class="section-title">{ "What you have" }</h2>
            <label for="paste" class="big-label">{ "Paste anything: the error page, command output, or the whole ticket" }</label>
            if shown.is_some() {
                <p class="large-note" id="large-note" role="note">
                    { format!("Large paste: {}, {lines} lines. The diagnosis reads all of it; the box shows the first {PREVIEW_LINES} lines so the page stays fast. ", megabytes(props.paste.len())) }
                    <button type="button" class="link" onclick={on_show_all}>{ "Show all in the box (slow)" }</button>
                </p>
            }
            <textarea id="paste" spellcheck="false" autocomplete="off" wrap="off" {value} {oninput} {onpaste}
                readonly={shown.is_some()} aria-describedby={if shown.is_some() { "large-note paste-help" } else { "paste-help" }}
                placeholder={"root@web1:~# sudo ufw status verbose\nStatus: active\n…"} />
            <p id="paste-help" class="help">
                if lines > 0 {
                    { format!("{lines} lines. ") }
                }
                { "Mixed outputs are fine: each block is recognised on its own." }
                if !props.empty {
                    { " " }<button type="button" class="link" onclick={on_clear}>{ "Clear all" }</button>
                }
            </p>
            if !blocks.is_empty() {
                <BlockChips input={PASTE_INPUT} text={props.paste.clone()} {blocks} overrides={props.overrides.clone()} busy={props.busy} />
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
pub struct OptionsProps {
    pub ssl_mode: SslMode,
    pub ports_text: AttrValue,
}

/// The options that change the diagnosis: SSL mode and other ports.
#[component]
pub fn CaseOptions(props: &OptionsProps) -> Html {
    let send = use_send();
    // A select the person has used no longer follows its options' `selected`
    // attributes: set its value whenever the mode changes (a cleared case,
    // an example, a share link), so it never shows another mode than the
    // one the diagnosis uses.
    let select = use_node_ref();
    {
        let select = select.clone();
        use_effect_with(props.ssl_mode, move |mode| {
            let value = MODES
                .iter()
                .find(|(m, _, _)| m == mode)
                .map_or("unknown", |(_, v, _)| *v);
            if let Some(el) = select.cast::<HtmlSelectElement>() {
                el.set_value(value);
            }
        });
    }
    let on_mode = {
        let send = send.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Some(mode) = SslMode::parse(&select.value()) {
                send.emit(Action::SetSslMode(mode));
            }
        })
    };
    let on_ports = send.reform(|e: InputEvent| {
        let input: HtmlInputElement = e.target_unchecked_into();
        Action::SetPorts(input.value())
    });
    html! {
        <div class="options">
            <div class="field">
                <label for="ssl-mode">{ "SSL/TLS mode in Cloudflare" }</label>
                <select id="ssl-mode" ref={select} onchange={on_mode}>
                    { for MODES.iter().map(|(mode, value, label)| html! {
                        <option value={*value} selected={*mode == props.ssl_mode}>{ *label }</option>
                    }) }
                </select>
            </div>
            <div class="field">
                <label for="ports">{ "Other origin ports" }</label>
                <input id="ports" type="text" inputmode="numeric" autocomplete="off" placeholder="e.g. 8443, 2053"
                    value={props.ports_text.clone()} oninput={on_ports} aria-describedby="ports-help" />
                <p id="ports-help" class="help">{ "Only if Cloudflare proxies to more than 80/443." }</p>
            </div>
        </div>
    }
}

/// Byte index in `s` of the UTF-16 offset a text area reports.
fn utf16_to_byte(s: &str, offset: Option<u32>) -> usize {
    let Some(offset) = offset else {
        return s.len();
    };
    let mut units = 0u32;
    for (i, c) in s.char_indices() {
        if units >= offset {
            return i;
        }
        units = units.saturating_add(c.len_utf16() as u32);
    }
    s.len()
}

/// `5.2 MB`, without pulling float formatting into the page.
fn megabytes(bytes: usize) -> String {
    let tenths = bytes.saturating_mul(10) / 1_048_576;
    format!("{}.{} MB", tenths / 10, tenths % 10)
}
