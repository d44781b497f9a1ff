use yew::prelude::*;

use crate::collector::CollectorRun;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub run: CollectorRun,
}

/// `2026-12-07T21:24:19Z` as `2026-12-07 21:24:19 UTC`; any other text as
/// the script printed it.
fn date_text(date: &str) -> String {
    date.strip_suffix('Z')
        .and_then(|d| d.split_once('T'))
        .map(|(day, time)| format!("{day} {time} UTC"))
        .unwrap_or_else(|| date.to_string())
}

/// Which collector gathered the case, when, on which host, and what the
/// host does not have: a section missing from its output is a tool not
/// present there, not a paste left out.
#[component]
pub fn CollectedBy(props: &Props) -> Html {
    let run = &props.run;
    let mut said = format!("Collected by collect.sh v{}", run.version);
    if !run.date.is_empty() {
        said.push_str(&format!(", {}", date_text(&run.date)));
    }
    if let Some(h) = &run.host {
        said.push_str(&format!(", on host {h}"));
    }
    html! {
        <section class="collected" aria-label="How this case was collected" data-collector-version={run.version.to_string()}>
            <p class="collected-by">{ said }</p>
            if !run.root {
                <p class="collected-warn">{ "It ran without root: the firewall and ban listings are missing or partial. Run it again with sudo." }</p>
            }
            if !run.absent.is_empty() {
                <p class="collected-absent">
                    { "Not present on this host (so their sections are missing): " }
                    <span data-collector-absent="true">{ run.absent.join(", ") }</span>
                </p>
            }
        </section>
    }
}
