use yew::prelude::*;

use super::copy_button::CopyButton;
use crate::diagnose::AskFor;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub items: Vec<AskFor>,
}

/// What to paste next, in the order that decides the cause fastest. The
/// parent renders it only when there is something to ask for (see
/// `components/mod.rs` on empty components).
#[component]
pub fn AskForList(props: &Props) -> Html {
    html! {
        <section class="ask-for" aria-labelledby="ask-title">
            <h2 id="ask-title" class="section-title">{ "To decide, paste the output of" }</h2>
            <ol>
                { for props.items.iter().map(|a| html! {
                    <li key={a.command.clone()} data-ask-kind={a.kind.as_str()}>
                        <p>{ a.why.clone() }</p>
                        <div class="command">
                            <pre tabindex="0" role="group" aria-label={format!("Command: {}", a.command.lines().next().unwrap_or_default())}><code>{ a.command.clone() }</code></pre>
                            <CopyButton text={AttrValue::from(a.command.clone())} label={AttrValue::from(format!("Copy command: {}", a.command))} />
                        </div>
                    </li>
                }) }
            </ol>
        </section>
    }
}
