use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::context::{input_dom_id, Dispatch, SHARE_PREFIX};
use super::finding_index::FindingIndex;
use super::finding_page::FindingPage;
use super::help_page::HelpPage;
use super::home::Home;
use super::site_header::SiteHeader;
use crate::ui::browser;
use crate::ui::engine::{Answer, Engine, SyncAnalyzer};
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

    // Debounced analysis: every change of the inputs bumps `version`.
    let timer: Rc<RefCell<Option<Timeout>>> = use_mut_ref(|| None);
    {
        let state = state.clone();
        let engine = engine.clone();
        let timer = timer.clone();
        use_effect_with(state.version, move |_| {
            if !state.is_empty() {
                let request = state.request();
                let sync = engine.is_sync();
                let run = move || {
                    let json = serde_json::to_string(&request).unwrap_or_default();
                    engine.submit(json);
                };
                if sync {
                    run();
                } else {
                    *timer.borrow_mut() = Some(Timeout::new(DEBOUNCE_MS, run));
                }
            } else {
                timer.borrow_mut().take();
            }
        });
    }

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
            follow_hash(&dispatch, &browser::location_hash());
            super::ranges_panel::load_served_ranges(dispatch.clone());
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
        let state = state.clone();
        use_effect_with(state.highlight.clone(), move |h| {
            if let Some(h) = h {
                if let Some(text) = state.input_text(&h.input) {
                    let shown = if h.input == PASTE_INPUT && !state.show_all {
                        preview(&text)
                    } else {
                        None
                    };
                    let in_box = shown.unwrap_or(&text);
                    let lines_in_box = crate::text::lines(in_box).len();
                    if h.first <= lines_in_box.max(1) {
                        browser::select_lines(&input_dom_id(&h.input), in_box, h.first, h.last);
                    } else {
                        state.dispatcher().dispatch(Action::Notice(Some(format!(
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
        use_effect_with(state.notice.clone(), move |n| {
            if n.is_some() {
                *notice_timer.borrow_mut() = Some(Timeout::new(5000, move || {
                    dispatch.dispatch(Action::Notice(None));
                }));
            }
        });
    }

    // A new page: start at its top with the focus on its heading.
    {
        use_effect_with(state.route.clone(), move |route| {
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

    let page = match &state.route {
        Route::Home => html! { <Home state={(*state).clone()} /> },
        Route::Findings => html! { <FindingIndex /> },
        Route::Finding(id) => html! { <FindingPage id={*id} /> },
        Route::Help => html! { <HelpPage ranges={state.ranges.clone()} /> },
        Route::NotFound(path) => html! {
            <main class="page" id="main">
                <h1 id="page-title" tabindex="-1">{ "Page not found" }</h1>
                <p>{ format!("There is no page “{path}”. ") }<a href="#/">{ "Back to the diagnosis" }</a></p>
            </main>
        },
    };
    let root_class = classes!("app", state.embed.then_some("embed"));
    html! {
        <ContextProvider<Dispatch> context={dispatch}>
            <div class={root_class} {onfocusin}>
                <a class="skip" href="#main" onclick={Callback::from(|e: MouseEvent| { e.prevent_default(); browser::focus("main"); })}>{ "Skip to content" }</a>
                if !state.embed {
                    <SiteHeader route={state.route.clone()} />
                }
                { page }
                <p class={classes!("toast", state.notice.is_none().then_some("empty"))} role="status" aria-live="polite">{ state.notice.clone().unwrap_or_default() }</p>
                if !state.embed {
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
