use std::rc::Rc;

use serde_json::Value;
use yew::prelude::*;

use super::ask_for::AskForList;
use super::collect_offer::CollectOffer;
use super::collected_by::CollectedBy;
use super::coverage::CoverageMap;
use super::error_summary::ErrorSummary;
use super::finding::FindingCard;
use super::json_view::JsonView;
use super::not_understood::NotUnderstoodList;
use super::share_bar::ShareBar;
use super::verdict::Verdict;
use crate::diagnose::Status;
use crate::report::Report;

/// Top-level report fields this page renders itself; any other field the
/// engine adds is shown generically under "More details".
const KNOWN: [&str; 12] = [
    "schema",
    "error_page",
    "inputs",
    "primary",
    "findings",
    "firewall",
    "ask_for",
    "ssl_mode",
    "ports",
    "not_understood_count",
    "not_understood",
    "collector",
];

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Rc<Report>,
    pub value: Rc<Value>,
    /// The report is older than the inputs (a new one is on its way).
    pub busy: bool,
    pub redacted: bool,
    pub share_link: Option<String>,
    pub make_link: Callback<()>,
}

/// The answer, most useful first: verdict, the primary cause with its proof
/// and fix, other causes, what was ruled out, what to paste next.
#[component]
pub fn ReportView(props: &Props) -> Html {
    let report = &props.report;
    let findings_json: Vec<Value> = props
        .value
        .get("findings")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let json_of = |i: usize| findings_json.get(i).cloned().unwrap_or(Value::Null);
    // The first finding with the primary id is the one to act on.
    let primary_at = report
        .primary
        .and_then(|id| report.findings.iter().position(|f| f.id == id));
    let card = |i: usize, f: &crate::report::ReportFinding| {
        let primary = primary_at == Some(i);
        // A card keeps its own state ("show more lines") with its finding:
        // keyed by id, and by how many of that id came before, as an id
        // may occur twice.
        let seen = report
            .findings
            .iter()
            .take(i)
            .filter(|g| g.id == f.id)
            .count();
        let key = format!("{}#{seen}", f.id.as_str());
        html! { <FindingCard {key} finding={f.clone()} value={Rc::new(json_of(i))} {primary} /> }
    };
    let primary: Vec<Html> = report
        .findings
        .iter()
        .enumerate()
        .filter(|(i, _)| primary_at == Some(*i))
        .map(|(i, f)| card(i, f))
        .collect();
    let others: Vec<Html> = report
        .findings
        .iter()
        .enumerate()
        .filter(|(i, f)| {
            primary_at != Some(*i) && matches!(f.status, Status::Confirmed | Status::Likely)
        })
        .map(|(i, f)| card(i, f))
        .collect();
    let ruled_out: Vec<Html> = report
        .findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.status == Status::RuledOut)
        .map(|(i, f)| card(i, f))
        .collect();
    let extras: Vec<(String, Value)> = props
        .value
        .as_object()
        .map(|o| {
            o.iter()
                .filter(|(k, v)| !KNOWN.contains(&k.as_str()) && !v.is_null())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    let busy = props.busy;
    let site = report
        .error_page
        .as_ref()
        .and_then(|p| p.host.clone())
        .map(AttrValue::from);
    html! {
        <div class={classes!("report", busy.then_some("stale"))} aria-busy={busy.then_some("true")}>
            <div aria-live="polite" aria-atomic="true">
                <Verdict report={report.clone()} />
            </div>
            if let Some(page) = report.error_page.clone() {
                <ErrorSummary {page} />
            }
            if let Some(run) = report.collector.clone() {
                <CollectedBy {run} />
            }
            if !primary.is_empty() {
                <section class="findings primary-finding" aria-label="The cause">{ for primary }</section>
            }
            if let Some(fw) = report.firewall.as_ref().filter(|f| !f.coverage.is_empty()) {
                <CoverageMap coverage={Rc::new(fw.clone())} />
            }
            if !others.is_empty() {
                <section class="findings" aria-labelledby="others-title">
                    <h2 id="others-title" class="section-title">{ "Also found" }</h2>
                    { for others }
                </section>
            }
            // Undecided: one command gathers what every ask names. A case
            // the collector produced already has it (its asks say what a
            // rerun adds).
            if report.primary.is_none() && report.collector.is_none() {
                <CollectOffer host={site} />
            }
            if !report.ask_for.is_empty() {
                <AskForList items={report.ask_for.clone()} />
            }
            if !ruled_out.is_empty() {
                <section class="findings ruled-out" aria-labelledby="ruled-title">
                    <h2 id="ruled-title" class="section-title">{ "Ruled out" }</h2>
                    { for ruled_out }
                </section>
            }
            if report.not_understood_count > 0 {
                <NotUnderstoodList count={report.not_understood_count} items={report.not_understood.clone()} />
            }
            if !extras.is_empty() {
                <section class="more" aria-labelledby="more-title">
                    <h2 id="more-title" class="section-title">{ "More details" }</h2>
                    { for extras.into_iter().map(|(k, v)| html! {
                        <div class="more-item"><h3>{ k }</h3><JsonView value={Rc::new(v)} /></div>
                    }) }
                </section>
            }
            <ShareBar report={report.clone()} {busy} redacted={props.redacted}
                link={props.share_link.clone()} make_link={props.make_link.clone()} />
        </div>
    }
}
