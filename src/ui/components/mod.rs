pub mod app;
pub mod ask_for;
pub mod error_summary;
pub mod finding;
pub mod paste;
pub mod verdict;
