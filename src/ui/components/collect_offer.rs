use yew::prelude::*;

use super::copy_button::CopyButton;
use crate::collector::{one_liner, run_saved};
use crate::ui::browser;
use crate::ui::hooks::use_send;
use crate::ui::state::Action;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The site's name when the case gives one (the error page's host);
    /// the command carries it only when it is a plain DNS name.
    #[prop_or_default]
    pub host: Option<AttrValue>,
}

/// Where the person gets `collect.sh` from.
#[derive(PartialEq)]
enum Source {
    /// Beside the page, at this address.
    Url(String),
    /// Carried in the page (the single-file build, often opened from
    /// `file://`): nothing lies beside it.
    Script(String),
    /// Neither: a page from `file://` without the script inside.
    Nowhere,
}

fn source() -> Source {
    let embedded = browser::embedded_json("err521-collect")
        .and_then(|json| serde_json::from_str::<String>(&json).ok());
    match (embedded, browser::beside_page("collect.sh")) {
        (Some(text), _) => Source::Script(text),
        (None, Some(url)) => Source::Url(url),
        (None, None) => Source::Nowhere,
    }
}

/// A command to copy, whole on a phone too (it wraps).
fn command_box(command: String, data: &'static str) -> Html {
    let label = format!("Copy command: {command}");
    html! {
        <div class="command">
            <pre class="wrap" tabindex="0" role="group" aria-label={format!("Command: {command}")} data-collect-command={data}><code>{ command.clone() }</code></pre>
            <CopyButton text={AttrValue::from(command)} label={AttrValue::from(label)} />
        </div>
    }
}

/// "Run this on your server": one read-only command that gathers what the
/// page reads, offered before anything is pasted and while a case is
/// undecided. The parent decides when (see `components/mod.rs`).
#[component]
pub fn CollectOffer(props: &Props) -> Html {
    let source = use_memo((), |_| source());
    let send = use_send();
    let site = props.host.as_deref();
    let body = match &*source {
        Source::Url(url) => html! {
            <>
                <p>{ "One read-only command gathers everything this page reads: firewall rules, bans, the web server's state and configuration, listeners, addresses and resources. Run it on the origin server and paste all of its output on the left." }</p>
                { command_box(one_liner(url, site), "one-liner") }
            </>
        },
        Source::Script(text) => {
            let on_download = {
                let text = text.clone();
                Callback::from(move |_: MouseEvent| {
                    let ok = browser::download("collect.sh", "text/x-shellscript", &text);
                    send.emit(Action::Notice(Some(if ok {
                        "Saved as collect.sh.".into()
                    } else {
                        "This browser did not allow the download; copy the script instead.".into()
                    })));
                })
            };
            html! {
                <>
                    <p>{ "This page has no web address to fetch the script from, so here it is. Save it on the origin server as collect.sh, run it, and paste all of its output on the left:" }</p>
                    { command_box(run_saved(site), "saved") }
                    <div class="collect-script-bar">
                        <CopyButton text={AttrValue::from(text.clone())} label={AttrValue::Static("Copy the script collect.sh")} caption={AttrValue::Static("Copy the script")} />
                        <button type="button" class="secondary" onclick={on_download}>{ "Download collect.sh" }</button>
                    </div>
                    <pre class="collect-script" tabindex="0" role="group" aria-label="The script collect.sh" data-collect-script="true"><code>{ text.clone() }</code></pre>
                </>
            }
        }
        Source::Nowhere => html! {
            <>
                <p>{ "Take collect.sh from the page's folder (it ships beside index.html) or print it with err521 collect, then run it on the origin server and paste all of its output on the left:" }</p>
                { command_box(run_saved(site), "saved") }
            </>
        },
    };
    let named = site.and_then(crate::collector::site_for_host).is_some();
    html! {
        <section class="collect-offer" aria-labelledby="collect-title" data-collect-offer="true">
            <h2 id="collect-title" class="section-title">{ "Run this on your server" }</h2>
            { body }
            <p class="collect-note">
                { "It only reads: it changes no rule, service or file, runs each command under a short timeout and prints no keys, certificates or passwords." }
                if !named {
                    { " Add --host with your site's name to also check its DNS records and probe this origin as that site." }
                }
            </p>
        </section>
    }
}
