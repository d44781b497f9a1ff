use yew::prelude::*;

use crate::diagnose::FindingId;
use crate::options::SslMode;
use crate::ui::browser;
use crate::ui::hooks::use_send;
use crate::ui::state::Action;

/// One realistic case per cause: (cause, SSL mode the person would pick,
/// short label). The texts live in `static/examples/<id>.txt`, fetched on
/// demand so they cost the page nothing until used.
pub const EXAMPLES: [(FindingId, SslMode, &str); 12] = [
    (
        FindingId::FirewallBlocksCloudflare,
        SslMode::Full,
        "ufw allows only part of Cloudflare",
    ),
    (
        FindingId::BanBlocksCloudflare,
        SslMode::Full,
        "fail2ban banned Cloudflare",
    ),
    (FindingId::WebServerDown, SslMode::Full, "nginx has stopped"),
    (
        FindingId::PortConflict,
        SslMode::Full,
        "port 443 already in use",
    ),
    (FindingId::ConfigError, SslMode::Strict, "nginx -t fails"),
    (
        FindingId::NotListening,
        SslMode::Full,
        "nothing on port 443",
    ),
    (
        FindingId::LoopbackOnly,
        SslMode::Flexible,
        "listening on 127.0.0.1",
    ),
    (FindingId::OriginOverloaded, SslMode::Full, "out of memory"),
    (
        FindingId::DnsWrongOrigin,
        SslMode::Full,
        "A record to a private address",
    ),
    (
        FindingId::TlsPortMismatch,
        SslMode::Strict,
        "Full (strict) but HTTP only",
    ),
    (
        FindingId::Ipv6OriginBroken,
        SslMode::Full,
        "AAAA but no IPv6",
    ),
    (
        FindingId::DifferentErrorCode,
        SslMode::Unknown,
        "it is really a 522",
    ),
];

/// The example of cause `id`, if it has one.
pub fn example(id: FindingId) -> Option<(FindingId, SslMode, &'static str)> {
    EXAMPLES.iter().find(|(i, _, _)| *i == id).copied()
}

/// Fetch an example and put it in the paste area.
pub fn load_example(send: Callback<Action>, id: FindingId, ssl_mode: SslMode) {
    wasm_bindgen_futures::spawn_local(async move {
        // The single-file build carries the examples inside the page (and
        // cannot fetch from disk); the site fetches them on demand.
        let embedded = browser::embedded_json("err521-examples")
            .and_then(|j| serde_json::from_str::<serde_json::Value>(&j).ok())
            .and_then(|v| {
                v.get(id.as_str())
                    .and_then(|t| t.as_str())
                    .map(str::to_string)
            });
        let text = match embedded {
            Some(t) => Some(t),
            None => {
                let file = format!("examples/{}.txt", id.as_str());
                match gloo_net::http::Request::get(&file).send().await {
                    Ok(r) if r.ok() => r.text().await.ok(),
                    _ => None,
                }
            }
        };
        match text {
            Some(text) => {
                send.emit(Action::LoadExample { text, ssl_mode });
                if browser::location_hash().len() > 2 {
                    // Back to the diagnosis; the hashchange routes there.
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().set_hash("#/");
                    }
                }
                browser::focus("paste");
            }
            None => send.emit(Action::Notice(Some(
                "The example could not be loaded (offline and not cached yet).".into(),
            ))),
        }
    });
}

/// Buttons that load one example each.
#[component]
pub fn ExampleList() -> Html {
    let send = use_send();
    html! {
        <section class="examples" aria-labelledby="examples-title">
            <h3 id="examples-title">{ "Or try an example" }</h3>
            <ul>
                { for EXAMPLES.iter().map(|(id, mode, label)| {
                    let onclick = {
                        let send = send.clone();
                        let (id, mode) = (*id, *mode);
                        Callback::from(move |_: MouseEvent| load_example(send.clone(), id, mode))
                    };
                    html! { <li><button type="button" class="example" data-example={id.as_str()} {onclick}>{ *label }</button></li> }
                }) }
            </ul>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct ButtonProps {
    pub id: FindingId,
}

/// "Try the example" for one cause (on its page).
#[component]
pub fn ExampleButton(props: &ButtonProps) -> Html {
    let send = use_send();
    let Some((id, mode, label)) = example(props.id) else {
        return html! { <span class="no-example"></span> };
    };
    let onclick = Callback::from(move |_: MouseEvent| load_example(send.clone(), id, mode));
    html! { <button type="button" class="example" data-example={id.as_str()} {onclick}>{ format!("Try the example: {label}") }</button> }
}
