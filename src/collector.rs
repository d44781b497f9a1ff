//! The read-only collector `static/collect.sh`, and recognising its output.
//!
//! The script prints an ordinary ticket (`$ command` then its output), so
//! the splitter and parsers read it like any paste. Its own lines start
//! with `# err521 collect.sh v1 DATE host=H uid=N` (the header) or
//! `# collect.sh: ...` (notes); they are recorded here and kept out of the
//! blocks. The last note names the tools the script looked for and did not
//! find, so a cause whose tools are absent reads "not present on this
//! host" instead of asking for a paste that cannot exist.

use serde::{Deserialize, Serialize};

use crate::text::Line;

/// The script, as shipped beside the page and printed by `err521 collect`.
pub const SCRIPT: &str = include_str!("../static/collect.sh");

const HEADER: &str = "# err521 collect.sh v";
const NOTE: &str = "# collect.sh: ";
const ABSENT: &str = "not present on this host:";

/// What the collector said about its own run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectorRun {
    pub input: String,
    /// Line of the header.
    pub line: usize,
    pub version: u32,
    /// When it ran (UTC, as the script printed it).
    pub date: String,
    /// The machine's name, as the script printed it (masked with --redact).
    pub host: Option<String>,
    /// The site name given with `--host` (DNS and probes ran for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// False when it ran without root: firewall and ban listings are then
    /// missing or partial, not absent.
    pub root: bool,
    /// Tools the script looked for and did not find (`ufw`, `nft`,
    /// `firewalld`, `csf`, `fail2ban`, `ipset`, `nginx`, `apache`, ...).
    pub absent: Vec<String>,
}

impl CollectorRun {
    /// "collect.sh v1 (2026-12-07T21:24:19Z)", for reports.
    pub fn label(&self) -> String {
        if self.date.is_empty() {
            format!("collect.sh v{}", self.version)
        } else {
            format!("collect.sh v{} ({})", self.version, self.date)
        }
    }

    /// True when the script looked for `tool` and did not find it.
    pub fn lacks(&self, tool: &str) -> bool {
        self.absent.iter().any(|a| a == tool)
    }
}

/// A line the collector wrote about itself (header or note), not output of
/// a command it ran.
pub fn is_collector_line(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with(HEADER) || t.starts_with(NOTE)
}

/// The collector's header and notes in one input, if it is collector
/// output.
pub fn read(input: &str, lines: &[Line<'_>]) -> Option<CollectorRun> {
    let (line, rest) = lines.iter().find_map(|l| {
        l.text
            .trim_start()
            .strip_prefix(HEADER)
            .map(|rest| (l.no, rest))
    })?;
    let mut words = rest.split_whitespace();
    let version: u32 = words.next()?.parse().ok()?;
    let mut run = CollectorRun {
        input: input.to_string(),
        line,
        version,
        date: String::new(),
        host: None,
        site: None,
        root: true,
        absent: Vec::new(),
    };
    for w in words {
        if let Some(h) = w.strip_prefix("host=") {
            run.host = Some(h.to_string()).filter(|h| !h.is_empty());
        } else if let Some(s) = w.strip_prefix("site=") {
            run.site = Some(s.to_string()).filter(|s| !s.is_empty());
        } else if let Some(u) = w.strip_prefix("uid=") {
            run.root = u == "0";
        } else if run.date.is_empty() && w.contains('T') && w.ends_with('Z') {
            run.date = w.to_string();
        }
    }
    for l in lines {
        let Some(note) = l.text.trim_start().strip_prefix(NOTE) else {
            continue;
        };
        if let Some(tools) = note.strip_prefix(ABSENT) {
            run.absent
                .extend(tools.split_whitespace().map(str::to_string));
        }
    }
    Some(run)
}

/// The name to pass as `--host`, from a name the case gives (the error
/// page's host): a DNS name as the script accepts it, or none. An address,
/// a name the redaction masked (`host-1.example`) or anything with other
/// characters is no site to resolve, and must not reach a shell.
pub fn site_for_host(name: &str) -> Option<&str> {
    let n = name.trim().trim_end_matches('.');
    let lower = n.to_ascii_lowercase();
    let ok = !n.is_empty()
        && n.len() <= 253
        && n.contains('.')
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && n.split('.')
            .all(|label| !label.is_empty() && !label.starts_with('-') && label.len() <= 63)
        && n.parse::<std::net::IpAddr>().is_err()
        && !lower.ends_with(".example")
        && !lower.ends_with(".invalid");
    ok.then_some(n)
}

/// `--host NAME` for a site the case names, or nothing.
fn host_args(site: Option<&str>) -> String {
    site.and_then(site_for_host)
        .map(|s| format!(" --host {s}"))
        .unwrap_or_default()
}

/// A URL as one shell word: single-quoted unless it is plainly safe (a
/// page's folder may hold `;`, `&` or `'`).
fn shell_word(s: &str) -> String {
    let plain = s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"%+,-./:=@_~".contains(&b));
    if plain && !s.is_empty() {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The one-liner that fetches the script from `url` and runs it as root:
/// `curl -fsS URL | sudo sh -s -- --host NAME`.
pub fn one_liner(url: &str, site: Option<&str>) -> String {
    let args = host_args(site);
    let sh = if args.is_empty() {
        "sudo sh".to_string()
    } else {
        format!("sudo sh -s --{args}")
    };
    format!("curl -fsS {} | {sh}", shell_word(url))
}

/// The command that runs a saved copy: `sudo sh collect.sh --host NAME`.
pub fn run_saved(site: Option<&str>) -> String {
    format!("sudo sh collect.sh{}", host_args(site))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_of(text: &str) -> Option<CollectorRun> {
        read("paste", &crate::text::lines(text))
    }

    #[test]
    fn reads_the_header_and_absent_tools() {
        let r = run_of(
            "# err521 collect.sh v1 2026-12-07T21:24:19Z host=web1 uid=0\n\n$ ufw status verbose\nStatus: inactive\n\n# collect.sh: not present on this host: firewalld csf fail2ban caddy\n# collect.sh: done in 2 s\n",
        )
        .expect("header");
        assert_eq!(r.version, 1);
        assert_eq!(r.date, "2026-12-07T21:24:19Z");
        assert_eq!(r.host.as_deref(), Some("web1"));
        assert!(r.root);
        assert_eq!(r.line, 1);
        assert!(r.lacks("fail2ban") && r.lacks("caddy") && !r.lacks("ufw"));
        assert_eq!(r.label(), "collect.sh v1 (2026-12-07T21:24:19Z)");
    }

    #[test]
    fn a_quoted_header_after_prose_and_without_root() {
        let r = run_of(
            "here is the output\n> # err521 collect.sh v2 2027-01-02T03:04:05Z host=x uid=1000\n",
        )
        .map(|r| (r.version, r.root, r.line));
        // A quote marker is not stripped here: only the header as printed counts.
        assert_eq!(r, None);
        let r = run_of("here is the output\n  # err521 collect.sh v2 2027-01-02T03:04:05Z host=x uid=1000 site=www.shop.io\n")
            .expect("indented header");
        assert_eq!((r.version, r.root, r.line), (2, false, 2));
        assert_eq!(r.site.as_deref(), Some("www.shop.io"));
    }

    #[test]
    fn other_comments_are_not_the_collector() {
        assert!(run_of("# err521 diagnose\n# collect.sh v1\n").is_none());
        assert!(run_of("# err521 collect.sh vX 2026\n").is_none());
        assert!(!is_collector_line(
            "# configuration file /etc/nginx/nginx.conf:"
        ));
        assert!(is_collector_line("# collect.sh: done in 2 s"));
    }

    #[test]
    fn the_one_liner_takes_only_a_real_site_name() {
        assert_eq!(
            one_liner(
                "https://help.example.com/521/collect.sh",
                Some("www.shop.io")
            ),
            "curl -fsS https://help.example.com/521/collect.sh | sudo sh -s -- --host www.shop.io"
        );
        assert_eq!(
            one_liner("http://127.0.0.1:8080/collect.sh", None),
            "curl -fsS http://127.0.0.1:8080/collect.sh | sudo sh"
        );
        // Whatever an error page claims as its host never becomes shell.
        for bad in [
            "www.shop.io; rm -rf /",
            "$(reboot).example.com",
            "-x.example.com",
            "203.0.113.7",
            "2001:db8::1",
            "host-1.example",
            "localhost",
            "a..b.com",
            "",
        ] {
            assert_eq!(site_for_host(bad), None, "{bad}");
            assert_eq!(run_saved(Some(bad)), "sudo sh collect.sh", "{bad}");
        }
        assert_eq!(site_for_host("WWW.Shop.io."), Some("WWW.Shop.io"));
        // A folder with shell characters is quoted as one word.
        assert_eq!(
            one_liner("https://x.example.com/a;b/it's/collect.sh", None),
            "curl -fsS 'https://x.example.com/a;b/it'\\''s/collect.sh' | sudo sh"
        );
    }

    #[test]
    fn the_one_liners_host_flag_is_the_scripts() {
        // The flag the page writes is the one collect.sh parses.
        assert!(SCRIPT.contains("    --host)\n"));
        assert!(run_saved(Some("www.shop.io")).ends_with(" --host www.shop.io"));
    }
}
