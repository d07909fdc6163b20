//! The links mails and calendars give: a registration's page, an event's public page, and the
//! host that names calendar UIDs and Message-IDs.

use uuid::Uuid;

/// The link a mail gives to a registration's page: `template` (`MATINALE_MANAGE_URL`) with
/// `{id}`, `{event_id}` and `{token}` replaced, or the built-in page
/// `{public_url}/r/{id}?e={event_id}#token={token}`. Without a token (mails queued after the
/// token was hashed away) the fragment holding `{token}` is dropped, so that the page offers
/// to send a new link; a `{token}` outside a fragment becomes empty.
pub fn manage_link(
    template: Option<&str>,
    public_url: &str,
    registration_id: Uuid,
    event_id: Uuid,
    token: Option<&str>,
) -> String {
    let builtin = format!(
        "{}/r/{{id}}?e={{event_id}}#token={{token}}",
        public_url.trim_end_matches('/')
    );
    let template = template.unwrap_or(&builtin);
    let template = match (token, template.split_once('#')) {
        (None, Some((before, fragment))) if fragment.contains("{token}") => before,
        _ => template,
    };
    let token: String = token
        .map(|t| form_urlencoded::byte_serialize(t.as_bytes()).collect())
        .unwrap_or_default();
    template
        .replace("{id}", &registration_id.to_string())
        .replace("{event_id}", &event_id.to_string())
        .replace("{token}", &token)
}

/// `link` with the e-mail verification secret of a confirmation mail in its query
/// (`verify=<secret>`, before any fragment): the page that opens it proves the address with
/// it (`POST /registrations/{id}/email-verification`) and then drops it from the address bar.
pub fn with_verification(link: &str, secret: &str) -> String {
    let (base, fragment) = match link.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (link, None),
    };
    let secret: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let separator = if base.contains('?') { '&' } else { '?' };
    let mut out = format!("{base}{separator}verify={secret}");
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// The public page of an event.
pub fn event_link(public_url: &str, event_id: Uuid) -> String {
    format!("{}/e/{event_id}", public_url.trim_end_matches('/'))
}

/// The public page of an event with an invitation's secret in its query (`?invitation=`):
/// the page pre-fills its form from it, sends it with the registration, and drops it from the
/// address bar.
pub fn invitation_link(public_url: &str, event_id: Uuid, secret: &str) -> String {
    let secret: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    format!("{}?invitation={secret}", event_link(public_url, event_id))
}

/// The one-click unsubscribe link of an invitation (RFC 8058): `GET` shows a page with a
/// button, `POST` (`List-Unsubscribe=One-Click`) unsubscribes.
pub fn unsubscribe_link(public_url: &str, secret: &str) -> String {
    let secret: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    format!("{}/unsubscribe/{secret}", public_url.trim_end_matches('/'))
}

/// The host part of the public URL, used in UIDs (`event-<id>@host`) and Message-IDs.
pub fn uid_domain(public_url: &str) -> &str {
    let rest = public_url.split_once("://").map_or(public_url, |(_, r)| r);
    let host = rest.split(['/', ':']).next().unwrap_or("matinale");
    if host.is_empty() {
        "matinale"
    } else {
        host
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0190f3c4-5a6b-7c8d-9e0f-112233445566";
    const EVENT: &str = "0190f3c4-0000-7000-8000-000000000001";

    fn ids() -> (Uuid, Uuid) {
        (ID.parse().unwrap(), EVENT.parse().unwrap())
    }

    #[test]
    fn the_builtin_page_gets_the_token_in_the_fragment() {
        let (id, event) = ids();
        assert_eq!(
            manage_link(None, "https://m.example/", id, event, Some("mt_a+b/c")),
            format!("https://m.example/r/{ID}?e={EVENT}#token=mt_a%2Bb%2Fc")
        );
        assert_eq!(
            manage_link(None, "https://m.example", id, event, None),
            format!("https://m.example/r/{ID}?e={EVENT}")
        );
    }

    #[test]
    fn an_integrators_template_is_filled_in() {
        let (id, event) = ids();
        let template = "https://mois-ess.example.org/inscription/{id}?evenement={event_id}#token={token}";
        assert_eq!(
            manage_link(Some(template), "https://m.example", id, event, Some("mt_x")),
            format!("https://mois-ess.example.org/inscription/{ID}?evenement={EVENT}#token=mt_x")
        );
        assert_eq!(
            manage_link(Some(template), "https://m.example", id, event, None),
            format!("https://mois-ess.example.org/inscription/{ID}?evenement={EVENT}")
        );
        assert_eq!(
            manage_link(Some("https://x.example/{id}?t={token}"), "", id, event, None),
            format!("https://x.example/{ID}?t=")
        );
    }

    #[test]
    fn uid_domain_is_the_host() {
        assert_eq!(uid_domain("https://agenda.grand-orly.fr/base"), "agenda.grand-orly.fr");
        assert_eq!(uid_domain("http://127.0.0.1:8080"), "127.0.0.1");
    }

    #[test]
    fn the_verification_secret_goes_in_the_query_before_the_fragment() {
        let (id, event) = ids();
        let link = manage_link(None, "https://m.example", id, event, Some("mr_x"));
        assert_eq!(
            with_verification(&link, "mv_a+b"),
            format!("https://m.example/r/{ID}?e={EVENT}&verify=mv_a%2Bb#token=mr_x")
        );
        assert_eq!(
            with_verification("https://x.example/r", "mv_1"),
            "https://x.example/r?verify=mv_1"
        );
    }
}
