use std::rc::Rc;

use serde_json::Value;
use yew::prelude::*;

use super::command_list::CommandList;
use super::json_view::JsonView;
use crate::diagnose::Status;
use crate::report::ReportFinding;
use crate::ui::hooks::use_send;
use crate::ui::state::Action;

/// Finding fields rendered below; anything else the engine adds is shown
/// generically.
const KNOWN: [&str; 8] = [
    "id",
    "status",
    "title",
    "explanation",
    "evidence",
    "checks",
    "fix",
    "verify",
];
const KNOWN_STEP: [&str; 2] = ["title", "commands"];
/// Evidence lines shown before "Show more".
const MAX_EVIDENCE: usize = 30;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub finding: ReportFinding,
    /// The same finding as JSON, for fields this page does not know.
    pub value: Rc<Value>,
    pub primary: bool,
}

pub fn status_label(s: Status) -> &'static str {
    match s {
        Status::Confirmed => "confirmed",
        Status::Likely => "likely",
        Status::Unknown => "unknown",
        Status::RuledOut => "ruled-out",
    }
}

fn extra_fields(value: &Value, known: &[&str]) -> Vec<(String, Value)> {
    value
        .as_object()
        .map(|o| {
            o.iter()
                .filter(|(k, v)| !known.contains(&k.as_str()) && !v.is_null())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// One finding: status, explanation, the lines that prove it (click one to
/// see it in the paste), the fix and how to verify it.
#[component]
pub fn FindingCard(props: &Props) -> Html {
    let send = use_send();
    let all_evidence = use_state(|| false);
    let f = &props.finding;
    let status = status_label(f.status);
    // A huge paste can prove a finding with hundreds of lines: show a few,
    // the rest on request, so the page stays light.
    let shown = if *all_evidence {
        f.evidence.len()
    } else {
        MAX_EVIDENCE
    };
    let hidden = f.evidence.len().saturating_sub(shown);
    let on_more = {
        let all_evidence = all_evidence.clone();
        Callback::from(move |_: MouseEvent| all_evidence.set(true))
    };
    let evidence = f.evidence.iter().take(shown).map(|e| {
        let onclick = {
            let (input, line) = (e.input.clone(), e.line);
            send.reform(move |_: MouseEvent| Action::Highlight { input: input.clone(), first: line, last: line })
        };
        // Named by what it shows (speech users say what they see); the
        // title says what it does.
        html! {
            <li>
                <button type="button" class="ev-line" {onclick} data-input={e.input.clone()} data-line={e.line.to_string()}
                    title="Show this line in the input">
                    <span class="ev-no">{ format!("{}:{} ", e.input, e.line) }</span>
                    <code class="ev-text">{ e.text.clone() }</code>
                </button>
            </li>
        }
    });
    let steps_json: Vec<Value> = props
        .value
        .get("fix")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let steps = f.fix.iter().enumerate().map(|(i, step)| {
        let extra = steps_json
            .get(i)
            .map(|v| extra_fields(v, &KNOWN_STEP))
            .unwrap_or_default();
        html! {
            <li class="fix-step">
                <p class="step-title">{ step.title.clone() }</p>
                if !step.commands.is_empty() {
                    <CommandList commands={step.commands.clone()} />
                }
                { for extra.into_iter().map(|(k, v)| html! {
                    <div class="extra"><span class="extra-key">{ k.replace('_', " ") }{ ": " }</span><JsonView value={Rc::new(v)} /></div>
                }) }
            </li>
        }
    });
    let extras = extra_fields(&props.value, &KNOWN);
    let heading_id = format!("finding-{}", f.id.as_str());
    html! {
        <article class={classes!("finding", format!("status-{status}"), props.primary.then_some("primary"))}
            data-finding-id={f.id.as_str()} data-status={status}
            data-primary={props.primary.then_some("true")} aria-labelledby={heading_id.clone()}>
            <header class="finding-head">
                <span class={classes!("badge", format!("badge-{status}"))}>{ status.replace('-', " ") }</span>
                <h3 id={heading_id}>{ f.title.clone() }</h3>
            </header>
            <p class="explanation">{ f.explanation.clone() }</p>
            if !f.evidence.is_empty() {
                <h4>{ "Evidence" }<span class="hint">{ " — select a line to see it in your paste" }</span></h4>
                <ul class="evidence">{ for evidence }</ul>
                if hidden > 0 {
                    <p class="more-evidence"><button type="button" class="link" onclick={on_more}>{ format!("Show {hidden} more lines") }</button></p>
                }
            }
            if !f.checks.is_empty() {
                <h4>{ "Checked" }</h4>
                <ul class="checks">{ for f.checks.iter().map(|c| html! { <li>{ c.clone() }</li> }) }</ul>
            }
            if !f.fix.is_empty() {
                <h4>{ "Fix" }</h4>
                <ol class="fix-steps">{ for steps }</ol>
            }
            if !f.verify.is_empty() {
                <h4>{ "Verify" }</h4>
                <CommandList commands={f.verify.clone()} />
            }
            { for extras.into_iter().map(|(k, v)| html! {
                <div class="extra"><h4>{ k }</h4><JsonView value={Rc::new(v)} /></div>
            }) }
            <p class="more-link"><a href={format!("#/finding/{}", f.id.as_str())}>{ format!("About “{}”: meaning, example, fix", f.id.as_str()) }</a></p>
        </article>
    }
}
