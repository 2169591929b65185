//! `tote printer test|status URI`: print a test label, show parsed `~HS`.

use anyhow::{Context, Result};
use std::time::Duration;
use tote::labels::{self, samples::sample};
use tote::printing::PrinterUri;

const TIMEOUT: Duration = Duration::from_secs(3);

pub fn test(uri: &str, template: &str) -> Result<()> {
    let printer: PrinterUri = uri.parse()?;
    let zpl = labels::render(template, &sample(template)).with_context(|| format!("rendering {template}"))?;
    let status = printer.print("test-label", zpl.as_bytes(), TIMEOUT, &mut || Ok(()))?;
    match status {
        Some(s) => eprintln!("test label ({template}) sent to {printer}; labels remaining: {}", s.labels_remaining),
        None => eprintln!("test label ({template}) sent to {printer} (no status channel)"),
    }
    Ok(())
}

pub fn status(uri: &str) -> Result<()> {
    let printer: PrinterUri = uri.parse()?;
    let s = printer.status(TIMEOUT)?;
    let problems = s.problems();
    println!(
        "{printer}: {}; labels remaining {}",
        if problems.is_empty() { "ready".to_owned() } else { format!("NOT READY ({})", problems.join(", ")) },
        s.labels_remaining
    );
    if !s.ready() {
        anyhow::bail!("printer not ready");
    }
    Ok(())
}
