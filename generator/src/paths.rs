//! Path templates: the one matcher the generated router, `verify` and the contract engine share.
//!
//! The code lives in `templates/paths.rs`, which every generated server also carries in its
//! `server/runtime.rs`, so a request path reaches the same operation everywhere.

include!("../templates/paths.rs");

/// Many templates ready to be matched against many request paths (`verify` matches millions):
/// grouped by method, and a template whose segment count or literal segments differ from the
/// path's is passed over before [`match_path`] (which decides) and [`path_rank`] (which ranks
/// the templates that match) run.
#[derive(Debug, Clone, Default)]
pub struct Routes {
    /// Upper-case method, then that method's templates in the order given.
    by_method: Vec<(String, Vec<Route>)>,
}

#[derive(Debug, Clone)]
struct Route {
    /// Its place in the order the templates were given.
    index: usize,
    template: String,
    /// How many non-empty segments it has.
    segments: usize,
    /// Its segments without a parameter, with their positions.
    literals: Vec<(usize, String)>,
    rank: Vec<u8>,
}

impl Routes {
    /// Indexes `(method, template)` pairs; [`Routes::find`] answers with their positions.
    pub fn new<'a>(templates: impl IntoIterator<Item = (&'a str, &'a str)>) -> Routes {
        let mut routes = Routes::default();
        for (index, (method, template)) in templates.into_iter().enumerate() {
            let method = method.to_ascii_uppercase();
            let route = Route {
                index,
                template: template.to_string(),
                segments: segments(template).count(),
                literals: segments(template)
                    .enumerate()
                    .filter(|(_, s)| !s.contains('{'))
                    .map(|(at, s)| (at, s.to_string()))
                    .collect(),
                rank: path_rank(template),
            };
            match routes.by_method.iter_mut().find(|(m, _)| *m == method) {
                Some((_, list)) => list.push(route),
                None => routes.by_method.push((method, vec![route])),
            }
        }
        routes
    }

    /// The position of the template serving `method` on `path`, with its parameters' values:
    /// of those that match, the first of the best rank.
    pub fn find(&self, method: &str, path: &str) -> Option<(usize, Vec<(String, String)>)> {
        let (_, routes) = self
            .by_method
            .iter()
            .find(|(m, _)| m.eq_ignore_ascii_case(method))?;
        let actual: Vec<&str> = segments(path).collect();
        let mut best: Option<(&Route, Vec<(&str, String)>)> = None;
        for route in routes {
            // An escaped segment may still equal the literal: the matcher decodes it.
            let possible = route.segments == actual.len()
                && route
                    .literals
                    .iter()
                    .all(|(at, l)| actual[*at] == l || actual[*at].contains('%'));
            if !possible || best.as_ref().is_some_and(|(b, _)| route.rank >= b.rank) {
                continue;
            }
            if let Some(params) = match_path(&route.template, path) {
                best = Some((route, params));
            }
        }
        best.map(|(route, params)| {
            let params = params
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            (route.index, params)
        })
    }
}

/// A path's non-empty segments, as [`match_path`] reads them.
fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

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
    fn routes_find_what_the_matcher_and_ranking_choose() {
        let routes = Routes::new([
            ("get", "/users/{id}"),
            ("GET", "/users/me"),
            ("GET", "/users/{id}.json"),
            ("DELETE", "/users/{id}"),
            ("GET", "/r/{a}-{b}"),
        ]);
        assert_eq!(routes.find("GET", "/users/me"), Some((1, vec![])));
        assert_eq!(
            routes.find("get", "/users/7.json"),
            Some((2, vec![("id".to_string(), "7".to_string())]))
        );
        assert_eq!(
            routes.find("DELETE", "/users/me"),
            Some((3, vec![("id".to_string(), "me".to_string())]))
        );
        // An escaped literal is still the literal.
        assert_eq!(routes.find("GET", "/users/m%65"), Some((1, vec![])));
        assert_eq!(
            routes.find("GET", "/r/x-y"),
            Some((
                4,
                vec![
                    ("a".to_string(), "x".to_string()),
                    ("b".to_string(), "y".to_string())
                ]
            ))
        );
        assert_eq!(routes.find("GET", "/users"), None);
        assert_eq!(routes.find("PUT", "/users/me"), None);
    }

    /// The narrowing never changes the answer: every template tried in turn, the first of the
    /// best rank kept, answers the same for every path.
    #[test]
    fn routes_answer_as_trying_every_template_does() {
        let templates = [
            ("GET", "/v1/customers/{id}"),
            ("GET", "/v1/customers/{id}/kyc"),
            ("GET", "/v1/customers/search"),
            ("GET", "/v1/{kind}/search"),
            ("POST", "/v1/disbursements/{id}/proceed/{allow}"),
            ("GET", "/calls/{Sid}.json"),
            ("GET", "/calls/{Sid}"),
            ("GET", "/r/{a}-{b}"),
            ("GET", "/"),
        ];
        let routes = Routes::new(templates);
        let paths = [
            "/v1/customers/42",
            "/v1/customers/42/kyc",
            "/v1/customers/search",
            "/v1/customers/se%61rch",
            "/v1/payments/search",
            "/v1//customers/7",
            "/v1/disbursements/d1/proceed/true",
            "/calls/CA1.json",
            "/calls/CA1",
            "/r/x-y",
            "/r/xy",
            "/",
            "",
            "/v1/customers/a%20b",
            "/nothing/here",
        ];
        for method in ["GET", "POST", "get"] {
            for path in paths {
                let mut best: Option<(usize, Vec<(&str, String)>)> = None;
                for (at, (m, template)) in templates.iter().enumerate() {
                    if !m.eq_ignore_ascii_case(method) {
                        continue;
                    }
                    if let Some(params) = match_path(template, path)
                        && best
                            .as_ref()
                            .is_none_or(|(b, _)| path_rank(template) < path_rank(templates[*b].1))
                    {
                        best = Some((at, params));
                    }
                }
                let expected = best.map(|(at, params)| {
                    (
                        at,
                        params
                            .into_iter()
                            .map(|(k, v)| (k.to_string(), v))
                            .collect::<Vec<_>>(),
                    )
                });
                assert_eq!(routes.find(method, path), expected, "{method} {path}");
            }
        }
    }

    #[test]
    fn literal_segments_rank_first() {
        let mut templates = vec!["/users/{id}", "/users/{id}.json", "/users/me"];
        templates.sort_by_key(|t| path_rank(t));
        assert_eq!(templates, ["/users/me", "/users/{id}.json", "/users/{id}"]);
    }
}
