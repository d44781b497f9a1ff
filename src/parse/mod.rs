//! Parsers: text in, typed facts with line numbers out. One module per input
//! family; [`split`] cuts a whole ticket into blocks and says which family
//! each block belongs to.
//!
//! **Architecture Invariant:** parsing never fails and never panics: a parser
//! returns the facts it understood and the lines it did not, with reasons.

pub mod addrs;
pub mod dns;
pub mod error_page;
pub mod html;
pub mod listeners;
pub mod nftables;
pub mod probes;
pub mod resources;
pub mod services;
pub mod sniff;
pub mod split;
pub mod textscan;
pub mod ufw;

use crate::facts::{Facts, InputBlock, Unread};
use crate::text::{self, NotUnderstood};
use split::BlockKind;

/// One pasted or uploaded text of a case: a ticket, a firewall dump, ...
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseInput {
    pub name: String,
    pub text: String,
}

impl CaseInput {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        CaseInput {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// Read every input of a case into facts.
pub fn read_case(inputs: &[CaseInput]) -> Facts {
    let mut facts = Facts::default();
    for input in inputs {
        facts
            .texts
            .push(crate::facts::InputText::new(&input.name, &input.text));
        let lines = text::lines(&input.text);
        for block in split::split(&lines) {
            read_block(&input.name, &block, &mut facts);
        }
    }
    facts
}

fn read_block(input: &str, block: &split::Block<'_>, facts: &mut Facts) {
    let content: Vec<&text::Line<'_>> = block
        .lines
        .iter()
        .filter(|l| !l.text.trim().is_empty())
        .collect();
    let mut unread: Vec<NotUnderstood> = Vec::new();
    let understood = match block.kind {
        BlockKind::ErrorPage | BlockKind::Probe => match error_page::parse(input, &block.lines) {
            Some(page) => {
                facts.add_error_page(page, input);
                content.len()
            }
            None if block.kind == BlockKind::ErrorPage => {
                unread.extend(content.iter().map(|l| {
                    NotUnderstood::new(**l, "looks like an error page, but no code or Ray ID")
                }));
                0
            }
            None => pending(block.kind, &content, &mut unread),
        },
        BlockKind::Ufw | BlockKind::Nftables => {
            let ruleset = if block.kind == BlockKind::Ufw {
                ufw::parse(input, &block.lines)
            } else {
                nftables::parse(input, &block.lines)
            };
            unread.extend(ruleset.not_understood.iter().cloned());
            let understood = ruleset.understood_lines;
            facts.rulesets.push(ruleset);
            understood
        }
        BlockKind::Prose => content.len(),
        BlockKind::Unknown => {
            unread.extend(
                content
                    .iter()
                    .map(|l| NotUnderstood::new(**l, "not a format err521 reads")),
            );
            0
        }
        kind => pending(kind, &content, &mut unread),
    };
    facts.blocks.push(InputBlock {
        input: input.to_string(),
        kind: block.kind,
        command: block.command.map(str::to_string),
        first_line: block.first_line,
        last_line: block.last_line,
        understood_lines: understood,
        not_understood_lines: unread.len(),
    });
    facts
        .not_understood
        .extend(unread.into_iter().map(|line| Unread {
            input: input.to_string(),
            line,
        }));
}

/// A recognised kind whose parser is not wired in: say so line by line.
fn pending(kind: BlockKind, content: &[&text::Line<'_>], unread: &mut Vec<NotUnderstood>) -> usize {
    unread.extend(content.iter().map(|l| {
        NotUnderstood::new(
            **l,
            format!("{} output is recognised but not yet read", kind.label()),
        )
    }));
    0
}
