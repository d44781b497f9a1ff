//! mtr: `--report` rows and the interactive screen.

use super::{Mode, St};

/// An mtr line.
pub(super) fn line(s: &mut St, _raw: &str, t: &str, no: usize) -> Option<bool> {
    if t.starts_with("Start:")
        || t.starts_with("HOST:")
        || t.starts_with("My traceroute")
        || (t.starts_with("Keys:") && t.contains("Display mode"))
    {
        s.mode = Mode::Mtr;
        return Some(true);
    }
    if s.mode == Mode::Mtr {
        // The interactive screen's title, column and hop-without-answer lines.
        if t.contains(" -> ")
            || t.starts_with("Packets")
            || (t.starts_with("Host") && t.contains("Loss%"))
            || t.ends_with(". ???")
            || t.split_once(". ").is_some_and(|(_, r)| r.trim() == "???")
        {
            return Some(true);
        }
        if let Some((_, rest)) = t.split_once(".|--").or_else(|| t.split_once(". ")) {
            let words: Vec<&str> = rest.split_whitespace().collect();
            let host = words.first().map(|h| h.to_string()).unwrap_or_default();
            let loss = words
                .get(1)
                .and_then(|w| w.trim_end_matches('%').parse::<f64>().ok());
            if let Some(loss) = loss {
                s.mtr_last = Some((host, loss, no));
                return Some(true);
            }
        }
        if t.starts_with("|  `|--") || t.starts_with("|`|--") || t.starts_with("`|--") {
            return Some(true);
        }
    }
    None
}
