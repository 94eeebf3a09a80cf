//! Runtime behaviour of generated models, compiled into the throwaway fixtures crate by `runtime.rs`.

use serde_json::json;

use crate::composition::models as c;
use crate::names::models as n;
use crate::openapi31::models as o;
use crate::recursion::models as r;
use crate::support::{Inspect, UnknownValue, Unexpected};

fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(value: serde_json::Value) -> (T, serde_json::Value) {
    let typed: T = serde_json::from_value(value).expect("decodes");
    let back = serde_json::to_value(&typed).expect("encodes");
    (typed, back)
}

#[test]
fn open_enums_keep_unknown_values_and_report_them() {
    let (status, back): (n::Status, _) = round_trip(json!("rejected"));
    assert_eq!(status, n::Status::Unknown("rejected".into()));
    assert!(status.is_unknown());
    assert_eq!(back, json!("rejected"));
    let (known, _): (n::Status, _) = round_trip(json!("pending-validation"));
    assert_eq!(known, n::Status::PendingValidation);
    assert_eq!(known.as_str(), "pending-validation");
    assert_eq!(n::Status::KNOWN.len(), 9);
    // "Unknown" is a value the spec lists: it must not collide with the catch-all variant.
    let (listed, _): (n::Status, _) = round_trip(json!("Unknown"));
    assert!(!listed.is_unknown());
    let (prio, back): (n::Priority, _) = round_trip(json!(7));
    assert_eq!(prio, n::Priority::Unknown(7));
    assert_eq!(back, json!(7));
    let (minus, _): (n::Priority, _) = round_trip(json!(-1));
    assert_eq!(minus.as_i64(), -1);
}

#[test]
fn inspect_finds_unknown_values_with_their_pointer() {
    let inline: c::Inline = serde_json::from_value(json!({"mode": "turbo", "tags": [{"key": "a"}]})).unwrap();
    assert_eq!(
        inline.unknown_values(),
        vec![UnknownValue { path: "/mode".into(), type_name: "InlineMode", value: "\"turbo\"".into(), kind: Unexpected::Value }]
    );
    let clean: c::Inline = serde_json::from_value(json!({"mode": "fast"})).unwrap();
    assert!(clean.unknown_values().is_empty());
}

#[test]
fn absent_and_null_stay_distinct() {
    let (absent, back): (c::Optionality, _) = round_trip(json!({"requiredPlain": "a", "requiredNullable": null}));
    assert_eq!(absent.optional_nullable, None);
    assert_eq!(absent.required_nullable, None);
    assert_eq!(back.get("optionalNullable"), None);
    assert_eq!(back["requiredNullable"], json!(null));
    let (null, back): (c::Optionality, _) = round_trip(json!({"requiredPlain": "a", "requiredNullable": "x", "optionalNullable": null}));
    assert_eq!(null.optional_nullable, Some(None));
    assert_eq!(back["optionalNullable"], json!(null));
    let (set, _): (c::Optionality, _) = round_trip(json!({"requiredPlain": "a", "requiredNullable": null, "optionalNullable": "v"}));
    assert_eq!(set.optional_nullable, Some(Some("v".into())));
    assert!(serde_json::from_value::<c::Optionality>(json!({"requiredNullable": null})).is_err(), "a missing required field is an error");
}

#[test]
fn defaults_are_read_through_accessors_and_absent_stays_absent() {
    let (typed, back): (c::Optionality, _) = round_trip(json!({"requiredPlain": "a", "requiredNullable": null}));
    assert_eq!((typed.with_default, typed.zero_default), (None, None));
    assert!(typed.with_default());
    assert_eq!(typed.zero_default(), 0);
    assert_eq!(back, json!({"requiredPlain": "a", "requiredNullable": null}), "the default is not added on the way back");
    let (sent, back): (c::Optionality, _) = round_trip(json!({"requiredPlain": "a", "requiredNullable": null, "withDefault": false}));
    assert!(!sent.with_default());
    assert_eq!(back["withDefault"], json!(false));
}

#[test]
fn formats_round_trip_exactly() {
    let text = json!({"requiredPlain": "a", "requiredNullable": null, "amount": "50.10"});
    let (typed, back): (c::Optionality, _) = round_trip(text.clone());
    assert_eq!(typed.amount.as_ref().map(|a| a.as_str()), Some("50.10"));
    assert_eq!(back["amount"], json!("50.10"));
    let (base, back): (c::Base, _) = round_trip(json!({"id": "1", "createdAt": "2025-06-17T00:16:31.155Z"}));
    assert_eq!(base.created_at.unwrap().as_str(), "2025-06-17T00:16:31.155Z");
    assert_eq!(back["createdAt"], json!("2025-06-17T00:16:31.155Z"));
}

#[test]
fn text_that_breaks_its_format_is_kept_and_reported() {
    let (base, back): (c::Base, _) = round_trip(json!({"id": "1", "createdAt": "yesterday"}));
    let created = base.created_at.clone().unwrap();
    assert_eq!(created.as_str(), "yesterday");
    assert!(!created.is_valid());
    assert_eq!(back["createdAt"], json!("yesterday"));
    let found = base.unknown_values();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].path.as_str(), found[0].kind), ("/createdAt", Unexpected::Format));
    assert_eq!(found[0].value, "\"yesterday\"");
    let (ext, _): (c::Extended, _) = round_trip(json!({"id": "1", "name": "n", "born": "2026-02-30x"}));
    assert_eq!(ext.unknown_values().iter().map(|u| u.path.as_str()).collect::<Vec<_>>(), ["/born"]);
    // Strict parsing stays for callers who want it.
    assert!(crate::support::Date::parse("2026-02-30x").is_err());
    assert!(crate::support::DateTime::parse("2025-06-17T00:16:31.155Z").is_ok_and(|d| d.is_valid()));
}

#[test]
fn undocumented_properties_are_kept_reported_and_re_encoded() {
    let body = json!({"id": "1", "tier": "gold", "nested": {"a": [1, 2]}});
    let (base, back): (c::Base, _) = round_trip(body.clone());
    assert_eq!(base.undocumented.get("tier"), Some(&json!("gold")));
    assert_eq!(back, body);
    let found = base.unknown_values();
    let listed: Vec<(&str, Unexpected)> = found.iter().map(|u| (u.path.as_str(), u.kind)).collect();
    assert_eq!(listed, [("/nested", Unexpected::Property), ("/tier", Unexpected::Property)]);
    assert_eq!(found[1].type_name, "Base");
    // Reported with their place inside a larger document.
    let inline: c::Inline = serde_json::from_value(json!({"tags": [{"key": "a", "colour": "red"}]})).unwrap();
    assert_eq!(inline.unknown_values()[0].path, "/tags/0/colour");
    // `additionalProperties: false` keeps refusing them.
    assert!(serde_json::from_value::<c::Closed>(json!({"code": "x", "extra": 1})).is_err());
    assert!(serde_json::from_value::<c::Closed>(json!({"code": "x"})).is_ok());
}

#[test]
fn a_nullable_component_is_optional_wherever_it_is_referenced() {
    let (outcome, back): (c::Outcome, _) = round_trip(json!({"error": null}));
    assert_eq!(outcome.error, None);
    assert_eq!(back, json!({"error": null}));
    let (failed, _): (c::Outcome, _) = round_trip(json!({"error": {"code": "E1"}}));
    assert_eq!(failed.error.and_then(|e| e.code).as_deref(), Some("E1"));
}

#[test]
fn numbers_come_back_as_they_came() {
    for total in [json!(3), json!(2.5), json!(-7), json!(18446744073709551615u64), json!(1e300)] {
        let body = json!({"error": null, "total": total});
        let (_, back): (c::Outcome, _) = round_trip(body.clone());
        assert_eq!(back, body, "{total} did not survive");
    }
}

#[test]
fn all_of_merges_and_single_ref_wrappers_alias() {
    let (ext, _): (c::Extended, _) = round_trip(json!({"id": "1", "name": "n", "born": "2026-02-15"}));
    assert_eq!((ext.id.as_str(), ext.name.as_str()), ("1", "n"));
    assert!(serde_json::from_value::<c::Extended>(json!({"name": "n"})).is_err(), "id is required through allOf");
    let wrapper: c::Wrapper = c::Base { id: "w".into(), created_at: None, undocumented: Default::default() };
    assert_eq!(wrapper.id, "w");
}

#[test]
fn maps_and_additional_properties() {
    let (labeled, back): (c::Labeled, _) = round_trip(json!({"label": "x", "a": 1, "b": 2}));
    assert_eq!(labeled.additional_properties.get("b"), Some(&2));
    assert_eq!(back, json!({"label": "x", "a": 1, "b": 2}));
    let (meta, _): (c::Metadata, _) = round_trip(json!({"k": "v"}));
    assert_eq!(meta["k"], "v");
}

#[test]
fn tagged_unions_follow_the_discriminator_mapping() {
    let (cat, back): (c::Pet, _) = round_trip(json!({"petType": "kitty", "meows": true}));
    assert!(matches!(cat, c::Pet::Cat(ref it) if it.meows));
    assert_eq!(back, json!({"petType": "kitty", "meows": true}), "the tag is kept as received");
    let (dog, _): (c::Pet, _) = round_trip(json!({"petType": "dog", "barks": false}));
    assert!(matches!(dog, c::Pet::Dog(_)));
    let (other, back): (c::Pet, _) = round_trip(json!({"petType": "fish", "swims": true}));
    assert!(matches!(other, c::Pet::Unknown(_)));
    assert_eq!(back, json!({"petType": "fish", "swims": true}));
    assert_eq!(other.unknown_values()[0].type_name, "Pet");
    assert!(serde_json::from_value::<c::Pet>(json!({"petType": "cat"})).is_err(), "a known tag with a bad body is an error");
}

#[test]
fn tags_found_without_a_discriminator_name_the_variants() {
    // The payload under `value`, a variant of the tag alone, an unknown tag kept whole.
    let (vpc, back): (c::RuleTarget, _) = round_trip(json!({"type": "vpc", "value": "default"}));
    assert_eq!(vpc, c::RuleTarget::Vpc("default".into()));
    assert_eq!(back, json!({"type": "vpc", "value": "default"}));
    let (all, back): (c::RuleTarget, _) = round_trip(json!({"type": "all"}));
    assert_eq!(all, c::RuleTarget::All);
    assert_eq!(back, json!({"type": "all"}));
    let ip: c::RuleTarget = serde_json::from_value(json!({"type": "ip", "value": {"id": "b", "extra": 1}})).unwrap();
    assert!(matches!(ip, c::RuleTarget::Ip(ref base) if base.id == "b"));
    assert_eq!(ip.unknown_values()[0].path, "/value/extra", "the payload is inspected where it sits");
    let (other, back): (c::RuleTarget, _) = round_trip(json!({"type": "galaxy", "value": 1}));
    assert_eq!(other, c::RuleTarget::Unknown(json!({"type": "galaxy", "value": 1})));
    assert_eq!(back, json!({"type": "galaxy", "value": 1}));
    assert_eq!(other.unknown_values()[0].type_name, "RuleTarget");
    assert!(serde_json::from_value::<c::RuleTarget>(json!({"type": "ip", "value": 3})).is_err(), "a known tag with a bad payload is an error");
    // The tag beside the payload's own properties: not a field of it, nor an undocumented one.
    let (explicit, back): (c::Allocator, _) = round_trip(json!({"kind": "explicit", "ip": "10.0.0.1"}));
    let c::Allocator::Explicit(ref payload) = explicit else { panic!("{explicit:?}") };
    assert_eq!(payload.ip, "10.0.0.1");
    assert!(payload.undocumented.is_empty(), "{:?}", payload.undocumented);
    assert!(explicit.unknown_values().is_empty());
    assert_eq!(back, json!({"kind": "explicit", "ip": "10.0.0.1"}));
    let (auto, back): (c::Allocator, _) = round_trip(json!({"kind": "auto"}));
    assert!(matches!(auto, c::Allocator::Auto(ref a) if a.pool.is_none()));
    assert_eq!(back, json!({"kind": "auto"}));
    // A oneOf of string enums is one enum.
    let (pool, back): (c::LotKind, _) = round_trip(json!("pool"));
    assert_eq!(pool, c::LotKind::Pool);
    assert_eq!(back, json!("pool"));
    assert_eq!(c::LotKind::KNOWN, &["infra", "pool"]);
}

#[test]
fn untagged_unions_pick_the_most_specific_variant() {
    let (base, _): (c::StringOrNumber, _) = round_trip(json!({"id": "x"}));
    assert!(matches!(base, c::StringOrNumber::Base(_)));
    let (num, _): (c::StringOrNumber, _) = round_trip(json!(1.5));
    assert!(matches!(num, c::StringOrNumber::Number(_)));
    let (s, _): (c::StringOrNumber, _) = round_trip(json!("1.5"));
    assert!(matches!(s, c::StringOrNumber::String(_)));
    let (none, _): (c::MaybeBase, _) = round_trip(json!(null));
    assert!(none.is_none());
}

#[test]
fn recursive_types_are_boxed_and_decode() {
    let (tree, back): (r::TreeNode, _) =
        round_trip(json!({"value": "root", "parent": {"value": "up"}, "children": [{"value": "kid"}], "byName": {"k": {"value": "v"}}}));
    assert_eq!(tree.parent.as_ref().unwrap().value, "up");
    assert_eq!(back["children"][0]["value"], "kid");
    let (sum, _): (r::Expr, _) = round_trip(json!({"left": {"value": 1.0}, "right": {"left": {"value": 2.0}, "right": {"value": 3.0}}}));
    assert!(matches!(sum, r::Expr::Sum(_)));
    let ping: r::Ping = serde_json::from_value(json!({"pong": {"ping": {"pong": {}}}})).unwrap();
    assert!(ping.pong.ping.is_some());
}

#[test]
fn openapi_3_1_null_types_const_and_examples() {
    let example = json!({"kind": "pet.created", "at": "2026-02-15T00:00:00Z", "note": null});
    let (event, back): (o::Event, _) = round_trip(example.clone());
    assert_eq!(event.kind, o::EventKind::PetCreated);
    assert_eq!(event.note, Some(None));
    assert_eq!(back, example);
    let (with_detail, _): (o::Event, _) = round_trip(json!({"kind": "pet.created", "at": "2026-02-15T00:00:00Z", "maybe": {"text": "t"}, "count": 3}));
    assert_eq!(with_detail.maybe.unwrap().unwrap().text.as_deref(), Some("t"));
}

#[test]
fn keyword_and_clashing_names_keep_their_wire_names() {
    let value = json!({"type": "t", "self": "s", "2fa": true, "fooBar": 1, "foo_bar": 2, "FooBar": 3, "$ref": "r", "": "e"});
    let (pet, back): (n::Pet, _) = round_trip(value.clone());
    assert_eq!((pet.foo_bar, pet.foo_bar2, pet.foo_bar3), (Some(1), Some(2), Some(3)));
    assert_eq!(pet.type_, "t");
    assert_eq!(back, value);
}

#[test]
fn request_types_are_built_from_their_required_fields() {
    // `NewPet` is the body of `addPet`: its constructor takes the required `name`, nothing else.
    let pet = crate::swagger2::models::NewPet::new("rex".into());
    assert_eq!(pet.tag, None);
    assert_eq!(serde_json::to_value(&pet).unwrap(), json!({"name": "rex"}));
}
