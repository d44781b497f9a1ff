use std::rc::Rc;

use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::cloudflare::Ranges;
use crate::ui::hooks::use_send;
use crate::ui::state::{Action, RangesChoice, RangesInfo};

/// Cloudflare's API for its ranges. Browsers may refuse the answer (no
/// CORS header), so this is only tried when asked, and fails gracefully.
const CLOUDFLARE_API: &str = "https://api.cloudflare.com/client/v4/ips";

fn date_of(json: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(json)
        .ok()?
        .get("last_changed_upstream")?
        .as_str()
        .map(str::to_string)
}

/// At start: the `ranges.json` served beside the page replaces the bundled
/// snapshot when it is newer (a site can update it without a rebuild).
pub fn load_served_ranges(send: Callback<Action>) {
    // Opened from disk (the single-file build) there is nothing beside it.
    let from_disk = web_sys::window()
        .and_then(|w| w.location().protocol().ok())
        .is_some_and(|p| p == "file:");
    if from_disk {
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(resp) = gloo_net::http::Request::get("ranges.json").send().await else {
            return;
        };
        if !resp.ok() {
            return;
        }
        let Ok(text) = resp.text().await else {
            return;
        };
        let bundled = Ranges::bundled().date.unwrap_or_default();
        let Some(date) = date_of(&text) else {
            return;
        };
        if date > bundled && Ranges::parse(&text).is_some() {
            send.emit(Action::SetRanges(RangesChoice {
                text: Some(Rc::from(text)),
                info: RangesInfo {
                    source: Some("ranges.json served with this page".into()),
                    date: Some(date),
                    message: None,
                },
            }));
        }
    });
}

fn refresh_from_cloudflare(send: Callback<Action>) {
    wasm_bindgen_futures::spawn_local(async move {
        send.emit(Action::RangesMessage("Asking Cloudflare…".into()));
        let outcome = async {
            let resp = gloo_net::http::Request::get(CLOUDFLARE_API)
                .send()
                .await
                .ok()?;
            if !resp.ok() {
                return None;
            }
            let text = resp.text().await.ok()?;
            Ranges::parse(&text).map(|r| (text, r))
        }
        .await;
        match outcome {
            Some((text, r)) => send.emit(Action::SetRanges(RangesChoice {
                text: Some(Rc::from(text)),
                info: RangesInfo {
                    source: Some("fetched from api.cloudflare.com just now".into()),
                    date: None,
                    message: Some(format!("Using {} ranges fetched from Cloudflare.", r.ranges.len())),
                },
            })),
            None => send.emit(Action::RangesMessage(
                "Could not fetch the list from api.cloudflare.com: the browser blocked the request (Cloudflare's API does not allow pages on other sites to read it) or you are offline. Open https://www.cloudflare.com/ips/ yourself and paste both lists below.".into(),
            )),
        }
    });
}

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The ranges text in use (`None`: the bundled list).
    pub ranges: Option<Rc<str>>,
    pub info: RangesInfo,
}

/// Which Cloudflare ranges the diagnosis uses, and three ways to change
/// them: the served file (automatic), Cloudflare's API, a pasted list.
#[component]
pub fn RangesPanel(props: &Props) -> Html {
    let send = use_send();
    let pasted = use_state(String::new);
    let bundled = Ranges::bundled();
    let current = props
        .ranges
        .as_deref()
        .and_then(Ranges::parse)
        .unwrap_or_else(|| bundled.clone());
    let (v4, v6): (Vec<_>, Vec<_>) = current
        .ranges
        .iter()
        .flat_map(|r| r.to_cidrs())
        .partition(|c| !c.contains(':'));
    let on_refresh = {
        let send = send.clone();
        Callback::from(move |_: MouseEvent| refresh_from_cloudflare(send.clone()))
    };
    let on_input = {
        let pasted = pasted.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            pasted.set(area.value());
        })
    };
    let on_use = {
        let pasted = pasted.clone();
        send.reform(move |_: MouseEvent| {
            match Ranges::parse(&pasted) {
                Some(r) => Action::SetRanges(RangesChoice {
                    text: Some(Rc::from(pasted.as_str())),
                    info: RangesInfo {
                        source: Some("the list you pasted".into()),
                        date: None,
                        message: Some(format!("Using the {} ranges you pasted.", r.ranges.len())),
                    },
                }),
                None => Action::RangesMessage("No address ranges found in the pasted text. Paste the CIDRs from https://www.cloudflare.com/ips-v4 and /ips-v6, or the API's JSON.".into()),
            }
        })
    };
    let on_reset = send.reform(|_: MouseEvent| {
        Action::SetRanges(RangesChoice {
            text: None,
            info: RangesInfo {
                message: Some("Using the bundled list again.".into()),
                ..RangesInfo::default()
            },
        })
    });
    let source = match (&props.info.source, &props.info.date) {
        (Some(s), Some(d)) => format!("{s}, last changed by Cloudflare on {d}"),
        (Some(s), None) => s.clone(),
        _ => format!(
            "the list bundled with this page, last changed by Cloudflare on {}",
            bundled
                .date
                .clone()
                .unwrap_or_else(|| "an unknown date".into())
        ),
    };
    html! {
        <section class="ranges" aria-labelledby="ranges-title">
            <h2 id="ranges-title">{ "Cloudflare's IP ranges" }</h2>
            <p data-ranges-source="true">{ format!("The diagnosis uses {} IPv4 and {} IPv6 ranges: {source}.", v4.len(), v6.len()) }</p>
            <div class="range-lists">
                <div><h3>{ "IPv4" }</h3><pre tabindex="0" role="group" aria-label="IPv4 ranges"><code>{ v4.join("\n") }</code></pre></div>
                <div><h3>{ "IPv6" }</h3><pre tabindex="0" role="group" aria-label="IPv6 ranges"><code>{ v6.join("\n") }</code></pre></div>
            </div>
            <p class="actions">
                <button type="button" class="secondary" onclick={on_refresh} id="refresh-ranges">{ "Refresh from Cloudflare" }</button>
                if props.ranges.is_some() {
                    <button type="button" class="link" onclick={on_reset}>{ "Use the bundled list" }</button>
                }
            </p>
            if let Some(m) = &props.info.message {
                <p class="note" role="status" id="ranges-message">{ m.clone() }</p>
            }
            <label for="ranges-paste">{ "Or paste Cloudflare's lists (ips-v4 and ips-v6, or the API JSON)" }</label>
            <textarea id="ranges-paste" class="small" spellcheck="false" oninput={on_input} value={(*pasted).clone()} />
            <p><button type="button" class="secondary" onclick={on_use}>{ "Use these ranges" }</button></p>
        </section>
    }
}
