//! The request line of the access log, with the secrets it may carry masked.

/// The request line (`GET /path?query HTTP/1.1`) as the access log shows it: manage (`mr_`),
/// calendar-feed (`mc_`), account (`mt_`) tokens, e-mail verification secrets (`mv_`) and
/// invitation secrets (`mi_`, `mu_`) anywhere in it, the value of every query parameter whose
/// name holds `token` or is `verify` or `invitation`,
/// and personal data in the query (the value of `email`, as `/people?email=` takes it, and
/// anything that looks like an e-mail address), are replaced by `[redacted]`.
pub fn loggable_request_line(req: &actix_web::dev::ServiceRequest) -> String {
    let target = req.uri().path_and_query().map_or("/", |p| p.as_str());
    format!("{} {} {:?}", req.method(), masked(target), req.version())
}

/// The prefixes of our secrets (see `matinale_store::accounts::new_secret`).
const SECRET_PREFIXES: [&str; 6] = ["mr_", "mc_", "mt_", "mv_", "mi_", "mu_"];

const REDACTED: &str = "[redacted]";

/// `target` with its secrets masked.
pub fn masked(target: &str) -> String {
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    };
    let mut out = mask_prefixed(path);
    if let Some(query) = query {
        out.push('?');
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) if masked_parameter(name) => format!("{name}={REDACTED}"),
                // An address in any other parameter (`q=awa@…`, `%40` encoded or not).
                Some((name, value)) if looks_like_email(value) => format!("{name}={REDACTED}"),
                _ => mask_prefixed(pair),
            })
            .collect();
        out.push_str(&pairs.join("&"));
    }
    out
}

/// Query parameters whose value is always masked: secrets and e-mail addresses.
fn masked_parameter(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.contains("token") || name.contains("email") || name == "verify" || name == "invitation"
}

/// Whether a query value holds an `@`, plain or percent-encoded.
fn looks_like_email(value: &str) -> bool {
    value.contains('@') || value.to_ascii_lowercase().contains("%40")
}

/// Characters a secret is made of (URL-safe base64) or may be encoded with in a URL.
fn secret_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '%')
}

/// `text` with each `mr_…`, `mc_…` and `mt_…` that starts a word replaced by `[redacted]`.
fn mask_prefixed(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut after_word_char = false;
    while let Some(c) = rest.chars().next() {
        if !after_word_char && SECRET_PREFIXES.iter().any(|p| starts_with_ignoring_case(rest, p)) {
            let end = rest.find(|c: char| !secret_char(c)).unwrap_or(rest.len());
            out.push_str(REDACTED);
            rest = &rest[end..];
            after_word_char = true;
            continue;
        }
        out.push(c);
        after_word_char = c.is_ascii_alphanumeric() || c == '_';
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn starts_with_ignoring_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

#[cfg(test)]
mod tests {
    use super::masked;

    #[test]
    fn tokens_stay_out_of_the_access_log() {
        assert_eq!(
            masked("/api/v1/calendars/mc_s3cret-_x.ics?x=1"),
            "/api/v1/calendars/[redacted].ics?x=1"
        );
        assert_eq!(masked("/api/v1/calendars/mc_abc"), "/api/v1/calendars/[redacted]");
        assert_eq!(
            masked("/registrations/0190?token=mr_AbC-d_e&lang=fr"),
            "/registrations/0190?token=[redacted]&lang=fr"
        );
        // Whatever the parameter's name or how the value is encoded.
        assert_eq!(masked("/x?access_token=abc%2Fdef"), "/x?access_token=[redacted]");
        assert_eq!(masked("/x?t=mt_abc%2D1&u=2"), "/x?t=[redacted]&u=2");
        assert_eq!(masked("/x?q=a,MR_abc,b"), "/x?q=a,[redacted],b");
        assert_eq!(masked("/x/mr_abc/y?a=mc_d"), "/x/[redacted]/y?a=[redacted]");
        assert_eq!(masked("/x?token"), "/x?token");
        assert_eq!(
            masked("/r/0190?e=1&verify=mv_AbC%2B#token=x"),
            "/r/0190?e=1&verify=[redacted]"
        );
        assert_eq!(masked("/r/0190?verify=abc"), "/r/0190?verify=[redacted]");
        assert_eq!(masked("/e/0190?invitation=abc"), "/e/0190?invitation=[redacted]");
        assert_eq!(masked("/api/v1/invitations/mi_AbC"), "/api/v1/invitations/[redacted]");
        assert_eq!(masked("/unsubscribe/mu_AbC"), "/unsubscribe/[redacted]");
    }

    #[test]
    fn e_mail_addresses_stay_out_of_the_access_log() {
        assert_eq!(
            masked("/api/v1/people?email=awa%40rejoue.org"),
            "/api/v1/people?email=[redacted]"
        );
        assert_eq!(
            masked("/api/v1/people/export?email=awa@rejoue.org&x=1"),
            "/api/v1/people/export?email=[redacted]&x=1"
        );
        assert_eq!(masked("/api/v1/x?q=awa%40rejoue.org"), "/api/v1/x?q=[redacted]");
    }

    #[test]
    fn the_rest_of_the_line_is_kept() {
        for plain in [
            "/api/v1/events",
            "/api/v1/events?city=orly&q=format_mt_x",
            "/api/v1/needs?q=smart_meters",
            "/",
        ] {
            assert_eq!(masked(plain), plain);
        }
    }
}
