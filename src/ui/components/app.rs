use yew::prelude::*;

use super::ask_for::AskForList;
use super::error_summary::ErrorSummary;
use super::finding::FindingCard;
use super::paste::PasteArea;
use super::verdict::Verdict;
use crate::diagnose::Status;
use crate::ui::state::{Action, State};

#[component]
pub fn App() -> Html {
    let state = use_reducer(State::default);
    let on_paste = {
        let state = state.clone();
        Callback::from(move |text: String| state.dispatch(Action::SetPaste(text)))
    };
    let on_mode = {
        let state = state.clone();
        Callback::from(move |mode| state.dispatch(Action::SetSslMode(mode)))
    };
    let result = match &state.report {
        None => html! {
            <p class="hint">{ "Paste a Cloudflare error page, firewall rules, service status, DNS records or a whole support ticket. Nothing you paste leaves this browser." }</p>
        },
        Some(report) => {
            let shown: Vec<Html> = report
                .findings
                .iter()
                .filter(|f| f.status != Status::Unknown)
                .map(|f| {
                    let primary = report.primary == Some(f.id);
                    html! { <FindingCard finding={f.clone()} {primary} /> }
                })
                .collect();
            html! {
                <>
                    <Verdict report={report.clone()} />
                    if let Some(page) = report.error_page.clone() {
                        <ErrorSummary {page} />
                    }
                    <section class="findings" aria-label="Findings">{ for shown }</section>
                    <AskForList items={report.ask_for.clone()} />
                </>
            }
        }
    };
    html! {
        <>
            <header class="top">
                <h1>{ "Cloudflare Error 521 helper" }</h1>
                <p>{ "Find out why Cloudflare cannot connect to your origin, and get the commands that fix it." }</p>
            </header>
            <main class="layout">
                <PasteArea value={state.paste.clone()} ssl_mode={state.ssl_mode} {on_paste} {on_mode} />
                <section class="result" aria-live="polite" aria-label="Diagnosis">{ result }</section>
            </main>
        </>
    }
}
