use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::copy_button::CopyButton;
use crate::report::Report;
use crate::ui::browser;
use crate::ui::hooks::use_send;
use crate::ui::state::Action;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Rc<Report>,
    pub busy: bool,
    pub redacted: bool,
    /// The share link for the current inputs, once made.
    pub link: Option<String>,
    /// Ask the engine for a share link.
    pub make_link: Callback<()>,
}

/// Browsers refuse URLs much longer than this (Chromium: 2 MB).
const LONG_URL: usize = 2_000_000;

/// Take the answer elsewhere: the Markdown reply (copy or download) and a
/// share link that carries the inputs in its fragment, optionally redacted.
#[component]
pub fn ShareBar(props: &Props) -> Html {
    let send = use_send();
    // Rendering Markdown walks the whole report: once per report, not on
    // every render of the page.
    let markdown = use_memo(props.report.clone(), |r| {
        AttrValue::from(crate::report::markdown::render(r))
    });
    let markdown = (*markdown).clone();
    let on_redact = send.reform(|e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        Action::SetRedacted(input.checked())
    });
    let on_download = {
        let markdown = markdown.clone();
        send.reform(move |_: MouseEvent| {
            let ok =
                browser::download("err521-report.md", "text/markdown;charset=utf-8", &markdown);
            Action::Notice(Some(if ok {
                "Report downloaded as err521-report.md.".into()
            } else {
                "This browser did not allow the download; use Copy instead.".into()
            }))
        })
    };
    let on_link = props.make_link.reform(|_: MouseEvent| ());
    let busy = props.busy;
    html! {
        <section class="share" aria-labelledby="share-title">
            <h2 id="share-title" class="section-title">{ "Share" }</h2>
            <div class="switch">
                <input id="redact" type="checkbox" checked={props.redacted} onchange={on_redact} aria-describedby="redact-help" />
                <label for="redact">{ "Redact addresses, host names and Ray IDs" }</label>
                <p id="redact-help" class="help">{ "Applies to the report below, the Markdown and the share link. Cloudflare's own ranges and private addresses stay, the diagnosis needs them." }</p>
            </div>
            <div class="share-actions">
                <span class="copy-md"><CopyButton text={markdown.clone()} label="Copy Markdown report" caption="Copy Markdown report" /></span>
                <button type="button" class="secondary" onclick={on_download} disabled={busy}>{ "Download .md" }</button>
                <button type="button" class="secondary" id="make-share-link" onclick={on_link} disabled={busy}>{ "Create share link" }</button>
            </div>
            if let Some(url) = props.link.clone() {
                <div class="share-link">
                    <label for="share-url">{ if props.redacted { "Share link (redacted inputs)" } else { "Share link (contains your inputs)" } }</label>
                    <div class="command">
                        <input id="share-url" type="text" readonly=true value={url.clone()} />
                        <CopyButton text={AttrValue::from(url.clone())} label="Copy the share link" />
                    </div>
                    <p class="help">
                        { format!("{} characters. The inputs travel in the part after #, which browsers never send to a server.", url.len()) }
                        if url.len() > LONG_URL { <strong>{ " Too long for most browsers: share the Markdown instead." }</strong> }
                    </p>
                </div>
            }
            <details class="md-preview">
                <summary>{ "Preview the Markdown" }</summary>
                <pre tabindex="0" role="group" aria-label="The Markdown report"><code>{ markdown }</code></pre>
            </details>
        </section>
    }
}
