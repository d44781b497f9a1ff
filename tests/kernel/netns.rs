//! A two-namespace lab for proving firewall verdicts against the real kernel.
//!
//! `origin` plays the web server: it owns 192.0.2.1 and 2001:db8:521::1, runs
//! a listener on every probed port and is where rulesets are loaded. `proxy`
//! plays Cloudflare: it owns the source addresses the probes use (addresses
//! inside Cloudflare's ranges and a few outside them, all on our own veth) and
//! runs the prober. The two are joined by one veth pair; neighbours are static
//! so a firewall that drops ICMPv6 cannot hide a TCP verdict behind a failed
//! neighbour discovery. No packet ever leaves these namespaces.
//!
//! Every name carries the test's pid, so parallel runs never collide and
//! leftovers of a crashed run are recognised (their pid is dead) and removed
//! by [`cleanup_stale`]. [`Lab`]'s `Drop` removes everything it made.

use std::io::{BufRead, BufReader, Write};
use std::net::IpAddr;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

pub const ORIGIN_V4: &str = "192.0.2.1";
pub const ORIGIN_V6: &str = "2001:db8:521::1";
const PROXY_V4: &str = "192.0.2.2";
const PROXY_V6: &str = "2001:db8:521::2";
const ORIGIN_MAC: &str = "02:52:10:00:00:01";
const PROXY_MAC: &str = "02:52:10:00:00:02";
const PREFIX: &str = "e521";

/// Flushes nftables (and so iptables-nft) and, only if the legacy xtables
/// are loaded in this namespace, those too.
const FLUSH: &str = "nft flush ruleset || exit 1
for t in iptables ip6tables; do
  f=/proc/net/ip_tables_names; [ $t = ip6tables ] && f=/proc/net/ip6_tables_names
  if [ -s $f ] && command -v $t-legacy >/dev/null; then
    $t-legacy -P INPUT ACCEPT; $t-legacy -F; $t-legacy -X
  fi
done";

const PROBER: &str = include_str!("prober.py");
const LISTENER: &str = include_str!("listener.py");

/// What the kernel did with one TCP connection attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KernelOutcome {
    /// The handshake completed: the listener answered.
    Accepted,
    /// The connect failed at once (RST or an ICMP error); the errno name.
    Refused(String),
    /// No answer within the timeout: dropped.
    TimedOut,
    /// The prober itself failed (bind error...): a harness bug.
    Error(String),
}

impl std::fmt::Display for KernelOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KernelOutcome::Accepted => f.write_str("accepted"),
            KernelOutcome::Refused(e) => write!(f, "refused ({e})"),
            KernelOutcome::TimedOut => f.write_str("timed out"),
            KernelOutcome::Error(e) => write!(f, "prober error: {e}"),
        }
    }
}

/// One probe: source address (owned by the proxy), destination, port.
pub type Probe = (IpAddr, IpAddr, u16);

pub struct Lab {
    pub origin: String,
    pub proxy: String,
    /// Interface name of the origin's end of the veth (the public interface).
    pub origin_if: String,
    pub proxy_if: String,
    listener: Option<Child>,
    prober: Option<(Child, ChildStdin, BufReader<ChildStdout>)>,
    /// Extra /etc/netns/<origin> directory to remove on drop (ufw config).
    etc_dir: Option<String>,
}

fn python() -> &'static str {
    // pyenv shims may be missing inside a stripped environment; the system
    // interpreter is what ufw itself uses.
    if std::path::Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

/// Run a command, returning stdout, or an error with stderr.
pub fn run(args: &[&str], stdin: Option<&str>) -> Result<String, String> {
    let (prog, rest) = args.split_first().ok_or("empty command")?;
    let mut cmd = Command::new(prog);
    cmd.args(rest)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", args.join(" ")))?;
    if let Some(text) = stdin {
        if let Some(mut si) = child.stdin.take() {
            si.write_all(text.as_bytes())
                .map_err(|e| format!("writing stdin of {}: {e}", args.join(" ")))?;
        }
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("waiting for {}: {e}", args.join(" ")))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "`{}` failed ({}): {}{}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        ))
    }
}

/// Why this machine cannot run the lab, or `Ok` when it can.
pub fn check_available() -> Result<(), String> {
    let uid = run(&["id", "-u"], None)?;
    if uid.trim() != "0" {
        return Err(format!("not root (uid {})", uid.trim()));
    }
    for tool in ["ip", "iptables-restore", "ip6tables-restore", "nft"] {
        run(&["sh", "-c", &format!("command -v {tool}")], None)
            .map_err(|_| format!("{tool} not installed"))?;
    }
    run(&[python(), "-c", "pass"], None).map_err(|e| format!("python3 unusable: {e}"))?;
    let probe = format!("{PREFIX}c-{}", std::process::id());
    run(&["ip", "netns", "add", &probe], None)?;
    let works = run(
        &[
            "ip", "netns", "exec", &probe, "ip", "link", "set", "lo", "up",
        ],
        None,
    );
    let _ = run(&["ip", "netns", "del", &probe], None);
    works.map(|_| ())
}

fn pid_alive(pid: &str) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// Remove namespaces, links and /etc/netns dirs left by runs whose process is
/// gone. Live runs (another test in parallel) are left alone.
pub fn cleanup_stale() {
    let names = run(&["ip", "netns", "list"], None).unwrap_or_default();
    for line in names.lines() {
        let name = line.split_whitespace().next().unwrap_or("");
        if let Some(pid) = stale_pid(name) {
            if !pid_alive(pid) {
                let _ = run(&["ip", "netns", "del", name], None);
            }
        }
    }
    let links = run(&["ip", "-o", "link", "show"], None).unwrap_or_default();
    for line in links.lines() {
        // "12: e521o-123@e521p-123: <...>"
        let name = line
            .split(':')
            .nth(1)
            .map(|s| s.trim().split('@').next().unwrap_or(""))
            .unwrap_or("");
        if let Some(pid) = stale_pid(name) {
            if !pid_alive(pid) {
                let _ = run(&["ip", "link", "del", name], None);
            }
        }
    }
    if let Ok(entries) = std::fs::read_dir("/tmp") {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some((ns, _)) = name.split_once(['.', '-']).and_then(|_| {
                // "e521o-123-v4.rules" -> "e521o-123"
                let mut it = name.splitn(3, '-');
                Some((format!("{}-{}", it.next()?, it.next()?), ()))
            }) else {
                continue;
            };
            if let Some(pid) = stale_pid(&ns) {
                if !pid_alive(pid) {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
    }
    if let Ok(entries) = std::fs::read_dir("/etc/netns") {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(pid) = stale_pid(&name) {
                if !pid_alive(pid) {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
    }
}

fn stale_pid(name: &str) -> Option<&str> {
    let rest = name.strip_prefix(PREFIX)?;
    let (_, pid) = rest.split_once('-')?;
    pid.chars().all(|c| c.is_ascii_digit()).then_some(pid)
}

impl Lab {
    /// Build the namespaces, the veth pair, the addresses (`sources` go on
    /// the proxy), the listener on `ports` and the prober.
    pub fn new(sources: &[IpAddr], ports: &[u16]) -> Result<Lab, String> {
        let pid = std::process::id();
        let origin = format!("{PREFIX}o-{pid}");
        let proxy = format!("{PREFIX}p-{pid}");
        let mut lab = Lab {
            origin_if: origin.clone(),
            proxy_if: proxy.clone(),
            origin,
            proxy,
            listener: None,
            prober: None,
            etc_dir: None,
        };
        lab.setup(sources)?;
        lab.start_listener(ports)?;
        lab.start_prober()?;
        Ok(lab)
    }

    fn setup(&mut self, sources: &[IpAddr]) -> Result<(), String> {
        let (o, p) = (self.origin.as_str(), self.proxy.as_str());
        let (oi, pi) = (self.origin_if.as_str(), self.proxy_if.as_str());
        run(&["ip", "netns", "add", o], None)?;
        run(&["ip", "netns", "add", p], None)?;
        run(
            &[
                "ip", "link", "add", oi, "address", ORIGIN_MAC, "netns", o, "type", "veth", "peer",
                "name", pi, "address", PROXY_MAC, "netns", p,
            ],
            None,
        )?;
        let o_cmds: Vec<Vec<&str>> = vec![
            vec!["ip", "link", "set", "lo", "up"],
            vec!["ip", "link", "set", oi, "up"],
            vec!["ip", "addr", "add", "192.0.2.1/24", "dev", oi],
            vec![
                "ip",
                "-6",
                "addr",
                "add",
                "2001:db8:521::1/64",
                "dev",
                oi,
                "nodad",
            ],
            vec!["ip", "route", "add", "default", "dev", oi],
            vec!["ip", "-6", "route", "add", "default", "dev", oi],
            // REJECT answers with ICMP; the kernel's per-peer and global
            // ICMP rate limits would turn a burst of rejects into timeouts.
            vec!["sysctl", "-qw", "net.ipv4.icmp_ratelimit=0"],
            vec!["sysctl", "-qw", "net.ipv4.icmp_ratemask=0"],
            vec!["sysctl", "-qw", "net.ipv6.icmp.ratelimit=0"],
        ];
        for c in &o_cmds {
            self.run_in_origin(c)?;
        }
        let _ = self.run_in_origin(&["sysctl", "-qw", "net.ipv6.icmp.ratemask=0"]);
        let p_cmds: Vec<Vec<&str>> = vec![
            vec!["ip", "link", "set", "lo", "up"],
            vec!["ip", "link", "set", pi, "up"],
            vec!["ip", "addr", "add", "192.0.2.2/24", "dev", pi],
            vec![
                "ip",
                "-6",
                "addr",
                "add",
                "2001:db8:521::2/64",
                "dev",
                pi,
                "nodad",
            ],
            vec![
                "ip",
                "neigh",
                "replace",
                ORIGIN_V4,
                "lladdr",
                ORIGIN_MAC,
                "dev",
                pi,
                "nud",
                "permanent",
            ],
            vec![
                "ip",
                "-6",
                "neigh",
                "replace",
                ORIGIN_V6,
                "lladdr",
                ORIGIN_MAC,
                "dev",
                pi,
                "nud",
                "permanent",
            ],
        ];
        for c in &p_cmds {
            self.run_in_proxy(c)?;
        }
        let mut all: Vec<String> = vec![PROXY_V4.to_string(), PROXY_V6.to_string()];
        all.extend(sources.iter().map(|a| a.to_string()));
        // One `ip -batch` per namespace keeps setup fast with many addresses.
        let mut pb = String::new();
        let mut ob = String::new();
        for a in sources {
            let (plen, nodad) = if a.is_ipv4() {
                (32, "")
            } else {
                (128, " nodad")
            };
            pb.push_str(&format!("addr add {a}/{plen} dev {pi}{nodad}\n"));
        }
        for a in &all {
            ob.push_str(&format!(
                "neigh replace {a} lladdr {PROXY_MAC} dev {oi} nud permanent\n"
            ));
        }
        if !pb.is_empty() {
            self.run_in_proxy_stdin(&["ip", "-batch", "-"], &pb)?;
        }
        self.run_in_origin_stdin(&["ip", "-batch", "-"], &ob)?;
        Ok(())
    }

    fn spawn_in(ns: &str, args: &[&str]) -> Result<Child, String> {
        Command::new("ip")
            .args(["netns", "exec", ns])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {} in {ns}: {e}", args.join(" ")))
    }

    fn start_listener(&mut self, ports: &[u16]) -> Result<(), String> {
        let mut args = vec![python(), "-c", LISTENER];
        let ps: Vec<String> = ports.iter().map(|p| p.to_string()).collect();
        args.extend(ps.iter().map(String::as_str));
        let mut child = Self::spawn_in(&self.origin, &args)?;
        let out = child.stdout.take().ok_or("listener has no stdout")?;
        self.listener = Some(child);
        let mut line = String::new();
        BufReader::new(out)
            .read_line(&mut line)
            .map_err(|e| format!("listener: {e}"))?;
        if line.trim() != "ready" {
            return Err(format!("listener did not start: {line:?}"));
        }
        Ok(())
    }

    fn start_prober(&mut self) -> Result<(), String> {
        let mut child = Self::spawn_in(&self.proxy, &[python(), "-c", PROBER])?;
        let stdin = child.stdin.take().ok_or("prober has no stdin")?;
        let stdout = child.stdout.take().ok_or("prober has no stdout")?;
        self.prober = Some((child, stdin, BufReader::new(stdout)));
        Ok(())
    }

    pub fn run_in_origin(&self, args: &[&str]) -> Result<String, String> {
        let mut full = vec!["ip", "netns", "exec", self.origin.as_str()];
        full.extend_from_slice(args);
        run(&full, None)
    }

    pub fn run_in_origin_stdin(&self, args: &[&str], stdin: &str) -> Result<String, String> {
        let mut full = vec!["ip", "netns", "exec", self.origin.as_str()];
        full.extend_from_slice(args);
        run(&full, Some(stdin))
    }

    pub fn run_in_proxy(&self, args: &[&str]) -> Result<String, String> {
        let mut full = vec!["ip", "netns", "exec", self.proxy.as_str()];
        full.extend_from_slice(args);
        run(&full, None)
    }

    fn run_in_proxy_stdin(&self, args: &[&str], stdin: &str) -> Result<String, String> {
        let mut full = vec!["ip", "netns", "exec", self.proxy.as_str()];
        full.extend_from_slice(args);
        run(&full, Some(stdin))
    }

    /// Empty every firewall in the origin: nftables (which also holds the
    /// tables of iptables-nft) and, when present, the legacy xtables.
    pub fn flush(&self) -> Result<(), String> {
        self.run_in_origin(&["sh", "-c", FLUSH])?;
        Ok(())
    }

    /// Flush, then load iptables-save text for IPv4 and IPv6 (either may be
    /// empty), in one shell so a loaded machine spawns few processes. A load
    /// failure is returned with the tool's message.
    pub fn load_iptables(&self, v4: &str, v6: &str) -> Result<(), String> {
        let f4 = self.scratch("v4.rules", v4)?;
        let f6 = self.scratch("v6.rules", v6)?;
        self.run_in_origin(&[
            "sh",
            "-c",
            &format!("{FLUSH}\nset -e\niptables-restore < {f4}\nip6tables-restore < {f6}"),
        ])?;
        Ok(())
    }

    /// Flush, then load an nft script.
    pub fn load_nft(&self, text: &str) -> Result<(), String> {
        let f = self.scratch("ruleset.nft", text)?;
        self.run_in_origin(&["sh", "-c", &format!("{FLUSH}\nnft -f {f}")])?;
        Ok(())
    }

    /// Write `text` to a per-run file under /tmp (visible in the namespace).
    fn scratch(&self, name: &str, text: &str) -> Result<String, String> {
        let path = format!("/tmp/{}-{name}", self.origin);
        std::fs::write(&path, text).map_err(|e| format!("{path}: {e}"))?;
        Ok(path)
    }

    /// What a user would paste: `iptables-save` / `ip6tables-save`.
    pub fn iptables_save(&self, v6: bool) -> Result<String, String> {
        self.run_in_origin(&[if v6 {
            "ip6tables-save"
        } else {
            "iptables-save"
        }])
    }

    pub fn nft_list(&self) -> Result<String, String> {
        self.run_in_origin(&["nft", "list", "ruleset"])
    }

    /// Give the origin its own /etc/<name> (a copy of the host's), which
    /// `ip netns exec` bind-mounts over /etc/<name>. Used for ufw's config.
    pub fn private_etc(&mut self, names: &[&str]) -> Result<(), String> {
        let dir = format!("/etc/netns/{}", self.origin);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{dir}: {e}"))?;
        self.etc_dir = Some(dir.clone());
        for n in names {
            run(
                &["cp", "-a", &format!("/etc/{n}"), &format!("{dir}/{n}")],
                None,
            )?;
        }
        Ok(())
    }

    /// Let ufw run in the origin with its own copy of /etc/ufw and
    /// /etc/default (bind-mounted by `ip netns exec`), so the host's ufw is
    /// never touched; proves the bind mount works before ufw writes anything.
    pub fn private_ufw(&mut self) -> Result<(), String> {
        run(&["sh", "-c", "command -v ufw"], None).map_err(|_| "ufw not installed")?;
        self.private_etc(&["ufw", "default"])?;
        let marker = format!("/etc/netns/{}/ufw/e521-marker", self.origin);
        std::fs::write(&marker, "x").map_err(|e| format!("{marker}: {e}"))?;
        let seen = self.run_in_origin(&["test", "-e", "/etc/ufw/e521-marker"]);
        let _ = std::fs::remove_file(&marker);
        if std::path::Path::new("/etc/ufw/e521-marker").exists() {
            return Err("marker leaked into the host's /etc/ufw".into());
        }
        seen.map(|_| ())
            .map_err(|e| format!("ip netns exec does not bind-mount /etc/netns: {e}"))
    }

    /// Probe with the default timeout (400 ms; the veth answers in µs).
    pub fn probe(&mut self, probes: &[Probe]) -> Result<Vec<KernelOutcome>, String> {
        self.probe_with_timeout(probes, Duration::from_millis(400))
    }

    pub fn probe_with_timeout(
        &mut self,
        probes: &[Probe],
        timeout: Duration,
    ) -> Result<Vec<KernelOutcome>, String> {
        let (_, stdin, stdout) = self.prober.as_mut().ok_or("prober not running")?;
        let list: Vec<serde_json::Value> = probes
            .iter()
            .map(|(s, d, p)| serde_json::json!([s.to_string(), d.to_string(), p]))
            .collect();
        let req = serde_json::json!({"timeout": timeout.as_secs_f64(), "probes": list});
        writeln!(stdin, "{req}").map_err(|e| format!("prober stdin: {e}"))?;
        stdin.flush().map_err(|e| format!("prober stdin: {e}"))?;
        let mut out = Vec::with_capacity(probes.len());
        loop {
            let mut line = String::new();
            let n = stdout
                .read_line(&mut line)
                .map_err(|e| format!("prober stdout: {e}"))?;
            if n == 0 {
                return Err("prober exited".into());
            }
            let v: serde_json::Value =
                serde_json::from_str(&line).map_err(|e| format!("prober said {line:?}: {e}"))?;
            if v.get("done").is_some() {
                break;
            }
            let r = v.get("result").and_then(|r| r.as_str()).unwrap_or("");
            out.push(if r == "accepted" {
                KernelOutcome::Accepted
            } else if r == "timeout" {
                KernelOutcome::TimedOut
            } else if let Some(e) = r.strip_prefix("refused:") {
                KernelOutcome::Refused(e.to_string())
            } else {
                KernelOutcome::Error(r.to_string())
            });
        }
        if out.len() != probes.len() {
            return Err(format!("prober answered {} of {}", out.len(), probes.len()));
        }
        Ok(out)
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        if let Some((mut child, stdin, _)) = self.prober.take() {
            drop(stdin);
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some(mut child) = self.listener.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = run(&["ip", "netns", "del", &self.origin], None);
        let _ = run(&["ip", "netns", "del", &self.proxy], None);
        for f in ["v4.rules", "v6.rules", "ruleset.nft"] {
            let _ = std::fs::remove_file(format!("/tmp/{}-{f}", self.origin));
        }
        if let Some(dir) = self.etc_dir.take() {
            let _ = std::fs::remove_dir_all(dir);
            // Only succeeds when no other run still uses it.
            let _ = std::fs::remove_dir("/etc/netns");
        }
    }
}
