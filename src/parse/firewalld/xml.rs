//! Zone XML files (`/etc/firewalld/zones/*.xml`): a small tag reader and the
//! zone it describes.

use super::rich::{attr, rich_words, RichAction, RichBuilder};
use super::{is_zone_name, sl, zone_key, St};
use crate::net::Family;
use crate::text::{Line, NotUnderstood};

pub(super) struct Tag {
    pub(super) name: String,
    pub(super) attrs: Vec<(String, String)>,
    pub(super) closing: bool,
    pub(super) self_closing: bool,
    /// Index into the document's lines where the tag starts.
    pub(super) at: usize,
}

/// One past the last line of the zone XML document starting at `start`.
pub(super) fn xml_end(lines: &[Line<'_>], start: usize) -> usize {
    let mut k = start;
    while let Some(l) = lines.get(k) {
        k += 1;
        let t = l.text.trim();
        if t.contains("</zone>") || (t.starts_with("<zone") && t.ends_with("/>")) {
            return k;
        }
    }
    k
}

pub(super) fn xml_tags(doc: &[Line<'_>]) -> Vec<Tag> {
    let mut tags = Vec::new();
    // Text of a tag still open at the end of a line, and where it began.
    let mut pending: Option<(String, usize)> = None;
    for (idx, l) in doc.iter().enumerate() {
        let (mut rest, mut start) = match pending.take() {
            Some((p, s)) => (format!("{p} {}", l.text), s),
            None => (l.text.to_string(), idx),
        };
        while let Some(open) = rest.find('<') {
            let after = rest.get(open + 1..).unwrap_or("").to_string();
            let Some(close) = after.find('>') else {
                pending = Some((rest.get(open..).unwrap_or("").to_string(), start));
                break;
            };
            let inner = after.get(..close).unwrap_or("").trim().to_string();
            rest = after.get(close + 1..).unwrap_or("").to_string();
            let at = start;
            start = idx;
            if inner.starts_with('?') || inner.starts_with('!') {
                continue;
            }
            let closing = inner.starts_with('/');
            let self_closing = inner.ends_with('/');
            let words = rich_words(inner.trim_start_matches('/').trim_end_matches('/'));
            let Some(name) = words.first() else {
                continue;
            };
            let attrs = words
                .iter()
                .skip(1)
                .filter_map(|w| {
                    w.split_once('=')
                        .map(|(a, v)| (a.to_string(), v.to_string()))
                })
                .collect();
            tags.push(Tag {
                name: name.clone(),
                attrs,
                closing,
                self_closing,
                at,
            });
        }
    }
    tags
}

pub(super) fn read_xml(st: &mut St, doc: &[Line<'_>]) -> (usize, Vec<NotUnderstood>) {
    // long: a small XML walker for zone files: each element's meaning depends on the rule being
    // built around it.
    let tags = xml_tags(doc);
    let mut not_understood: Vec<NotUnderstood> = Vec::new();
    let line_of = |i: usize| doc.get(i).copied().unwrap_or(Line { no: 0, text: "" });
    // Zone name: the file name shown above the XML, else <short>.
    let short = doc.iter().find_map(|l| {
        l.text
            .trim()
            .strip_prefix("<short>")
            .and_then(|s| s.split_once("</short>"))
            .map(|(s, _)| s.trim().to_ascii_lowercase())
    });
    let named = st.cmd_zone.take();
    let name = match named {
        Some(n) => n,
        None => {
            let n = short
                .filter(|s| is_zone_name(s))
                .unwrap_or_else(|| "zone".to_string());
            st.notes.push(format!(
                "zone XML at line {} has no file name above it; called it `{n}` (paste it with `cat /etc/firewalld/zones/NAME.xml`)",
                line_of(0).no
            ));
            n
        }
    };
    // The rule being read: builder, index of its `<rule>` line, and the
    // line quoted for it (its source, else its service/port, else <rule>).
    let mut rule: Option<(RichBuilder, usize, Option<usize>)> = None;
    let mut in_action = false;
    for tag in &tags {
        let line = line_of(tag.at);
        let attrs = &tag.attrs;
        if let Some((b, start, anchor)) = rule.as_mut() {
            let res: Result<(), String> = match (tag.name.as_str(), tag.closing) {
                ("rule", true) => {
                    let quoted = line_of(anchor.unwrap_or(*start));
                    let rules = std::mem::take(b).finish(sl(quoted));
                    st.with_zone(&name, line, |z| z.rich.extend(rules));
                    rule = None;
                    in_action = false;
                    continue;
                }
                (n, true) => {
                    if matches!(n, "accept" | "reject" | "drop") {
                        in_action = false;
                    }
                    Ok(())
                }
                ("source", _) => {
                    *anchor = Some(tag.at);
                    b.source(attrs, false)
                }
                ("destination", _) => b.destination(attrs, false),
                ("service", _) => {
                    anchor.get_or_insert(tag.at);
                    match attr(attrs, "name") {
                        Some(n) => {
                            b.service(n);
                            Ok(())
                        }
                        None => Err("service without name".into()),
                    }
                }
                ("port", _) => {
                    anchor.get_or_insert(tag.at);
                    b.port(attrs, false)
                }
                ("source-port", _) => b.port(attrs, true),
                ("protocol", _) => b.protocol(attrs),
                ("accept" | "drop" | "reject", _) => {
                    b.action = Some(match tag.name.as_str() {
                        "accept" => RichAction::Accept,
                        "drop" => RichAction::Drop,
                        _ => RichAction::Reject,
                    });
                    if let Some(t) = attr(attrs, "type") {
                        b.reject_with = Some(t.to_string());
                    }
                    in_action = !tag.self_closing;
                    Ok(())
                }
                ("limit", _) => {
                    // A <limit> inside <log> limits logging only.
                    if in_action {
                        if let Some(v) = attr(attrs, "value") {
                            b.limit(v);
                        }
                    }
                    Ok(())
                }
                ("log" | "nflog" | "audit" | "mark", _) => Ok(()),
                (
                    "icmp-block" | "icmp-type" | "masquerade" | "forward-port" | "tcp-mss-clamp",
                    _,
                ) => {
                    b.irrelevant = true;
                    Ok(())
                }
                (other, _) => Err(format!("unknown rich rule element <{other}>")),
            };
            if let Err(why) = res {
                not_understood.push(NotUnderstood::new(line, why));
            }
            continue;
        }
        if tag.closing {
            continue;
        }
        let res: Result<(), String> = match tag.name.as_str() {
            "zone" => {
                // No target attribute means `default`.
                let target = (
                    attr(attrs, "target").unwrap_or("default").to_string(),
                    sl(line),
                );
                st.with_zone(&name, line, |z| z.target = Some(target));
                Ok(())
            }
            "short"
            | "description"
            | "icmp-block-inversion"
            | "masquerade"
            | "icmp-block"
            | "forward"
            | "forward-port" => Ok(()),
            "interface" => match attr(attrs, "name") {
                Some(n) => zone_key(st, &name, "interfaces", n, line),
                None => Err("interface without name".into()),
            },
            "source" => match (attr(attrs, "address"), attr(attrs, "ipset")) {
                (Some(a), _) => zone_key(st, &name, "sources", a, line),
                (None, Some(s)) => zone_key(st, &name, "sources", &format!("ipset:{s}"), line),
                _ => Err("source without address".into()),
            },
            "service" => match attr(attrs, "name") {
                Some(n) => zone_key(st, &name, "services", n, line),
                None => Err("service without name".into()),
            },
            "port" | "source-port" => match (attr(attrs, "port"), attr(attrs, "protocol")) {
                (Some(p), Some(pr)) => {
                    let key = if tag.name == "port" {
                        "ports"
                    } else {
                        "source-ports"
                    };
                    zone_key(st, &name, key, &format!("{p}/{pr}"), line)
                }
                _ => Err("port without port= or protocol=".into()),
            },
            "protocol" => match attr(attrs, "value") {
                Some(v) => zone_key(st, &name, "protocols", v, line),
                None => Err("protocol without value".into()),
            },
            "rule" => {
                let mut b = RichBuilder::default();
                let mut err = None;
                match attr(attrs, "family") {
                    Some("ipv4") => b.family = Some(Family::V4),
                    Some("ipv6") => b.family = Some(Family::V6),
                    Some(f) => err = Some(format!("unknown family `{f}`")),
                    None => {}
                }
                if let Some(p) = attr(attrs, "priority") {
                    match p.parse() {
                        Ok(v) => b.priority = v,
                        Err(_) => err = Some(format!("priority `{p}`")),
                    }
                }
                if !tag.self_closing && err.is_none() {
                    rule = Some((b, tag.at, None));
                }
                err.map_or(Ok(()), Err)
            }
            other => Err(format!("unknown zone element <{other}>")),
        };
        if let Err(why) = res {
            not_understood.push(NotUnderstood::new(line, why));
        }
    }
    if rule.is_some() {
        st.notes
            .push("zone XML ends inside a <rule> (truncated paste?)".to_string());
    }
    let ok = doc
        .iter()
        .filter(|l| !l.text.trim().is_empty() && !not_understood.iter().any(|n| n.line == l.no))
        .count();
    (ok, not_understood)
}
