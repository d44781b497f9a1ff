use std::rc::Rc;

use web_sys::{HtmlDetailsElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::chips::BlockChips;
use super::context::{input_dom_id, Dispatch};
use crate::ui::state::{Action, State, SLOTS};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: State,
}

/// Optional labelled boxes, for people who prefer to paste each output on
/// its own; collapsed until used.
#[component]
pub fn ExtraInputs(props: &Props) -> Html {
    let dispatch = use_context::<Dispatch>();
    let s = &props.state;
    let ontoggle = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: Event| {
            let details: HtmlDetailsElement = e.target_unchecked_into();
            if let Some(d) = &dispatch {
                d.dispatch(Action::ToggleExtras(details.open()));
            }
        })
    };
    let filled = s.extras.iter().filter(|t| !t.trim().is_empty()).count();
    html! {
        <details class="extras" open={s.extras_open} {ontoggle}>
            <summary>
                { "Separate boxes: error page, firewall, DNS, services, other" }
                if filled > 0 { { format!(" ({filled} filled)") } }
            </summary>
            { for SLOTS.iter().enumerate().map(|(i, (name, label, placeholder))| {
                let id = input_dom_id(name);
                let oninput = {
                    let dispatch = dispatch.clone();
                    Callback::from(move |e: InputEvent| {
                        let area: HtmlTextAreaElement = e.target_unchecked_into();
                        if let Some(d) = &dispatch {
                            d.dispatch(Action::SetExtra(i, Rc::from(area.value())));
                        }
                    })
                };
                let value = s.extras.get(i).map(|t| t.to_string()).unwrap_or_default();
                let blocks: Vec<_> = s.report.as_ref()
                    .map(|r| r.inputs.iter().filter(|b| b.input == *name).cloned().collect())
                    .unwrap_or_default();
                html! {
                    <div class="slot">
                        <label for={id.clone()}>{ *label }</label>
                        <textarea id={id} class="small" spellcheck="false" autocomplete="off" wrap="off"
                            placeholder={*placeholder} {value} {oninput} />
                        <BlockChips input={*name} {blocks} overrides={s.overrides.clone()} busy={s.busy()} />
                    </div>
                }
            }) }
        </details>
    }
}
