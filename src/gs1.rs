//! GS1 numbers and element strings. Pure.
//!
//! - The mod-10 check digit shared by GTIN and SSCC, and the 18-digit SSCC
//!   of a logistic unit (application identifier 00), for labels.
//! - Parsing a scanned GS1 element string into application identifiers:
//!   00 SSCC, 01 GTIN, 10 lot, 17 expiry, 21 serial, 37 count, 310x net
//!   weight; check digits validated. Variable-length fields end at the GS
//!   separator (0x1D) or at the end of the scan.

use chrono::NaiveDate;

/// The GS1 group separator that ends a variable-length field.
pub const GS: char = '\u{1d}';

/// Why a GS1 number or element string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Gs1Error {
    #[error("{what}: {reason}")]
    Invalid { what: String, reason: String },
}

fn invalid(what: &str, reason: impl Into<String>) -> Gs1Error {
    Gs1Error::Invalid { what: what.to_owned(), reason: reason.into() }
}

/// The GS1 check digit of `digits` (weights 3, 1, 3, … from the right).
pub fn check_digit(digits: &str) -> Result<u8, Gs1Error> {
    let mut sum = 0u32;
    for (i, c) in digits.chars().rev().enumerate() {
        let d = c.to_digit(10).ok_or_else(|| invalid("digits", format!("{digits:?} has a non-digit")))?;
        sum += d * if i % 2 == 0 { 3 } else { 1 };
    }
    Ok(u8::try_from((10 - sum % 10) % 10).unwrap_or(0))
}

/// Whether `number` (check digit last) is a valid GS1 number.
pub fn is_valid(number: &str) -> bool {
    match number.len().checked_sub(1) {
        Some(n) if n > 0 => {
            let (body, last) = number.split_at(n);
            check_digit(body).is_ok_and(|d| last == d.to_string())
        }
        _ => false,
    }
}

/// An SSCC: extension digit, GS1 company prefix, serial reference padded to
/// fill 17 digits, then the check digit.
pub fn sscc(extension: u8, company_prefix: &str, serial: u64) -> Result<String, Gs1Error> {
    if extension > 9 {
        return Err(invalid("sscc", "the extension digit is 0 to 9"));
    }
    if !(6..=12).contains(&company_prefix.len()) || !company_prefix.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("sscc", "a GS1 company prefix is 6 to 12 digits"));
    }
    let width = 16 - company_prefix.len();
    let serial_text = format!("{serial:0width$}");
    if serial_text.len() > width {
        return Err(invalid("sscc", format!("serial {serial} does not fit {width} digits")));
    }
    let body = format!("{extension}{company_prefix}{serial_text}");
    Ok(format!("{body}{}", check_digit(&body)?))
}

/// One application identifier and its value. On the wire it is one key
/// naming the element: `{"gtin": "09506000134352"}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Element {
    /// AI 00: the 18-digit SSCC.
    Sscc(String),
    /// AI 01: the 14-digit GTIN.
    Gtin(String),
    /// AI 10: batch or lot.
    Lot(String),
    /// AI 17: expiry date (day 00 means the last day of the month).
    Expiry(NaiveDate),
    /// AI 21: serial number.
    Serial(String),
    /// AI 37: count of trade items.
    Count(u32),
    /// AI 310x: net weight in grams (from kilograms with x decimals).
    NetWeightGrams(u64),
}

/// Parses an element string such as `0109506000134352` `17261231` `10LOT7`
/// (variable-length fields separated by GS). A leading FNC1/GS is ignored.
pub fn parse(scan: &str) -> Result<Vec<Element>, Gs1Error> {
    let mut rest = scan.trim_start_matches(GS);
    let mut out = Vec::new();
    while !rest.is_empty() {
        let ai2 = rest.get(..2).ok_or_else(|| invalid("gs1", format!("truncated at {rest:?}")))?;
        let (element, after) = match ai2 {
            "00" => fixed(rest, 2, 18, |v| check(v, "SSCC").map(|()| Element::Sscc(v.to_owned())))?,
            "01" => fixed(rest, 2, 14, |v| check(v, "GTIN").map(|()| Element::Gtin(v.to_owned())))?,
            "17" => fixed(rest, 2, 6, |v| date(v).map(Element::Expiry))?,
            "10" => variable(rest, 2, 20, |v| Ok(Element::Lot(v.to_owned())))?,
            "21" => variable(rest, 2, 20, |v| Ok(Element::Serial(v.to_owned())))?,
            "37" => variable(rest, 2, 8, |v| {
                v.parse().map(Element::Count).map_err(|_| invalid("AI 37", format!("{v:?} is not a count")))
            })?,
            "31" if rest.get(2..3) == Some("0") => {
                let decimals = rest
                    .get(3..4)
                    .and_then(|d| d.parse::<u32>().ok())
                    .ok_or_else(|| invalid("AI 310x", "the fourth digit gives the decimals"))?;
                fixed(rest, 4, 6, |v| weight(v, decimals).map(Element::NetWeightGrams))?
            }
            other => return Err(invalid("gs1", format!("unsupported application identifier {other}"))),
        };
        out.push(element);
        rest = after.trim_start_matches(GS);
    }
    Ok(out)
}

type Parsed<'a> = (Element, &'a str);

fn fixed<'a>(
    s: &'a str,
    ai: usize,
    len: usize,
    f: impl Fn(&str) -> Result<Element, Gs1Error>,
) -> Result<Parsed<'a>, Gs1Error> {
    let value =
        s.get(ai..ai + len).ok_or_else(|| invalid(&format!("AI {}", &s[..ai]), format!("needs {len} digits")))?;
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(&format!("AI {}", &s[..ai]), format!("{value:?} is not {len} digits")));
    }
    Ok((f(value)?, &s[ai + len..]))
}

fn variable<'a>(
    s: &'a str,
    ai: usize,
    max: usize,
    f: impl Fn(&str) -> Result<Element, Gs1Error>,
) -> Result<Parsed<'a>, Gs1Error> {
    let body = &s[ai..];
    let end = body.find(GS).unwrap_or(body.len());
    let value = &body[..end];
    if value.is_empty() || value.chars().count() > max {
        return Err(invalid(
            &format!("AI {}", &s[..ai]),
            format!("1 to {max} characters, got {}", value.chars().count()),
        ));
    }
    Ok((f(value)?, &body[end..]))
}

fn check(v: &str, what: &str) -> Result<(), Gs1Error> {
    if is_valid(v) { Ok(()) } else { Err(invalid(what, format!("{v} has a wrong check digit"))) }
}

fn date(v: &str) -> Result<NaiveDate, Gs1Error> {
    let n = |r: std::ops::Range<usize>| v[r].parse::<u32>().unwrap_or(0);
    let (yy, mm, dd) = (n(0..2), n(2..4), n(4..6));
    // GS1's century rule simplified to 2000–2099, which covers live stock.
    let year = 2000 + i32::try_from(yy).unwrap_or(0);
    let day = if dd == 0 {
        // Day 00: the last day of the month.
        NaiveDate::from_ymd_opt(year + i32::from(mm == 12), if mm == 12 { 1 } else { mm + 1 }, 1)
            .and_then(|d| d.pred_opt())
    } else {
        NaiveDate::from_ymd_opt(year, mm, dd)
    };
    day.ok_or_else(|| invalid("AI 17", format!("{v} is not a date (YYMMDD)")))
}

fn weight(v: &str, decimals: u32) -> Result<u64, Gs1Error> {
    let raw: u64 = v.parse().map_err(|_| invalid("AI 310x", "not a number"))?;
    if decimals > 6 {
        return Err(invalid("AI 310x", "at most 6 decimals"));
    }
    // kg × 1000 = g; with `decimals` implied decimals.
    let grams = u128::from(raw) * 1000 / 10u128.pow(decimals);
    u64::try_from(grams).map_err(|_| invalid("AI 310x", "too heavy"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_numbers() {
        // GS1's own examples: GTIN-13 4006381333931, SSCC 106141411234567897.
        assert_eq!(check_digit("400638133393").expect("digits"), 1);
        assert!(is_valid("4006381333931"));
        assert!(!is_valid("4006381333932"));
        assert_eq!(sscc(1, "0614141", 123_456_789).expect("sscc"), "106141411234567897");
        assert!(sscc(1, "0614141", 1_000_000_000).is_err());
        assert!(sscc(1, "06x4141", 1).is_err());
    }

    #[test]
    fn element_strings() {
        let scan = format!("01095060001343521726120010LOT-7{GS}21SN42{GS}3103001250");
        let e = parse(&scan).expect("parse");
        assert_eq!(
            e,
            vec![
                Element::Gtin("09506000134352".into()),
                Element::Expiry(NaiveDate::from_ymd_opt(2026, 12, 31).expect("date")),
                Element::Lot("LOT-7".into()),
                Element::Serial("SN42".into()),
                Element::NetWeightGrams(1250),
            ]
        );
        assert_eq!(parse("00106141411234567897").expect("sscc"), vec![Element::Sscc("106141411234567897".into())]);
        assert_eq!(parse(&format!("{GS}3712")).expect("count"), vec![Element::Count(12)]);
    }

    #[test]
    fn bad_element_strings_say_why() {
        assert!(parse("0109506000134353").is_err(), "wrong GTIN check digit");
        assert!(parse("00106141411234567898").is_err(), "wrong SSCC check digit");
        assert!(parse("17261332").is_err(), "month 13");
        assert!(parse("010950600013").is_err(), "short GTIN");
        assert!(parse("99X").is_err(), "unsupported AI");
        assert!(parse(&format!("10{GS}")).is_err(), "empty lot");
        assert!(parse("10ABCDEFGHIJKLMNOPQRSTU").is_err(), "lot longer than 20");
    }
}
