use std::rc::Rc;

use web_sys::{HtmlDetailsElement, HtmlTextAreaElement, InputEvent};
use yew::prelude::*;

use super::chips::BlockChips;
use super::context::input_dom_id;
use super::paste::typed;
use crate::report::Report;
use crate::share::KindOverride;
use crate::ui::hooks::use_send;
use crate::ui::state::{Action, SLOTS};

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Texts of the labelled inputs, in [`SLOTS`] order.
    pub extras: Vec<Rc<str>>,
    pub open: bool,
    pub overrides: Vec<KindOverride>,
    pub report: Option<Rc<Report>>,
    pub busy: bool,
}

/// Optional labelled boxes, for people who prefer to paste each output on
/// its own; collapsed until used.
#[component]
pub fn ExtraInputs(props: &Props) -> Html {
    let send = use_send();
    let ontoggle = send.reform(|e: Event| {
        let details: HtmlDetailsElement = e.target_unchecked_into();
        Action::ToggleExtras(details.open())
    });
    let filled = props.extras.iter().filter(|t| !t.trim().is_empty()).count();
    html! {
        <details class="extras" open={props.open} {ontoggle}>
            <summary>
                { "Separate boxes: error page, firewall, DNS, services, other" }
                if filled > 0 { { format!(" ({filled} filled)") } }
            </summary>
            { for SLOTS.iter().enumerate().map(|(slot, (name, label, placeholder))| {
                let id = input_dom_id(name);
                let oninput = send.reform(move |e: InputEvent| {
                    let area: HtmlTextAreaElement = e.target_unchecked_into();
                    Action::SetExtra { slot, text: Rc::from(area.value()), typed: typed(&e) }
                });
                let text = props.extras.get(slot).cloned().unwrap_or_else(|| Rc::from(""));
                let value = text.to_string();
                let blocks: Vec<_> = props.report.as_ref()
                    .map(|r| r.inputs.iter().filter(|b| b.input == *name).cloned().collect())
                    .unwrap_or_default();
                html! {
                    <div class="slot">
                        <label for={id.clone()}>{ *label }</label>
                        <textarea {id} class="small" spellcheck="false" autocomplete="off" wrap="off"
                            placeholder={*placeholder} {value} {oninput} />
                        if !blocks.is_empty() {
                            <BlockChips input={*name} {text} {blocks} overrides={props.overrides.clone()} busy={props.busy} />
                        }
                    </div>
                }
            }) }
        </details>
    }
}
