//! The contract glue (`contract.rs`) of the `operations` fixture: which generated type decodes
//! which answer, an exact code before its `4XX` range before `default`, as the client reads them.
//! Compiled into the throwaway fixtures crate by `runtime.rs`.

use crate::operations::contract::decode;

#[test]
fn answers_decode_into_the_type_of_their_status_exact_code_then_range_then_default() {
    // 200 is `Part`, which requires `id`: a `Problem`-shaped body does not decode, so the exact
    // code was chosen over `default` (whose `Problem` would have taken it).
    let err = decode("getPart", 200, r#"{"title":"x"}"#).expect("200 is documented");
    assert!(err.is_err_and(|e| e.contains("id")), "200 decodes as Part");
    let unknown = decode("getPart", 200, r#"{"id":1,"extra":true}"#).unwrap().unwrap();
    assert_eq!(unknown.len(), 1, "the undocumented property is reported: {unknown:?}");
    // 404 falls to `4XX`, 500 to `default`; both are `Problem`.
    assert!(decode("getPart", 404, r#"{"title":"gone"}"#).unwrap().is_ok());
    assert!(decode("getPart", 500, r#"{"title":5}"#).unwrap().is_err(), "default is Problem");
    // No JSON body documented for it, and no default: nothing to decode.
    assert!(decode("createItem", 201, "").is_none());
    assert!(decode("createItem", 409, r#"{"title":"taken"}"#).unwrap().is_ok());
    assert!(decode("noSuchOperation", 200, "{}").is_none());
}
