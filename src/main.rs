//! The `tote` binary: parse the command line, run, report errors. `anyhow`
//! lives here and nowhere in the library.

mod cli;

use clap::Parser;
use std::io::IsTerminal;
use std::process::ExitCode;

/// mimalloc, not glibc's malloc: under `tote bench api` a fifth of the HTTP
/// side's CPU went to malloc and free (ADR 0048).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // Rust ignores SIGPIPE, so printing into a closed pipe (`tote … | head`)
    // panicked; with the default back, a command ends quietly as any Unix
    // tool does. Not for the server and the terminals: they outlive a pipe.
    if cli.prints_and_exits() {
        sigpipe::reset();
    }
    let (level, json) = cli.log_style();
    let filter = tracing_subscriber::EnvFilter::try_from_env("TOTE_LOG").unwrap_or_else(|_| level.into());
    let open = |p: std::path::PathBuf| {
        if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::OpenOptions::new().create(true).append(true).open(p)
    };
    let log = match cli.log_file().map(open) {
        Some(Ok(file)) => Some(file),
        Some(Err(e)) => {
            eprintln!("error: cannot open the log file: {e}");
            return ExitCode::FAILURE;
        }
        None => None,
    };
    let fmt = tracing_subscriber::fmt().with_env_filter(filter);
    match (log, json) {
        (Some(file), _) => fmt.with_ansi(false).with_writer(std::sync::Mutex::new(file)).init(),
        (None, true) => fmt.json().with_current_span(true).with_span_list(false).with_writer(std::io::stderr).init(),
        (None, false) => fmt.with_ansi(std::io::stderr().is_terminal()).with_writer(std::io::stderr).init(),
    }
    match cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
