use yew::prelude::*;

use std::rc::Rc;

use super::ranges_panel::RangesPanel;
use crate::ui::state::RangesInfo;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub ranges: Option<Rc<str>>,
    pub info: RangesInfo,
}

/// How to use the page, what it does with your data, and the ranges it
/// checks against.
#[component]
pub fn HelpPage(props: &Props) -> Html {
    html! {
        <main class="page help" id="main">
            <h1 id="page-title" tabindex="-1">{ "Help" }</h1>
            <section aria-labelledby="how">
                <h2 id="how">{ "How to use it" }</h2>
                <ol>
                    <li>{ "Paste what you have: the error page Cloudflare showed, and the output of commands run on the origin server (firewall rules, service status, listeners, DNS). A whole ticket works: each block is recognised on its own." }</li>
                    <li>{ "Pick the SSL/TLS mode of the zone (Cloudflare dashboard → SSL/TLS). It decides which origin port Cloudflare uses." }</li>
                    <li>{ "Read the verdict, check the evidence lines, copy the fix commands. If the evidence is not enough, the page says which command to run next." }</li>
                </ol>
            </section>
            <section aria-labelledby="privacy">
                <h2 id="privacy">{ "Your data" }</h2>
                <p>{ "Everything runs in this browser tab. Nothing you paste is uploaded; share links carry the inputs after the #, which browsers never send to a server. Switch on redaction before sharing to mask addresses, host names and Ray IDs." }</p>
                <p>{ "After the first visit the page also works offline, and it can be installed as an app." }</p>
            </section>
            <RangesPanel ranges={props.ranges.clone()} info={props.info.clone()} />
            <section aria-labelledby="cli">
                <h2 id="cli">{ "Command line" }</h2>
                <p>{ "The same engine ships as a command-line tool for ticket automation:" }</p>
                <pre tabindex="0" role="group" aria-label="Example command"><code>{ "sudo iptables-save | err521 diagnose --ssl-mode full --format markdown" }</code></pre>
            </section>
        </main>
    }
}
