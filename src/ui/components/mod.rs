//! One component per file; each only renders, state changes go through
//! [`crate::ui::state::Action`].

pub mod app;
pub mod ask_for;
pub mod chips;
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
