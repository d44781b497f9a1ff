use std::rc::Rc;

use serde_json::Value;
use yew::prelude::*;

use super::context::Dispatch;
use super::json_view::JsonView;
use crate::ui::state::Action;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// `report.firewall`: `{coverage: [...], notes: [...]}`.
    pub value: Rc<Value>,
}

/// One row of `report.firewall.coverage`.
#[derive(Debug, Clone, PartialEq)]
struct Cell {
    layer: String,
    cloudflare_range: String,
    range: String,
    port: u64,
    outcome: String,
    reject_with: Option<String>,
    rule: Option<(String, usize, String)>,
    policy: Option<String>,
    reason: Option<String>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn read(v: &Value) -> Option<Cell> {
    let rule = v.get("rule").filter(|r| r.is_object()).map(|r| {
        (
            text(r, "input").unwrap_or_default(),
            r.get("line").and_then(Value::as_u64).unwrap_or(0) as usize,
            text(r, "text").unwrap_or_default(),
        )
    });
    Some(Cell {
        layer: text(v, "layer").unwrap_or_else(|| "firewall".into()),
        cloudflare_range: text(v, "cloudflare_range")?,
        range: text(v, "range").or_else(|| text(v, "cloudflare_range"))?,
        port: v.get("port").and_then(Value::as_u64)?,
        outcome: text(v, "outcome").unwrap_or_else(|| "unknown".into()),
        reject_with: text(v, "reject_with"),
        rule,
        policy: text(v, "policy"),
        reason: text(v, "reason"),
    })
}

fn outcome_class(o: &str) -> &'static str {
    match o {
        "accept" => "accept",
        "reject" => "reject",
        "drop" => "drop",
        _ => "unknown",
    }
}

fn outcome_symbol(o: &str) -> &'static str {
    match o {
        "accept" => "✓",
        "reject" => "✕",
        "drop" => "⊘",
        _ => "?",
    }
}

fn describe(c: &Cell) -> String {
    let mut s = format!("{} to port {}: {}", c.range, c.port, c.outcome);
    if let Some(w) = &c.reject_with {
        s.push_str(&format!(" ({w})"));
    }
    match &c.rule {
        Some((input, line, rule)) => s.push_str(&format!(
            ", by {} rule at {input} line {line}: {rule}",
            c.layer
        )),
        None => {
            if let Some(p) = &c.policy {
                s.push_str(&format!(", by the {} policy {p}", c.layer));
            }
        }
    }
    if let Some(r) = &c.reason {
        s.push_str(&format!(". {r}"));
    }
    s
}

/// Which Cloudflare ranges reach which origin ports, per firewall layer: a
/// grid coloured by outcome, a cell split where sub-ranges differ, the
/// deciding rule in each segment's tooltip and accessible name.
#[component]
pub fn CoverageMap(props: &Props) -> Html {
    let dispatch = use_context::<Dispatch>();
    let Some(rows) = props.value.get("coverage").and_then(Value::as_array) else {
        return html! {
            <section class="coverage" aria-labelledby="coverage-title">
                <h2 id="coverage-title" class="section-title">{ "Firewall" }</h2>
                <JsonView value={props.value.clone()} />
            </section>
        };
    };
    let cells: Vec<Cell> = rows.iter().filter_map(read).collect();
    let notes: Vec<String> = props
        .value
        .get("notes")
        .and_then(Value::as_array)
        .map(|ns| ns.iter().filter_map(|n| text(n, "text")).collect())
        .unwrap_or_default();
    if cells.is_empty() {
        return html! {};
    }
    let mut layers: Vec<String> = Vec::new();
    for c in &cells {
        if !layers.contains(&c.layer) {
            layers.push(c.layer.clone());
        }
    }
    let grids = layers.iter().map(|layer| {
        let of_layer: Vec<&Cell> = cells.iter().filter(|c| &c.layer == layer).collect();
        let mut ranges: Vec<&str> = Vec::new();
        let mut ports: Vec<u64> = Vec::new();
        for c in &of_layer {
            if !ranges.contains(&c.cloudflare_range.as_str()) {
                ranges.push(&c.cloudflare_range);
            }
            if !ports.contains(&c.port) {
                ports.push(c.port);
            }
        }
        ports.sort_unstable();
        let body = ranges.iter().map(|range| {
            let tds = ports.iter().map(|port| {
                let segs: Vec<&&Cell> = of_layer
                    .iter()
                    .filter(|c| c.cloudflare_range == *range && c.port == *port)
                    .collect();
                let uniform = segs.windows(2).all(|w| match w {
                    [a, b] => a.outcome == b.outcome && a.rule == b.rule,
                    _ => true,
                });
                let shown: Vec<&&Cell> = if uniform { segs.iter().take(1).copied().collect() } else { segs.clone() };
                html! {
                    <td class={classes!("cov-cell", (!uniform).then_some("split"))}>
                        { for shown.iter().map(|c| {
                            let full = if uniform { describe(&Cell { range: c.cloudflare_range.clone(), ..(***c).clone() }) } else { describe(c) };
                            let onclick = {
                                let dispatch = dispatch.clone();
                                let rule = c.rule.clone();
                                Callback::from(move |_: MouseEvent| if let (Some(d), Some((input, line, _))) = (&dispatch, &rule) {
                                    d.dispatch(Action::Highlight { input: input.clone(), first: *line, last: *line });
                                })
                            };
                            html! {
                                <button type="button" class={classes!("cov-seg", format!("out-{}", outcome_class(&c.outcome)))}
                                    title={full.clone()} aria-label={full.clone()} data-tip={full}
                                    data-outcome={c.outcome.clone()} data-range={c.range.clone()} data-port={c.port.to_string()} {onclick}>
                                    <span aria-hidden="true">{ outcome_symbol(&c.outcome) }
                                        if !uniform { <small>{ format!(" {}", c.range) }</small> }
                                    </span>
                                </button>
                            }
                        }) }
                    </td>
                }
            });
            html! { <tr><th scope="row"><code>{ range.to_string() }</code></th>{ for tds }</tr> }
        });
        html! {
            <div class="cov-layer">
                <table class="cov-grid">
                    <caption>{ format!("{layer}: Cloudflare ranges × origin ports") }</caption>
                    <thead><tr><th scope="col">{ "Cloudflare range" }</th>
                        { for ports.iter().map(|p| html! { <th scope="col">{ format!("port {p}") }</th> }) }</tr></thead>
                    <tbody>{ for body }</tbody>
                </table>
            </div>
        }
    });
    html! {
        <section class="coverage" aria-labelledby="coverage-title">
            <h2 id="coverage-title" class="section-title">{ "Firewall coverage of Cloudflare's ranges" }</h2>
            <p class="legend">
                <span class="cov-key out-accept">{ "✓ accepted" }</span>
                <span class="cov-key out-reject">{ "✕ rejected (Cloudflare shows 521)" }</span>
                <span class="cov-key out-drop">{ "⊘ dropped (Cloudflare shows 522)" }</span>
                <span class="cov-key out-unknown">{ "? not decided by what you pasted" }</span>
            </p>
            <p class="help">{ "Focus or hover a cell to see the rule that decides it; select it to show that rule in your paste." }</p>
            { for grids }
            if !notes.is_empty() {
                <div class="cov-notes">
                    <h3>{ "Caveats" }</h3>
                    <ul>{ for notes.iter().map(|n| html! { <li>{ n.clone() }</li> }) }</ul>
                </div>
            }
        </section>
    }
}
