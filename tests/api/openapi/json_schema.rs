//! A small JSON Schema validator for the subset utoipa emits, so the tests can check real
//! responses against the served OpenAPI document without a new crate. Supported: `type` (a name
//! or a list such as `["string", "null"]`), `nullable`, `enum`, `const`, `properties`, `required`,
//! `additionalProperties`, `items`, `minItems`/`maxItems`, `minimum`/`maximum`, `minLength`/
//! `maxLength`, `$ref` into the document, `oneOf` (exactly one), `anyOf`, `allOf`. Annotations
//! (`description`, `format`, `example`, …) are ignored. Any other keyword panics: a constraint the
//! validator does not understand must never pass silently.

use serde_json::Value;

/// Keywords that describe but never constrain.
const ANNOTATIONS: &[&str] =
    &["description", "format", "title", "example", "examples", "default", "deprecated", "readOnly", "writeOnly", "contentMediaType"];

pub struct Validator<'a> {
    doc: &'a Value,
}

impl<'a> Validator<'a> {
    /// A validator resolving `$ref`s against `doc` (the OpenAPI document).
    pub fn new(doc: &'a Value) -> Validator<'a> {
        Validator { doc }
    }

    /// The JSON schema of a documented response; panics when the document does not describe it.
    pub fn response_schema(&self, method: &str, path: &str, status: u16) -> &'a Value {
        let response = &self.doc["paths"][path][method]["responses"][status.to_string()];
        let schema = &response["content"]["application/json"]["schema"];
        assert!(schema.is_object(), "the document has no JSON schema for {method} {path} → {status}");
        schema
    }

    /// The component schema `name`.
    pub fn component(&self, name: &str) -> &'a Value {
        let schema = &self.doc["components"]["schemas"][name];
        assert!(schema.is_object(), "no component schema {name}");
        schema
    }

    /// Every way `value` breaks `schema`, each prefixed with its JSON pointer; empty when valid.
    pub fn errors(&self, schema: &Value, value: &Value) -> Vec<String> {
        self.errors_at(schema, value, "")
    }

    fn check(&self, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
        let Some(schema) = schema.as_object() else {
            match schema {
                Value::Bool(true) => {}
                Value::Bool(false) => errors.push(format!("{at}: no value is allowed here")),
                other => panic!("not a schema at {at}: {other}"),
            }
            return;
        };
        if schema.get("nullable") == Some(&Value::Bool(true)) && value.is_null() {
            return;
        }
        for (keyword, arg) in schema {
            match keyword.as_str() {
                "$ref" => self.check(self.resolve(arg), value, at, errors),
                "type" => {
                    let names: Vec<&str> = match arg {
                        Value::String(name) => vec![name.as_str()],
                        Value::Array(names) => names.iter().map(|n| n.as_str().expect("type names are strings")).collect(),
                        other => panic!("bad `type` at {at}: {other}"),
                    };
                    if !names.iter().any(|name| has_type(value, name)) {
                        errors.push(format!("{at}: expected {}, got {}", names.join(" or "), short(value)));
                    }
                }
                "nullable" => {}
                "enum" => {
                    if !arg.as_array().expect("enum is a list").contains(value) {
                        errors.push(format!("{at}: {} is not one of {arg}", short(value)));
                    }
                }
                "const" => {
                    if arg != value {
                        errors.push(format!("{at}: expected {arg}, got {}", short(value)));
                    }
                }
                "required" => {
                    if let Some(object) = value.as_object() {
                        for name in arg.as_array().expect("required is a list") {
                            let name = name.as_str().expect("required names are strings");
                            if !object.contains_key(name) {
                                errors.push(format!("{at}: missing required field `{name}`"));
                            }
                        }
                    }
                }
                "properties" => {
                    if let Some(object) = value.as_object() {
                        for (name, property) in arg.as_object().expect("properties is a map") {
                            if let Some(v) = object.get(name) {
                                self.check(property, v, &format!("{at}/{name}"), errors);
                            }
                        }
                    }
                }
                "additionalProperties" => {
                    if let Some(object) = value.as_object() {
                        let declared = schema.get("properties").and_then(Value::as_object);
                        for (name, v) in object {
                            if !declared.is_some_and(|d| d.contains_key(name)) {
                                self.check(arg, v, &format!("{at}/{name}"), errors);
                            }
                        }
                    }
                }
                "items" => {
                    if let Some(items) = value.as_array() {
                        for (i, v) in items.iter().enumerate() {
                            self.check(arg, v, &format!("{at}/{i}"), errors);
                        }
                    }
                }
                "minItems" | "maxItems" => {
                    if let Some(items) = value.as_array() {
                        bound(keyword, arg, items.len() as f64, at, errors);
                    }
                }
                "minLength" | "maxLength" => {
                    if let Some(s) = value.as_str() {
                        bound(keyword, arg, s.chars().count() as f64, at, errors);
                    }
                }
                "minimum" | "maximum" => {
                    if let Some(n) = value.as_f64() {
                        bound(keyword, arg, n, at, errors);
                    }
                }
                "allOf" => {
                    for sub in arg.as_array().expect("allOf is a list") {
                        self.check(sub, value, at, errors);
                    }
                }
                "anyOf" | "oneOf" => {
                    let branches: Vec<Vec<String>> =
                        arg.as_array().expect("anyOf/oneOf is a list").iter().map(|sub| self.errors_at(sub, value, at)).collect();
                    let passing = branches.iter().filter(|e| e.is_empty()).count();
                    if passing == 0 {
                        errors.push(format!("{at}: matches none of {keyword}: {}", branches.concat().join("; ")));
                    } else if keyword == "oneOf" && passing > 1 {
                        errors.push(format!("{at}: matches {passing} branches of oneOf, expected exactly one"));
                    }
                }
                other if ANNOTATIONS.contains(&other) => {}
                other => panic!("the validator does not support `{other}` (at {at}); add it before relying on it"),
            }
        }
    }

    fn errors_at(&self, schema: &Value, value: &Value, at: &str) -> Vec<String> {
        let mut errors = Vec::new();
        self.check(schema, value, at, &mut errors);
        errors
    }

    /// `#/components/schemas/Name` (or any `#/…` pointer) in the document.
    fn resolve(&self, reference: &Value) -> &'a Value {
        let reference = reference.as_str().expect("$ref is a string");
        let pointer = reference.strip_prefix('#').unwrap_or_else(|| panic!("only local $refs are supported: {reference}"));
        self.doc.pointer(pointer).unwrap_or_else(|| panic!("dangling $ref {reference}"))
    }
}

fn has_type(value: &Value, name: &str) -> bool {
    match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0),
        other => panic!("unknown JSON type `{other}`"),
    }
}

fn bound(keyword: &str, limit: &Value, actual: f64, at: &str, errors: &mut Vec<String>) {
    let limit = limit.as_f64().unwrap_or_else(|| panic!("{keyword} is a number"));
    let ok = if keyword.starts_with("min") { actual >= limit } else { actual <= limit };
    if !ok {
        errors.push(format!("{at}: {keyword} {limit}, got {actual}"));
    }
}

/// A value for an error message, cut short.
fn short(value: &Value) -> String {
    let s = value.to_string();
    if s.chars().count() > 60 { format!("{}…", s.chars().take(60).collect::<String>()) } else { s }
}
