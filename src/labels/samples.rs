//! Sample label data: the test label `tote printer test` prints, and the
//! data the template tests render. The ship-to name is hostile on purpose
//! (`^`, `~`, `_`, Cyrillic, CJK): a label that survives it survives customers.

use super::Data;
use super::templates::{LogisticLabel, Party, ShippingLabel};
use crate::gs1;

pub fn hostile_party() -> Party {
    Party {
        name: "Ana ^XZ~JA_Anić Љубица".into(),
        street: "Knez Mihailova 1^FS".into(),
        postal_code: "11000".into(),
        city: "Beograd 北京".into(),
        country: "RS".into(),
        phone: "+381 11 123".into(),
    }
}

pub fn sample_shipping() -> ShippingLabel {
    ShippingLabel {
        from: Party {
            name: "Tote Warehouse BG1".into(),
            street: "Industrijska 5".into(),
            postal_code: "11070".into(),
            city: "Novi Beograd".into(),
            country: "RS".into(),
            phone: String::new(),
        },
        to: hostile_party(),
        carrier: "local".into(),
        service: "standard".into(),
        tracking: "TT123456785RS".into(),
        order: "shop-1001".into(),
        package: 1,
        packages: 2,
        weight_g: 1250,
    }
}

/// Sample data for each template, hostile text included; unknown names get
/// the location sample.
pub fn sample(name: &str) -> Data {
    match name {
        "shipping" => sample_shipping().data().expect("sample shipping"),
        "gs1" => LogisticLabel {
            from: sample_shipping().from,
            to: hostile_party(),
            order: "shop-1001".into(),
            package: 1,
            packages: 2,
            sscc: gs1::sscc(1, "0614141", 123_456_789).expect("sscc"),
        }
        .data()
        .expect("sample gs1"),
        "tote" => Data::from([
            ("tote".into(), "T-0042".into()),
            ("warehouse".into(), "BG1".into()),
            ("zone".into(), "A_~^".into()),
        ]),
        _ => Data::from([
            ("location".into(), "A-01-02".into()),
            ("check_digits".into(), "47".into()),
            ("warehouse".into(), "BG1 Beograd".into()),
        ]),
    }
}
