//! Request extractors whose every refusal is a problem+json naming the field.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::StreamExt;
use matinale_domain::user::Actor;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::state::AppState;

/// A JSON body parsed into `T`: 400 for malformed JSON, 422 naming the field for a wrong,
/// missing or unknown one, 413 past the size limit, 415 when it is not JSON.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    /// The parsed body.
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// Where a deserialisation error points, as a JSON path with dots (`venue.postcode`).
fn field_path(path: &serde_path_to_error::Path) -> String {
    let text = path.to_string();
    if text == "." {
        String::new()
    } else {
        text
    }
}

fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_owned()
    } else {
        format!("{parent}.{child}")
    }
}

/// The name between the first pair of backticks of a serde message.
fn quoted_name(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}

/// Turns a data error of serde into a field error.
fn data_error(path: &str, message: &str) -> ApiError {
    let message = message.split(" at line ").next().unwrap_or(message).to_owned();
    if message.starts_with("unknown field") {
        // serde_path_to_error already ends the path with the unknown key.
        let name = quoted_name(&message).unwrap_or("?");
        let field = if path.ends_with(name) {
            path.to_owned()
        } else {
            join(path, name)
        };
        return ApiError::field(field, "unknown_field", "this field is not accepted here");
    }
    if message.starts_with("missing field") {
        let name = quoted_name(&message).unwrap_or("?");
        return ApiError::field(join(path, name), "required", "this field is required");
    }
    let code = if message.starts_with("unknown variant") {
        "invalid_choice"
    } else {
        "invalid"
    };
    let field = if path.is_empty() {
        "body".to_owned()
    } else {
        path.to_owned()
    };
    ApiError::field(field, code, message)
}

/// Parses a JSON document, mapping every failure to the right status.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = field_path(err.path());
        let inner = err.inner();
        match inner.classify() {
            serde_json::error::Category::Data => data_error(&path, &inner.to_string()),
            _ => ApiError::BadRequest(format!("malformed JSON: {inner}")),
        }
    })?;
    de.end()
        .map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))?;
    Ok(value)
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map_or(256 * 1024, |s| s.config.body_limit);
        let mime_ok = req
            .mime_type()
            .ok()
            .flatten()
            .is_some_and(|m| m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json"));
        let mut payload = payload.take();
        Box::pin(async move {
            if !mime_ok {
                return Err(ApiError::UnsupportedMediaType);
            }
            // Read to the end even past the limit (up to a hard cap), so that the client sees
            // the 413 instead of a connection reset.
            let mut body = web::BytesMut::new();
            let mut seen = 0usize;
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| ApiError::BadRequest(format!("could not read the body: {e}")))?;
                seen += chunk.len();
                if seen > limit.saturating_mul(16) {
                    return Err(ApiError::PayloadTooLarge(limit));
                }
                if seen <= limit {
                    body.extend_from_slice(&chunk);
                }
            }
            if seen > limit {
                return Err(ApiError::PayloadTooLarge(limit));
            }
            parse_json(&body).map(Json)
        })
    }
}

/// Query parameters parsed into `T`; a bad value is a 422 naming the parameter.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req).map(Query))
    }
}

/// The query string parsed into `T`; a bad value is a 422 naming the parameter.
pub(crate) fn parse_query<T: DeserializeOwned>(req: &HttpRequest) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(req.query_string().as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = field_path(err.path());
        data_error(&path, &err.inner().to_string())
    })
}

/// The bearer token of a request, if any.
fn bearer(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .map_err(|_| ApiError::Unauthorized("the Authorization header is not valid".into()))?;
    match text.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
            Ok(Some(token.trim().to_owned()))
        }
        _ => Err(ApiError::Unauthorized("use Authorization: Bearer <token>".into())),
    }
}

async fn resolve(state: web::Data<AppState>, token: Option<String>) -> Result<Option<Actor>, ApiError> {
    let Some(token) = token else { return Ok(None) };
    match matinale_store::accounts::actor_for_token(&state.db, &token).await? {
        Some(actor) => Ok(Some(actor)),
        None => Err(ApiError::Unauthorized("the token is unknown or expired".into())),
    }
}

fn state_of(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>().cloned().ok_or(ApiError::Internal)
}

/// The future of an extractor that looks its bearer token up.
type Authenticating<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

/// Reads the bearer token of `req` (if any) and hands it to `then` with the state.
fn with_token<T, F, Fut>(req: &HttpRequest, then: F) -> Authenticating<T>
where
    F: FnOnce(web::Data<AppState>, Option<String>) -> Fut + 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    let token = bearer(req);
    let state = state_of(req);
    Box::pin(async move { then(state?, token?).await })
}

/// The caller, or `None` when anonymous; a bad or expired token is still a 401.
#[derive(Debug, Clone, Copy)]
pub struct Caller(pub Option<Actor>);

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Authenticating<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        with_token(
            req,
            |state, token| async move { Ok(Caller(resolve(state, token).await?)) },
        )
    }
}

/// On a public route, the account behind an account token (`mt_…`) when one is sent: other
/// bearer tokens (a registration's manage token) are ignored, an unknown or expired account
/// token is a 401.
#[derive(Debug, Clone, Copy)]
pub struct AccountIfAny(pub Option<Actor>);

impl FromRequest for AccountIfAny {
    type Error = ApiError;
    type Future = Authenticating<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        with_token(req, |state, token| async move {
            match token {
                Some(token) if token.starts_with("mt_") => Ok(AccountIfAny(resolve(state, Some(token)).await?)),
                _ => Ok(AccountIfAny(None)),
            }
        })
    }
}

/// An authenticated account (organiser or admin); 401 otherwise.
#[derive(Debug, Clone, Copy)]
pub struct SignedIn(pub Actor);

impl FromRequest for SignedIn {
    type Error = ApiError;
    type Future = Authenticating<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        with_token(req, |state, token| async move {
            resolve(state, token).await?.map(SignedIn).ok_or_else(sign_in)
        })
    }
}

fn sign_in() -> ApiError {
    ApiError::Unauthorized("sign in: POST /api/v1/auth/token".into())
}

/// The bearer token of the request, as sent; 401 without one.
#[derive(Debug, Clone)]
pub struct BearerToken(pub String);

impl FromRequest for BearerToken {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(match bearer(req) {
            Ok(Some(token)) => Ok(BearerToken(token)),
            Ok(None) => Err(sign_in()),
            Err(e) => Err(e),
        })
    }
}

/// Who acts on one registration: an account, or the holder of the registration's manage token
/// (`Authorization: Bearer mr_…`). Anonymous callers and unknown tokens get 401.
#[derive(Debug, Clone, Copy)]
pub struct RegistrationCaller(pub matinale_store::registrations::Credential);

impl FromRequest for RegistrationCaller {
    type Error = ApiError;
    type Future = Authenticating<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        use matinale_store::registrations::Credential;
        with_token(req, |state, token| async move {
            let Some(token) = token else {
                return Err(ApiError::Unauthorized(
                    "use the registration's manage token or sign in".into(),
                ));
            };
            if token.starts_with("mr_") {
                return match matinale_store::registrations::for_token(&state.db, &token).await? {
                    Some(id) => Ok(RegistrationCaller(Credential::Registrant(id))),
                    None => Err(ApiError::Unauthorized("the manage token is unknown".into())),
                };
            }
            let actor = resolve(state, Some(token)).await?.ok_or_else(sign_in)?;
            Ok(RegistrationCaller(Credential::User(actor)))
        })
    }
}

/// The `Idempotency-Key` header, if any (1 to 200 visible ASCII characters).
#[derive(Debug, Clone)]
pub struct IdempotencyKey(pub Option<String>);

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = match req.headers().get("Idempotency-Key").map(|v| v.to_str()) {
            None => Ok(IdempotencyKey(None)),
            Some(Ok(text)) if (1..=200).contains(&text.trim().len()) => {
                Ok(IdempotencyKey(Some(text.trim().to_owned())))
            }
            Some(_) => Err(ApiError::field(
                "Idempotency-Key",
                "invalid",
                "1 to 200 visible ASCII characters",
            )),
        };
        std::future::ready(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        postcode: String,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        title: String,
        venue: Inner,
        capacity: u32,
    }

    fn field_of(err: ApiError) -> (String, String) {
        match err {
            ApiError::Invalid(e) => (e[0].field.clone(), e[0].code.clone()),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn json_errors_name_their_field() {
        let unknown = parse_json::<Outer>(br#"{"title":"t","venue":{"postcode":"1","x":1},"capacity":1}"#);
        assert_eq!(
            field_of(unknown.unwrap_err()),
            ("venue.x".into(), "unknown_field".into())
        );
        let missing = parse_json::<Outer>(br#"{"venue":{"postcode":"1"},"capacity":1}"#);
        assert_eq!(field_of(missing.unwrap_err()), ("title".into(), "required".into()));
        let wrong = parse_json::<Outer>(br#"{"title":"t","venue":{"postcode":"1"},"capacity":-3}"#);
        assert_eq!(field_of(wrong.unwrap_err()), ("capacity".into(), "invalid".into()));
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        assert!(matches!(
            parse_json::<Outer>(b"{\"title\":"),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(parse_json::<Outer>(b"not json"), Err(ApiError::BadRequest(_))));
        assert!(matches!(
            parse_json::<Outer>(br#"{"title":"t","venue":{"postcode":"1"},"capacity":1} trailing"#),
            Err(ApiError::BadRequest(_))
        ));
    }
}
