use std::rc::Rc;

use yew::prelude::*;

use crate::report::Report;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Rc<Report>,
}

/// The answer first: the cause to act on, or what is missing.
#[component]
pub fn Verdict(props: &Props) -> Html {
    let report = &props.report;
    match report.primary_finding() {
        Some(f) => html! {
            <div class="verdict" data-verdict={f.id.as_str()}>
                <h2>{ f.title.clone() }</h2>
            </div>
        },
        None if report.understood_nothing() => html! {
            <div class="verdict verdict-none">
                <h2>{ "Nothing here was understood" }</h2>
                <p>{ "This does not look like an error page, a firewall dump, service status or any other output this page reads. Try one of the commands below and paste its output." }</p>
            </div>
        },
        None => html! {
            <div class="verdict verdict-open">
                <h2>{ "Not enough evidence for a cause yet" }</h2>
                <p>{ "Run the commands below on the origin server and paste their output." }</p>
            </div>
        },
    }
}
