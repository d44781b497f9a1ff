//! Hooks shared by the components.

use yew::prelude::*;

use super::state::{Action, Dispatch};

/// Send an action to the page's reducer (a no-op outside the app, as in a
/// component rendered on its own).
#[hook]
pub fn use_send() -> Callback<Action> {
    let dispatch = use_context::<Dispatch>();
    use_memo((), move |_| {
        Callback::from(move |a: Action| {
            if let Some(d) = &dispatch {
                d.dispatch(a);
            }
        })
    })
    .as_ref()
    .clone()
}
