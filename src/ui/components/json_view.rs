use std::rc::Rc;

use serde_json::Value;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub value: Rc<Value>,
}

/// Any JSON value as nested lists and text: how the page shows report
/// fields it has no special view for, so new engine output appears without
/// a page change. Values are text nodes only, never markup.
#[component]
pub fn JsonView(props: &Props) -> Html {
    view(&props.value, 0)
}

const MAX_DEPTH: usize = 6;
const MAX_ITEMS: usize = 200;

fn view(v: &Value, depth: usize) -> Html {
    if depth > MAX_DEPTH {
        return html! { <span class="json-more">{ "…" }</span> };
    }
    match v {
        Value::Null => html! { <span class="json-null">{ "—" }</span> },
        Value::Bool(b) => html! { <span>{ if *b { "yes" } else { "no" } }</span> },
        Value::Number(n) => html! { <span>{ n.to_string() }</span> },
        Value::String(s) if s.contains('\n') => {
            html! { <pre tabindex="0" role="group" aria-label="Text"><code>{ s.clone() }</code></pre> }
        }
        Value::String(s) => html! { <span>{ s.clone() }</span> },
        Value::Array(items) => html! {
            <ul class="json-list">
                { for items.iter().take(MAX_ITEMS).map(|i| html! { <li>{ view(i, depth + 1) }</li> }) }
                if items.len() > MAX_ITEMS { <li>{ format!("… {} more", items.len() - MAX_ITEMS) }</li> }
            </ul>
        },
        Value::Object(map) => html! {
            <dl class="json-map">
                { for map.iter().take(MAX_ITEMS).map(|(k, v)| html! {
                    <><dt>{ k.replace('_', " ") }</dt><dd>{ view(v, depth + 1) }</dd></>
                }) }
            </dl>
        },
    }
}
