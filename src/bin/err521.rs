//! `err521`: the same diagnosis as the page, for terminals and ticket
//! automation. See `err521 --help`.
#![forbid(unsafe_code)]

use std::io::{Read, Write};
use std::process::ExitCode;

use err521::cloudflare::Ranges;
use err521::diagnose::FindingId;
use err521::options::{Options, SslMode};
use err521::parse::CaseInput;
use err521::report;

const HELP: &str = "\
err521: explain Cloudflare error 521 from pasted diagnostics, and write the fix.

USAGE:
    err521 diagnose [FILE ...] [OPTIONS]   Diagnose one case (no FILE or \"-\": standard input)
    err521 explain ID                      Show the page of a finding id
    err521 ranges                          Show the bundled Cloudflare ranges and their date
    err521 collect                         Print collect.sh, the read-only collector for the origin
    err521 collect --run [--host NAME] [DIAGNOSE OPTIONS]
                                           Run collect.sh here (as root) and diagnose its output
    err521 --help | --version

DIAGNOSE OPTIONS:
    --format text|markdown|json   Output format (default text; markdown is a ticket reply)
    --ssl-mode MODE               unknown|off|flexible|full|strict (default unknown: checks 80 and 443)
    --port N                      An extra origin port Cloudflare uses (repeatable)
    --ranges FILE                 Cloudflare ranges: the API JSON, or one CIDR per line
    --redact                      Mask public IPs, host names and Ray IDs in the output
                                  (consistently; Cloudflare's own ranges stay readable)

    Several FILEs are several inputs of one case (a ticket, a firewall dump, ...).

EXIT STATUS:
    0 a diagnosis was made (whatever it found), 2 usage error or unreadable file.

EXAMPLES:
    err521 diagnose ticket.txt
    sudo iptables-save | err521 diagnose --ssl-mode full
    err521 diagnose page.html ufw.txt --format json
    err521 explain firewall-blocks-cloudflare
    err521 collect > collect.sh; sudo sh collect.sh --host www.example.com
    sudo err521 collect --run --host www.example.com --ssl-mode full
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth reporting.
            let _ = stdout.write_all(out.as_bytes());
            ExitCode::SUCCESS
        }
        Err(msg) => {
            eprintln!("err521: {msg}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<String, String> {
    let Some(cmd) = args.first() else {
        return Err("missing command; try `err521 --help`".into());
    };
    match cmd.as_str() {
        "-h" | "--help" | "help" => Ok(HELP.to_string()),
        "-V" | "--version" => Ok(format!("err521 {}\n", env!("CARGO_PKG_VERSION"))),
        "diagnose" => diagnose(args.get(1..).unwrap_or(&[]), None),
        "collect" => collect(args.get(1..).unwrap_or(&[])),
        "explain" => explain(args.get(1..).unwrap_or(&[])),
        "ranges" => Ok(ranges()),
        other => Err(format!("unknown command `{other}`; try `err521 --help`")),
    }
}

enum Format {
    Text,
    Markdown,
    Json,
}

/// `collect`: print the script; `collect --run`: run it with `sh` and
/// diagnose what it printed, with the options of `diagnose`.
fn collect(args: &[String]) -> Result<String, String> {
    let mut run = false;
    let mut script_args: Vec<String> = Vec::new();
    let mut rest: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--run" => run = true,
            "--host" => {
                let host = it.next().ok_or("--host needs a value")?;
                script_args.extend(["--host".to_string(), host.clone()]);
            }
            "-h" | "--help" => return Ok(HELP.to_string()),
            other => rest.push(other.to_string()),
        }
    }
    if !run {
        if let Some(extra) = rest.first().or(script_args.first()) {
            return Err(format!("`{extra}` needs `collect --run`"));
        }
        return Ok(err521::collector::SCRIPT.to_string());
    }
    let output = run_script(&script_args)?;
    diagnose(&rest, Some(output))
}

/// Run collect.sh with `sh`, the script on standard input; its own
/// messages (stderr) go to the terminal.
fn run_script(args: &[String]) -> Result<String, String> {
    use std::process::{Command, Stdio};
    let mut child = Command::new("sh")
        .arg("-s")
        .arg("--")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot run sh: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(err521::collector::SCRIPT.as_bytes())
            .map_err(|e| format!("cannot pass collect.sh to sh: {e}"))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("collect.sh: {e}"))?;
    if !out.status.success() {
        return Err(format!("collect.sh failed ({})", out.status));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `collected`: the output of collect.sh to diagnose instead of files.
fn diagnose(args: &[String], collected: Option<String>) -> Result<String, String> {
    let mut format = Format::Text;
    let mut options = Options::default();
    let mut files: Vec<String> = Vec::new();
    let mut redact = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match arg.as_str() {
            "--format" => {
                format = match value("--format")?.as_str() {
                    "text" => Format::Text,
                    "markdown" | "md" => Format::Markdown,
                    "json" => Format::Json,
                    other => {
                        return Err(format!("unknown format `{other}` (text, markdown, json)"))
                    }
                }
            }
            "--ssl-mode" => {
                let v = value("--ssl-mode")?;
                options.ssl_mode = SslMode::parse(&v).ok_or_else(|| {
                    format!("unknown SSL mode `{v}` (unknown, off, flexible, full, strict)")
                })?;
            }
            "--port" => {
                let v = value("--port")?;
                let port: u16 = v
                    .parse()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| format!("`{v}` is not a port (1-65535)"))?;
                options.extra_ports.push(port);
            }
            "--ranges" => {
                let path = value("--ranges")?;
                let text = read_text(&path)?;
                options.ranges = Ranges::parse(&text)
                    .ok_or_else(|| format!("{path}: no Cloudflare ranges found"))?;
            }
            "--redact" => redact = true,
            "-h" | "--help" => return Ok(HELP.to_string()),
            flag if flag.starts_with("--") => return Err(format!("unknown option `{flag}`")),
            file => files.push(file.to_string()),
        }
    }
    if let Some(text) = collected {
        if let Some(f) = files.first() {
            return Err(format!("collect --run reads no files (`{f}`)"));
        }
        return Ok(render(
            &[CaseInput::new("collect.sh", text)],
            &options,
            format,
            redact,
        ));
    }
    if files.is_empty() {
        files.push("-".to_string());
    }
    let inputs = files
        .iter()
        .map(|f| {
            let name = if f == "-" { "stdin" } else { f.as_str() };
            read_text(f).map(|text| CaseInput::new(name, text))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(render(&inputs, &options, format, redact))
}

fn render(inputs: &[CaseInput], options: &Options, format: Format, redact: bool) -> String {
    // The diagnosis reads the real values; only what is printed is masked.
    let report = err521::analyze(inputs, options);
    let out = match format {
        Format::Text => report::text::render(&report),
        Format::Markdown => report::markdown::render(&report),
        Format::Json => report::json::render(&report) + "\n",
    };
    if redact {
        err521::redact::redact(&out)
    } else {
        out
    }
}

/// Read a file (or standard input for `-`) as text. Bytes that are not
/// UTF-8 become U+FFFD: binary input is diagnosed as not understood, not a
/// crash.
fn read_text(path: &str) -> Result<String, String> {
    let mut bytes = Vec::new();
    if path == "-" {
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("standard input: {e}"))?;
    } else {
        bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

fn explain(args: &[String]) -> Result<String, String> {
    let id = args.first().ok_or("explain needs a finding id")?;
    let id = FindingId::parse(id).ok_or_else(|| {
        let known: Vec<&str> = err521::diagnose::catalog::ALL
            .iter()
            .map(|i| i.as_str())
            .collect();
        format!("unknown finding id `{id}`; known: {}", known.join(", "))
    })?;
    let p = id.page();
    let example: String = p
        .bad_example
        .lines()
        .map(|l| format!("    {l}\n"))
        .collect();
    Ok(format!(
        "{id}: {}\n\nWhat it means\n    {}\n\nA bad example\n{example}\nWhy it breaks\n    {}\n\nThe fix\n    {}\n",
        p.title, p.meaning, p.why, p.fix
    ))
}

fn ranges() -> String {
    let r = Ranges::bundled();
    let mut out = format!(
        "Cloudflare ranges (bundled; last changed upstream {})\n",
        r.date.as_deref().unwrap_or("unknown")
    );
    for range in &r.ranges {
        out.push_str(&format!("{range}\n"));
    }
    if !r.retired.is_empty() {
        out.push_str("Retired (no longer used by Cloudflare):\n");
        for range in &r.retired {
            out.push_str(&format!("{range}\n"));
        }
    }
    out
}
