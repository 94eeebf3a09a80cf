//! The fixed part of every generated `strategies.rs`: strategies of JSON values by kind, object
//! assembly, and the ways valid values are broken. `strategies.rs` holds what the spec decides.
// Not every spec uses every kind (patterns, maps, unions…).
#![allow(dead_code)]

use ::proptest::prelude::*;
use ::proptest::strategy::BoxedStrategy;
use ::serde_json::Value;

/// One property of an object being built: its name and value, or `None` when left out.
pub(super) type Part = BoxedStrategy<Option<(String, Value)>>;

/// A JSON literal written by the generator.
pub(super) fn lit(text: &str) -> Value {
    ::serde_json::from_str(text).unwrap_or(Value::Null)
}

/// A recursive reference: built one level down, or null at depth 0 (where it is never sampled).
pub(super) fn recurse(depth: u32, build: fn(u32) -> BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    if depth == 0 {
        Just(Value::Null).boxed()
    } else {
        build(depth - 1)
    }
}

/// One of the listed values.
pub(super) fn one_of<const N: usize>(values: [Value; N]) -> BoxedStrategy<Value> {
    let values = Vec::from(values);
    if values.is_empty() {
        return Just(Value::Null).boxed();
    }
    ::proptest::sample::select(values).boxed()
}

/// Strings matching `pattern` (anchors dropped); patterns the regex generator cannot handle
/// (look-arounds, back-references) fall back to plain text of the allowed length.
pub(super) fn pattern(pattern: &str, min: usize, max: usize) -> BoxedStrategy<Value> {
    let inner = pattern.strip_prefix('^').unwrap_or(pattern);
    let inner = inner.strip_suffix('$').unwrap_or(inner);
    match ::proptest::string::string_regex(inner) {
        Ok(s) => s.prop_map(Value::String).boxed(),
        Err(_) => text("", min, max),
    }
}

/// Strings of a format, or plain text between `min` and `max` characters.
pub(super) fn text(format: &str, min: usize, max: usize) -> BoxedStrategy<Value> {
    let regex = match format {
        "date-time" => "20[0-2][0-9]-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z".to_string(),
        "date" => "20[0-2][0-9]-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])".to_string(),
        "time" => "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]".to_string(),
        "email" => "[a-z]{1,10}@example\\.(com|org)".to_string(),
        "uuid" => "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}".to_string(),
        "uri" | "url" => "https://example\\.com/[a-z]{0,10}".to_string(),
        "ipv4" => "(1[0-9]{2}|[1-9][0-9]?)\\.([0-9]{1,2})\\.([0-9]{1,2})\\.([0-9]{1,2})".to_string(),
        "decimal" => "[1-9][0-9]{0,5}\\.[0-9]{2}".to_string(),
        _ => format!("[a-zA-Z0-9 _-]{{{min},{max}}}"),
    };
    match ::proptest::string::string_regex(&regex) {
        Ok(s) => s.prop_map(Value::String).boxed(),
        Err(_) => Just(Value::String(String::new())).boxed(),
    }
}

pub(super) fn integer(min: i64, max: i64) -> BoxedStrategy<Value> {
    (min..=max).prop_map(Value::from).boxed()
}

pub(super) fn number(min: f64, max: f64) -> BoxedStrategy<Value> {
    (min..=max)
        .prop_map(|n| ::serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number))
        .boxed()
}

pub(super) fn array(items: BoxedStrategy<Value>, min: usize, max: usize) -> BoxedStrategy<Value> {
    ::proptest::collection::vec(items, min..=max)
        .prop_map(Value::Array)
        .boxed()
}

pub(super) fn map(values: BoxedStrategy<Value>, max: usize) -> BoxedStrategy<Value> {
    ::proptest::collection::btree_map("[a-z]{1,8}", values, 0..=max)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
        .boxed()
}

pub(super) fn any_json() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-1000i64..1000).prop_map(Value::from),
        "[a-z]{0,8}".prop_map(Value::String)
    ]
    .boxed()
}

pub(super) fn nullable(inner: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    prop_oneof![1 => Just(Value::Null), 3 => inner].boxed()
}

pub(super) fn object(parts: impl IntoIterator<Item = Part>) -> BoxedStrategy<Value> {
    let parts: Vec<Part> = parts.into_iter().collect();
    parts
        .prop_map(|parts| Value::Object(parts.into_iter().flatten().collect()))
        .boxed()
}

pub(super) fn tagged(
    inner: BoxedStrategy<Value>,
    tag: &'static str,
    value: &'static str,
) -> BoxedStrategy<Value> {
    inner
        .prop_map(move |mut v| {
            if let Value::Object(m) = &mut v {
                m.insert(tag.to_string(), Value::String(value.to_string()));
            }
            v
        })
        .boxed()
}

pub(super) fn union<const N: usize>(options: [BoxedStrategy<Value>; N]) -> BoxedStrategy<Value> {
    let options = Vec::from(options);
    if options.is_empty() {
        return Just(Value::Null).boxed();
    }
    ::proptest::strategy::Union::new(options).boxed()
}

/// JSON values decoded into `T`; values the type cannot hold are skipped.
pub(super) fn decoded<T: ::serde::de::DeserializeOwned + ::std::fmt::Debug + 'static>(
    json: BoxedStrategy<Value>,
) -> BoxedStrategy<T> {
    json.prop_filter_map("decodes into the generated type", |v| {
        ::serde_json::from_value(v).ok()
    })
    .boxed()
}

/// A value of another JSON type than `v`.
pub(super) fn other_type(v: &Value) -> Value {
    match v {
        Value::String(_) => Value::from(12345),
        Value::Number(_) | Value::Bool(_) | Value::Null => Value::String("not-this-type".into()),
        Value::Array(_) => Value::Object(Default::default()),
        Value::Object(_) => Value::String("not an object".into()),
    }
}

/// Valid values made invalid in one way: a required property dropped, or a property given a
/// value of the wrong kind (`string`, `number`, `boolean`, `array`, `object`, or outside its `enum`).
pub(super) fn broken(
    valid: BoxedStrategy<Value>,
    required: &'static [&'static str],
    typed: &'static [(&'static str, &'static str)],
) -> BoxedStrategy<Value> {
    (valid, any::<usize>())
        .prop_map(move |(v, n)| {
            let Value::Object(mut m) = v else {
                return other_type(&v);
            };
            let choices = required.len() + typed.len();
            if choices == 0 {
                return Value::String("not an object".into());
            }
            let pick = n % choices;
            if pick < required.len() {
                m.remove(required[pick]);
            } else {
                let (name, kind) = typed[pick - required.len()];
                let wrong = match kind {
                    "string" => Value::from(12345),
                    "number" => Value::String("not-a-number".into()),
                    "boolean" => Value::String("yes".into()),
                    "array" => Value::Object(Default::default()),
                    "enum" => Value::String("__not_in_the_enum__".into()),
                    _ => Value::String("not an object".into()),
                };
                m.insert(name.to_string(), wrong);
            }
            Value::Object(m)
        })
        .boxed()
}

/// Valid values replaced by a value of another JSON type.
pub(super) fn wrong_type(valid: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    valid.prop_map(|v| other_type(&v)).boxed()
}

/// One of the listed strings.
pub(super) fn strings<const N: usize>(values: [&str; N]) -> BoxedStrategy<Value> {
    one_of(values.map(|v| Value::String(v.to_string())))
}

/// One of an enum's values (its `KNOWN`).
pub(super) fn known<T: Copy + Into<Value> + ::std::fmt::Debug + 'static>(values: &'static [T]) -> BoxedStrategy<Value> {
    if values.is_empty() {
        return Just(Value::Null).boxed();
    }
    ::proptest::sample::select(values).prop_map(Into::into).boxed()
}

/// A property that is always present.
pub(super) fn required(name: &'static str, value: BoxedStrategy<Value>) -> Part {
    value.prop_map(move |v| Some((name.to_string(), v))).boxed()
}

/// A property that may be left out (and always is at depth 0, where recursion stops).
pub(super) fn optional(depth: u32, name: &'static str, value: BoxedStrategy<Value>) -> Part {
    if depth == 0 {
        Just(None).boxed()
    } else {
        ::proptest::option::of(value.prop_map(move |v| (name.to_string(), v))).boxed()
    }
}

/// At most one property beside the named ones (`additionalProperties`), none at depth 0.
pub(super) fn additional(depth: u32, values: BoxedStrategy<Value>) -> Part {
    map(values, if depth == 0 { 0 } else { 2 })
        .prop_map(|m| match m {
            Value::Object(m) => m.into_iter().next(),
            _ => None,
        })
        .boxed()
}

/// An operation's parameters, as `{"path": {…}, "query": {…}, "header": {…}, "cookie": {…}}`.
pub(super) fn params(
    path: impl IntoIterator<Item = Part>,
    query: impl IntoIterator<Item = Part>,
    header: impl IntoIterator<Item = Part>,
    cookie: impl IntoIterator<Item = Part>,
) -> BoxedStrategy<Value> {
    object([
        required("path", object(path)),
        required("query", object(query)),
        required("header", object(header)),
        required("cookie", object(cookie)),
    ])
}
