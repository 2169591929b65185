//! Labels: ZPL templates (`labels/*.zpl`, compiled in) filled with data by a
//! small typed generator. Pure: no IO, no clock.
//!
//! A template is ZPL with placeholders `{{key}}` or `{{key:N}}` (at most N
//! characters, cut at N) or `{{key:N:bc}}` (a barcode's data: printable
//! ASCII, at most N, refused rather than cut). Every value is escaped for `^FH` (`^` → `_5E`, `~` → `_7E`,
//! `_` → `_5F`, control characters as `_XX`) so no customer's name can end a
//! field or start a command. Text is NFC-normalised, then cut to its
//! character limit and to the printed width its field has
//! ([`layout::Layout`]: up to the field block `^FB`, else the right margin),
//! at a word boundary where there is one, never inside a character. [`lint`] checks the rules a template must keep: `^CI28` first (UTF-8),
//! the page size, `^FH` before every field with a placeholder, and an explicit
//! `^BY` before every `^BQ` (QR codes move down by the `^BY` height otherwise).

pub mod layout;
pub mod samples;
pub mod templates;

use std::collections::BTreeMap;

/// Values for a template's placeholders, by key.
pub type Data = BTreeMap<String, String>;

/// Why a label could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    #[error("unknown label template {0:?}; known: shipping, gs1, tote, location")]
    UnknownTemplate(String),
    #[error("label data lacks {0:?}")]
    Missing(String),
    #[error("invalid {field}: {reason}")]
    Invalid { field: String, reason: String },
    #[error("template {template}: {problem}")]
    Template { template: String, problem: String },
}

impl From<crate::gs1::Gs1Error> for LabelError {
    fn from(e: crate::gs1::Gs1Error) -> Self {
        match e {
            crate::gs1::Gs1Error::Invalid { what, reason } => LabelError::Invalid { field: what, reason },
        }
    }
}

/// Escapes `text` for a field introduced by `^FH` (the default `_` hex
/// indicator).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '^' | '~' | '_' => out.push_str(&format!("_{:02X}", c as u32)),
            c if (c as u32) < 0x20 || c as u32 == 0x7F => out.push_str(&format!("_{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// A barcode's data (`{{key:N:bc}}`): printable ASCII only and at most
/// `max` characters, else refused; never truncated, since a barcode that
/// decodes to something else is worse than none.
fn barcode_value<'v>(key: &str, value: &'v str, max: Option<usize>) -> Result<&'v str, LabelError> {
    let invalid = |reason: String| LabelError::Invalid { field: key.to_owned(), reason };
    if value.is_empty() {
        return Err(invalid("a barcode needs data".into()));
    }
    if let Some(c) = value.chars().find(|c| !(' '..='~').contains(c)) {
        return Err(invalid(format!("{c:?} cannot be encoded in the barcode (printable ASCII only)")));
    }
    match max {
        Some(n) if value.len() > n => {
            Err(invalid(format!("{} characters do not fit the barcode (at most {n})", value.len())))
        }
        _ => Ok(value),
    }
}

/// At most `max` characters of `text` (whole characters, never bytes),
/// cut at a word boundary when there is one.
pub fn truncate(text: &str, max: usize) -> &str {
    layout::cut(text, |t| t.chars().count() <= max)
}

/// Fills `template` with `data`: each placeholder gets its value, truncated
/// then escaped. A placeholder without a value is an error naming it.
pub fn fill(template: &str, data: &Data) -> Result<String, LabelError> {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    let mut layout = layout::Layout::default();
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        layout.advance(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or_else(|| LabelError::Template {
            template: "inline".into(),
            problem: "a {{ placeholder is not closed".into(),
        })?;
        let spec = after[..end].trim();
        let mut parts = spec.split(':').map(str::trim);
        let key = parts.next().unwrap_or_default();
        let max = parts.next().and_then(|n| n.parse::<usize>().ok());
        let barcode = parts.next() == Some("bc");
        let value = data.get(key).ok_or_else(|| LabelError::Missing(key.to_owned()))?;
        let value = if barcode {
            barcode_value(key, value, max)?.to_owned()
        } else {
            let value = layout::nfc(value);
            layout.fit(max.map_or(value.as_str(), |n| truncate(&value, n)))
        };
        out.push_str(&escape(&value));
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The rules every template keeps; an empty list means it passes.
pub fn lint(template: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let body = template.trim_start();
    if !body.starts_with("^XA") {
        problems.push("must start with ^XA".to_owned());
    }
    let after_xa = body.trim_start_matches("^XA").trim_start();
    if !after_xa.starts_with("^CI28") {
        problems.push("^CI28 (UTF-8) must come first after ^XA".to_owned());
    }
    for cmd in ["^PW", "^LL", "^LH0,0"] {
        if !template.contains(cmd) {
            problems.push(format!("missing {cmd}"));
        }
    }
    if !template.trim_end().ends_with("^XZ") {
        problems.push("must end with ^XZ".to_owned());
    }
    // Fields: from ^FO/^FT to ^FS.
    for field in template.split("^FS").filter(|f| f.contains("^FD")) {
        let (head, data) = field.split_once("^FD").unwrap_or((field, ""));
        if data.contains("{{") && !head.contains("^FH") {
            problems.push(format!("field with a placeholder lacks ^FH: {}", field.trim()));
        }
    }
    let mut by_seen = false;
    for part in template.split('^').skip(1) {
        if part.starts_with("BY") {
            by_seen = true;
        }
        if part.starts_with("BQ") && !by_seen {
            problems.push("^BQ (QR) without an explicit ^BY before it".to_owned());
        }
    }
    problems
}

/// Fills the named built-in template. What a template's barcodes need is
/// checked on this one path, whoever calls it (the packer, `tote label
/// render`): an SSCC is 18 digits with its check digit.
pub fn render(template: &str, data: &Data) -> Result<String, LabelError> {
    let text = templates::source(template).ok_or_else(|| LabelError::UnknownTemplate(template.to_owned()))?;
    if template == "gs1" {
        let sscc = data.get("sscc").ok_or_else(|| LabelError::Missing("sscc".into()))?;
        templates::check_sscc(sscc)?;
    }
    let mut data = data.clone();
    if template == "location" {
        // The code's type size shrinks with its length, so all of it fits
        // the label's width (A0 is about 0.6 of its height wide).
        let n = data.get("location").map_or(1, |l| l.chars().count().max(1));
        let size = (750 * 10 / (n * 6)).clamp(28, 90);
        data.insert("location_size".into(), size.to_string());
    }
    fill(text, &data)
}

/// Flattens a JSON object into template data: nested keys joined with `.`,
/// numbers and booleans as text. Arrays are refused.
pub fn data_from_json(value: &serde_json::Value) -> Result<Data, LabelError> {
    fn walk(prefix: &str, v: &serde_json::Value, out: &mut Data) -> Result<(), LabelError> {
        use serde_json::Value as V;
        match v {
            V::Object(map) => {
                for (k, v) in map {
                    let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                    walk(&key, v, out)?;
                }
            }
            V::String(s) => {
                out.insert(prefix.to_owned(), s.clone());
            }
            V::Number(n) => {
                out.insert(prefix.to_owned(), n.to_string());
            }
            V::Bool(b) => {
                out.insert(prefix.to_owned(), b.to_string());
            }
            V::Null => {
                out.insert(prefix.to_owned(), String::new());
            }
            V::Array(_) => {
                return Err(LabelError::Invalid {
                    field: prefix.to_owned(),
                    reason: "lists are not label data".into(),
                });
            }
        }
        Ok(())
    }
    if !value.is_object() {
        return Err(LabelError::Invalid { field: "data".into(), reason: "must be a JSON object".into() });
    }
    let mut out = Data::new();
    walk("", value, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests;
