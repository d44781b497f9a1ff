//! Facts people state in prose ("SSL mode is Full", "we're on Oracle
//! Cloud"). They are weak hints: they may steer which ports are checked and
//! what is asked next, never prove a cause.

use serde::{Deserialize, Serialize};

use crate::cloudflare::SslMode;
use crate::text::Line;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Hint {
    SslMode(SslMode),
    /// A hosting or cloud provider named in the text.
    Provider(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatedHint {
    pub hint: Hint,
    pub line: usize,
}

const PROVIDERS: &[(&str, &str)] = &[
    ("aws", "AWS"),
    ("ec2", "AWS"),
    ("lightsail", "AWS"),
    ("google cloud", "Google Cloud"),
    ("gcp", "Google Cloud"),
    ("azure", "Azure"),
    ("oracle cloud", "Oracle Cloud"),
    ("oci", "Oracle Cloud"),
    ("hetzner", "Hetzner"),
    ("digitalocean", "DigitalOcean"),
    ("digital ocean", "DigitalOcean"),
    ("cpanel", "cPanel"),
    ("plesk", "Plesk"),
    ("cyberpanel", "CyberPanel"),
];

/// Hints stated in prose lines.
pub fn read(lines: &[Line<'_>]) -> Vec<StatedHint> {
    let mut out = Vec::new();
    for l in lines {
        let lower = l.text.to_ascii_lowercase();
        if let Some(mode) = ssl_mode_stated(&lower) {
            out.push(StatedHint {
                hint: Hint::SslMode(mode),
                line: l.no,
            });
        }
        for (needle, name) in PROVIDERS {
            let found = lower
                .split(|c: char| !c.is_ascii_alphanumeric() && c != ' ')
                .any(|part| {
                    let part = format!(" {} ", part.trim());
                    part.contains(&format!(" {needle} "))
                });
            if found
                && !out
                    .iter()
                    .any(|h: &StatedHint| h.hint == Hint::Provider((*name).into()))
            {
                out.push(StatedHint {
                    hint: Hint::Provider((*name).to_string()),
                    line: l.no,
                });
            }
        }
    }
    out
}

/// "SSL mode is Full", "ssl/tls: full (strict)", "Flexible SSL".
fn ssl_mode_stated(lower: &str) -> Option<SslMode> {
    let at = lower
        .find("ssl")
        .or_else(|| lower.find("encryption mode"))?;
    let window = lower.get(at..)?.chars().take(60).collect::<String>();
    let before: String = lower
        .get(..at)?
        .chars()
        .rev()
        .take(20)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let around = format!("{before}{window}");
    if around.contains("full (strict)")
        || around.contains("full strict")
        || around.contains("strict")
    {
        Some(SslMode::Strict)
    } else if around.contains("flexible") {
        Some(SslMode::Flexible)
    } else if around.contains("full") {
        Some(SslMode::Full)
    } else if window.contains(" off") {
        Some(SslMode::Off)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::lines;

    fn modes(text: &str) -> Vec<SslMode> {
        read(&lines(text))
            .into_iter()
            .filter_map(|h| match h.hint {
                Hint::SslMode(m) => Some(m),
                Hint::Provider(_) => None,
            })
            .collect()
    }

    #[test]
    fn reads_stated_ssl_modes() {
        assert_eq!(modes("Our SSL mode is Full."), vec![SslMode::Full]);
        assert_eq!(modes("SSL/TLS: Full (strict)"), vec![SslMode::Strict]);
        assert_eq!(
            modes("We use Flexible SSL I think?"),
            vec![SslMode::Flexible]
        );
        assert_eq!(modes("The site is down since the morning."), vec![]);
    }

    #[test]
    fn names_providers_as_whole_words() {
        let got = read(&lines("I'm on Oracle Cloud with an Ampere VM"));
        assert!(got
            .iter()
            .any(|h| h.hint == Hint::Provider("Oracle Cloud".into())));
        assert!(read(&lines("the choice was awesome")).is_empty());
    }
}
