//! `tote label render|list`: fill a built-in ZPL template from a JSON file.

use anyhow::{Context, Result};
use std::path::Path;
use tote::labels;

pub fn render(template: &str, data: &Path, out: Option<&Path>) -> Result<()> {
    let text = std::fs::read_to_string(data).with_context(|| format!("reading {}", data.display()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{}: not valid JSON", data.display()))?;
    let values = labels::data_from_json(&json).with_context(|| format!("{}", data.display()))?;
    let zpl = labels::render(template, &values).with_context(|| format!("rendering {template}"))?;
    match out {
        Some(path) => {
            std::fs::write(path, &zpl).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("{template} label written to {} ({} bytes)", path.display(), zpl.len());
        }
        None => print!("{zpl}"),
    }
    Ok(())
}

pub fn list() {
    for (name, source) in labels::templates::TEMPLATES {
        let mut keys: Vec<&str> = source.split("{{").skip(1).filter_map(|s| s.split("}}").next()).collect();
        keys.iter_mut().for_each(|k| *k = k.split(':').next().unwrap_or(k).trim());
        keys.sort_unstable();
        keys.dedup();
        println!("{name}: {}", keys.join(", "));
    }
}
