use yew::prelude::*;

use super::examples::ExampleButton;
use crate::diagnose::FindingId;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: FindingId,
}

/// The page of one finding id: what it means, a bad example, why it breaks,
/// the fix (like ShellCheck's wiki pages), and which lines decide it.
#[component]
pub fn FindingPage(props: &Props) -> Html {
    let page = props.id.page();
    html! {
        <main class="page finding-page" id="main" data-page-id={props.id.as_str()}>
            <p class="crumbs"><a href="#/findings">{ "All causes" }</a>{ " › " }<code>{ props.id.as_str() }</code></p>
            <h1 id="page-title" tabindex="-1">{ page.title }</h1>
            <section aria-labelledby="meaning"><h2 id="meaning">{ "What it means" }</h2><p>{ page.meaning }</p></section>
            <section aria-labelledby="bad"><h2 id="bad">{ "What it looks like" }</h2><pre tabindex="0" role="group" aria-label="Example"><code>{ page.bad_example }</code></pre></section>
            <section aria-labelledby="why"><h2 id="why">{ "Why Cloudflare shows an error" }</h2><p>{ page.why }</p></section>
            <section aria-labelledby="fix"><h2 id="fix">{ "The fix" }</h2><p>{ page.fix }</p></section>
            <section aria-labelledby="decides"><h2 id="decides">{ "What decides it" }</h2>
                <dl class="evidence-rules">
                    <dt>{ "Confirmed by" }</dt><dd>{ page.confirms }</dd>
                    <dt>{ "Ruled out by" }</dt><dd>{ page.rules_out }</dd>
                    <dt>{ "Stays unknown" }</dt><dd>{ page.unknown }</dd>
                </dl>
            </section>
            <p class="page-actions">
                <ExampleButton id={props.id} />
                <a class="button secondary" href="#/">{ "Diagnose your own case" }</a>
            </p>
        </main>
    }
}
