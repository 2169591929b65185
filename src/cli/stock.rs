//! `tote stock import` and `tote stock locations`.

use anyhow::{Context, Result, anyhow};
use chrono::{DateTime, NaiveDate, Utc};
use std::path::Path;
use tote::app::{AppError, Command, Services};

/// Columns a stock CSV must have.
const REQUIRED: [&str; 4] = ["warehouse", "location", "sku", "quantity"];
const KNOWN: [&str; 12] = [
    "warehouse",
    "location",
    "sku",
    "quantity",
    "received_at",
    "lot",
    "expiry",
    "walk_order",
    "check_digits",
    "name",
    "barcode",
    "listing_id",
];

pub fn import(svc: &Services, file: &Path) -> Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let rows = import_bytes(svc, &bytes, file)?;
    println!("imported {rows} stock rows from {} (a repeat import changes nothing)", file.display());
    Ok(())
}

/// Imports CSV `bytes` (named `file` in errors), all rows or none; returns the rows placed.
pub fn import_bytes(svc: &Services, bytes: &[u8], file: &Path) -> Result<usize> {
    let (ops, lines) = parse(bytes, &fnv1a(bytes)).map_err(|e| anyhow!("{}:{e}", file.display()))?;
    let rows = lines.iter().filter(|(_, place)| *place).count();
    match svc.execute_all(&ops) {
        Ok(_) => Ok(rows),
        Err(e) => {
            let line = e.index.and_then(|i| lines.get(i)).map(|(l, _)| *l);
            let what = match &e.error {
                // The message already names the field: "invalid quantity: ...".
                AppError::Rejected(r) => format!("{} {}", r.code, r.message),
                AppError::Storage(s) => s.to_string(),
            };
            match line {
                Some(l) => Err(anyhow!("{}:{l}: {what}; nothing was imported", file.display())),
                None => Err(anyhow!("{}: {what}; nothing was imported", file.display())),
            }
        }
    }
}

/// Ops with their ids, and for each op its source line and whether it places stock.
type Parsed = (Vec<(String, Command)>, Vec<(u64, bool)>);

/// Parses the CSV into ops; errors start with the line number.
fn parse(bytes: &[u8], hash: &str) -> Result<Parsed, String> {
    let mut rdr = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(bytes);
    let headers = rdr.headers().map_err(|e| format!("1: header: {e}"))?.clone();
    for h in headers.iter() {
        if !KNOWN.contains(&h) {
            return Err(format!("1: unknown column {h:?} (known: {})", KNOWN.join(", ")));
        }
    }
    for r in REQUIRED {
        if !headers.iter().any(|h| h == r) {
            return Err(format!("1: missing column {r:?}"));
        }
    }
    let (mut ops, mut lines) = (Vec::new(), Vec::new());
    for rec in rdr.records() {
        let rec = rec.map_err(|e| format!("{}: {e}", e.position().map_or(0, |p| p.line())))?;
        let line = rec.position().map_or(0, |p| p.line());
        let get =
            |name: &str| headers.iter().position(|h| h == name).and_then(|i| rec.get(i)).filter(|v| !v.is_empty());
        let bad = |field: &str, msg: String| format!("{line}: {field}: {msg}");
        let need = |name: &str| get(name).ok_or_else(|| bad(name, "is empty".into()));
        let (warehouse, location, sku) = (need("warehouse")?, need("location")?, need("sku")?);
        let quantity: u32 = need("quantity")?
            .parse()
            .map_err(|_| bad("quantity", format!("{:?} is not a whole number", get("quantity").unwrap_or_default())))?;
        let received_at = get("received_at").map(parse_time).transpose().map_err(|e| bad("received_at", e))?;
        let expiry = get("expiry")
            .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| format!("{d:?} is not YYYY-MM-DD")))
            .transpose()
            .map_err(|e| bad("expiry", e))?;
        let walk_order = get("walk_order")
            .map(|w| w.parse::<i64>().map_err(|_| format!("{w:?} is not a whole number")))
            .transpose()
            .map_err(|e| bad("walk_order", e))?;
        let op = |kind: &str| format!("import-{hash}-{line}-{kind}");
        if get("name").is_some() || get("barcode").is_some() || get("listing_id").is_some() {
            ops.push((
                op("product"),
                Command::DefineProduct {
                    sku: sku.into(),
                    name: get("name").unwrap_or_default().into(),
                    barcode: get("barcode").map(str::to_owned),
                    listing_id: get("listing_id").map(str::to_owned),
                },
            ));
            lines.push((line, false));
        }
        ops.push((
            op("place"),
            Command::PlaceStock {
                warehouse: warehouse.into(),
                location: location.into(),
                sku: sku.into(),
                quantity,
                received_at,
                lot: get("lot").map(str::to_owned),
                expiry,
            },
        ));
        lines.push((line, true));
        if walk_order.is_some() || get("check_digits").is_some() {
            ops.push((
                op("location"),
                Command::DefineLocation {
                    warehouse: warehouse.into(),
                    location: location.into(),
                    walk_order,
                    check_digits: get("check_digits").map(str::to_owned),
                },
            ));
            lines.push((line, false));
        }
    }
    if ops.is_empty() {
        return Err("2: no rows".into());
    }
    Ok((ops, lines))
}

/// RFC 3339, or a bare date taken as midnight UTC.
fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| format!("{s:?} is neither RFC 3339 nor YYYY-MM-DD"))
}

/// FNV-1a: a stable fingerprint of the file, so the same import has the same op ids.
fn fnv1a(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

pub fn locations(svc: &Services, warehouse: &str, sku: &str) -> Result<()> {
    let slots = svc.picking_locations(warehouse, sku)?;
    if slots.is_empty() {
        println!("no stock of {sku} in {warehouse}");
    }
    println!(
        "{:<12} {:>8} {:>8} {:>9}  {:<10} {:<10} lot",
        "location", "on hand", "reserved", "available", "received", "expiry"
    );
    for s in slots {
        println!(
            "{:<12} {:>8} {:>8} {:>9}  {:<10} {:<10} {}",
            s.location,
            s.on_hand,
            s.reserved,
            s.available,
            s.received_at.format("%Y-%m-%d").to_string(),
            s.expiry.as_deref().unwrap_or("-"),
            s.lot.as_deref().unwrap_or("-")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Ok(number of ops)` or `Err(prefix of the message)`.
    fn check(csv: &str, expected: Result<usize, &str>) {
        let got = parse(csv.as_bytes(), "h").map(|(ops, _)| ops.len());
        match (got, expected) {
            (Ok(n), Ok(e)) => assert_eq!(n, e),
            (Err(m), Err(e)) => assert!(m.starts_with(e), "{m:?} does not start with {e:?}"),
            (g, e) => panic!("got {g:?}, expected {e:?}"),
        }
    }

    #[test]
    fn csv_cases() {
        check("warehouse,location,sku,quantity\nW1,A-01,S1,5\n", Ok(1));
        check("warehouse,location,sku,quantity,name,walk_order\nW1,A-01,S1,5,Soap,3\n", Ok(3));
        check("warehouse,location,sku,quantity\nW1,A-01,S1,5\nW1,A-02,S1,x\n", Err("3: quantity:"));
        check("warehouse,location,sku,quantity\nW1,A-01,S1,-1\n", Err("2: quantity:"));
        check("warehouse,location,sku\nW1,A-01,S1\n", Err("1: missing column \"quantity\""));
        check("warehouse,location,sku,qty\n", Err("1: unknown column \"qty\""));
        check("warehouse,location,sku,quantity,expiry\nW1,A,S,1,31/12/2026\n", Err("2: expiry:"));
        check("warehouse,location,sku,quantity,received_at\nW1,A,S,1,2026-01-02\n", Ok(1));
        check("warehouse,location,sku,quantity\n,A,S,1\n", Err("2: warehouse: is empty"));
        check("warehouse,location,sku,quantity\n", Err("2: no rows"));
    }
}
