use yew::prelude::*;

use crate::ui::browser;
use crate::ui::hooks::use_send;
use crate::ui::state::Action;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub text: AttrValue,
    /// What is copied, for screen readers ("Copy command").
    #[prop_or(AttrValue::Static("Copy"))]
    pub label: AttrValue,
    /// The visible text before copying.
    #[prop_or(AttrValue::Static("Copy"))]
    pub caption: AttrValue,
}

#[derive(Clone, Copy, PartialEq)]
enum Outcome {
    Idle,
    Copied,
    Failed,
}

/// A Copy button; says "Copied" when the browser allowed it and how to copy
/// by hand when it did not.
#[component]
pub fn CopyButton(props: &Props) -> Html {
    let outcome = use_state(|| Outcome::Idle);
    let send = use_send();
    let onclick = {
        let outcome = outcome.clone();
        let text = props.text.clone();
        Callback::from(move |_: MouseEvent| {
            let outcome = outcome.clone();
            let text = text.clone();
            let send = send.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let ok = browser::copy_text(&text).await;
                outcome.set(if ok { Outcome::Copied } else { Outcome::Failed });
                send.emit(Action::Notice(Some(if ok {
                    "Copied to the clipboard.".into()
                } else {
                    "The browser did not allow copying: select the text and press Ctrl+C (⌘C on a Mac).".into()
                })));
            });
        })
    };
    let (text, class) = match *outcome {
        Outcome::Idle => (props.caption.clone(), None),
        Outcome::Copied => (AttrValue::Static("Copied"), Some("ok")),
        Outcome::Failed => (AttrValue::Static("Select and press Ctrl+C"), Some("failed")),
    };
    // The accessible name must contain the visible text (speech users say
    // what they see): the label while it starts with it, else the text.
    let label = props
        .label
        .starts_with(text.as_str())
        .then(|| props.label.clone());
    html! {
        <button type="button" class={classes!("copy", class)} aria-label={label} {onclick}>{ text }</button>
    }
}
