//! Everything the parsers read from one case, gathered for the diagnosis.

use serde::{Deserialize, Serialize};

use crate::firewall::model::Ruleset;
use crate::parse::addrs::AddrFacts;
use crate::parse::bans::BanFacts;
use crate::parse::csf::CsfFacts;
use crate::parse::dns::DnsFacts;
use crate::parse::error_page::ErrorPage;
use crate::parse::kind::BlockKind;
use crate::parse::listeners::ListenerFacts;
use crate::parse::probes::ProbeFacts;
use crate::parse::resources::ResourceFacts;
use crate::parse::services::ServiceFacts;
use crate::parse::webconfig::WebConfigFacts;
use crate::text::{Evidence, NotUnderstood};

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
    /// What the splitter had detected, when a person corrected `kind` by
    /// hand (`Options::kind_overrides`); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detected_kind: Option<BlockKind>,
}

/// A line not understood, with the input it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unread {
    pub input: String,
    #[serde(flatten)]
    pub line: NotUnderstood,
}

/// Facts of one parser run, with where they came from.
#[derive(Debug, Clone)]
pub struct Sourced<T> {
    pub input: String,
    pub command: Option<String>,
    pub first_line: usize,
    pub facts: T,
}

/// The text of one input, kept so findings can quote any line by number.
#[derive(Debug, Clone, Default)]
pub struct InputText {
    pub name: String,
    text: String,
    /// Byte offset where each line starts (line 1 at index 0).
    starts: Vec<usize>,
}

impl InputText {
    pub fn new(name: &str, text: &str) -> Self {
        let mut starts = vec![0];
        let bytes = text.as_bytes();
        for (i, b) in bytes.iter().enumerate() {
            let ends_line = *b == b'\n' || (*b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if ends_line && i + 1 < bytes.len() {
                starts.push(i + 1);
            }
        }
        InputText {
            name: name.to_string(),
            text: text.to_string(),
            starts,
        }
    }

    /// Line `no` (1-based) without its line ending.
    pub fn line(&self, no: usize) -> Option<&str> {
        let start = *self.starts.get(no.checked_sub(1)?)?;
        let end = self.starts.get(no).copied().unwrap_or(self.text.len());
        let line = self.text.get(start..end)?;
        Some(line.trim_end_matches(['\n', '\r']))
    }
}

#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub texts: Vec<InputText>,
    pub blocks: Vec<InputBlock>,
    pub error_pages: Vec<ErrorPage>,
    pub rulesets: Vec<Ruleset>,
    /// Members of ipsets (`ipset list`), for `--match-set` rules.
    pub ipsets: Vec<crate::firewall::model::NamedSet>,
    pub dns: Vec<Sourced<DnsFacts>>,
    pub addrs: Vec<Sourced<AddrFacts>>,
    pub services: Vec<Sourced<ServiceFacts>>,
    pub listeners: Vec<Sourced<ListenerFacts>>,
    pub probes: Vec<Sourced<ProbeFacts>>,
    pub resources: Vec<Sourced<ResourceFacts>>,
    pub bans: Vec<Sourced<BanFacts>>,
    pub csf: Vec<Sourced<CsfFacts>>,
    /// What ufw commands printed (`Rule added`, `ERROR: Bad source
    /// address`) where no status table shows the result.
    pub ufw_changes: Vec<Sourced<crate::parse::ufw::UfwChanges>>,
    /// Which program writes the host firewall's rules, decided once from
    /// every dump and tool output of the case.
    pub host_firewall: crate::firewall::manager::HostFirewall,
    /// Web server configuration (weaker than live listeners: it may not
    /// be the loaded configuration).
    pub webconfig: Vec<Sourced<WebConfigFacts>>,
    /// Notes of cloud firewall parsers (what a table could not show), with
    /// their input.
    pub cloud_notes: Vec<(String, String)>,
    /// Weak hints stated in prose, with the input they came from.
    pub hints: Vec<(String, crate::parse::hints::StatedHint)>,
    /// Lines no parser understood: the first 10,000 of a case with their
    /// text (the report lists fewer), all of them in the count below.
    pub not_understood: Vec<Unread>,
    pub not_understood_count: usize,
    /// The output of `collect.sh`: its header and notes, when the case
    /// is (or holds) one.
    pub collector: Option<crate::collector::CollectorRun>,
}

impl Facts {
    /// Add an error page read from one block. Copied visible text is cut
    /// into several blocks by its prose paragraphs; the pieces of one page
    /// (same input, no conflicting code or Ray ID) are merged into one.
    pub fn add_error_page(&mut self, page: ErrorPage, input: &str) {
        let same_page = |p: &ErrorPage| {
            p.evidence.first().map(|e| e.input.as_str()) == Some(input)
                && (p.code.is_none() || page.code.is_none() || p.code == page.code)
                && (p.ray_id.is_none() || page.ray_id.is_none() || p.ray_id == page.ray_id)
        };
        match self.error_pages.iter_mut().find(|p| same_page(p)) {
            Some(existing) => existing.merge(page),
            None => self.error_pages.push(page),
        }
    }

    /// The error page to trust: the first one that shows a code.
    pub fn error_page(&self) -> Option<&ErrorPage> {
        self.error_pages
            .iter()
            .find(|p| p.code.is_some())
            .or_else(|| self.error_pages.first())
    }

    /// Quote line `line` of `input` as evidence.
    pub fn quote(&self, input: &str, line: usize) -> Evidence {
        let text = self
            .texts
            .iter()
            .find(|t| t.name == input)
            .and_then(|t| t.line(line))
            .unwrap_or("");
        Evidence {
            input: input.to_string(),
            line,
            text: text.trim_end().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_lines_like_text_lines_numbers_them() {
        let t = InputText::new("p", "a\r\nb\rc\n\nd\n");
        let got: Vec<Option<&str>> = (0..=6).map(|n| t.line(n)).collect();
        assert_eq!(
            got,
            vec![
                None,
                Some("a"),
                Some("b"),
                Some("c"),
                Some(""),
                Some("d"),
                None
            ]
        );
        for (no, l) in crate::text::lines("x\ny\r\n\rz")
            .iter()
            .map(|l| (l.no, l.text))
        {
            assert_eq!(InputText::new("q", "x\ny\r\n\rz").line(no), Some(l));
        }
    }
}
