//! Values made from the typed schemas of the model: random valid ones, deterministic edge values
//! from every constraint, and values broken on purpose.

use generator::ir::{Additional, Api, JsonType, Schema, SchemaId};
use proptest::prelude::RngExt;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde_json::{Map, Number, Value};

/// How deep generated objects and arrays nest before optional parts are left out.
const MAX_DEPTH: usize = 5;

/// Random valid JSON for `id`.
pub fn valid(api: &Api, id: SchemaId, runner: &mut TestRunner) -> Value {
    generate(api, id, runner, 0)
}

fn generate(api: &Api, id: SchemaId, runner: &mut TestRunner, depth: usize) -> Value {
    let s = api.schema(id);
    if let Some(c) = &s.constant {
        return c.clone();
    }
    if let Some(values) = &s.enumeration
        && !values.is_empty()
    {
        let i = runner.rng().random_range(0..values.len());
        return values[i].clone();
    }
    if !s.all_of.is_empty() {
        return merged(api, s, runner, depth);
    }
    let alternatives: &[SchemaId] = if !s.one_of.is_empty() {
        &s.one_of
    } else {
        &s.any_of
    };
    if !alternatives.is_empty() && depth < MAX_DEPTH * 2 {
        let non_null: Vec<SchemaId> = alternatives
            .iter()
            .copied()
            .filter(|a| api.schema(*a).types != [JsonType::Null])
            .collect();
        let pick = if non_null.is_empty() {
            alternatives[0]
        } else {
            non_null[runner.rng().random_range(0..non_null.len())]
        };
        return generate(api, pick, runner, depth + 1);
    }
    if s.nullable && runner.rng().random_bool(0.1) {
        return Value::Null;
    }
    let ty = pick_type(s, runner);
    of_type(api, s, ty, runner, depth)
}

fn pick_type(s: &Schema, runner: &mut TestRunner) -> JsonType {
    if s.types.is_empty() {
        return implied_type(s);
    }
    s.types[runner.rng().random_range(0..s.types.len())]
}

/// The type a schema without `type` most likely means, from its other keywords.
fn implied_type(s: &Schema) -> JsonType {
    if !s.properties.is_empty()
        || !matches!(s.additional, Additional::Any | Additional::Unstated)
        || !s.required.is_empty()
    {
        JsonType::Object
    } else if s.items.is_some() {
        JsonType::Array
    } else if s.minimum.is_some() || s.maximum.is_some() {
        JsonType::Number
    } else {
        JsonType::String
    }
}

fn merged(api: &Api, s: &Schema, runner: &mut TestRunner, depth: usize) -> Value {
    let mut out = Map::new();
    let mut scalar = None;
    if !s.properties.is_empty()
        && let Value::Object(own) = object(api, s, runner, depth)
    {
        out.extend(own);
    }
    for member in &s.all_of {
        match generate(api, *member, runner, depth + 1) {
            Value::Object(map) => {
                for (k, v) in map {
                    out.entry(k).or_insert(v);
                }
            }
            other => scalar = Some(other),
        }
    }
    match scalar {
        Some(v) if out.is_empty() => v,
        _ => Value::Object(out),
    }
}

fn of_type(api: &Api, s: &Schema, ty: JsonType, runner: &mut TestRunner, depth: usize) -> Value {
    match ty {
        JsonType::Null => Value::Null,
        JsonType::Boolean => Value::Bool(runner.rng().random_bool(0.5)),
        JsonType::Integer => Value::from(integer_in(s, runner)),
        JsonType::Number => number_in(s, runner),
        JsonType::String => Value::String(string_of(s, runner)),
        JsonType::Array => {
            let min = s.min_items.unwrap_or(0) as usize;
            let max = s.max_items.map_or(min.max(3), |m| m as usize).min(min + 3);
            let n = if depth >= MAX_DEPTH {
                min
            } else {
                runner.rng().random_range(min..=max.max(min))
            };
            let mut items: Vec<Value> = Vec::new();
            let mut attempts = 0;
            while items.len() < n && attempts < n * 4 + 4 {
                attempts += 1;
                let v = s.items.map_or(Value::from(items.len() as u64), |i| {
                    generate(api, i, runner, depth + 1)
                });
                if !s.unique_items || !items.contains(&v) {
                    items.push(v);
                }
            }
            Value::Array(items)
        }
        JsonType::Object => object(api, s, runner, depth),
    }
}

fn object(api: &Api, s: &Schema, runner: &mut TestRunner, depth: usize) -> Value {
    let mut out = Map::new();
    for (name, p) in &s.properties {
        let required = s.required.contains(name);
        let ps = api.schema(*p);
        if ps.read_only && !required {
            continue;
        }
        if required || (depth < MAX_DEPTH && runner.rng().random_bool(0.6)) {
            out.insert(name.clone(), generate(api, *p, runner, depth + 1));
        }
    }
    for name in &s.required {
        if !out.contains_key(name) {
            out.insert(name.clone(), Value::String("x".into()));
        }
    }
    if let Additional::Schema(extra) = s.additional
        && s.properties.is_empty()
    {
        let n = s.min_properties.unwrap_or(0).max(1) as usize;
        for i in 0..n {
            out.insert(format!("key{i}"), generate(api, extra, runner, depth + 1));
        }
    }
    Value::Object(out)
}

fn integer_in(s: &Schema, runner: &mut TestRunner) -> i64 {
    let (lo, hi) = integer_range(s);
    let mut n = runner.rng().random_range(lo..=hi);
    if let Some(m) = s.multiple_of.filter(|m| m.fract() == 0.0 && *m >= 1.0) {
        let m = m as i64;
        n = n - n.rem_euclid(m);
        if n < lo {
            n += m;
        }
    }
    n
}

fn integer_range(s: &Schema) -> (i64, i64) {
    let lo = s.minimum.map_or(0, |b| {
        if b.exclusive {
            b.value.floor() as i64 + 1
        } else {
            b.value.ceil() as i64
        }
    });
    let hi = s.maximum.map_or(lo.saturating_add(1000), |b| {
        if b.exclusive {
            b.value.ceil() as i64 - 1
        } else {
            b.value.floor() as i64
        }
    });
    (lo, hi.max(lo))
}

fn number_in(s: &Schema, runner: &mut TestRunner) -> Value {
    if s.multiple_of.is_some() || runner.rng().random_bool(0.5) {
        return Value::from(integer_in(s, runner));
    }
    let lo = s.minimum.map_or(0.0, |b| b.value);
    let hi = s.maximum.map_or(lo + 1000.0, |b| b.value);
    let n = lo + (hi - lo) * runner.rng().random_range(0.05..0.95);
    let n = (n * 100.0).round() / 100.0;
    Number::from_f64(n).map_or(Value::from(0), Value::Number)
}

fn string_of(s: &Schema, runner: &mut TestRunner) -> String {
    let min = s.min_length.unwrap_or(0) as usize;
    let max = s.max_length.map_or(min.max(12), |m| m as usize).max(min);
    if let Some(pattern) = &s.pattern {
        let inner = pattern.strip_prefix('^').unwrap_or(pattern);
        let inner = inner.strip_suffix('$').unwrap_or(inner);
        for _ in 0..8 {
            if let Some(text) = regex_value(inner, runner)
                && (min..=max).contains(&text.chars().count())
            {
                return text;
            }
        }
    }
    if let Some(regex) = s.format.as_deref().and_then(format_regex)
        && let Some(text) = regex_value(regex, runner)
    {
        return text;
    }
    let len = runner.rng().random_range(min..=max.min(min + 16));
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    (0..len)
        .map(|_| ALPHABET[runner.rng().random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// A regex whose strings have `format`.
pub fn format_regex(format: &str) -> Option<&'static str> {
    Some(match format {
        "date-time" => {
            "20[0-2][0-9]-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z"
        }
        "date" => "20[0-2][0-9]-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])",
        "time" => "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z",
        "email" => "[a-z]{4,10}@example\\.(com|org)",
        "uuid" => "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
        "uri" | "url" => "https://example\\.com/[a-z]{0,10}",
        "hostname" => "[a-z]{3,10}\\.example\\.com",
        "ipv4" => "(1[0-9]{2}|[1-9][0-9]?)\\.([0-9]{1,2})\\.([0-9]{1,2})\\.([0-9]{1,2})",
        "ipv6" => "2001:db8::[1-9a-f]{1,4}",
        "decimal" => "[1-9][0-9]{0,4}\\.[0-9]{2}",
        "byte" => "([A-Za-z0-9+/]{4}){1,4}",
        _ => return None,
    })
}

fn regex_value(regex: &str, runner: &mut TestRunner) -> Option<String> {
    let strategy = proptest::string::string_regex(regex).ok()?;
    let tree = strategy.new_tree(runner).ok()?;
    Some(tree.current())
}

/// Deterministic edge values of `id`: each bound and length at its limit, every enum value,
/// and `null` where allowed (objects: with required properties only and with every property).
pub fn boundaries(api: &Api, id: SchemaId, runner: &mut TestRunner) -> Vec<Value> {
    let s = api.schema(id);
    let mut out = Vec::new();
    if let Some(values) = &s.enumeration {
        return values.clone();
    }
    if s.nullable {
        out.push(Value::Null);
    }
    let ty = s.types.first().copied().unwrap_or_else(|| implied_type(s));
    match ty {
        JsonType::Integer => {
            let (lo, hi) = integer_range(s);
            out.extend([Value::from(lo), Value::from(hi)]);
        }
        JsonType::Number => {
            for bound in [s.minimum, s.maximum]
                .into_iter()
                .flatten()
                .filter(|b| !b.exclusive)
            {
                out.extend(Number::from_f64(bound.value).map(Value::Number));
            }
        }
        JsonType::String if s.pattern.is_none() && s.format.is_none() => {
            let min = s.min_length.unwrap_or(0) as usize;
            out.push(Value::String("a".repeat(min)));
            if let Some(max) = s.max_length {
                out.push(Value::String("a".repeat(max.min(4096) as usize)));
            }
        }
        JsonType::Object => {
            let props = api.schemas.all_properties(id);
            let required = api.schemas.all_required(id);
            let mut only_required = Map::new();
            let mut every = Map::new();
            for (name, p) in props {
                if api.schema(p).read_only && !required.contains(&name) {
                    continue;
                }
                let v = valid(api, p, runner);
                if required.contains(&name) {
                    only_required.insert(name.clone(), v.clone());
                }
                every.insert(name, v);
            }
            out.push(Value::Object(only_required));
            out.push(Value::Object(every));
        }
        JsonType::Array => {
            let min = s.min_items.unwrap_or(0) as usize;
            out.push(Value::Array(
                (0..min)
                    .map(|_| s.items.map_or(Value::Null, |i| valid(api, i, runner)))
                    .collect(),
            ));
        }
        _ => {}
    }
    out
}

/// A value of `id` broken in one place, with what was broken; `None` when the schema forbids
/// nothing this can produce.
pub fn broken(
    api: &Api,
    id: SchemaId,
    base: &Value,
    runner: &mut TestRunner,
) -> Option<(Value, String)> {
    let s = api.schema(id);
    let mut options: Vec<(Value, String)> = Vec::new();
    if let Value::Object(map) = base {
        let required = api.schemas.all_required(id);
        for name in required.iter().filter(|r| map.contains_key(*r)) {
            let mut m = map.clone();
            m.remove(name);
            options.push((
                Value::Object(m),
                format!("required property `{name}` left out"),
            ));
        }
        for (name, p) in api.schemas.all_properties(id) {
            if let Some(v) = map.get(&name)
                && let Some((bad, what)) = wrong_scalar(api.schema(p), v)
            {
                let mut m = map.clone();
                m.insert(name.clone(), bad);
                options.push((Value::Object(m), format!("property `{name}`: {what}")));
            }
        }
        options.push((
            Value::Array(Vec::new()),
            "an array where an object belongs".into(),
        ));
        if s.additional == Additional::Forbidden {
            let mut m = map.clone();
            m.insert("undeclaredProperty".into(), Value::from(1));
            options.push((
                Value::Object(m),
                "a property the schema does not allow".into(),
            ));
        }
    }
    if options.is_empty()
        && let Some(found) = wrong_scalar(s, base)
    {
        options.push(found);
    }
    if options.is_empty() {
        return None;
    }
    let i = runner.rng().random_range(0..options.len());
    Some(options.swap_remove(i))
}

/// A value of the wrong type or outside the constraints of a scalar schema.
pub fn wrong_scalar(s: &Schema, current: &Value) -> Option<(Value, String)> {
    if let Some(values) = &s.enumeration
        && values.iter().all(Value::is_string)
    {
        return Some((
            Value::String("not-a-listed-value".into()),
            "a value outside the enum".into(),
        ));
    }
    let types: Vec<JsonType> = if s.types.is_empty() {
        vec![JsonType::of(current)]
    } else {
        s.types.clone()
    };
    if types
        .iter()
        .all(|t| matches!(t, JsonType::Integer | JsonType::Number))
    {
        if let Some(min) = s.minimum {
            return Some((
                Value::from(min.value.floor() as i64 - 1),
                format!("below the minimum {}", min.value),
            ));
        }
        return Some((
            Value::String("not-a-number".into()),
            "a string where a number belongs".into(),
        ));
    }
    if types == [JsonType::Boolean] {
        return Some((
            Value::String("maybe".into()),
            "a string where a boolean belongs".into(),
        ));
    }
    if types == [JsonType::String] {
        if let Some(max) = s.max_length {
            return Some((
                Value::String("a".repeat(max as usize + 1)),
                format!("longer than maxLength {max}"),
            ));
        }
        if s.min_length.is_some_and(|m| m > 0) {
            return Some((
                Value::String(String::new()),
                "shorter than minLength".into(),
            ));
        }
        return Some((Value::from(12345), "a number where a string belongs".into()));
    }
    if types == [JsonType::Array] {
        return Some((Value::from(7), "a number where an array belongs".into()));
    }
    if types == [JsonType::Object] {
        return Some((
            Value::String("not-an-object".into()),
            "a string where an object belongs".into(),
        ));
    }
    None
}
