//! Turns the text of one YAML or JSON file into a `serde_json::Value`, and answers "which line holds this JSON pointer".

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use serde_json::{Map, Number, Value};

/// A syntax error in a YAML or JSON file, with its 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Human-readable reason, lowercase.
    pub message: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// Parses `text` as YAML 1.2 (which JSON is a subset of) with the core schema.
///
/// JSON files go through `serde_json` first because it is several times faster on multi-megabyte specs;
/// the YAML parser is used when that fails or when the file is YAML.
pub fn parse(text: &str, looks_like_json: bool) -> Result<Value, SyntaxError> {
    if looks_like_json && let Ok(value) = serde_json::from_str::<Value>(text) {
        return Ok(value);
    }
    let mut builder = Builder {
        parser: Parser::new_from_str(text),
        anchors: HashMap::new(),
        lines: None,
        path: Vec::new(),
    };
    builder.document()
}

/// Maps every JSON pointer in a document to the 1-based line where its value starts.
///
/// Built on demand (only when a diagnostic needs a line) by a second parse, so loading stays fast.
pub fn line_index(text: &str) -> HashMap<String, usize> {
    let mut lines = HashMap::new();
    let mut builder = Builder {
        parser: Parser::new_from_str(text),
        anchors: HashMap::new(),
        lines: Some(&mut lines),
        path: Vec::new(),
    };
    // A file that does not parse has no index; its syntax error already carries a line.
    let _ = builder.document();
    lines
}

struct Builder<'a, 'm> {
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    anchors: HashMap<usize, Value>,
    lines: Option<&'m mut HashMap<String, usize>>,
    path: Vec<String>,
}

impl<'a> Builder<'a, '_> {
    fn next(&mut self) -> Result<(Event<'a>, Span), SyntaxError> {
        match self.parser.next_event() {
            Some(Ok(it)) => Ok(it),
            Some(Err(err)) => Err(SyntaxError {
                message: err.info().to_string(),
                line: err.marker().line(),
                column: err.marker().col() + 1,
            }),
            None => Err(SyntaxError {
                message: "unexpected end of input".into(),
                line: 0,
                column: 0,
            }),
        }
    }

    fn document(&mut self) -> Result<Value, SyntaxError> {
        loop {
            let (event, span) = self.next()?;
            match event {
                Event::StreamStart | Event::DocumentStart(_) | Event::Nothing => continue,
                Event::StreamEnd => return Ok(Value::Null),
                event => {
                    self.record(span);
                    return self.node(event, span);
                }
            }
        }
    }

    fn record(&mut self, span: Span) {
        if let Some(lines) = self.lines.as_deref_mut() {
            let mut pointer = String::new();
            for segment in &self.path {
                pointer.push('/');
                pointer.push_str(&segment.replace('~', "~0").replace('/', "~1"));
            }
            lines.entry(pointer).or_insert(span.start.line());
        }
    }

    fn node(&mut self, event: Event<'a>, span: Span) -> Result<Value, SyntaxError> {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let value = scalar(
                    &text,
                    style,
                    tag.as_deref().map(|t| t.suffix.as_str()),
                    span,
                )?;
                if anchor > 0 {
                    self.anchors.insert(anchor, value.clone());
                }
                Ok(value)
            }
            Event::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                loop {
                    let (event, span) = self.next()?;
                    if matches!(event, Event::SequenceEnd) {
                        break;
                    }
                    self.path.push(items.len().to_string());
                    self.record(span);
                    let item = self.node(event, span);
                    self.path.pop();
                    items.push(item?);
                }
                let value = Value::Array(items);
                if anchor > 0 {
                    self.anchors.insert(anchor, value.clone());
                }
                Ok(value)
            }
            Event::MappingStart(anchor, _) => {
                let mut map = Map::new();
                loop {
                    let (event, key_span) = self.next()?;
                    if matches!(event, Event::MappingEnd) {
                        break;
                    }
                    let key = match event {
                        Event::Scalar(text, ..) => text.into_owned(),
                        Event::Alias(id) => match self.anchors.get(&id) {
                            Some(Value::String(s)) => s.clone(),
                            Some(other) => other.to_string(),
                            None => return Err(error(key_span, "alias to an unknown anchor")),
                        },
                        _ => return Err(error(key_span, "mapping keys must be scalars")),
                    };
                    let (event, span) = self.next()?;
                    self.path.push(key.clone());
                    self.record(key_span);
                    let value = self.node(event, span);
                    self.path.pop();
                    let value = value?;
                    if key == "<<" {
                        // YAML merge key: copy the merged mapping's entries that are not already set.
                        merge(&mut map, value);
                        continue;
                    }
                    map.insert(key, value);
                }
                let value = Value::Object(map);
                if anchor > 0 {
                    self.anchors.insert(anchor, value.clone());
                }
                Ok(value)
            }
            Event::Alias(id) => self
                .anchors
                .get(&id)
                .cloned()
                .ok_or_else(|| error(span, "alias to an unknown anchor")),
            _ => Err(error(span, "unexpected yaml event")),
        }
    }
}

fn merge(map: &mut Map<String, Value>, merged: Value) {
    match merged {
        Value::Object(other) => {
            for (k, v) in other {
                map.entry(k).or_insert(v);
            }
        }
        Value::Array(items) => {
            for item in items {
                merge(map, item);
            }
        }
        _ => {}
    }
}

fn error(span: Span, message: &str) -> SyntaxError {
    SyntaxError {
        message: message.to_string(),
        line: span.start.line(),
        column: span.start.col() + 1,
    }
}

/// Resolves a scalar with the YAML 1.2 core schema: only plain scalars can be null, bool or a number.
fn scalar(
    text: &str,
    style: ScalarStyle,
    tag: Option<&str>,
    span: Span,
) -> Result<Value, SyntaxError> {
    match tag {
        Some("str") => return Ok(Value::String(text.to_string())),
        Some("int") | Some("float") => {
            return number(text)
                .map(Value::Number)
                .ok_or_else(|| error(span, "tagged number is not a number"));
        }
        Some("bool") => {
            return match text {
                "true" | "True" | "TRUE" => Ok(Value::Bool(true)),
                "false" | "False" | "FALSE" => Ok(Value::Bool(false)),
                _ => Err(error(span, "tagged boolean is not true or false")),
            };
        }
        Some("null") => return Ok(Value::Null),
        _ => {}
    }
    if style != ScalarStyle::Plain {
        return Ok(Value::String(text.to_string()));
    }
    Ok(match text {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ => number(text)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(text.to_string())),
    })
}

fn number(text: &str) -> Option<Number> {
    let bytes = text.as_bytes();
    let first = *bytes.first()?;
    if !(first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.') {
        return None;
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return u64::from_str_radix(hex, 16).ok().map(Number::from);
    }
    if let Some(oct) = text.strip_prefix("0o") {
        return u64::from_str_radix(oct, 8).ok().map(Number::from);
    }
    let is_int = bytes
        .iter()
        .enumerate()
        .all(|(i, b)| b.is_ascii_digit() || (i == 0 && (*b == b'-' || *b == b'+')));
    if is_int {
        let digits = text.strip_prefix('+').unwrap_or(text);
        if let Ok(n) = digits.parse::<i64>() {
            return Some(Number::from(n));
        }
        if let Ok(n) = digits.parse::<u64>() {
            return Some(Number::from(n));
        }
    }
    // YAML 1.2 core float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let mantissa_ok = !mantissa.is_empty()
        && mantissa.chars().filter(|c| *c == '.').count() <= 1
        && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.')
        && mantissa.chars().any(|c| c.is_ascii_digit());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
    });
    if mantissa_ok && exponent_ok {
        return text.parse::<f64>().ok().and_then(Number::from_f64);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_schema_scalars() {
        let value = parse("a: 1\nb: '1'\nc: true\nd: ~\ne: 1.5\nf: 1e3\ng: 0x1F\nh: 2026-02-15\n200: ok\ni: .5\nj: 1.2.3\n", false).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"a": 1, "b": "1", "c": true, "d": null, "e": 1.5, "f": 1000.0, "g": 31, "h": "2026-02-15", "200": "ok", "i": 0.5, "j": "1.2.3"})
        );
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let value = parse(
            "base: &b {x: 1, y: 2}\nuse: *b\nmerged:\n  <<: *b\n  y: 3\n",
            false,
        )
        .unwrap();
        assert_eq!(value["use"], serde_json::json!({"x": 1, "y": 2}));
        assert_eq!(value["merged"], serde_json::json!({"y": 3, "x": 1}));
    }

    #[test]
    fn syntax_error_has_a_line() {
        let err = parse("a: 1\nb: [1, 2\nc: 3\n", false).unwrap_err();
        assert!(err.line >= 2, "{err:?}");
    }

    #[test]
    fn lines_of_pointers() {
        let lines = line_index("a:\n  b:\n    - x\n    - y: 1\n  'c/d': 2\n");
        assert_eq!(lines.get("/a/b"), Some(&2));
        assert_eq!(lines.get("/a/b/0"), Some(&3));
        assert_eq!(lines.get("/a/b/1/y"), Some(&4));
        assert_eq!(lines.get("/a/c~1d"), Some(&5));
    }
}
