use yew::prelude::*;

use super::examples::ExampleButton;
use crate::diagnose::FindingId;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: FindingId,
}

/// The page of one finding id: what it means, a bad example, why it breaks,
/// the fix (like ShellCheck's wiki pages).
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
            <p class="page-actions">
                <ExampleButton id={props.id} />
                <a class="button secondary" href="#/">{ "Diagnose your own case" }</a>
            </p>
        </main>
    }
}
