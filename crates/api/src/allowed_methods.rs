//! A wrong method on a known path answers 405 with `Allow`, not 404: the routes and their
//! methods are read once from the OpenAPI document, which is generated from the same
//! registrations that serve them.

use utoipa::openapi::path::PathItem;
use utoipa::openapi::OpenApi;

/// Path templates and the methods each answers.
pub struct KnownRoutes(Vec<(Vec<String>, Vec<&'static str>)>);

fn methods_of(item: &PathItem) -> Vec<&'static str> {
    [
        ("GET", item.get.is_some()),
        ("POST", item.post.is_some()),
        ("PUT", item.put.is_some()),
        ("PATCH", item.patch.is_some()),
        ("DELETE", item.delete.is_some()),
    ]
    .into_iter()
    .filter_map(|(method, present)| present.then_some(method))
    .collect()
}

fn segments(path: &str) -> Vec<&str> {
    path.trim_matches('/').split('/').collect()
}

/// Whether one path segment fits a template segment such as `{id}` or `{feed_token}.ics`.
fn fits(template: &str, segment: &str) -> bool {
    match (template.find('{'), template.find('}')) {
        (Some(open), Some(close)) if open < close => {
            let (prefix, suffix) = (&template[..open], &template[close + 1..]);
            segment.len() > prefix.len() + suffix.len() && segment.starts_with(prefix) && segment.ends_with(suffix)
        }
        _ => template == segment,
    }
}

impl KnownRoutes {
    /// The routes of `doc`, plus `extra` (served but not documented: the document itself, the
    /// pages).
    pub fn new(doc: &OpenApi, extra: &[(&str, &'static str)]) -> Self {
        let mut routes: Vec<(Vec<String>, Vec<&'static str>)> = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                (
                    segments(path).into_iter().map(str::to_owned).collect(),
                    methods_of(item),
                )
            })
            .collect();
        for (path, method) in extra {
            routes.push((segments(path).into_iter().map(str::to_owned).collect(), vec![*method]));
        }
        Self(routes)
    }

    /// The methods a path answers, in a stable order; empty for an unknown path.
    pub fn allowed(&self, path: &str) -> Vec<&'static str> {
        self.matching(path, false)
    }

    /// The methods of the templates that name `path` literally (`/needs/categories`, not
    /// `/needs/{id}`): a request that only a parameterised route caught, with a parameter that
    /// does not parse, was meant for them.
    pub fn allowed_literally(&self, path: &str) -> Vec<&'static str> {
        self.matching(path, true)
    }

    fn matching(&self, path: &str, literal_only: bool) -> Vec<&'static str> {
        let parts = segments(path);
        let mut allowed: Vec<&'static str> = Vec::new();
        for (template, methods) in &self.0 {
            if literal_only && template.iter().any(|t| t.contains('{')) {
                continue;
            }
            if template.len() == parts.len() && template.iter().zip(&parts).all(|(t, p)| fits(t, p)) {
                for method in methods {
                    if !allowed.contains(method) {
                        allowed.push(method);
                    }
                }
            }
        }
        let order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
        allowed.sort_by_key(|m| order.iter().position(|o| o == m));
        allowed
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn templates_fit_ids_and_suffixed_tokens() {
        assert!(super::fits("{id}", "0190"));
        assert!(super::fits("{feed_token}.ics", "mc_x.ics"));
        assert!(!super::fits("{feed_token}.ics", ".ics"));
        assert!(!super::fits("events", "event"));
    }

    #[test]
    fn a_known_path_lists_its_methods_and_an_unknown_one_none() {
        let routes = super::KnownRoutes::new(&crate::openapi(), &[("/r/{id}", "GET"), ("/r/{id}", "HEAD")]);
        assert_eq!(routes.allowed("/api/v1/events/0190f"), ["GET", "PATCH"]);
        assert_eq!(routes.allowed("/api/v1/events"), ["GET", "POST"]);
        assert_eq!(routes.allowed("/r/0190f"), ["GET", "HEAD"]);
        assert!(routes.allowed("/api/v1/nothing-here").is_empty());
        assert_eq!(routes.allowed_literally("/api/v1/needs/categories"), ["GET"]);
        assert!(routes.allowed_literally("/api/v1/needs/0190f").is_empty());
    }
}
