use std::rc::Rc;

use serde_json::Value;
use yew::prelude::*;

use super::collect_offer::CollectOffer;
use super::examples::ExampleList;
use super::extra_inputs::ExtraInputs;
use super::paste::{CaseOptions, PasteArea};
use super::report_view::ReportView;
use crate::report::Report;
use crate::ui::state::Inputs;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub inputs: Rc<Inputs>,
    pub show_all: bool,
    pub extras_open: bool,
    pub ports_text: AttrValue,
    pub embed: bool,
    pub engine_error: Option<String>,
    pub share_error: Option<String>,
    /// The share link for the current inputs, once made.
    pub share_link: Option<String>,
    pub make_link: Callback<()>,
    pub report: Option<Rc<Report>>,
    pub report_value: Option<Rc<Value>>,
    pub busy: bool,
}

/// The diagnosis page: what you have on the left, the answer on the right.
#[component]
pub fn Home(props: &Props) -> Html {
    let inputs = &props.inputs;
    let empty = inputs.is_empty();
    let result = match (&props.report, &props.report_value) {
        (Some(report), Some(value)) if !empty => html! {
            <ReportView report={report.clone()} value={value.clone()} busy={props.busy}
                redacted={inputs.redacted} share_link={props.share_link.clone()} make_link={props.make_link.clone()} />
        },
        _ if !empty => html! {
            <div class="verdict verdict-wait" aria-busy="true"><p>{ "Reading what you pasted…" }</p></div>
        },
        _ => html! {
            <>
            <div class="empty">
                <h2>{ "What does your 521 mean?" }</h2>
                <p>{ "Paste the Cloudflare error page, firewall rules, service status, DNS records or a whole support ticket on the left. The answer appears here: the cause, the lines that prove it, and the commands that fix it." }</p>
                <p>{ "Nothing you paste leaves this browser." }</p>
                if !props.embed {
                    <ExampleList />
                }
            </div>
            <CollectOffer />
            </>
        },
    };
    html! {
        <main class="layout" id="main" tabindex="-1">
            <h1 class="visually-hidden">{ "Diagnose a Cloudflare 521" }</h1>
            <section class="inputs" aria-labelledby="inputs-title">
                <PasteArea paste={inputs.paste.clone()} show_all={props.show_all} {empty}
                    overrides={inputs.overrides.clone()} report={props.report.clone()} busy={props.busy} />
                <CaseOptions ssl_mode={inputs.ssl_mode} ports_text={props.ports_text.clone()} />
                <ExtraInputs extras={inputs.extras.clone()} open={props.extras_open}
                    overrides={inputs.overrides.clone()} report={props.report.clone()} busy={props.busy} />
            </section>
            <section class="result" aria-label="Diagnosis">
                if let Some(e) = &props.engine_error {
                    <p class="alert" role="alert" data-engine-error="true">{ e.clone() }</p>
                }
                if let Some(e) = &props.share_error {
                    <p class="alert" role="alert" data-share-error="true">{ e.clone() }</p>
                }
                { result }
            </section>
        </main>
    }
}
