use std::rc::Rc;

use yew::prelude::*;

use super::finding::status_label;
use crate::diagnose::Status;
use crate::report::Report;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Rc<Report>,
}

fn status_sentence(s: Status) -> &'static str {
    match s {
        Status::Confirmed => "Confirmed cause",
        Status::Likely => "Likely cause",
        Status::Unknown => "Possible cause",
        Status::RuledOut => "Ruled out",
    }
}

/// The answer first: the cause to act on in one sentence with how sure it
/// is, or what is missing.
#[component]
pub fn Verdict(props: &Props) -> Html {
    let report = &props.report;
    match report.primary_finding() {
        Some(f) => html! {
            <div class={classes!("verdict", format!("status-{}", status_label(f.status)))} data-verdict={f.id.as_str()}>
                <p class="verdict-status">{ status_sentence(f.status) }</p>
                <h2 class="verdict-title">{ f.title.clone() }</h2>
            </div>
        },
        None if report.understood_nothing() => html! {
            <div class="verdict verdict-none" data-verdict="none">
                <p class="verdict-status">{ "No diagnosis" }</p>
                <h2 class="verdict-title">{ "Nothing here was understood" }</h2>
                <p>{ "This does not look like an error page, a firewall dump, service status or any other output this page reads. Run one of the commands below and paste its output." }</p>
            </div>
        },
        None => html! {
            <div class="verdict verdict-open" data-verdict="open">
                <p class="verdict-status">{ "No cause proven yet" }</p>
                <h2 class="verdict-title">{ "Not enough evidence for a cause yet" }</h2>
                <p>{ "Run the commands below on the origin server and paste their output." }</p>
            </div>
        },
    }
}
