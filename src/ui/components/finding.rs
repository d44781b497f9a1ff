use yew::prelude::*;

use crate::diagnose::Status;
use crate::report::ReportFinding;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub finding: ReportFinding,
    pub primary: bool,
}

fn status_label(s: Status) -> &'static str {
    match s {
        Status::Confirmed => "confirmed",
        Status::Likely => "likely",
        Status::Unknown => "unknown",
        Status::RuledOut => "ruled-out",
    }
}

/// One finding: id, status, explanation and the lines that prove it.
#[component]
pub fn FindingCard(props: &Props) -> Html {
    let f = &props.finding;
    let status = status_label(f.status);
    html! {
        <article class={classes!("finding", format!("status-{status}"))}
            data-finding-id={f.id.as_str()} data-status={status}
            data-primary={props.primary.then_some("true")}>
            <h3><span class="badge">{ status }</span>{ " " }{ f.title.clone() }</h3>
            <p class="id"><code>{ f.id.as_str() }</code></p>
            <p>{ f.explanation.clone() }</p>
            if !f.evidence.is_empty() {
                <pre class="evidence">{ for f.evidence.iter().map(|e| html! {
                    <span class="ev-line"><span class="ev-no">{ format!("{:>5} ", e.line) }</span>{ e.text.clone() }{ "\n" }</span>
                }) }</pre>
            }
        </article>
    }
}
