//! Resource pressure on the origin: `free` (-k/-m/-g/-h, old `-/+
//! buffers/cache` shape), `top`/`htop` headers, `uptime`, `ss -s`,
//! `ulimit -n`, `nproc`, `/proc/PID/limits`, and kernel/journal lines about
//! OOM kills, exhausted file descriptors and nginx worker connections.
//!
//! Guarantees: sizes are converted to MiB (units read from the suffix, the
//! command line, or, failing both, guessed from magnitude and flagged);
//! every non-blank line is understood or reported. Linear, no panics.

use serde::Serialize;

use super::textscan::{after_ci, between, command_of, contains_ci};
use crate::text::{Line, NotUnderstood};

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Memory {
    pub total_mb: u64,
    pub used_mb: Option<u64>,
    pub free_mb: Option<u64>,
    /// `available` (or the old `-/+ buffers/cache` free column).
    pub available_mb: Option<u64>,
    pub swap_total_mb: Option<u64>,
    pub swap_used_mb: Option<u64>,
    /// The unit was inferred from the size of the numbers.
    pub unit_guessed: bool,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Load {
    pub one: f64,
    pub five: f64,
    pub fifteen: f64,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CpuIdle {
    pub idle_percent: f64,
    pub iowait_percent: Option<f64>,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NofileLimit {
    /// None for `unlimited`.
    pub soft: Option<u64>,
    pub hard: Option<u64>,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OomLine {
    pub process: Option<String>,
    pub pid: Option<u32>,
    /// The task that asked for memory (`nginx invoked oom-killer`): the
    /// program starved of memory, whoever was killed.
    pub invoker: Option<String>,
    /// The killed task ran in a Docker container (`task_memcg=/docker/ID`,
    /// `/system.slice/docker-ID.scope`, `cpuset=docker...`): `Some` with
    /// its short id when the line shows one, `Some("")` when it hides it.
    pub container: Option<String>,
    pub line: usize,
}

/// The Docker container an OOM report line puts the killed task in.
fn oom_container(t: &str) -> Option<String> {
    let field = |key: &str| {
        t.split([',', ' '])
            .find_map(|w| w.strip_prefix(key))
            .map(str::to_string)
    };
    let memcg = field("task_memcg=").or_else(|| field("oom_memcg="));
    let id = memcg.as_deref().and_then(|m| {
        let last = m.rsplit('/').next().unwrap_or(m);
        let id = last
            .strip_prefix("docker-")
            .map(|r| r.strip_suffix(".scope").unwrap_or(r))
            .or_else(|| m.contains("/docker/").then_some(last))?;
        Some(id.to_string())
    });
    let cpuset = field("cpuset=").is_some_and(|c| c.starts_with("docker"));
    match id {
        // A short id names it for docker; a redacted one does not.
        Some(id) if id.len() >= 12 && id.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Some(id.chars().take(12).collect())
        }
        Some(_) => Some(String::new()),
        None if cpuset => Some(String::new()),
        None => None,
    }
}

/// `ss -s` totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SocketSummary {
    pub tcp_total: Option<u64>,
    pub estab: Option<u64>,
    pub timewait: Option<u64>,
    pub orphaned: Option<u64>,
    pub line: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ResourceFacts {
    pub memory: Vec<Memory>,
    pub load: Vec<Load>,
    pub cpu_idle: Vec<CpuIdle>,
    pub cpus: Option<u32>,
    pub nofile: Vec<NofileLimit>,
    pub oom: Vec<OomLine>,
    /// Lines saying "Too many open files".
    pub fd_exhaustion: Vec<usize>,
    /// Lines saying "worker_connections are not enough".
    pub worker_connections: Vec<usize>,
    pub sockets: Vec<SocketSummary>,
    pub understood_lines: usize,
    pub not_understood: Vec<NotUnderstood>,
}

/// One sign of an overloaded origin, with the line that shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Pressure {
    LowMemory {
        available_mb: u64,
        total_mb: u64,
        line: usize,
    },
    SwapExhausted {
        used_mb: u64,
        total_mb: u64,
        line: usize,
    },
    CpuSaturated {
        idle_percent: f64,
        line: usize,
    },
    /// Load above twice the CPU count (only judged when `nproc` was pasted).
    HighLoad {
        one: f64,
        cpus: u32,
        line: usize,
    },
    OomKill {
        process: Option<String>,
        invoker: Option<String>,
        line: usize,
    },
    FdExhaustion {
        line: usize,
    },
    WorkerConnections {
        line: usize,
    },
    LowNofile {
        soft: u64,
        line: usize,
    },
}

impl ResourceFacts {
    /// Signs of pressure, most direct first (OOM kills and exhaustion).
    pub fn pressure(&self) -> Vec<Pressure> {
        let mut out = Vec::new();
        let mut seen_pids = Vec::new();
        let any_named = self.oom.iter().any(|o| o.process.is_some());
        for (i, o) in self.oom.iter().enumerate() {
            // An unnamed line only counts when no line names the victim.
            if o.process.is_none() && (any_named || i > 0) {
                continue;
            }
            // One kill prints several lines; report each process once.
            let key = (o.pid, o.process.clone());
            if o.pid.is_some() && seen_pids.contains(&key) {
                continue;
            }
            seen_pids.push(key);
            out.push(Pressure::OomKill {
                process: o.process.clone(),
                invoker: o.invoker.clone(),
                line: o.line,
            });
        }
        out.extend(
            self.fd_exhaustion
                .iter()
                .map(|&line| Pressure::FdExhaustion { line }),
        );
        out.extend(
            self.worker_connections
                .iter()
                .map(|&line| Pressure::WorkerConnections { line }),
        );
        for m in &self.memory {
            if let Some(av) = m.available_mb {
                if m.total_mb > 0 && (av.saturating_mul(10) < m.total_mb || av < 50) {
                    out.push(Pressure::LowMemory {
                        available_mb: av,
                        total_mb: m.total_mb,
                        line: m.line,
                    });
                }
            }
            if let (Some(t), Some(u)) = (m.swap_total_mb, m.swap_used_mb) {
                if t > 0 && u.saturating_mul(10) >= t.saturating_mul(9) {
                    out.push(Pressure::SwapExhausted {
                        used_mb: u,
                        total_mb: t,
                        line: m.line,
                    });
                }
            }
        }
        for c in &self.cpu_idle {
            if c.idle_percent < 5.0 {
                out.push(Pressure::CpuSaturated {
                    idle_percent: c.idle_percent,
                    line: c.line,
                });
            }
        }
        if let Some(cpus) = self.cpus {
            for l in &self.load {
                if l.one > f64::from(cpus) * 2.0 {
                    out.push(Pressure::HighLoad {
                        one: l.one,
                        cpus,
                        line: l.line,
                    });
                }
            }
        }
        for n in &self.nofile {
            if let Some(s) = n.soft.filter(|s| *s <= 1024) {
                out.push(Pressure::LowNofile {
                    soft: s,
                    line: n.line,
                });
            }
        }
        out
    }
}

/// Confidence (0-100) that `lines` are resource output.
pub fn sniff(lines: &[Line<'_>]) -> u8 {
    let mut score: u32 = 0;
    for l in lines.iter().take(20) {
        let t = l.text.trim();
        if t.starts_with("Mem:")
            || t.starts_with("Swap:")
            || t.contains("load average")
            || t.starts_with("%Cpu")
            || t.starts_with("MiB Mem")
            || t.starts_with("KiB Mem")
            || t.starts_with("Tasks:") && t.contains("total")
            || t.starts_with("TCP:") && t.contains("estab")
            || t.contains("Out of memory")
            || t.contains("oom-kill")
            || is_oom_report_line(t) && !t.contains("Call Trace:")
        {
            // Only the kernel writes that it killed a process for memory:
            // that line is enough alone, in any of its wordings.
            let kill = contains_ci(t, "killed process") || contains_ci(t, "kill process");
            score += if kill { 50 } else { 35 };
        } else if t.contains("total") && t.contains("used") && t.contains("free") {
            score += 30;
        } else if let Some(c) = command_of(t) {
            let c = c.trim_start_matches("sudo ");
            if [
                "free", "top", "htop", "uptime", "ss -s", "ulimit", "dmesg", "nproc", "vmstat",
            ]
            .iter()
            .any(|p| c.starts_with(p))
            {
                score += 40;
            }
        }
    }
    score.min(100) as u8
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    Kib,
    Mib,
    Gib,
    Bytes,
}

fn unit_from_command(c: &str) -> Option<Unit> {
    let words: Vec<&str> = c.split_whitespace().collect();
    if words.first() != Some(&"free") {
        return None;
    }
    for w in words.iter().skip(1) {
        match *w {
            "-m" | "--mega" | "--mebi" => return Some(Unit::Mib),
            "-g" | "--giga" | "--gibi" => return Some(Unit::Gib),
            "-b" | "--bytes" => return Some(Unit::Bytes),
            "-k" | "--kilo" | "--kibi" => return Some(Unit::Kib),
            _ => {}
        }
    }
    Some(Unit::Kib)
}

/// A size in MiB: `1987`, `1.9Gi`, `80Mi`, `1.9G`, `512K`, `0B`.
fn size_mb(tok: &str, unit: Unit) -> Option<u64> {
    let t = tok.trim().trim_end_matches(',');
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, suffix) = t.split_at(split);
    let v: f64 = num.parse().ok()?;
    let factor = match suffix.trim_end_matches('i').trim_end_matches('B') {
        "" if suffix.is_empty() => match unit {
            Unit::Kib => 1.0 / 1024.0,
            Unit::Mib => 1.0,
            Unit::Gib => 1024.0,
            Unit::Bytes => 1.0 / 1048576.0,
        },
        "" => 1.0 / 1048576.0,
        "K" | "k" => 1.0 / 1024.0,
        "M" => 1.0,
        "G" => 1024.0,
        "T" => 1048576.0,
        _ => return None,
    };
    let mb = (v * factor).round();
    (mb.is_finite() && mb >= 0.0).then_some(mb as u64)
}

fn num(s: &str) -> Option<f64> {
    s.trim()
        .trim_end_matches([',', '%'])
        .replace(',', ".")
        .parse()
        .ok()
}

/// A line of the report the kernel prints around an OOM kill, with or
/// without its `[12345.678901]` time: `nginx cpuset=/ mems_allowed=0`,
/// `Pid: 1535, comm: nginx Not tainted ...`, `Call Trace:` and the frames
/// ` [<c04e82e8>] ? oom_kill_process+0x68/0x280`.
fn is_oom_report_line(t: &str) -> bool {
    let frame = |w: &str| {
        w.split_once("+0x")
            .is_some_and(|(sym, off)| !sym.is_empty() && off.contains("/0x"))
    };
    t.contains(" mems_allowed=")
        || t.contains("Call Trace:")
        || t.contains("Mem-Info:")
        || t.contains("Pid: ") && t.contains(", comm: ")
        || t.contains("CPU: ") && t.contains(" Comm: ")
        || t.contains("[<") && t.contains(">]") && t.split_whitespace().any(frame)
}

/// Reading state carried from line to line.
struct Ctx {
    /// Unit of `free` from its command line.
    unit: Option<Unit>,
    last_cmd: String,
    in_top_table: bool,
    /// The unit the last `Mem:` row was read in, for its Swap and -/+ rows.
    mem_unit: Unit,
    /// Column of `available` in the last `free` header (None: old shape).
    avail_col: Option<usize>,
}

pub fn parse(input: &str, lines: &[Line<'_>]) -> ResourceFacts {
    parse_with(input, lines, None)
}

/// Read a block whose command line (`$ free -m`, `$ ulimit -n`) the
/// splitter took off: the command names the unit and the meaning of a bare
/// number.
pub fn parse_with(_input: &str, lines: &[Line<'_>], command: Option<&str>) -> ResourceFacts {
    let mut f = ResourceFacts::default();
    let command = command.map(|c| c.trim_start_matches("sudo ").trim());
    let mut unit: Option<Unit> = command.and_then(unit_from_command);
    let mut last_cmd = command.unwrap_or_default().to_string();
    let mut ctx = Ctx {
        unit: None,
        last_cmd: String::new(),
        in_top_table: false,
        mem_unit: Unit::Mib,
        avail_col: Some(5),
    };
    for l in lines {
        let raw = l.text;
        let t = raw.trim();
        if t.is_empty() {
            ctx.in_top_table = false;
            continue;
        }
        if let Some(c) = command_of(raw) {
            let c = c.trim_start_matches("sudo ");
            unit = unit_from_command(c).or(unit);
            last_cmd = c.to_string();
            ctx.in_top_table = false;
            f.understood_lines += 1;
            continue;
        }
        ctx.unit = unit;
        ctx.last_cmd.clone_from(&last_cmd);
        if read_line(&mut f, t, l.no, &mut ctx) {
            f.understood_lines += 1;
        } else {
            f.not_understood
                .push(NotUnderstood::new(*l, "not a resource line"));
        }
    }
    f
}

fn read_line(f: &mut ResourceFacts, t: &str, no: usize, ctx: &mut Ctx) -> bool {
    // long: one line dispatcher over resource outputs (kernel OOM, top, free old/new, ss -s,
    // ulimit) sharing the unit context.
    let unit = ctx.unit;
    // Kernel and journal lines first: they can contain any words.
    if contains_ci(t, "out of memory")
        || t.contains("oom-kill")
        || t.contains("invoked oom-killer")
        || contains_ci(t, "killed process")
    {
        // The task that *invoked* the OOM killer is not the one it killed.
        let invoker = t.contains("invoked oom-killer");
        let process = after_ci(t, "process ")
            .and_then(|r| between(r, "(", ")"))
            .map(str::to_string)
            .or_else(|| after_ci(t, "task=").map(|r| r.split(',').next().unwrap_or(r).to_string()))
            .filter(|_| !invoker);
        let pid = after_ci(t, "killed process ")
            .or_else(|| after_ci(t, "kill process "))
            .or_else(|| after_ci(t, ",pid="))
            .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|p| p.parse().ok());
        let invoker = t
            .split_once(" invoked oom-killer")
            .and_then(|(before, _)| before.split_whitespace().last())
            .map(str::to_string);
        f.oom.push(OomLine {
            process,
            pid,
            invoker,
            container: oom_container(t),
            line: no,
        });
        return true;
    }
    // The rest of the kernel's OOM report (cpuset, the task, its call
    // trace): read as part of it, nothing more.
    if is_oom_report_line(t) {
        return true;
    }
    if contains_ci(t, "too many open files") {
        f.fd_exhaustion.push(no);
        return true;
    }
    if t.contains("worker_connections are not enough") {
        f.worker_connections.push(no);
        return true;
    }
    if let Some(rest) = after_ci(t, "load average:").or_else(|| after_ci(t, "load averages:")) {
        let v: Vec<f64> = rest
            .split(|c: char| c == ',' && !rest.contains(", ") || c.is_whitespace())
            .filter_map(num)
            .collect();
        if let [one, five, fifteen, ..] = v.as_slice() {
            f.load.push(Load {
                one: *one,
                five: *five,
                fifteen: *fifteen,
                line: no,
            });
            return true;
        }
        return false;
    }
    if t.starts_with("%Cpu") || t.starts_with("Cpu(s)") || t.starts_with("CPU:") {
        // "%Cpu(s):  0.3 us,  0.2 sy, ... 99.0 id,  0.5 wa" / "Cpu(s):  0.3%us, 99.0%id"
        let body = t.split_once(':').map_or(t, |(_, r)| r);
        let mut idle = None;
        let mut wa = None;
        for part in body.split(',') {
            let p = part.trim();
            let (n, label) = match p.rsplit_once(' ').or_else(|| p.split_once('%')) {
                Some((n, l)) => (
                    n.trim().trim_end_matches('%'),
                    l.trim().trim_start_matches('%'),
                ),
                None => continue,
            };
            match label {
                "id" | "idle" => idle = num(n),
                "wa" | "iowait" => wa = num(n),
                _ => {}
            }
        }
        if let Some(idle) = idle {
            f.cpu_idle.push(CpuIdle {
                idle_percent: idle,
                iowait_percent: wa,
                line: no,
            });
        }
        return true;
    }
    if t.starts_with("Tasks:") || t.starts_with("Threads:") || t.starts_with("top - ") {
        return true;
    }
    // top: "MiB Mem :   1987.5 total,     80.2 free,   1650.1 used,    257.2 buff/cache"
    if let Some((u, rest)) = ["KiB", "MiB", "GiB"]
        .iter()
        .find_map(|u| t.strip_prefix(u).map(|r| (*u, r)))
    {
        let unit = match u {
            "KiB" => Unit::Kib,
            "GiB" => Unit::Gib,
            _ => Unit::Mib,
        };
        let rest = rest
            .trim_start()
            .trim_start_matches("Mem")
            .trim_start_matches("Swap")
            .trim_start_matches([' ', ':']);
        // "... 1024.0 used.     48.2 avail Mem": the period separates fields too.
        let rest = rest.replace("used.", "used,");
        let field = |label: &str| -> Option<u64> {
            rest.split(',').find_map(|p| {
                p.trim()
                    .strip_suffix(label)
                    .and_then(|n| size_mb(n.trim(), unit))
            })
        };
        if t.contains("Swap") {
            if let Some(m) = f.memory.last_mut() {
                m.swap_total_mb = field("total");
                m.swap_used_mb = field("used");
                if let Some(av) = field("avail Mem") {
                    m.available_mb = Some(av);
                }
            }
        } else if let Some(total) = field("total") {
            f.memory.push(Memory {
                total_mb: total,
                used_mb: field("used"),
                free_mb: field("free"),
                available_mb: None,
                swap_total_mb: None,
                swap_used_mb: None,
                unit_guessed: false,
                line: no,
            });
        }
        return true;
    }
    // free
    if t.starts_with("total") && t.contains("used") {
        ctx.avail_col = t.split_whitespace().position(|w| w == "available");
        return true;
    }
    if let Some(rest) = t.strip_prefix("Mem:") {
        let v: Vec<&str> = rest.split_whitespace().collect();
        let suffixed = v
            .iter()
            .any(|x| x.ends_with(|c: char| c.is_ascii_alphabetic()));
        let (u, guessed) = match unit {
            Some(u) => (u, false),
            None if suffixed => (Unit::Mib, false),
            None => {
                let total = v.first().and_then(|x| x.parse::<u64>().ok()).unwrap_or(0);
                // Plain `free` prints KiB; `free -m` MiB; `free -g` single digits.
                (
                    if total >= 100_000 {
                        Unit::Kib
                    } else if total < 64 {
                        Unit::Gib
                    } else {
                        Unit::Mib
                    },
                    true,
                )
            }
        };
        ctx.mem_unit = u;
        let get = |i: usize| v.get(i).and_then(|x| size_mb(x, u));
        let Some(total) = get(0) else { return false };
        // New layout: total used free shared buff/cache available (or
        // buffers cache available with -w); the old one has no available
        // column, and its `-/+ buffers/cache` row below supplies it.
        let available = ctx.avail_col.and_then(get);
        f.memory.push(Memory {
            total_mb: total,
            used_mb: get(1),
            free_mb: get(2),
            available_mb: available,
            swap_total_mb: None,
            swap_used_mb: None,
            unit_guessed: guessed,
            line: no,
        });
        return true;
    }
    if let Some(rest) = t.strip_prefix("-/+ buffers/cache:") {
        let v: Vec<&str> = rest.split_whitespace().collect();
        if let Some(m) = f.memory.last_mut() {
            // The old shape's real "available" is the free column here.
            m.available_mb = v.get(1).and_then(|x| size_mb(x, ctx.mem_unit));
        }
        return true;
    }
    if let Some(rest) = t.strip_prefix("Swap:") {
        let v: Vec<&str> = rest.split_whitespace().collect();
        if let Some(m) = f.memory.last_mut() {
            m.swap_total_mb = v.first().and_then(|x| size_mb(x, ctx.mem_unit));
            m.swap_used_mb = v.get(1).and_then(|x| size_mb(x, ctx.mem_unit));
        }
        return true;
    }
    if t.starts_with("Total:") {
        // `ss -s` totals, or `free -t`'s sum row.
        return true;
    }
    if let Some(rest) = t.strip_prefix("TCP:") {
        if let Some(inner) = between(rest, "(", ")") {
            let get = |k: &str| {
                inner.split(',').find_map(|p| {
                    p.trim()
                        .strip_prefix(k)
                        .and_then(|n| n.trim().split('/').next())
                        .and_then(|n| n.trim().parse().ok())
                })
            };
            f.sockets.push(SocketSummary {
                tcp_total: rest.split_whitespace().next().and_then(|n| n.parse().ok()),
                estab: get("estab"),
                timewait: get("timewait"),
                orphaned: get("orphaned"),
                line: no,
            });
            return true;
        }
    }
    if t.starts_with("Transport")
        || ["RAW", "UDP", "TCP", "INET", "FRAG"].iter().any(|p| {
            t.starts_with(p)
                && t.split_whitespace()
                    .skip(1)
                    .all(|x| x.parse::<u64>().is_ok())
        })
    {
        return true;
    }
    // ulimit -n / nproc / LimitNOFILE= / /proc/PID/limits
    if let Some(rest) = t.strip_prefix("Max open files") {
        let v: Vec<&str> = rest.split_whitespace().collect();
        let n = |s: Option<&&str>| s.and_then(|x| x.parse::<u64>().ok());
        f.nofile.push(NofileLimit {
            soft: n(v.first()),
            hard: n(v.get(1)),
            line: no,
        });
        return true;
    }
    if let Some(rest) = t.strip_prefix("LimitNOFILE=") {
        let (s, h) = rest.split_once(':').unwrap_or((rest, rest));
        f.nofile.push(NofileLimit {
            soft: s.parse().ok(),
            hard: h.parse().ok(),
            line: no,
        });
        return true;
    }
    if t.chars().all(|c| c.is_ascii_digit()) || t == "unlimited" {
        if ctx.last_cmd.starts_with("nproc") {
            f.cpus = t.parse().ok();
            return true;
        }
        if ctx.last_cmd.starts_with("ulimit") {
            let n = t.parse().ok();
            f.nofile.push(NofileLimit {
                soft: n,
                hard: if ctx.last_cmd.contains("-Hn") {
                    n
                } else {
                    None
                },
                line: no,
            });
            return true;
        }
        return false;
    }
    if t.starts_with("PID") && t.contains("COMMAND")
        || t.starts_with("Mem[")
        || t.starts_with("Swp[")
        || t.contains("[|")
    {
        ctx.in_top_table = t.starts_with("PID");
        return true;
    }
    if ctx.in_top_table
        && t.split_whitespace()
            .next()
            .is_some_and(|w| w.parse::<u32>().is_ok())
    {
        return true;
    }
    // Other kernel ring buffer / journal lines belong to dmesg output.
    let first = t.split_whitespace().next().unwrap_or("");
    if t.starts_with('[')
        && t.get(1..2)
            .is_some_and(|c| c == " " || c.chars().all(|x| x.is_ascii_digit()))
        || [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ]
        .contains(&first)
    {
        return true;
    }
    t.starts_with("up ") || t.contains(" up ") && t.contains("user")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::lines;

    fn p(s: &str) -> ResourceFacts {
        parse(s, &lines(s))
    }

    #[test]
    fn free_m_new_shape() {
        let f = p("$ free -m\n               total        used        free      shared  buff/cache   available\nMem:            1987        1650          80          12         256         150\nSwap:              0           0           0\n");
        assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
        let m = &f.memory[0];
        assert_eq!(
            (m.total_mb, m.available_mb, m.swap_total_mb),
            (1987, Some(150), Some(0))
        );
        assert!(f
            .pressure()
            .iter()
            .any(|p| matches!(p, Pressure::LowMemory { .. })));
    }

    #[test]
    fn free_h_suffixes() {
        let f = p("               total        used        free      shared  buff/cache   available\nMem:           7.7Gi       3.1Gi       1.2Gi       100Mi       3.4Gi       4.3Gi\nSwap:          2.0Gi          0B       2.0Gi\n");
        let m = &f.memory[0];
        assert_eq!(
            (m.total_mb, m.available_mb, m.swap_total_mb, m.swap_used_mb),
            (7885, Some(4403), Some(2048), Some(0))
        );
    }

    #[test]
    fn top_header() {
        let f = p("top - 10:00:01 up 10 days,  2:03,  1 user,  load average: 4.15, 3.10, 2.05\n%Cpu(s):  0.3 us,  0.2 sy,  0.0 ni,  1.0 id, 98.5 wa,  0.0 hi,  0.0 si,  0.0 st\nMiB Mem :   1987.5 total,     80.2 free,   1650.1 used,    257.2 buff/cache\nMiB Swap:      0.0 total,      0.0 free,      0.0 used.    150.3 avail Mem\n");
        assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
        assert_eq!(f.load[0].one, 4.15);
        assert_eq!(f.cpu_idle[0].idle_percent, 1.0);
        assert_eq!(f.memory[0].total_mb, 1988);
        assert_eq!(f.memory[0].available_mb, Some(150));
    }

    #[test]
    fn free_old_shape_kib_guessed() {
        let f = p("             total       used       free     shared    buffers     cached\nMem:       4046872    3890792     156080          0     158860    2242560\n-/+ buffers/cache:    1489372    2557500\nSwap:      4194300      23552    4170748\n");
        assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
        let m = &f.memory[0];
        assert!(m.unit_guessed);
        assert_eq!(
            (m.total_mb, m.available_mb, m.swap_total_mb, m.swap_used_mb),
            (3952, Some(2498), Some(4096), Some(23))
        );
    }

    #[test]
    fn a_lone_kernel_kill_line_is_enough_in_every_wording() {
        for t in [
            "[Tue Nov 24 09:12:01 2026] Out of memory: Killed process 2211 (nginx) total-vm:52344kB",
            "Nov 24 09:12:01 web1 kernel: Out of memory: Killed process 2211 (nginx) total-vm:52344kB",
            "[ 8812.123456] Out of memory: Kill process 2211 (nginx) score 342 or sacrifice child",
        ] {
            assert!(sniff(&lines(t)) >= 50, "{t}");
        }
    }

    #[test]
    fn kernel_oom_report_is_read_whole() {
        let src =
            "nginx invoked oom-killer: gfp_mask=0x280da, order=0, oom_adj=0, oom_score_adj=0\n\
nginx cpuset=/ mems_allowed=0\n\
Pid: 1535, comm: nginx Not tainted 2.6.32-358.6.2.el6.i686 #1\n\
Call Trace:\n \
[<c04e82e8>] ? oom_kill_process+0x68/0x280\n\
[3619581.644087] CPU: 2 PID: 13918 Comm: nginx Not tainted 4.9.0-0.bpo.1-amd64 #1";
        let ls = lines(src);
        assert!(sniff(&ls) >= 50);
        let f = parse("dmesg", &ls);
        assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
        assert_eq!(f.oom.len(), 1);
        assert_eq!(
            f.oom[0].process, None,
            "nginx invoked the killer, it was not killed"
        );
        assert_eq!(f.oom[0].invoker.as_deref(), Some("nginx"));
        // Not a report line: an ordinary log line with a `+0x` in it.
        assert!(!is_oom_report_line("GET /a+0x1 HTTP/1.1"));
        assert!(!is_oom_report_line("Mem:           486M        102M"));
    }

    #[test]
    fn an_oom_kill_in_a_container_says_so() {
        // cgroup v2 under systemd, id redacted by the poster.
        let c = oom_container("[148588.070565] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=docker.service,mems_allowed=0,global_oom,task_memcg=/system.slice/docker-[CONTAINER_ID].scope,task=nginx,pid=812,uid=101");
        assert_eq!(c.as_deref(), Some(""));
        // cgroup v1: /docker/<full id>, cut to docker's short id.
        let c = oom_container("[ 99.1] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=3f1c0a9e2b7d,mems_allowed=0,oom_memcg=/docker/3f1c0a9e2b7d55aa66bb77cc88dd99ee00ff11aa22bb33cc44dd55ee66ff7788,task_memcg=/docker/3f1c0a9e2b7d55aa66bb77cc88dd99ee00ff11aa22bb33cc44dd55ee66ff7788,task=nginx,pid=4242,uid=0");
        assert_eq!(c.as_deref(), Some("3f1c0a9e2b7d"));
        // A host service: no container.
        assert_eq!(oom_container("oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/nginx.service,task=nginx,pid=812,uid=33"), None);
        assert_eq!(
            oom_container("Out of memory: Killed process 1234 (mysqld) total-vm:100kB"),
            None
        );
        let f = p("[148588.070565] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=docker.service,mems_allowed=0,global_oom,task_memcg=/system.slice/docker-[CONTAINER_ID].scope,task=nginx,pid=812,uid=101\n");
        assert_eq!(f.oom[0].container.as_deref(), Some(""));
    }

    #[test]
    fn oom_and_ulimit() {
        let f = p("[123.456] Out of memory: Killed process 1234 (mysqld) total-vm:100kB\n$ ulimit -n\n1024\n");
        assert_eq!(f.oom[0].process.as_deref(), Some("mysqld"));
        assert_eq!(f.oom[0].pid, Some(1234));
        assert_eq!(f.nofile[0].soft, Some(1024));
    }

    #[test]
    fn the_command_line_the_splitter_took_off_still_counts() {
        let lines = crate::text::lines("1024\n");
        let f = parse_with("t", &lines, Some("ulimit -n"));
        assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
        assert_eq!(f.nofile[0].soft, Some(1024));
        let lines = crate::text::lines("               total        used        free      shared  buff/cache   available\nMem:            3911        3702         101          10         107          62\n");
        let f = parse_with("t", &lines, Some("sudo free -m"));
        let m = &f.memory[0];
        assert!(!m.unit_guessed);
        assert_eq!((m.total_mb, m.available_mb), (3911, Some(62)));
    }
}
