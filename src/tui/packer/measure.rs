//! What a packer types for a box: a weight or a side, checked against the
//! station's limits, with a message that fits 20 columns.

/// A station's plausibility limits for what a packer types (`[floor]
/// max_weight_kg`, `max_side_mm`), inside the server's own
/// (`domain::packing::MAX_WEIGHT_G`, `MAX_SIDE_MM`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_weight_g: u64,
    pub max_side_mm: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_weight_g: 150_000, max_side_mm: 3_000 }
    }
}

/// A weight (g) or a side (mm) as typed: the number, or what is wrong with
/// it, in 20 columns.
pub fn measure(text: &str, weight: bool, limits: Limits) -> Result<u64, String> {
    let t = text.trim();
    if t.is_empty() || !t.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-')) {
        return Err("E001 not a number".into());
    }
    if t.starts_with('-') {
        return Err("E001 above zero".into());
    }
    if t.contains(['.', ',']) {
        return Err("E001 whole numbers".into());
    }
    // Only digits: a number too long for u64 is over any limit.
    let v = match t.parse::<u64>() {
        Ok(v) => v,
        Err(_) if t.chars().all(|c| c.is_ascii_digit()) => u64::MAX,
        Err(_) => return Err("E001 not a number".into()),
    };
    match (v, weight) {
        (0, _) => Err("E001 above zero".into()),
        (v, true) if v > limits.max_weight_g => Err(format!("E001 over {} kg", limits.max_weight_g / 1000)),
        (v, false) if v > u64::from(limits.max_side_mm) => Err(format!("E001 over {} mm", limits.max_side_mm)),
        (v, _) => Ok(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a typed measure gets: `check(text, weight?, answer)`.
    #[test]
    fn measures_say_what_is_wrong() {
        let check = |text: &str, weight: bool, want: Result<u64, &str>| {
            assert_eq!(measure(text, weight, Limits::default()), want.map_err(str::to_owned), "{text:?}");
        };
        check("350", true, Ok(350));
        check(" 3000 ", false, Ok(3000));
        check("0", true, Err("E001 above zero"));
        check("-5", false, Err("E001 above zero"));
        check("abc", true, Err("E001 not a number"));
        check("", true, Err("E001 not a number"));
        check("12.5", false, Err("E001 whole numbers"));
        check("99999999999", true, Err("E001 over 150 kg"));
        check("4000000000", false, Err("E001 over 3000 mm"));
        check("99999999999999999999999", false, Err("E001 over 3000 mm"));
        check("1-2", false, Err("E001 not a number"));
        for (text, weight) in [("150000", true), ("3000", false)] {
            assert!(measure(text, weight, Limits::default()).is_ok(), "{text} is at the limit");
        }
    }
}
