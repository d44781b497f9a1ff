use web_sys::{HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::options::SslMode;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub value: String,
    pub ssl_mode: SslMode,
    pub on_paste: Callback<String>,
    pub on_mode: Callback<SslMode>,
}

const MODES: [(SslMode, &str, &str); 5] = [
    (SslMode::Unknown, "unknown", "I don't know"),
    (SslMode::Off, "off", "Off"),
    (SslMode::Flexible, "flexible", "Flexible"),
    (SslMode::Full, "full", "Full"),
    (SslMode::Strict, "strict", "Full (strict)"),
];

#[component]
pub fn PasteArea(props: &Props) -> Html {
    let oninput = {
        let cb = props.on_paste.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            cb.emit(area.value());
        })
    };
    let onchange = {
        let cb = props.on_mode.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Some(mode) = SslMode::parse(&select.value()) {
                cb.emit(mode);
            }
        })
    };
    html! {
        <section class="inputs" aria-label="What you have">
            <label for="paste">{ "Paste anything: the error page, command output, or the whole ticket" }</label>
            <textarea id="paste" spellcheck="false" autocomplete="off" value={props.value.clone()} {oninput}
                placeholder="root@web1:~# sudo ufw status verbose&#10;Status: active&#10;..." />
            <label for="ssl-mode">{ "SSL/TLS mode in Cloudflare" }</label>
            <select id="ssl-mode" {onchange}>
                { for MODES.iter().map(|(mode, value, label)| html! {
                    <option value={*value} selected={*mode == props.ssl_mode}>{ *label }</option>
                }) }
            </select>
        </section>
    }
}
