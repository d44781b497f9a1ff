use yew::prelude::*;

use super::examples::ExampleList;
use super::paste::PasteArea;
use super::report_view::ReportView;
use crate::ui::state::State;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: State,
}

/// The diagnosis page: what you have on the left, the answer on the right.
#[component]
pub fn Home(props: &Props) -> Html {
    let s = &props.state;
    let result = match (&s.report, &s.report_value) {
        (Some(report), Some(value)) if !s.is_empty() => html! {
            <ReportView report={report.clone()} value={value.clone()} state={s.clone()} />
        },
        _ if !s.is_empty() => html! {
            <div class="verdict verdict-wait" aria-busy="true"><p>{ "Reading what you pasted…" }</p></div>
        },
        _ => html! {
            <div class="empty">
                <h2>{ "What does your 521 mean?" }</h2>
                <p>{ "Paste the Cloudflare error page, firewall rules, service status, DNS records or a whole support ticket on the left. The answer appears here: the cause, the lines that prove it, and the commands that fix it." }</p>
                <p>{ "Nothing you paste leaves this browser." }</p>
                if !s.embed {
                    <ExampleList />
                }
            </div>
        },
    };
    html! {
        <main class="layout" id="main" tabindex="-1">
            <h1 class="visually-hidden">{ "Diagnose a Cloudflare 521" }</h1>
            <PasteArea state={s.clone()} />
            <section class="result" aria-label="Diagnosis">
                if let Some(e) = &s.engine_error {
                    <p class="alert" role="alert">{ e.clone() }</p>
                }
                if let Some(e) = &s.share_error {
                    <p class="alert" role="alert" data-share-error="true">{ e.clone() }</p>
                }
                { result }
            </section>
        </main>
    }
}
