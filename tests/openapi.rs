//! The OpenAPI document's promises that a regression would break without
//! touching the router: parameters where the path says, 401 on every
//! authenticated route, 403 where a role is checked, error bodies that are
//! `ErrorBody`, and an op id header on the calls that read one.
//! (`tools/api-check/run.sh` holds a running server to the whole document.)

use serde_json::Value;
use tote::domain::auth::Access;
use tote::server::routes::ROUTES;

fn document() -> Value {
    serde_json::to_value(tote::server::openapi::document()).expect("the document serializes")
}

/// Every operation: (method, path template, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            out.push((method.to_uppercase(), path.clone(), op.clone()));
        }
    }
    out
}

fn template_params(path: &str) -> Vec<String> {
    path.split('/').filter_map(|s| s.strip_prefix('{')?.strip_suffix('}')).map(str::to_owned).collect()
}

fn params_in(op: &Value, place: &str) -> Vec<String> {
    op["parameters"]
        .as_array()
        .map(|ps| {
            ps.iter().filter(|p| p["in"] == place).filter_map(|p| p["name"].as_str()).map(str::to_owned).collect()
        })
        .unwrap_or_default()
}

#[test]
fn path_parameters_are_exactly_the_templates() {
    for (method, path, op) in operations(&document()) {
        let mut declared = params_in(&op, "path");
        let mut expected = template_params(&path);
        declared.sort();
        expected.sort();
        assert_eq!(declared, expected, "{method} {path}: path parameters differ from the template");
    }
}

#[test]
fn authenticated_routes_document_401_and_role_checks_403() {
    let doc = document();
    let ops = operations(&doc);
    for route in ROUTES.iter() {
        let (_, _, op) = ops
            .iter()
            .find(|(m, p, _)| m == route.method && p == route.path)
            .unwrap_or_else(|| panic!("{} {} is not documented", route.method, route.path));
        let responses = &op["responses"];
        if route.access != Access::Public {
            assert!(responses.get("401").is_some(), "{} {} does not document 401", route.method, route.path);
            assert!(op.get("security").is_some(), "{} {} declares no security", route.method, route.path);
        }
        if !matches!(route.access, Access::Public | Access::Authenticated) {
            assert!(responses.get("403").is_some(), "{} {} does not document 403", route.method, route.path);
        }
    }
}

#[test]
fn every_error_answer_is_an_error_body() {
    for (method, path, op) in operations(&document()) {
        for (status, response) in op["responses"].as_object().expect("responses") {
            if status.starts_with('4') || status.starts_with('5') {
                let schema = &response["content"]["application/json"]["schema"]["$ref"];
                assert_eq!(schema, "#/components/schemas/ErrorBody", "{method} {path} {status}");
            }
        }
    }
}

#[test]
fn inputs_document_400_and_op_ids_409() {
    for (method, path, op) in operations(&document()) {
        let has_input = op.get("requestBody").is_some()
            || !params_in(&op, "query").is_empty()
            || !params_in(&op, "path").is_empty();
        if has_input {
            assert!(op["responses"].get("400").is_some(), "{method} {path} takes input but documents no 400");
        }
        if params_in(&op, "header").iter().any(|h| h == "Idempotency-Key") {
            assert!(op["responses"].get("409").is_some(), "{method} {path} takes an op id but documents no 409");
        }
    }
}

#[test]
fn streams_and_metrics_are_not_json() {
    let doc = document();
    let events = &doc["paths"]["/api/v1/events"]["get"]["responses"]["200"]["content"];
    assert!(events.get("text/event-stream").is_some(), "the event stream is text/event-stream");
    let metrics = &doc["paths"]["/metrics"]["get"]["responses"]["200"]["content"];
    assert!(metrics.as_object().is_some_and(|c| c.keys().all(|k| k.starts_with("text/plain"))), "metrics are text");
}

/// The document's limits on a package are the server's own, so a schema-valid
/// package is never refused for its size.
#[test]
fn package_limits_are_the_domain_s() {
    use tote::domain::packing::{MAX_SIDE_MM, MAX_WEIGHT_G};
    let doc = document();
    let props = &doc["components"]["schemas"]["PackageDto"]["properties"];
    assert_eq!(props["weight_g"]["maximum"].as_u64(), Some(MAX_WEIGHT_G), "{props}");
    for side in ["length_mm", "width_mm", "height_mm"] {
        assert_eq!(props[side]["maximum"].as_u64(), Some(u64::from(MAX_SIDE_MM)), "{side}: {props}");
    }
}
