//! Path templates: the one matcher the generated router, `verify` and the contract engine share.
//!
//! The code lives in `templates/paths.rs`, which every generated server also carries in its
//! `server/runtime.rs`, so a request path reaches the same operation everywhere.

include!("../templates/paths.rs");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_share_segments_with_literals() {
        assert_eq!(
            match_path("/users/{id}", "/users/42"),
            Some(vec![("id", "42".to_string())])
        );
        assert_eq!(
            match_path("/calls/{Sid}.json", "/calls/CA1.json"),
            Some(vec![("Sid", "CA1".to_string())])
        );
        assert_eq!(match_path("/calls/{Sid}.json", "/calls/CA1"), None);
        assert_eq!(
            match_path("/r/{a}-{b}", "/r/x-y"),
            Some(vec![("a", "x".to_string()), ("b", "y".to_string())])
        );
        assert_eq!(match_path("/users/{id}", "/users/42/x"), None);
        assert_eq!(
            match_path("/users/{id}", "/users/a%20b"),
            Some(vec![("id", "a b".to_string())])
        );
    }

    #[test]
    fn literal_segments_rank_first() {
        let mut templates = vec!["/users/{id}", "/users/{id}.json", "/users/me"];
        templates.sort_by_key(|t| path_rank(t));
        assert_eq!(templates, ["/users/me", "/users/{id}.json", "/users/{id}"]);
    }
}
