//! The page's one state and its reducer, in the style of Yew's
//! function_todomvc example.

use std::rc::Rc;

use yew::Reducible;

use crate::options::{Options, SslMode};
use crate::parse::CaseInput;
use crate::report::Report;

/// Name the pasted text carries in evidence references.
pub const PASTE_INPUT: &str = "paste";

#[derive(Debug, Clone)]
pub struct State {
    pub paste: String,
    pub ssl_mode: SslMode,
    pub report: Option<Rc<Report>>,
}

impl Default for State {
    fn default() -> Self {
        State {
            paste: String::new(),
            ssl_mode: SslMode::Unknown,
            report: None,
        }
    }
}

pub enum Action {
    SetPaste(String),
    SetSslMode(SslMode),
    Clear,
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::SetPaste(text) => {
                if text == self.paste {
                    return self;
                }
                next.paste = text;
            }
            Action::SetSslMode(mode) => {
                if mode == self.ssl_mode {
                    return self;
                }
                next.ssl_mode = mode;
            }
            Action::Clear => next = State::default(),
        }
        next.report = analyze(&next);
        Rc::new(next)
    }
}

/// Run the engine on the current inputs; nothing pasted, nothing to show.
pub fn analyze(state: &State) -> Option<Rc<Report>> {
    if state.paste.trim().is_empty() {
        return None;
    }
    let options = Options {
        ssl_mode: state.ssl_mode,
        ..Options::default()
    };
    let inputs = [CaseInput::new(PASTE_INPUT, state.paste.clone())];
    Some(Rc::new(crate::analyze(&inputs, &options)))
}
