//! The scanner input layer: turns key presses (as the terminal reports
//! them) back into scans. Pure: keys and their times come in as values.
//!
//! A handheld's scanner types its barcode as keystrokes. crossterm reports
//! CR as Enter, LF as Ctrl+J and the GS1 separator GS (0x1D) as Ctrl+5
//! (FIELD-NOTES), so a naive handler turns `01…<GS>10…` into `01…510…`.
//! Here a scan ends at Enter, Ctrl+J or Tab; Ctrl+5 becomes GS again; an
//! optional configured prefix and an AIM symbology id (`]C1`, `]d2`, `]Q3`,
//! `]E0`, …) are stripped and reported; GS1 symbologies are parsed into
//! application identifiers. Keystroke timing is only a secondary signal
//! of scan-versus-typing (over SSH it is unreliable).

use crate::gs1::{self, Element, GS, Gs1Error};

/// A key, translated from the terminal's event at the TUI edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Enter,
    Tab,
    Backspace,
    /// A character with Control held: `Ctrl('j')` is LF, `Ctrl('5')` is GS.
    Ctrl(char),
}

/// A key and when it arrived (milliseconds on any monotonic clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyAt {
    pub key: Key,
    pub at_ms: u64,
}

/// The barcode type a scanner announced with an AIM identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Symbology {
    Code128,
    Gs1_128,
    DataMatrix,
    Gs1DataMatrix,
    Qr,
    Gs1Qr,
    Ean,
    Other(String),
}

impl Symbology {
    fn from_aim(id: &str) -> Symbology {
        match id {
            "C0" => Symbology::Code128,
            "C1" => Symbology::Gs1_128,
            "d1" => Symbology::DataMatrix,
            "d2" => Symbology::Gs1DataMatrix,
            "Q1" => Symbology::Qr,
            "Q3" => Symbology::Gs1Qr,
            "E0" | "E4" => Symbology::Ean,
            other => Symbology::Other(other.to_owned()),
        }
    }

    pub fn is_gs1(&self) -> bool {
        matches!(self, Symbology::Gs1_128 | Symbology::Gs1DataMatrix | Symbology::Gs1Qr)
    }
}

/// How this site's scanners are set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannerConfig {
    /// Characters the scanner sends before every scan, if configured.
    pub prefix: Option<String>,
    /// Keys closer together than this (on average) look like a scanner.
    pub max_gap_ms: u64,
    /// Shorter input is never taken for a scan by timing alone.
    pub min_len: usize,
}

impl Default for ScannerConfig {
    fn default() -> Self {
        ScannerConfig { prefix: None, max_gap_ms: 25, min_len: 4 }
    }
}

/// One finished input: what was scanned or typed, and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    /// The data, GS separators restored, prefix and AIM id removed.
    pub text: String,
    pub symbology: Option<Symbology>,
    /// For GS1 symbologies: the parsed application identifiers.
    pub gs1: Option<Result<Vec<Element>, Gs1Error>>,
    /// A prefix or AIM id was present (strong), or the keys came as fast
    /// as a scanner's (weak).
    pub from_scanner: bool,
}

/// Collects keys until a terminator, then yields a [`Scan`].
#[derive(Debug, Clone, Default)]
pub struct Assembler {
    config: ScannerConfig,
    buf: String,
    first_ms: Option<u64>,
    last_ms: u64,
    keys: u64,
}

impl Assembler {
    pub fn new(config: ScannerConfig) -> Self {
        Assembler { config, ..Assembler::default() }
    }

    /// What has been typed or scanned since the last terminator.
    pub fn pending(&self) -> &str {
        &self.buf
    }

    /// Drops the pending input (the screen's "clear" key).
    pub fn clear(&mut self) {
        self.buf.clear();
        self.first_ms = None;
        self.keys = 0;
    }

    /// Feeds one key; returns the finished input at a terminator.
    pub fn feed(&mut self, k: KeyAt) -> Option<Scan> {
        match k.key {
            Key::Enter | Key::Tab | Key::Ctrl('j' | 'J' | 'm' | 'M') => return self.finish(),
            Key::Ctrl('5') => self.push(GS, k.at_ms),
            Key::Char(c) => self.push(c, k.at_ms),
            Key::Backspace => {
                self.buf.pop();
            }
            Key::Ctrl(_) => {}
        }
        None
    }

    fn push(&mut self, c: char, at: u64) {
        self.first_ms.get_or_insert(at);
        self.last_ms = at;
        self.keys += 1;
        self.buf.push(c);
    }

    fn finish(&mut self) -> Option<Scan> {
        let raw = std::mem::take(&mut self.buf);
        let (first, keys) = (self.first_ms.take(), std::mem::take(&mut self.keys));
        if raw.is_empty() {
            return None;
        }
        let fast = keys >= self.config.min_len as u64
            && first.is_some_and(|f| (self.last_ms - f) <= self.config.max_gap_ms * (keys - 1).max(1));
        let mut text = raw.as_str();
        let mut marked = false;
        if let Some(p) = self.config.prefix.as_deref().filter(|p| !p.is_empty())
            && let Some(rest) = text.strip_prefix(p)
        {
            text = rest;
            marked = true;
        }
        let mut symbology = None;
        if let Some(rest) = text.strip_prefix(']')
            && let Some(id) = rest.get(..2)
        {
            symbology = Some(Symbology::from_aim(id));
            text = &rest[2..];
            marked = true;
        }
        let gs1 = symbology.as_ref().filter(|s| s.is_gs1()).map(|_| gs1::parse(text));
        Some(Scan { text: text.to_owned(), symbology, gs1, from_scanner: marked || fast })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys for `text` arriving `gap` ms apart, GS as Ctrl+5, then `end`.
    fn keys(text: &str, gap: u64, end: Key) -> Vec<KeyAt> {
        let mut t = 1_000;
        let mut out: Vec<KeyAt> = text
            .chars()
            .map(|c| {
                t += gap;
                KeyAt { key: if c == GS { Key::Ctrl('5') } else { Key::Char(c) }, at_ms: t }
            })
            .collect();
        out.push(KeyAt { key: end, at_ms: t + gap });
        out
    }

    fn run(a: &mut Assembler, ks: &[KeyAt]) -> Vec<Scan> {
        ks.iter().filter_map(|k| a.feed(*k)).collect()
    }

    #[test]
    fn a_gs1_datamatrix_scan_ending_in_lf_keeps_its_separator() {
        let mut a = Assembler::new(ScannerConfig::default());
        let data = format!("]d201095060001343521726120010LOT-7{GS}21SN42");
        let scans = run(&mut a, &keys(&data, 1, Key::Ctrl('j')));
        assert_eq!(scans.len(), 1);
        let s = &scans[0];
        assert_eq!(s.symbology, Some(Symbology::Gs1DataMatrix));
        assert_eq!(s.text, format!("01095060001343521726120010LOT-7{GS}21SN42"));
        assert!(s.from_scanner);
        let elements = s.gs1.clone().expect("gs1").expect("valid");
        assert!(elements.contains(&Element::Lot("LOT-7".into())), "{elements:?}");
        assert!(elements.contains(&Element::Serial("SN42".into())));
    }

    #[test]
    fn terminators_prefix_and_aim_ids() {
        let mut a = Assembler::new(ScannerConfig { prefix: Some("@".into()), ..ScannerConfig::default() });
        for end in [Key::Enter, Key::Tab, Key::Ctrl('j')] {
            let s = run(&mut a, &keys("@]C0A-01-02", 2, end));
            assert_eq!(s.len(), 1);
            assert_eq!((s[0].text.as_str(), s[0].symbology.clone()), ("A-01-02", Some(Symbology::Code128)));
            assert!(s[0].gs1.is_none(), "plain Code 128 is not parsed as GS1");
        }
        // A GS1-128 with a wrong check digit is reported, not swallowed.
        let s = run(&mut a, &keys("]C10109506000134353", 2, Key::Enter));
        assert!(matches!(s[0].gs1, Some(Err(_))));
        // Terminators alone produce nothing.
        assert!(run(&mut a, &keys("", 2, Key::Enter)).is_empty());
    }

    #[test]
    fn typing_is_told_from_scanning_by_timing_only_as_a_hint() {
        let mut a = Assembler::new(ScannerConfig::default());
        let typed = run(&mut a, &keys("4711", 180, Key::Enter));
        assert_eq!((typed[0].text.as_str(), typed[0].from_scanner), ("4711", false));
        let scanned = run(&mut a, &keys("4711", 3, Key::Enter));
        assert!(scanned[0].from_scanner);
        // Backspace edits typed input.
        let mut ks = keys("47x", 150, Key::Enter);
        ks.insert(3, KeyAt { key: Key::Backspace, at_ms: 1_460 });
        assert_eq!(run(&mut a, &ks)[0].text, "47");
    }
}
