//! Rich rules, in firewall-cmd's text form (`rule family="ipv4" source
//! address=...`) and through [`RichBuilder`] in the XML form.

use super::services::service_ports;
use super::{parse_port_token, sl, DEFAULT_REJECT};
use crate::firewall::model::{Match, PortSet, SourceLine, Undecided};
use crate::net::{AddrRange, AddrSet, Family};
use crate::text::Line;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RichAction {
    Accept,
    Reject,
    Drop,
    /// Log/audit only, mark: no verdict.
    None,
}

#[derive(Debug, Clone)]
pub(super) struct Rich {
    pub(super) priority: i32,
    pub(super) matches: Vec<Match>,
    pub(super) action: RichAction,
    pub(super) reject_with: String,
    /// Not about TCP to this host (icmp-block, masquerade, forward-port).
    pub(super) irrelevant: bool,
    pub(super) source: SourceLine,
}

/// Split a rich rule into words, keeping quoted values together and
/// dropping the quotes: `source address="1.2.3.4"` → `source`, `address=1.2.3.4`.
pub(super) fn rich_words(t: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for c in t.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c.is_whitespace() => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            None => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

pub(super) fn attr<'a>(attrs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

pub(super) fn is_true(v: Option<&str>) -> bool {
    v.is_some_and(|v| v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("yes"))
}

/// A rich rule being read; shared by the text and the XML forms.
#[derive(Default)]
pub(super) struct RichBuilder {
    pub(super) priority: i32,
    pub(super) family: Option<Family>,
    pub(super) matches: Vec<Match>,
    pub(super) action: Option<RichAction>,
    pub(super) reject_with: Option<String>,
    pub(super) irrelevant: bool,
    pub(super) service_unknown: Option<String>,
    pub(super) service_ports: Vec<(u16, u16, &'static str)>,
}

impl RichBuilder {
    pub(super) fn source(&mut self, attrs: &[(String, String)], not: bool) -> Result<(), String> {
        let not = not || is_true(attr(attrs, "invert"));
        if let Some(a) = attr(attrs, "address") {
            let r = AddrRange::parse(a).ok_or_else(|| format!("source address `{a}`"))?;
            self.matches.push(Match::SourceAddr {
                set: AddrSet::from_ranges([r]),
                negated: not,
            });
        } else if let Some(s) = attr(attrs, "ipset") {
            self.matches.push(Match::NamedSource {
                name: s.to_string(),
                negated: not,
            });
        } else if let Some(m) = attr(attrs, "mac") {
            self.matches.push(Match::Unknown {
                text: format!("source mac {m}"),
                why: Undecided::Other,
            });
        } else {
            return Err("source without address".into());
        }
        Ok(())
    }

    pub(super) fn destination(
        &mut self,
        attrs: &[(String, String)],
        not: bool,
    ) -> Result<(), String> {
        let not = not || is_true(attr(attrs, "invert"));
        match attr(attrs, "address") {
            Some(a) => {
                let r = AddrRange::parse(a).ok_or_else(|| format!("destination address `{a}`"))?;
                self.matches.push(Match::DestAddr {
                    set: AddrSet::from_ranges([r]),
                    negated: not,
                });
            }
            None => self.matches.push(Match::Unknown {
                text: "destination ipset".into(),
                why: Undecided::Other,
            }),
        }
        Ok(())
    }

    pub(super) fn service(&mut self, name: &str) {
        match service_ports(name) {
            Some(p) => self.service_ports.extend(p.iter().copied()),
            None => self.service_unknown = Some(name.to_string()),
        }
    }

    pub(super) fn port(
        &mut self,
        attrs: &[(String, String)],
        source_port: bool,
    ) -> Result<(), String> {
        let port = attr(attrs, "port").ok_or("port without port=")?;
        let proto = attr(attrs, "protocol").unwrap_or("tcp");
        let (ports, proto) = parse_port_token(&format!("{port}/{proto}"))
            .ok_or_else(|| format!("port `{port}` not understood"))?;
        self.matches.push(Match::Protocol {
            names: vec![proto],
            negated: false,
        });
        self.matches.push(if source_port {
            Match::SourcePort {
                ports,
                negated: false,
            }
        } else {
            Match::DestPort {
                ports,
                negated: false,
            }
        });
        Ok(())
    }

    pub(super) fn protocol(&mut self, attrs: &[(String, String)]) -> Result<(), String> {
        let v = attr(attrs, "value").ok_or("protocol without value")?;
        self.matches.push(Match::Protocol {
            names: vec![v.to_ascii_lowercase()],
            negated: false,
        });
        Ok(())
    }

    pub(super) fn limit(&mut self, value: &str) {
        // An accept with a rate limit still lets a first connection in.
        self.matches.push(Match::RateLimit {
            text: format!("limit value={value}"),
            first_connection_matches: true,
        });
    }

    /// One rule per service port; they share the source line.
    pub(super) fn finish(self, source: SourceLine) -> Vec<Rich> {
        let action = self.action.unwrap_or(RichAction::None);
        let mut base = self.matches;
        if let Some(f) = self.family {
            base.insert(0, Match::Family { family: f });
        }
        let reject_with = self
            .reject_with
            .unwrap_or_else(|| DEFAULT_REJECT.to_string());
        let mk = |matches: Vec<Match>| Rich {
            priority: self.priority,
            matches,
            action,
            reject_with: reject_with.clone(),
            irrelevant: self.irrelevant,
            source: source.clone(),
        };
        if let Some(name) = &self.service_unknown {
            let mut m = base;
            m.push(Match::Unknown {
                text: format!("firewalld service `{name}`: its ports are not known here"),
                why: Undecided::ServicePorts,
            });
            return vec![mk(m)];
        }
        if self.service_ports.is_empty() {
            return vec![mk(base)];
        }
        self.service_ports
            .iter()
            .map(|&(lo, hi, proto)| {
                let mut m = base.clone();
                m.push(Match::Protocol {
                    names: vec![proto.to_string()],
                    negated: false,
                });
                m.push(Match::DestPort {
                    ports: PortSet(vec![(lo, hi)]),
                    negated: false,
                });
                mk(m)
            })
            .collect()
    }
}

/// One rich rule in firewall-cmd's text form (several model rules when its
/// service has several ports).
pub(super) fn rich_rules(t: &str, line: Line<'_>) -> Result<Vec<Rich>, String> {
    let words = rich_words(t);
    let mut b = RichBuilder::default();
    let mut k = 0usize;
    // `key=value` words from position `k` on.
    let collect = |k: &mut usize| -> Vec<(String, String)> {
        let mut out = Vec::new();
        while let Some((a, v)) = words.get(*k).and_then(|w| w.split_once('=')) {
            out.push((a.to_string(), v.to_string()));
            *k += 1;
        }
        out
    };
    if words.first().map(String::as_str) != Some("rule") {
        return Err("rich rule does not start with `rule`".into());
    }
    k += 1;
    for (key, v) in collect(&mut k) {
        match key.as_str() {
            "family" => {
                b.family = Some(match v.as_str() {
                    "ipv4" => Family::V4,
                    "ipv6" => Family::V6,
                    _ => return Err(format!("unknown family `{v}`")),
                })
            }
            "priority" => b.priority = v.parse().map_err(|_| format!("priority `{v}`"))?,
            _ => return Err(format!("unknown rule attribute `{key}`")),
        }
    }
    while let Some(w) = words.get(k).cloned() {
        k += 1;
        // firewalld accepts `not` in lower case only.
        let not = words.get(k).map(String::as_str) == Some("not");
        if not {
            k += 1;
        }
        let attrs = collect(&mut k);
        match w.as_str() {
            "source" => b.source(&attrs, not)?,
            "destination" => b.destination(&attrs, not)?,
            "service" => b.service(attr(&attrs, "name").ok_or("service without name")?),
            "port" => b.port(&attrs, false)?,
            "source-port" => b.port(&attrs, true)?,
            "protocol" => b.protocol(&attrs)?,
            "icmp-block" | "icmp-type" | "masquerade" | "forward-port" | "tcp-mss-clamp" => {
                b.irrelevant = true;
            }
            "log" | "nflog" | "audit" => {
                // `log ... limit value=...` limits the logging only.
                if words.get(k).map(String::as_str) == Some("limit") {
                    k += 1;
                    collect(&mut k);
                }
            }
            "accept" => b.action = Some(RichAction::Accept),
            "drop" => b.action = Some(RichAction::Drop),
            "reject" => {
                b.action = Some(RichAction::Reject);
                if let Some(t) = attr(&attrs, "type") {
                    b.reject_with = Some(t.to_string());
                }
            }
            "mark" => b.action = Some(RichAction::None),
            "limit" => {
                if let Some(v) = attr(&attrs, "value") {
                    b.limit(v);
                }
            }
            other => return Err(format!("unknown rich rule element `{other}`")),
        }
    }
    Ok(b.finish(sl(line)))
}
