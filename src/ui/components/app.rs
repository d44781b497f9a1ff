use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::context::{input_dom_id, share_url, Dispatch, SHARE_PREFIX};
use super::finding_index::FindingIndex;
use super::finding_page::FindingPage;
use super::help_page::HelpPage;
use super::home::Home;
use super::site_header::SiteHeader;
use crate::ui::browser;
use crate::ui::engine::{Answer, Engine, SyncAnalyzer};
use crate::ui::protocol::Job;
use crate::ui::state::{preview, Action, Route, State, PASTE_INPUT, PREVIEW_LINES};

/// How long typing must pause before the engine runs.
const DEBOUNCE_MS: u32 = 150;

/// The engine handed to the app: `None` runs it in a Web Worker (the page),
/// `Some` calls it on the spot (component tests).
#[derive(Clone, Copy)]
pub struct Analyzer(pub Option<SyncAnalyzer>);

impl PartialEq for Analyzer {
    fn eq(&self, other: &Self) -> bool {
        self.0.is_some() == other.0.is_some()
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    #[prop_or(Analyzer(None))]
    pub analyzer: Analyzer,
}

#[component]
pub fn App(props: &Props) -> Html {
    // long: the app's hooks (engine, debounce, hash routing, share links) must be called in
    // one function component body.
    let state = use_reducer(State::default);
    let dispatch = state.dispatcher();

    let engine = {
        let dispatch = dispatch.clone();
        let sync = props.analyzer.0;
        use_memo((), move |_| {
            Engine::new(
                sync,
                Callback::from(move |answer: Answer| match answer {
                    Answer::Response(json) => dispatch.dispatch(Action::Answer(json)),
                    Answer::Failed(m) => dispatch.dispatch(Action::EngineFailed(m)),
                }),
            )
        })
    };

    // Analysis: every change of the inputs bumps `version`. Typing waits
    // for a pause; a paste, a choice or a loaded case is analysed at once.
    let timer: Rc<RefCell<Option<Timeout>>> = use_mut_ref(|| None);
    {
        let inputs = state.inputs.clone();
        let engine = engine.clone();
        let timer = timer.clone();
        let (version, busy, typing) = (state.version, state.busy(), state.view.typing);
        use_effect_with(version, move |_| {
            timer.borrow_mut().take();
            // The tab keeps the case, so a reload (or a crash) loses
            // nothing. Version 0 is the page before it has read what the
            // tab kept: it must not wipe it.
            if version > 0 {
                crate::ui::crash::keep_case(
                    (!inputs.is_empty()).then(|| inputs.payload()).as_ref(),
                );
            }
            if busy {
                let sync = engine.is_sync();
                let run = move || {
                    let request = inputs.request(version, Job::Analyze);
                    let json = serde_json::to_string(&request).unwrap_or_default();
                    engine.submit(Job::Analyze, json);
                };
                if typing && !sync {
                    *timer.borrow_mut() = Some(Timeout::new(DEBOUNCE_MS, run));
                } else {
                    run();
                }
            }
        });
    }

    // A share link is built by the engine, from the inputs as they are.
    let make_link = {
        let engine = engine.clone();
        use_callback(
            (state.inputs.clone(), state.version),
            move |_: (), (inputs, version)| {
                let request = inputs.request(*version, Job::Share);
                engine.submit(
                    Job::Share,
                    serde_json::to_string(&request).unwrap_or_default(),
                );
            },
        )
    };

    // Start-up: embed mode, the route or a share link, the served ranges;
    // then follow the fragment.
    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| {
            if browser::location_search()
                .trim_start_matches('?')
                .split('&')
                .any(|kv| kv == "embed=1" || kv == "embed=true")
            {
                dispatch.dispatch(Action::SetEmbed(true));
            }
            let hash = browser::location_hash();
            if !hash.starts_with(SHARE_PREFIX) {
                if let Some(case) = crate::ui::crash::kept_case() {
                    dispatch.dispatch(Action::Restore(case));
                }
            }
            follow_hash(&dispatch, &hash);
            super::ranges_panel::load_served_ranges({
                let dispatch = dispatch.clone();
                Callback::from(move |a| dispatch.dispatch(a))
            });
            let listener = {
                let dispatch = dispatch.clone();
                Closure::<dyn FnMut()>::new(move || {
                    follow_hash(&dispatch, &browser::location_hash());
                })
            };
            let window = web_sys::window();
            if let Some(w) = &window {
                let _ = w.add_event_listener_with_callback(
                    "hashchange",
                    listener.as_ref().unchecked_ref(),
                );
            }
            move || {
                if let Some(w) = window {
                    let _ = w.remove_event_listener_with_callback(
                        "hashchange",
                        listener.as_ref().unchecked_ref(),
                    );
                }
                drop(listener);
            }
        });
    }

    // Evidence clicks select the quoted lines in the input they came from.
    {
        let inputs = state.inputs.clone();
        let show_all = state.view.show_all;
        let dispatch = dispatch.clone();
        use_effect_with(state.view.highlight.clone(), move |h| {
            if let Some(h) = h {
                if let Some(text) = inputs.text(&h.input) {
                    let shown = if h.input == PASTE_INPUT && !show_all {
                        preview(&text)
                    } else {
                        None
                    };
                    let in_box = shown.unwrap_or(&text);
                    let lines_in_box = crate::text::lines(in_box).len();
                    if h.first <= lines_in_box.max(1) {
                        browser::select_lines(&input_dom_id(&h.input), in_box, h.first, h.last);
                    } else {
                        dispatch.dispatch(Action::Notice(Some(format!(
                            "Line {} is past the {PREVIEW_LINES} lines the box shows; choose “Show all in the box” to see it.",
                            h.first
                        ))));
                    }
                }
            }
        });
    }

    // Notices fade after a few seconds.
    let notice_timer: Rc<RefCell<Option<Timeout>>> = use_mut_ref(|| None);
    {
        let dispatch = dispatch.clone();
        use_effect_with(state.view.notice.clone(), move |n| {
            if n.is_some() {
                *notice_timer.borrow_mut() = Some(Timeout::new(5000, move || {
                    dispatch.dispatch(Action::Notice(None));
                }));
            }
        });
    }

    // A new page: start at its top with the focus on its heading.
    {
        use_effect_with(state.view.route.clone(), move |route| {
            if *route != Route::Home {
                browser::scroll_to_top();
                browser::focus("page-title");
            }
        });
    }

    // Fetch the engine as soon as the person turns to an input.
    let onfocusin = {
        let engine = engine.clone();
        Callback::from(move |_: FocusEvent| engine.warm_up())
    };

    let view = &state.view;
    let page = match &view.route {
        Route::Home => html! {
            <Home inputs={state.inputs.clone()} show_all={view.show_all} extras_open={view.extras_open}
                ports_text={AttrValue::from(view.ports_text.clone())} embed={view.embed}
                engine_error={view.engine_error.clone()} share_error={view.share_error.clone()}
                share_link={view.share_link.as_deref().map(share_url)} {make_link}
                report={state.report.clone()} report_value={state.report_value.clone()} busy={state.busy()} />
        },
        Route::Findings => html! { <FindingIndex /> },
        Route::Finding(id) => html! { <FindingPage id={*id} /> },
        Route::Help => {
            html! { <HelpPage ranges={state.inputs.ranges.clone()} info={view.ranges.clone()} /> }
        }
        Route::NotFound(path) => html! {
            <main class="page" id="main">
                <h1 id="page-title" tabindex="-1">{ "Page not found" }</h1>
                <p>{ format!("There is no page “{path}”. ") }<a href="#/">{ "Back to the diagnosis" }</a></p>
            </main>
        },
    };
    let root_class = classes!("app", view.embed.then_some("embed"));
    html! {
        <ContextProvider<Dispatch> context={dispatch}>
            <div class={root_class} {onfocusin}>
                <a class="skip" href="#main" onclick={Callback::from(|e: MouseEvent| { e.prevent_default(); browser::focus("main"); })}>{ "Skip to content" }</a>
                if !view.embed {
                    <SiteHeader route={view.route.clone()} />
                }
                { page }
                <p class={classes!("toast", view.notice.is_none().then_some("empty"))} role="status" aria-live="polite">{ view.notice.clone().unwrap_or_default() }</p>
                if !view.embed {
                    <footer class="foot">
                        <p>{ "Runs entirely in your browser: nothing you paste is sent anywhere. " }
                           <a href="#/findings">{ "All causes" }</a>{ " · " }<a href="#/help">{ "Help and Cloudflare ranges" }</a></p>
                    </footer>
                }
            </div>
        </ContextProvider<Dispatch>>
    }
}

fn follow_hash(dispatch: &Dispatch, hash: &str) {
    if let Some(code) = hash.strip_prefix(SHARE_PREFIX) {
        match crate::share::decode(code) {
            Ok(payload) => dispatch.dispatch(Action::LoadShare(payload)),
            Err(e) => dispatch.dispatch(Action::ShareFailed(e.to_string())),
        }
        // The case now lives in the page; keep history clean.
        browser::replace_hash("#/");
        return;
    }
    dispatch.dispatch(Action::Navigate(Route::parse(hash)));
}
