//! GS1 numbers: the mod-10 check digit shared by GTIN and SSCC, and the
//! 18-digit SSCC of a logistic unit (application identifier 00).

use super::LabelError;

/// The GS1 check digit of `digits` (weights 3, 1, 3, … from the right).
pub fn check_digit(digits: &str) -> Result<u8, LabelError> {
    let mut sum = 0u32;
    for (i, c) in digits.chars().rev().enumerate() {
        let d = c.to_digit(10).ok_or_else(|| LabelError::Invalid {
            field: "digits".into(),
            reason: format!("{digits:?} has a non-digit"),
        })?;
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
pub fn sscc(extension: u8, company_prefix: &str, serial: u64) -> Result<String, LabelError> {
    let invalid = |reason: String| LabelError::Invalid { field: "sscc".into(), reason };
    if extension > 9 {
        return Err(invalid("the extension digit is 0 to 9".into()));
    }
    if !(6..=12).contains(&company_prefix.len()) || !company_prefix.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("a GS1 company prefix is 6 to 12 digits".into()));
    }
    let width = 16 - company_prefix.len();
    let serial_text = format!("{serial:0width$}");
    if serial_text.len() > width {
        return Err(invalid(format!("serial {serial} does not fit {width} digits")));
    }
    let body = format!("{extension}{company_prefix}{serial_text}");
    Ok(format!("{body}{}", check_digit(&body)?))
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
}
