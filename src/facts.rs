//! Everything the parsers read from one case, gathered for the diagnosis.

use serde::{Deserialize, Serialize};

use crate::parse::error_page::ErrorPage;
use crate::parse::split::BlockKind;
use crate::text::NotUnderstood;

/// A block detected in an input: what the CLI JSON lists as `inputs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputBlock {
    pub input: String,
    pub kind: BlockKind,
    pub command: Option<String>,
    pub first_line: usize,
    pub last_line: usize,
    pub understood_lines: usize,
    pub not_understood_lines: usize,
}

/// A line not understood, with the input it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unread {
    pub input: String,
    #[serde(flatten)]
    pub line: NotUnderstood,
}

#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub blocks: Vec<InputBlock>,
    pub error_pages: Vec<ErrorPage>,
    pub not_understood: Vec<Unread>,
}

impl Facts {
    /// The error page to trust: the first one that shows a code.
    pub fn error_page(&self) -> Option<&ErrorPage> {
        self.error_pages
            .iter()
            .find(|p| p.code.is_some())
            .or_else(|| self.error_pages.first())
    }
}
