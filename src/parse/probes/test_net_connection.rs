//! PowerShell `Test-NetConnection`: `Key : value` rows.

use super::{ProbeResult, ProbeTool, St, Target};
use crate::parse::textscan::parse_ip;

/// A Test-NetConnection row.
pub(super) fn line(s: &mut St, _raw: &str, t: &str, no: usize) -> Option<bool> {
    if let Some((key, value)) = t
        .split_once(" : ")
        .or_else(|| t.strip_suffix(" :").map(|k| (k, "")))
    {
        let key = key.trim();
        let value = value.trim();
        match key {
            "ComputerName" => {
                s.target = Target {
                    host: Some(value.to_string()),
                    addr: parse_ip(value),
                    port: None,
                };
                return Some(true);
            }
            "RemoteAddress" => {
                s.target.addr = parse_ip(value).or(s.target.addr);
                return Some(true);
            }
            "RemotePort" => {
                s.target.port = value.parse().ok();
                return Some(true);
            }
            "TcpTestSucceeded" => {
                let result = if value.eq_ignore_ascii_case("true") {
                    ProbeResult::Connected
                } else {
                    ProbeResult::ConnectFailed
                };
                s.probe(ProbeTool::TestNetConnection, result, no);
                return Some(true);
            }
            "InterfaceAlias"
            | "SourceAddress"
            | "PingSucceeded"
            | "PingReplyDetails (RTT)"
            | "NameResolutionResults" => return Some(true),
            _ => {}
        }
    }
    if t.starts_with("WARNING: TCP connect to")
        || t.starts_with("WARNING: Ping to")
        || t.starts_with("WARNING: Name resolution of")
    {
        // The result line (TcpTestSucceeded) follows; this one only explains it.
        return Some(true);
    }
    None
}
