//! Helpers shared by the generated models: exact-text formats, absent-versus-null, and inspection
//! of what the spec did not expect.

use ::std::fmt;

/// What a decoded value held that the spec did not expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Unexpected {
    /// An enum value or union tag the spec does not list (kept in the enum's `Unknown` variant).
    Value,
    /// A property the spec does not name, in an object it leaves open (kept in `undocumented`).
    Property,
    /// Text that breaks its declared `format` (kept as received).
    Format,
}

/// Something the spec did not expect, found while inspecting a decoded value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnknownValue {
    /// JSON pointer of the value inside the inspected document.
    pub path: ::std::string::String,
    /// The generated type that did not expect it (for [`Unexpected::Format`], the format).
    pub type_name: &'static str,
    /// The value, as JSON text.
    pub value: ::std::string::String,
    /// What kind of surprise it is.
    pub kind: Unexpected,
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Unexpected::Value => write!(f, "{} at `{}` is not one of the values the spec lists for {}", self.value, self.path, self.type_name),
            Unexpected::Property => write!(f, "`{}` holds {}, a property the spec does not document for {}", self.path, self.value, self.type_name),
            Unexpected::Format => write!(f, "{} at `{}` is not {}", self.value, self.path, self.type_name),
        }
    }
}

/// Walks a decoded value and reports everything the spec did not expect: enum values and union
/// tags it does not list, properties it does not document, and text that breaks its format.
///
/// Generated types keep all three (an enum's `Unknown` variant, a struct's `undocumented` map, the
/// text as received) so that a server that goes beyond its spec does not break decoding; this is
/// how a caller finds out that it did.
pub trait Inspect {
    /// Pushes the unknown values under `path` onto `out`.
    fn inspect(&self, path: &str, out: &mut ::std::vec::Vec<UnknownValue>);

    /// All unknown values in `self`.
    fn unknown_values(&self) -> ::std::vec::Vec<UnknownValue> {
        let mut out = ::std::vec::Vec::new();
        self.inspect("", &mut out);
        out
    }
}

macro_rules! inspect_nothing {
    ($($t:ty),* $(,)?) => {
        $(impl Inspect for $t {
            fn inspect(&self, _: &str, _: &mut ::std::vec::Vec<UnknownValue>) {}
        })*
    };
}

inspect_nothing!(
    ::std::string::String, bool, i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, (),
    ::serde_json::Value, ::serde_json::Map<::std::string::String, ::serde_json::Value>, ::serde_json::Number,
);

/// Reports every entry of an open object's `undocumented` map (for `type_name`, under `path`).
pub fn undocumented(
    map: &::serde_json::Map<::std::string::String, ::serde_json::Value>,
    type_name: &'static str,
    path: &str,
    out: &mut ::std::vec::Vec<UnknownValue>,
) {
    for (k, v) in map {
        out.push(UnknownValue {
            path: pointer(path, k),
            type_name,
            value: v.to_string(),
            kind: Unexpected::Property,
        });
    }
}

/// Inspects `value`, the property `name` of the object at `path`.
pub fn inspect_property<T: Inspect + ?Sized>(value: &T, path: &str, name: &str, out: &mut ::std::vec::Vec<UnknownValue>) {
    value.inspect(&pointer(path, name), out);
}

/// The JSON pointer of the property `name` of the object at `path`.
fn pointer(path: &str, name: &str) -> ::std::string::String {
    format!("{path}/{}", name.replace('~', "~0").replace('/', "~1"))
}

/// Inspects `value`, a property of the object at `path`, under `path` + `pointer`.
pub fn inspect_at<T: Inspect + ?Sized>(
    value: &T,
    path: &str,
    pointer: &str,
    out: &mut ::std::vec::Vec<UnknownValue>,
) {
    value.inspect(&format!("{path}{pointer}"), out);
}

/// What an open enum of `models` needs beside its definition: `KNOWN`, the wire value (`as_str` or
/// `as_i64`), conversions from it, `Display`, serde, schemars and [`Inspect`]. Each listed
/// variant stands for one wire value; any other value is `Unknown` and encodes back unchanged.
// A spec without open enums does not use it.
#[allow(unused_macros)]
macro_rules! open_enum {
    ($name:ident: str { $($variant:ident = $value:literal,)* }) => {
        impl $name {
            /// The values the spec lists, in its order.
            pub const KNOWN: &'static [&'static str] = &[$($value),*];

            /// The value on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)*
                    Self::Unknown(v) => v,
                }
            }

            /// True when the value is not one the spec lists.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(v: &str) -> Self {
                match v {
                    $($value => Self::$variant,)*
                    other => Self::Unknown(other.to_string()),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            fn from_str(v: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(Self::from(v))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let v = <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?;
                ::std::result::Result::Ok(Self::from(v.as_str()))
            }
        }

        super::support::open_enum!(@rest $name, "string", |v: &::std::string::String| ::serde_json::Value::String(v.clone()).to_string());
    };
    ($name:ident: i64 { $($variant:ident = $value:literal,)* }) => {
        impl $name {
            /// The values the spec lists, in its order.
            pub const KNOWN: &'static [i64] = &[$($value),*];

            /// The value on the wire.
            pub fn as_i64(&self) -> i64 {
                match self {
                    $(Self::$variant => $value,)*
                    Self::Unknown(v) => *v,
                }
            }

            /// True when the value is not one the spec lists.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl ::std::convert::From<i64> for $name {
            fn from(v: i64) -> Self {
                match v {
                    $($value => Self::$variant,)*
                    other => Self::Unknown(other),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::write!(f, "{}", self.as_i64())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.as_i64())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let v = <i64 as ::serde::Deserialize>::deserialize(deserializer)?;
                ::std::result::Result::Ok(Self::from(v))
            }
        }

        super::support::open_enum!(@rest $name, "integer", |v: &i64| v.to_string());
    };
    (@rest $name:ident, $json_type:literal, $text:expr) => {
        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::stringify!($name).into()
            }

            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!({ "type": $json_type, "enum": Self::KNOWN })
            }
        }

        impl super::support::Inspect for $name {
            fn inspect(&self, path: &str, out: &mut ::std::vec::Vec<super::support::UnknownValue>) {
                if let Self::Unknown(v) = self {
                    out.push(super::support::UnknownValue {
                        path: path.to_string(),
                        type_name: ::std::stringify!($name),
                        value: ($text)(v),
                        kind: super::support::Unexpected::Value,
                    });
                }
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use open_enum;

/// Declares a struct of `models` with `Clone`, `PartialEq`, serde, [`Inspect`] and, under the
/// `schemars` feature, `JsonSchema`. Each field is marked with its name on the wire and flags,
/// first among its attributes (before its docs, so that the macro can tell the mark apart):
/// `#[wire("name")]` is required; `or_null` (an `Option`) is required and may be `null`, but
/// reads absent as `None` too, as serde does; `optional` reads absent and `null` as `None`;
/// `nullable` (an `Option<Option<T>>`) reads absent as `None` and `null` as `Some(None)`;
/// `inspect` has [`Inspect`] walk into the field. A last field marked `#[rest(..)]` keeps every
/// property the others do not name: `skip` (left out of the JSON Schema) holds what the spec
/// does not document, which [`Inspect`] reports; `flatten` holds `additionalProperties` (with
/// `inspect`, walked into). Without one, such a property is refused. Absent fields are left
/// out when encoding, except `or_null` ones (written as `null`).
///
/// serde's derive would buffer the whole object to fill a flattened map; building the derived
/// code was most of what compiling the models cost.
// A spec without objects does not use it.
#[allow(unused_macros)]
macro_rules! object {
    (
        $(#[$attr:meta])*
        pub struct $name:ident {
            $(#[wire($wire:literal $(, $flag:ident)*)] $(#[$fattr:meta])* pub $field:ident: $ty:ty,)*
            $(#[rest($schema:ident $(, $rflag:ident)?)] $(#[$rattr:meta])* pub $rest:ident: $rty:ty,)?
        }
    ) => {
        #[derive(Clone, PartialEq)]
        #[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]
        $(#[$attr])*
        pub struct $name {
            $($(#[$fattr])* #[cfg_attr(feature = "schemars", schemars(rename = $wire))] pub $field: $ty,)*
            $($(#[$rattr])* #[cfg_attr(feature = "schemars", schemars($schema))] pub $rest: $rty,)?
        }

        impl super::support::Inspect for $name {
            #[allow(deprecated, unused_variables)]
            fn inspect(&self, path: &str, out: &mut ::std::vec::Vec<super::support::UnknownValue>) {
                $(super::support::object!(@inspect [$($flag)*] &self.$field, path, $wire, out);)*
                $(super::support::object!(@inspect_rest [$schema $($rflag)?] &self.$rest, ::std::stringify!($name), path, out);)?
            }
        }

        impl ::serde::Serialize for $name {
            #[allow(deprecated)]
            fn serialize<__S: ::serde::Serializer>(&self, serializer: __S) -> ::std::result::Result<__S::Ok, __S::Error> {
                use ::serde::ser::SerializeMap as _;
                let mut map = serializer.serialize_map(::std::option::Option::None)?;
                $(super::support::object!(@write [$($flag)*] map $wire &self.$field);)*
                $(for (name, value) in &self.$rest {
                    map.serialize_entry(name, value)?;
                })?
                map.end()
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<__D: ::serde::Deserializer<'de>>(deserializer: __D) -> ::std::result::Result<Self, __D::Error> {
                struct __Visitor;

                impl<'de> ::serde::de::Visitor<'de> for __Visitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(::std::concat!("struct ", ::std::stringify!($name)))
                    }

                    #[allow(deprecated)]
                    fn visit_map<__A: ::serde::de::MapAccess<'de>>(self, mut map: __A) -> ::std::result::Result<$name, __A::Error> {
                        $(let mut $field = ::std::option::Option::None;)*
                        $(let mut $rest: $rty = ::std::default::Default::default();)?
                        while let ::std::option::Option::Some(key) = map.next_key::<super::support::Key<'de>>()? {
                            match key.as_str() {
                                $($wire => {
                                    if $field.is_some() {
                                        return ::std::result::Result::Err(<__A::Error as ::serde::de::Error>::duplicate_field($wire));
                                    }
                                    $field = ::std::option::Option::Some(super::support::object!(@read [$($flag)*] map));
                                })*
                                _ => super::support::object!(@rest [$($rest)?] map key [$($wire),*]),
                            }
                        }
                        ::std::result::Result::Ok($name {
                            $($field: super::support::object!(@finish [$($flag)*] $field $wire),)*
                            $($rest,)?
                        })
                    }
                }

                deserializer.deserialize_map(__Visitor)
            }
        }
    };
    (@inspect [inspect] $($call:tt)*) => { super::support::inspect_property($($call)*) };
    (@inspect [optional inspect] $($call:tt)*) => { super::support::inspect_property($($call)*) };
    (@inspect [nullable inspect] $($call:tt)*) => { super::support::inspect_property($($call)*) };
    (@inspect [or_null inspect] $($call:tt)*) => { super::support::inspect_property($($call)*) };
    (@inspect [$($flag:ident)*] $($call:tt)*) => {};
    (@inspect_rest [skip] $value:expr, $name:expr, $path:ident, $out:ident) => {
        super::support::undocumented($value, $name, $path, $out)
    };
    (@inspect_rest [flatten inspect] $value:expr, $name:expr, $path:ident, $out:ident) => {
        super::support::Inspect::inspect($value, $path, $out)
    };
    (@inspect_rest [flatten] $value:expr, $name:expr, $path:ident, $out:ident) => {};
    (@write [] $map:ident $wire:literal $value:expr) => { $map.serialize_entry($wire, $value)? };
    (@write [inspect] $map:ident $wire:literal $value:expr) => { $map.serialize_entry($wire, $value)? };
    (@write [or_null] $map:ident $wire:literal $value:expr) => { $map.serialize_entry($wire, $value)? };
    (@write [or_null inspect] $map:ident $wire:literal $value:expr) => { $map.serialize_entry($wire, $value)? };
    (@write [$($flag:ident)*] $map:ident $wire:literal $value:expr) => {
        if let ::std::option::Option::Some(value) = $value {
            $map.serialize_entry($wire, value)?;
        }
    };
    (@read [nullable $($flag:ident)*] $map:ident) => { ::std::option::Option::Some($map.next_value()?) };
    (@read [$($flag:ident)*] $map:ident) => { $map.next_value()? };
    (@finish [] $field:ident $wire:literal) => { super::support::object!(@required $field $wire) };
    (@finish [inspect] $field:ident $wire:literal) => { super::support::object!(@required $field $wire) };
    (@required $field:ident $wire:literal) => {
        $field.ok_or_else(|| <__A::Error as ::serde::de::Error>::missing_field($wire))?
    };
    (@finish [$($flag:ident)*] $field:ident $wire:literal) => { $field.unwrap_or_default() };
    (@rest [$rest:ident] $map:ident $key:ident [$($wire:literal),*]) => {{
        $rest.insert($key.into_string(), $map.next_value()?);
    }};
    (@rest [] $map:ident $key:ident [$($wire:literal),*]) => {
        return ::std::result::Result::Err(<__A::Error as ::serde::de::Error>::unknown_field($key.as_str(), &[$($wire),*]))
    };
}
#[allow(unused_imports)]
pub(crate) use object;

/// A property name, borrowed from the input where it can be.
pub struct Key<'de>(::std::borrow::Cow<'de, str>);

impl Key<'_> {
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name, owned.
    pub fn into_string(self) -> ::std::string::String {
        self.0.into_owned()
    }
}

impl<'de> ::serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
        struct Visitor;

        impl<'de> ::serde::de::Visitor<'de> for Visitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a property name")
            }

            fn visit_borrowed_str<E>(self, v: &'de str) -> ::std::result::Result<Self::Value, E> {
                ::std::result::Result::Ok(Key(::std::borrow::Cow::Borrowed(v)))
            }

            fn visit_str<E>(self, v: &str) -> ::std::result::Result<Self::Value, E> {
                ::std::result::Result::Ok(Key(::std::borrow::Cow::Owned(v.to_string())))
            }

            fn visit_string<E>(self, v: ::std::string::String) -> ::std::result::Result<Self::Value, E> {
                ::std::result::Result::Ok(Key(::std::borrow::Cow::Owned(v)))
            }
        }

        deserializer.deserialize_str(Visitor)
    }
}



impl<T: Inspect> Inspect for ::std::option::Option<T> {
    fn inspect(&self, path: &str, out: &mut ::std::vec::Vec<UnknownValue>) {
        if let ::std::option::Option::Some(v) = self {
            v.inspect(path, out);
        }
    }
}

impl<T: Inspect> Inspect for ::std::boxed::Box<T> {
    fn inspect(&self, path: &str, out: &mut ::std::vec::Vec<UnknownValue>) {
        (**self).inspect(path, out);
    }
}

impl<T: Inspect> Inspect for ::std::vec::Vec<T> {
    fn inspect(&self, path: &str, out: &mut ::std::vec::Vec<UnknownValue>) {
        for (i, v) in self.iter().enumerate() {
            v.inspect(&format!("{path}/{i}"), out);
        }
    }
}

impl<T: Inspect> Inspect for ::std::collections::BTreeMap<::std::string::String, T> {
    fn inspect(&self, path: &str, out: &mut ::std::vec::Vec<UnknownValue>) {
        for (k, v) in self {
            v.inspect(&pointer(path, k), out);
        }
    }
}

macro_rules! exact_text {
    ($(#[$doc:meta])* $name:ident, $check:path, $what:literal) => {
        $(#[$doc])*
        ///
        /// Decoding keeps any string, as JSON Schema treats formats as annotations and real servers
        /// send near misses: [`Inspect`] reports text that breaks the format, [`Self::is_valid`]
        /// tells, and [`Self::parse`] is the strict constructor.
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(::std::string::String);

        impl $name {
            /// Checks the text and keeps it as given; text that breaks the format is an error.
            pub fn parse(text: &str) -> ::std::result::Result<Self, ::std::string::String> {
                if $check(text) {
                    ::std::result::Result::Ok($name(text.to_string()))
                } else {
                    ::std::result::Result::Err(format!("`{text}` is not {}", $what))
                }
            }

            /// The exact text received or given.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Whether the text follows the format.
            pub fn is_valid(&self) -> bool {
                $check(&self.0)
            }
        }

        impl Inspect for $name {
            fn inspect(&self, path: &str, out: &mut ::std::vec::Vec<UnknownValue>) {
                if !self.is_valid() {
                    out.push(UnknownValue {
                        path: path.to_string(),
                        type_name: $what,
                        value: format!("{:?}", self.0),
                        kind: Unexpected::Format,
                    });
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::string::String;

            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                <::std::string::String as ::serde::Deserialize>::deserialize(deserializer).map($name)
            }
        }
    };
}

exact_text!(
    /// An RFC 3339 `date-time`, kept as the exact text so it round-trips byte for byte.
    DateTime, is_date_time, "an rfc 3339 date-time"
);
exact_text!(
    /// A `full-date` (`2026-02-15`), kept as the exact text.
    Date, is_date, "a yyyy-mm-dd date"
);
exact_text!(
    /// A decimal number written as a string (`"50.00"`), kept as the exact text so no precision is lost.
    Decimal, is_decimal, "a decimal number"
);

#[cfg(feature = "schemars")]
macro_rules! exact_text_schema {
    ($name:ident, $format:literal) => {
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!({ "type": "string", "format": $format })
            }
        }
    };
}

#[cfg(feature = "schemars")]
exact_text_schema!(DateTime, "date-time");
#[cfg(feature = "schemars")]
exact_text_schema!(Date, "date");
#[cfg(feature = "schemars")]
exact_text_schema!(Decimal, "decimal");

/// One named type, as `models::fidelity()` lists them (`schemars` feature only).
#[cfg(feature = "schemars")]
pub struct Fidelity {
    /// The schema's name in the spec.
    pub name: &'static str,
    /// JSON pointer of the schema in the spec's root document.
    pub pointer: &'static str,
    /// The JSON Schema derived from the Rust type.
    pub schema: ::schemars::Schema,
    /// Decodes a JSON value into the Rust type and encodes it back.
    pub round_trip: fn(&::serde_json::Value) -> ::std::result::Result<::serde_json::Value, ::std::string::String>,
}

#[cfg(feature = "schemars")]
impl Fidelity {
    /// The entry for `T`, the Rust type of the schema at `pointer`, named by its last token.
    pub fn of<T>(pointer: &'static str) -> Fidelity
    where
        T: ::schemars::JsonSchema + ::serde::Serialize + ::serde::de::DeserializeOwned,
    {
        let name = pointer.rsplit('/').next().unwrap_or(pointer);
        Fidelity::named::<T>(name, pointer)
    }

    /// The entry for `T`, the Rust type of the schema `name` at `pointer`.
    pub fn named<T>(name: &'static str, pointer: &'static str) -> Fidelity
    where
        T: ::schemars::JsonSchema + ::serde::Serialize + ::serde::de::DeserializeOwned,
    {
        Fidelity {
            name,
            pointer,
            schema: ::schemars::schema_for!(T),
            round_trip: |value| {
                let typed: T = ::serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
                ::serde_json::to_value(&typed).map_err(|e| e.to_string())
            },
        }
    }
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_date(s: &str) -> bool {
    let parts: ::std::vec::Vec<&str> = s.split('-').collect();
    parts.len() == 3
        && digits(parts[0], 4)
        && digits(parts[1], 2)
        && digits(parts[2], 2)
        && (1..=12).contains(&parts[1].parse::<u8>().unwrap_or(0))
        && (1..=31).contains(&parts[2].parse::<u8>().unwrap_or(0))
}

fn is_date_time(s: &str) -> bool {
    let Some(t) = s.find(['T', 't', ' ']) else { return false };
    let (date, rest) = (&s[..t], &s[t + 1..]);
    if !is_date(date) || rest.len() < 8 {
        return false;
    }
    let (hms, zone) = rest.split_at(8);
    let clock: ::std::vec::Vec<&str> = hms.split(':').collect();
    if clock.len() != 3 || !clock.iter().all(|p| digits(p, 2)) {
        return false;
    }
    let zone = match zone.strip_prefix('.') {
        Some(frac) => {
            let n = frac.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return false;
            }
            &frac[n..]
        }
        None => zone,
    };
    matches!(zone, "Z" | "z")
        || (zone.len() == 6
            && (zone.starts_with('+') || zone.starts_with('-'))
            && digits(&zone[1..3], 2)
            && &zone[3..4] == ":"
            && digits(&zone[4..6], 2))
}

fn is_decimal(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let mut parts = body.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let frac = parts.next();
    !whole.is_empty() && whole.bytes().all(|b| b.is_ascii_digit()) && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

