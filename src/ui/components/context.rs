//! What every component shares: the dispatcher they reach through the
//! context, and the page's ids and links. A leaf, so components import it
//! and not the app that renders them.

use crate::ui::browser;
pub use crate::ui::state::Dispatch;

pub const SHARE_PREFIX: &str = "#/share/";

/// The DOM id of the text area holding input `name`.
pub fn input_dom_id(name: &str) -> String {
    if name == crate::ui::state::PASTE_INPUT {
        "paste".into()
    } else {
        format!("input-{name}")
    }
}

/// The share link for the current page URL and `code`.
pub fn share_url(code: &str) -> String {
    format!("{}{SHARE_PREFIX}{code}", browser::page_url())
}
