//! Tracking numbers of the `local` carrier, in the UPU S10 shape: two
//! letters, eight digits, a check digit, a two-letter country code
//! (`TT12345678 5 RS` → `TT123456785RS`). Pure and deterministic: the same
//! idempotency key always gives the same number, so a retried shipment gets
//! the number it got the first time.

/// The S10 check digit of eight digits (weights 8 6 4 2 3 5 9 7, mod 11).
pub fn s10_check_digit(serial: u32) -> u8 {
    const WEIGHTS: [u32; 8] = [8, 6, 4, 2, 3, 5, 9, 7];
    let digits = format!("{serial:08}");
    let sum: u32 = digits.bytes().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    match 11 - sum % 11 {
        10 => 0,
        11 => 5,
        d => u8::try_from(d).unwrap_or(0),
    }
}

/// FNV-1a: a stable hash (the same on every machine and release).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// The tracking number for `key` (e.g. `shipment-{fulfillment}-pkg-{n}`).
pub fn tracking_number(key: &str, prefix: &str, country: &str) -> String {
    let serial = u32::try_from(fnv1a(key) % 100_000_000).unwrap_or(0);
    format!("{prefix}{serial:08}{}{country}", s10_check_digit(serial))
}

/// Whether `number` is a well-formed S10 number with a valid check digit.
pub fn is_valid(number: &str) -> bool {
    let b = number.as_bytes();
    if b.len() != 13 || !b[..2].iter().all(u8::is_ascii_uppercase) || !b[11..].iter().all(u8::is_ascii_uppercase) {
        return false;
    }
    match number[2..10].parse::<u32>() {
        Ok(serial) => number[10..11] == s10_check_digit(serial).to_string(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s10_numbers() {
        // The S10 worked example RR 47312482 9 GB: weighted sum 200, 11 - 200 mod 11 = 9.
        assert_eq!(s10_check_digit(47_312_482), 9);
        let a = tracking_number("shipment-1-pkg-1", "TT", "RS");
        assert!(is_valid(&a), "{a}");
        assert_eq!(a, tracking_number("shipment-1-pkg-1", "TT", "RS"), "deterministic");
        assert_ne!(a, tracking_number("shipment-1-pkg-2", "TT", "RS"), "one per package");
        assert!(!is_valid("TT123456784RS"));
        assert!(is_valid("TT123456785RS"));
    }
}
