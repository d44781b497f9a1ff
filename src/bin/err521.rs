//! `err521`: the same diagnosis as the page, for terminals and ticket
//! automation. See `err521 --help`.
#![forbid(unsafe_code)]

// The CLI is native only: on wasm32 the page's entry points are err521-web
// and err521-worker, and this stub keeps every binary building there.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use std::io::{Read, Write};
    use std::path::{Path, PathBuf};
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
    --jsonl                       Batch triage: FILE (or standard input) holds one ticket per
                                  line, {\"id\", \"inputs\": [{\"name\", \"text\"}], \"ssl_mode\", \"ports\"};
                                  prints one {\"id\", \"report\"} or {\"id\", \"line\", \"error\"} per
                                  line, in input order (docs/JSON.md)
    --threads N                   Threads for --jsonl (default: every core)

    Several FILEs are several inputs of one case (a ticket, a firewall dump, ...).
    A value may follow its option as `--format json` or `--format=json`; after
    `--`, every argument is a FILE (even one starting with `-`).

EXIT STATUS:
    0 a diagnosis was made (whatever it found), 2 usage error or unreadable file.

EXAMPLES:
    err521 diagnose ticket.txt
    sudo iptables-save | err521 diagnose --ssl-mode full
    err521 diagnose page.html ufw.txt --format json
    err521 explain firewall-blocks-cloudflare
    jq -c '{id, inputs: [{name: \"ticket\", text: .body}]}' export.jsonl | err521 diagnose --jsonl
    err521 collect > collect.sh; sudo sh collect.sh --host www.example.com
    sudo err521 collect --run --host www.example.com --ssl-mode full
";

    pub fn main() -> ExitCode {
        match run(lexopt::Parser::from_env()) {
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

    fn run(mut args: lexopt::Parser) -> Result<String, String> {
        use lexopt::Arg::{Long, Short, Value};
        match args.next().map_err(|e| e.to_string())? {
            None => Err("missing command; try `err521 --help`".into()),
            Some(Short('h') | Long("help")) => Ok(HELP.to_string()),
            Some(Short('V') | Long("version")) => {
                Ok(format!("err521 {}\n", env!("CARGO_PKG_VERSION")))
            }
            Some(Value(cmd)) => match cmd.to_string_lossy().as_ref() {
                "help" => Ok(HELP.to_string()),
                "diagnose" => diagnose(args, false),
                "collect" => diagnose(args, true),
                "explain" => explain(args),
                "ranges" => Ok(ranges()),
                other => Err(format!("unknown command `{other}`; try `err521 --help`")),
            },
            Some(other) => Err(format!(
                "unknown command `{}`; try `err521 --help`",
                shown(&other)
            )),
        }
    }

    /// An option as the person typed it, for messages.
    fn shown(arg: &lexopt::Arg<'_>) -> String {
        match arg {
            lexopt::Arg::Short(c) => format!("-{c}"),
            lexopt::Arg::Long(name) => format!("--{name}"),
            lexopt::Arg::Value(v) => v.to_string_lossy().into_owned(),
        }
    }

    enum Format {
        Text,
        Markdown,
        Json,
    }

    /// The value of the option just read (`--format json` or `--format=json`),
    /// as text.
    fn text_value(args: &mut lexopt::Parser, name: &str) -> Result<String, String> {
        let v = args.value().map_err(|_| format!("{name} needs a value"))?;
        v.into_string()
            .map_err(|v| format!("{name}: `{}` is not UTF-8", v.to_string_lossy()))
    }

    /// `diagnose`, or with `collecting`, `collect`: print collect.sh, or
    /// with `--run` run it with `sh` and diagnose what it printed.
    fn diagnose(mut args: lexopt::Parser, collecting: bool) -> Result<String, String> {
        use lexopt::Arg::{Long, Short, Value};
        let mut format = Format::Text;
        let mut options = Options::default();
        // Paths stay OsStrings: a file name need not be UTF-8.
        let mut files: Vec<PathBuf> = Vec::new();
        let mut redact = false;
        let mut format_given = false;
        let mut batch = false;
        let mut threads: Option<usize> = None;
        let mut run = false;
        let mut host: Option<String> = None;
        let mut first_option: Option<String> = None;
        while let Some(arg) = args.next().map_err(|e| e.to_string())? {
            if first_option.is_none() && !matches!(arg, Long("run")) {
                first_option = Some(shown(&arg));
            }
            match arg {
                Long("run") if collecting => run = true,
                Long("host") if collecting => host = Some(text_value(&mut args, "--host")?),
                Long("format") => {
                    format_given = true;
                    format = match text_value(&mut args, "--format")?.as_str() {
                        "text" => Format::Text,
                        "markdown" | "md" => Format::Markdown,
                        "json" => Format::Json,
                        other => {
                            return Err(format!("unknown format `{other}` (text, markdown, json)"))
                        }
                    }
                }
                Long("ssl-mode") => {
                    let v = text_value(&mut args, "--ssl-mode")?;
                    options.ssl_mode = SslMode::parse(&v).ok_or_else(|| {
                        format!("unknown SSL mode `{v}` (unknown, off, flexible, full, strict)")
                    })?;
                }
                Long("port") => {
                    let v = text_value(&mut args, "--port")?;
                    let port: u16 = v
                        .parse()
                        .ok()
                        .filter(|p| *p > 0)
                        .ok_or_else(|| format!("`{v}` is not a port (1-65535)"))?;
                    options.extra_ports.push(port);
                }
                Long("ranges") => {
                    let path = PathBuf::from(
                        args.value()
                            .map_err(|_| "--ranges needs a value".to_string())?,
                    );
                    let text = read_text(&path)?;
                    options.ranges = Ranges::parse(&text)
                        .ok_or_else(|| format!("{}: no Cloudflare ranges found", path.display()))?;
                }
                Long("redact") => redact = true,
                Long("jsonl") => batch = true,
                Long("threads") => {
                    let v = text_value(&mut args, "--threads")?;
                    let n = v
                        .parse()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| format!("`{v}` is not a thread count (1 or more)"))?;
                    threads = Some(n);
                }
                Short('h') | Long("help") => return Ok(HELP.to_string()),
                Value(file) => files.push(PathBuf::from(file)),
                other => return Err(format!("unknown option `{}`", shown(&other))),
            }
        }
        if collecting {
            if !run {
                if let Some(o) = first_option {
                    return Err(format!("`{o}` needs `collect --run`"));
                }
                return Ok(err521::collector::SCRIPT.to_string());
            }
            if let Some(f) = files.first() {
                return Err(format!("collect --run reads no files (`{}`)", f.display()));
            }
            let text = run_collector(host.as_deref())?;
            return Ok(render(
                &[CaseInput::new("collect.sh", text)],
                &options,
                format,
                redact,
            ));
        }
        if files.is_empty() {
            files.push(PathBuf::from("-"));
        }
        if threads.is_some() && !batch {
            return Err("--threads is for --jsonl".into());
        }
        if batch {
            if format_given && !matches!(format, Format::Json) {
                return Err("--jsonl writes JSON lines; drop --format".into());
            }
            let settings = err521::batch::Settings { options, redact };
            return jsonl(&files, threads, &settings);
        }
        let inputs = files
            .iter()
            .map(|f| {
                let name = if is_stdin(f) {
                    "stdin".to_string()
                } else {
                    f.to_string_lossy().into_owned()
                };
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
            err521::redact::redact(&out, &options.ranges)
        } else {
            out
        }
    }

    /// Run collect.sh with `sh`, the script on standard input; its own
    /// messages (stderr) go to the terminal.
    fn run_collector(host: Option<&str>) -> Result<String, String> {
        use std::process::{Command, Stdio};
        let mut cmd = Command::new("sh");
        cmd.args(["-s", "--"]);
        if let Some(h) = host {
            cmd.args(["--host", h]);
        }
        let mut child = cmd
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

    /// `diagnose --jsonl`: streams answers to standard output as each chunk
    /// of tickets is done, so nothing is returned to print.
    fn jsonl(
        files: &[PathBuf],
        threads: Option<usize>,
        settings: &err521::batch::Settings,
    ) -> Result<String, String> {
        let [path] = files else {
            return Err("--jsonl reads one FILE (or standard input)".into());
        };
        let threads = threads.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        });
        let stdin = std::io::stdin();
        let mut input: Box<dyn std::io::BufRead> = if is_stdin(path) {
            Box::new(stdin.lock())
        } else {
            let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
            Box::new(std::io::BufReader::new(file))
        };
        let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
        match err521::batch::run(&mut input, &mut stdout, threads, settings) {
            Ok(summary) => {
                if summary.errors > 0 {
                    eprintln!(
                        "err521: {} of {} tickets could not be read (see their \"error\")",
                        summary.errors, summary.tickets
                    );
                }
                Ok(String::new())
            }
            // A closed pipe (`| head`) ends the run quietly, as for one case.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(String::new()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    fn is_stdin(path: &Path) -> bool {
        path.as_os_str() == "-"
    }

    /// Read a file (or standard input for `-`) as text. Bytes that are not
    /// UTF-8 become U+FFFD: binary input is diagnosed as not understood, not a
    /// crash.
    fn read_text(path: &Path) -> Result<String, String> {
        let mut bytes = Vec::new();
        if is_stdin(path) {
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| format!("standard input: {e}"))?;
        } else {
            bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })
    }

    fn explain(mut args: lexopt::Parser) -> Result<String, String> {
        let id = match args.next().map_err(|e| e.to_string())? {
            Some(lexopt::Arg::Value(id)) => id.to_string_lossy().into_owned(),
            Some(other) => return Err(format!("unknown option `{}`", shown(&other))),
            None => return Err("explain needs a finding id".into()),
        };
        let id = FindingId::parse(&id).ok_or_else(|| {
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
            "{id}: {}\n\nWhat it means\n    {}\n\nA bad example\n{example}\nWhy it breaks\n    {}\n\nThe fix\n    {}\n\nWhat decides it\n    Confirmed by: {}\n    Ruled out by: {}\n    Stays unknown: {}\n",
            p.title, p.meaning, p.why, p.fix, p.confirms, p.rules_out, p.unknown
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
}
