//! What a picker scanned, as it crosses from the handheld to the server
//! and into the store: one definition for the floor op, the command and
//! the pick's stored evidence, so a new scan field is declared once.

use crate::domain::picking::ItemScan;
use crate::gs1::Element;
use serde::{Deserialize, Serialize};

/// What a scanner (or the keyboard) gave: the text as read, and for a GS1
/// symbol the elements the device parsed from it. It is the evidence of a
/// pick: the server checks it with the same rule as the device
/// ([`crate::domain::picking::item_scan_matches`]) and stores it with the
/// pick. A bare string is accepted too (typed text, no GS1 elements).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(from = "ScannedWire")]
pub struct Scanned {
    pub text: String,
    #[serde(default)]
    pub gs1: Vec<Element>,
}

/// A plain scan is written as its text alone (as before scans carried
/// GS1 elements), so stored requests and queued ops keep their form.
impl Serialize for Scanned {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        if self.gs1.is_empty() {
            return s.serialize_str(&self.text);
        }
        let mut st = s.serialize_struct("Scanned", 2)?;
        st.serialize_field("text", &self.text)?;
        st.serialize_field("gs1", &self.gs1)?;
        st.end()
    }
}

/// The two accepted forms of [`Scanned`].
#[derive(Deserialize)]
#[serde(untagged)]
enum ScannedWire {
    Text(String),
    Full {
        text: String,
        #[serde(default)]
        gs1: Vec<Element>,
    },
}

impl From<ScannedWire> for Scanned {
    fn from(w: ScannedWire) -> Self {
        match w {
            ScannedWire::Text(text) => Scanned { text, gs1: Vec::new() },
            ScannedWire::Full { text, gs1 } => Scanned { text, gs1 },
        }
    }
}

impl From<&crate::scanner::Scan> for Scanned {
    /// A scan as the device read it; GS1 elements that failed to parse are
    /// left out (the text is still the evidence).
    fn from(scan: &crate::scanner::Scan) -> Self {
        let gs1 = match &scan.gs1 {
            Some(Ok(elements)) => elements.clone(),
            _ => Vec::new(),
        };
        Scanned { text: scan.text.clone(), gs1 }
    }
}

impl From<String> for Scanned {
    fn from(text: String) -> Self {
        Scanned { text, gs1: Vec::new() }
    }
}

impl From<&str> for Scanned {
    fn from(text: &str) -> Self {
        Scanned { text: text.to_owned(), gs1: Vec::new() }
    }
}

impl Scanned {
    /// The GTIN (AI 01) of a GS1 scan.
    pub fn gtin(&self) -> Option<&str> {
        self.gs1.iter().find_map(|e| match e {
            Element::Gtin(g) => Some(g.as_str()),
            _ => None,
        })
    }

    /// The scan as the domain's item rule reads it.
    pub fn as_item(&self) -> ItemScan<'_> {
        ItemScan { text: &self.text, gtin: self.gtin() }
    }

    /// Refuses GS1 elements that the text does not say: the evidence is
    /// the text, the elements only its reading.
    pub fn check(&self, field: &str) -> Result<(), crate::domain::DomainError> {
        if self.text.chars().count() > MAX_SCAN {
            return Err(crate::domain::DomainError::invalid(field, format!("at most {MAX_SCAN} characters")));
        }
        if self.gs1.is_empty() || crate::gs1::parse(&self.text).is_ok_and(|els| els == self.gs1) {
            return Ok(());
        }
        Err(crate::domain::DomainError::invalid(format!("{field}.gs1"), "the elements are not what the text says"))
    }
}

/// The longest scan kept as evidence (a GS1 DataMatrix carries ~100).
pub const MAX_SCAN: usize = 200;

/// What the picker scanned for one pick, and how many units: the evidence
/// the pick carries from the handheld ([`crate::app::FloorOp::Pick`])
/// through its command ([`crate::app::Command::PickItem`], both flatten
/// it, so the wire form is unchanged) to its record (`pick_scans`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PickScans {
    pub location: Scanned,
    pub item: Scanned,
    #[schema(minimum = 0, format = Int64, maximum = 4_294_967_295_u64)]
    pub quantity: u32,
    /// Cluster picking: the tote the units went into (scanned too); a tote
    /// not the task's is refused (E107).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tote: Option<String>,
}

impl PickScans {
    /// `quantity` units picked after scanning `location` and `item`.
    pub fn new(location: impl Into<Scanned>, item: impl Into<Scanned>, quantity: u32) -> PickScans {
        PickScans { location: location.into(), item: item.into(), quantity, tote: None }
    }

    /// Into the tote scanned (cluster picking).
    pub fn into_tote(mut self, tote: impl Into<String>) -> PickScans {
        self.tote = Some(tote.into());
        self
    }

    /// Refuses a scan too long or with GS1 elements its text does not say.
    pub fn check(&self) -> Result<(), crate::domain::DomainError> {
        self.location.check("location")?;
        self.item.check("item")
    }
}
