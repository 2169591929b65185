use super::samples::{sample, sample_shipping};
use super::templates::{TEMPLATES, source};
use super::*;

#[test]
fn every_template_keeps_the_rules() {
    for (name, source) in TEMPLATES {
        assert!(lint(source).is_empty(), "{name}: {:?}", lint(source));
        assert!(source.contains("^PW812"), "{name}: 4 in wide at 203 dpi");
    }
    assert!(source("shipping").is_some_and(|s| s.contains("^LL1218")), "shipping is 4x6 in");
}

#[test]
fn lint_catches_each_broken_rule() {
    let good = source("tote").expect("tote");
    assert!(lint(&good.replace("^CI28\n", "")).iter().any(|p| p.contains("^CI28")));
    assert!(lint(&good.replace("^FO40,30^A0N,90,90^FH^FD", "^FO40,30^A0N,90,90^FD")).iter().any(|p| p.contains("^FH")));
    let qr = "^XA\n^CI28\n^PW812\n^LL406\n^LH0,0\n^FO10,10^BQN,2,4^FDQA,x^FS\n^XZ";
    assert!(lint(qr).iter().any(|p| p.contains("^BY")));
}

#[test]
fn escaping_makes_hostile_text_inert() {
    assert_eq!(escape("a^b~c_d"), "a_5Eb_7Ec_5Fd");
    assert_eq!(escape("line\nbreak\u{1d}"), "line_0Abreak_1D");
    assert_eq!(escape("Љубица 北京"), "Љубица 北京");
    let zpl = fill(source("shipping").expect("shipping"), &sample("shipping")).expect("fill");
    // The only ^XZ is the template's own, and no user text adds a command.
    assert_eq!(zpl.matches("^XZ").count(), 1);
    assert!(zpl.contains("Ana _5EXZ_7EJA_5FAnić Љубица"));
    assert_eq!(zpl.matches('^').count(), source("shipping").expect("s").matches('^').count());
}

#[test]
fn truncation_counts_characters_not_bytes() {
    assert_eq!(truncate("Ђорђе", 3), "Ђор");
    assert_eq!(truncate("ab", 5), "ab");
    let data = Data::from([("to.name".to_owned(), "Ђ".repeat(40))]);
    let out = fill("^FH^FD{{to.name:28}}^FS", &data).expect("fill");
    assert_eq!(out, format!("^FH^FD{}^FS", "Ђ".repeat(28)));
}

#[test]
fn missing_data_and_bad_values_are_named() {
    assert_eq!(fill("^FD{{nope}}^FS", &Data::new()), Err(LabelError::Missing("nope".into())));
    let mut l = sample_shipping();
    l.weight_g = 0;
    assert!(matches!(l.data(), Err(LabelError::Invalid { field, .. }) if field == "weight_g"));
    assert_eq!(templates::kilograms(1250), "1.25");
    assert_eq!(templates::kilograms(1), "0.01");
    let json = serde_json::json!({"to": {"name": "X"}, "n": 2, "list": [1]});
    assert!(data_from_json(&json).is_err());
    let json = serde_json::json!({"to": {"name": "X"}, "n": 2});
    let d = data_from_json(&json).expect("data");
    assert_eq!((d["to.name"].as_str(), d["n"].as_str()), ("X", "2"));
}

/// Golden files: `labels/golden/NAME.zpl` is the rendered sample. Set
/// `TOTE_UPDATE_GOLDEN=1` to rewrite them after a deliberate change.
#[test]
fn golden_snapshots() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("labels/golden");
    for (name, _) in TEMPLATES {
        let zpl = render(name, &sample(name)).expect("render");
        let path = dir.join(format!("{name}.zpl"));
        if std::env::var_os("TOTE_UPDATE_GOLDEN").is_some() {
            std::fs::create_dir_all(&dir).expect("golden dir");
            std::fs::write(&path, &zpl).expect("write golden");
        }
        let golden = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(zpl, golden, "{name} differs from {}", path.display());
    }
}
