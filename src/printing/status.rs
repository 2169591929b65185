//! The answer to `~HS` (host status), parsed. Pure.
//!
//! A Zebra printer answers three strings, each `<STX>…<ETX><CR><LF>`:
//! string 1 field 2 is "paper out", field 3 "pause"; string 2 field 3 is
//! "head up", field 4 "ribbon out", field 9 the labels remaining in the
//! batch. A printer with media out or head open may not answer at all, so
//! the caller treats silence as "not ready", never as success.

/// What a printer reports about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PrinterStatus {
    pub paper_out: bool,
    pub paused: bool,
    pub head_up: bool,
    pub ribbon_out: bool,
    pub labels_remaining: u32,
}

impl PrinterStatus {
    /// Ready to print: nothing is out, up or paused.
    pub fn ready(&self) -> bool {
        !(self.paper_out || self.paused || self.head_up || self.ribbon_out)
    }

    /// The problems, as short words for a 20-column screen.
    pub fn problems(&self) -> Vec<&'static str> {
        let mut p = Vec::new();
        for (on, what) in [
            (self.paper_out, "paper out"),
            (self.paused, "paused"),
            (self.head_up, "head up"),
            (self.ribbon_out, "ribbon out"),
        ] {
            if on {
                p.push(what);
            }
        }
        p
    }
}

/// Why an answer could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    #[error("incomplete ~HS answer: {0} of 3 strings")]
    Incomplete(usize),
    #[error("~HS string {string} field {field} is not a number: {value:?}")]
    Field { string: usize, field: usize, value: String },
}

/// The complete `<STX>…<ETX>` strings in `bytes`, in order.
pub fn frames(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while let Some(start) = rest.iter().position(|b| *b == 0x02) {
        let after = &rest[start + 1..];
        let Some(end) = after.iter().position(|b| *b == 0x03) else { break };
        out.push(String::from_utf8_lossy(&after[..end]).into_owned());
        rest = &after[end + 1..];
    }
    out
}

/// Parses the three `~HS` strings.
pub fn parse(bytes: &[u8]) -> Result<PrinterStatus, StatusError> {
    let f = frames(bytes);
    if f.len() < 3 {
        return Err(StatusError::Incomplete(f.len()));
    }
    let field = |s: usize, n: usize| -> Result<u32, StatusError> {
        let value = f[s - 1].split(',').nth(n - 1).unwrap_or("").trim().to_owned();
        value.parse::<u32>().map_err(|_| StatusError::Field { string: s, field: n, value })
    };
    Ok(PrinterStatus {
        paper_out: field(1, 2)? == 1,
        paused: field(1, 3)? == 1,
        head_up: field(2, 3)? == 1,
        ribbon_out: field(2, 4)? == 1,
        labels_remaining: field(2, 9)?,
    })
}

/// A `~HS` answer for the given state: what a fake printer sends in tests.
pub fn answer(s: &PrinterStatus) -> Vec<u8> {
    let b = |on: bool| u8::from(on);
    format!(
        "\u{2}030,{},{},1245,000,0,0,0,000,0,0,0\u{3}\r\n\u{2}001,0,{},{},0,0,0,0,{:08},0,000\u{3}\r\n\u{2}1234,0\u{3}\r\n",
        b(s.paper_out),
        b(s.paused),
        b(s.head_up),
        b(s.ribbon_out),
        s.labels_remaining
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_flag_and_the_count() {
        let ok = PrinterStatus { labels_remaining: 42, ..Default::default() };
        assert_eq!(parse(&answer(&ok)), Ok(ok));
        assert!(ok.ready());
        for s in [
            PrinterStatus { paper_out: true, ..ok },
            PrinterStatus { paused: true, ..ok },
            PrinterStatus { head_up: true, ..ok },
            PrinterStatus { ribbon_out: true, ..ok },
        ] {
            let back = parse(&answer(&s)).expect("parse");
            assert_eq!(back, s);
            assert!(!back.ready());
            assert_eq!(back.problems().len(), 1);
        }
    }

    #[test]
    fn partial_or_garbled_answers_are_errors() {
        let full = answer(&PrinterStatus::default());
        assert_eq!(parse(&full[..20]), Err(StatusError::Incomplete(0)));
        assert_eq!(parse(&full[..full.len() - 10]), Err(StatusError::Incomplete(2)));
        assert!(matches!(
            parse(b"\x02a,x,0\x03\x02b\x03\x02c\x03"),
            Err(StatusError::Field { string: 1, field: 2, .. })
        ));
    }
}
