//! One component per file; each only renders, state changes go through
//! [`crate::ui::state::Action`].
//!
//! Two rules keep Yew's reconciliation sound:
//! - **A component always renders at least one element**; whether it is
//!   shown at all is its parent's `if`. Yew 0.23 places a component that
//!   rendered nothing at its next sibling *as of its last render*, and
//!   answers that position to its parent before the component re-renders.
//!   When that sibling was removed in the same update, a node inserted
//!   before the empty component went before a node no longer in the
//!   parent, and Yew panicked (`failed to insert node before next sibling`,
//!   issue 14: the coverage map appearing before an empty ask-for list whose
//!   sibling, the ruled-out section, had just gone).
//! - **A list whose items keep state of their own is keyed by content**:
//!   finding cards by id (and occurrence), commands by text, chips by the
//!   fingerprint of their block's text, each made unique by its
//!   occurrence number, never by position.

pub mod app;
pub mod ask_for;
pub mod chips;
pub mod collect_offer;
pub mod collected_by;
pub mod command_list;
pub mod context;
pub mod copy_button;
pub mod coverage;
pub mod error_summary;
pub mod examples;
pub mod extra_inputs;
pub mod finding;
pub mod finding_index;
pub mod finding_page;
pub mod help_page;
pub mod home;
pub mod json_view;
pub mod not_understood;
pub mod paste;
pub mod ranges_panel;
pub mod report_view;
pub mod share_bar;
pub mod site_header;
pub mod verdict;
