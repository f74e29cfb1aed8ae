//! Request extractors whose rejections are [`ApiError`]s: JSON bodies, form bodies and query
//! strings that fail to parse become 400/413/415/422 with the same error body as everything
//! else. Each refuses text holding NUL (U+0000) with a 422 naming the field (see `nul`).

use axum::body::{Body, Bytes};
use axum::extract::rejection::{FormRejection, JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, RawForm, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use serde::de::DeserializeOwned;

use crate::{ApiError, nul};

/// A JSON body, sent with `Content-Type: application/json` (or `application/…+json`).
pub(crate) struct Json<T>(pub T);

/// Whether the request says its body is JSON (as axum decides it).
fn says_json(headers: &HeaderMap) -> bool {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = ct.split(';').next().unwrap_or_default().trim();
    let Some((kind, sub)) = essence.split_once('/') else {
        return false;
    };
    let sub = sub.to_ascii_lowercase();
    kind.eq_ignore_ascii_case("application") && (sub == "json" || sub.ends_with("+json"))
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !says_json(req.headers()) {
            return Err(ApiError::UnsupportedMediaType(
                "the body must be JSON, sent with `Content-Type: application/json`".into(),
            ));
        }
        let bytes =
            Bytes::from_request(req, state)
                .await
                .map_err(|e| match e.status().as_u16() {
                    413 => ApiError::TooLarge,
                    _ => ApiError::BadRequest(e.body_text()),
                })?;
        if nul::json_may_hold_nul(&bytes)
            && let Ok(doc) = serde_json::from_slice::<serde_json::Value>(&bytes)
            && let Some(field) = nul::json_field(&doc)
        {
            return Err(ApiError::field(&field, nul::MESSAGE));
        }
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(v)) => Ok(Self(v)),
            Err(JsonRejection::JsonDataError(e)) => {
                Err(ApiError::Invalid(vec![attune_domain::FieldError {
                    field: data_error_path(&e.body_text()),
                    message: e.body_text(),
                }]))
            }
            Err(e) => Err(ApiError::BadRequest(e.body_text())),
        }
    }
}

/// Pulls the field path out of serde's message ("…: answers.nps: invalid type…"); for a field
/// the type does not know, the path ends with its name ("…: contact.emial: unknown field…").
fn data_error_path(msg: &str) -> String {
    msg.split(": ")
        .nth(1)
        .filter(|p| !p.contains(' '))
        .unwrap_or("body")
        .to_owned()
}

/// For an optional field that may be left out but not sent as `null`
/// (`#[serde(default, deserialize_with = "not_null")]`): `null` is refused as a value of the
/// wrong type, so the 422 names the field.
pub(crate) fn not_null<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// For a field where leaving it out keeps what is stored and `null` clears it
/// (`#[serde(default, deserialize_with = "patch")]` on an `Option<Option<T>>`).
pub(crate) fn patch<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

/// A query string.
pub(crate) struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // The `nul` middleware refuses these first; this keeps the extractor safe on its own.
        if let Some(field) = parts
            .uri
            .query()
            .and_then(|q| nul::urlencoded_field(q.as_bytes()))
        {
            return Err(ApiError::field(&field, nul::MESSAGE));
        }
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Self(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => {
                Err(ApiError::field("query", e.body_text()))
            }
            Err(e) => Err(ApiError::BadRequest(e.body_text())),
        }
    }
}

/// A form body (`application/x-www-form-urlencoded`), as the pages post them. Handlers that
/// show problems on their page take `Result<Form<T>, ApiError>` and render the 422 there.
pub(crate) struct Form<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Form<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let bytes = form_bytes(&parts, body, state).await?;
        parse_form(parts, bytes, state).await.map(Self)
    }
}

/// Reads a form body whole: 413 when too large, 415 when it is not a form.
pub(crate) async fn form_bytes<S: Send + Sync>(
    parts: &Parts,
    body: Body,
    state: &S,
) -> Result<Bytes, ApiError> {
    let RawForm(bytes) = RawForm::from_request(Request::from_parts(parts.clone(), body), state)
        .await
        .map_err(|e| match e.status().as_u16() {
            413 => ApiError::TooLarge,
            415 => ApiError::UnsupportedMediaType(
                "the form must be sent as `application/x-www-form-urlencoded`".into(),
            ),
            _ => ApiError::BadRequest(e.body_text()),
        })?;
    Ok(bytes)
}

/// Reads the fields of a form body read by [`form_bytes`], refusing NUL in any of them.
pub(crate) async fn parse_form<S: Send + Sync, T: DeserializeOwned>(
    parts: Parts,
    bytes: Bytes,
    state: &S,
) -> Result<T, ApiError> {
    if let Some(field) = nul::urlencoded_field(&bytes) {
        return Err(ApiError::field(&field, nul::MESSAGE));
    }
    let req = Request::from_parts(parts, Body::from(bytes));
    match axum::Form::<T>::from_request(req, state).await {
        Ok(axum::Form(v)) => Ok(v),
        Err(FormRejection::FailedToDeserializeFormBody(e)) => {
            Err(ApiError::field("form", e.body_text()))
        }
        Err(e) => Err(ApiError::BadRequest(e.body_text())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only deserialised")]
    struct Inner {
        email: Option<String>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only deserialised")]
    struct Outer {
        contact: Option<Inner>,
        list: Option<Vec<Inner>>,
        mode: Option<Mode>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Mode {
        Public,
    }

    async fn field_of(body: &str) -> (u16, String, String) {
        let req = Request::builder()
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap();
        match Json::<Outer>::from_request(req, &()).await {
            Ok(_) => (200, String::new(), String::new()),
            Err(ApiError::Invalid(f)) => (422, f[0].field.clone(), f[0].message.clone()),
            Err(e) => (e.status().as_u16(), String::new(), e.message()),
        }
    }

    #[tokio::test]
    async fn unknown_fields_and_values_are_422_naming_them() {
        for (body, field, named) in [
            (r#"{"langauge": "en"}"#, "langauge", "langauge"),
            (
                r#"{"contact": {"emial": "a@b.c"}}"#,
                "contact.emial",
                "emial",
            ),
            (
                r#"{"list": [{"email": "a@b.c"}, {"x": 1}]}"#,
                "list[1].x",
                "`x`",
            ),
            (r#"{"mode": "bogus"}"#, "mode", "bogus"),
        ] {
            let (status, f, message) = field_of(body).await;
            assert_eq!((status, f.as_str()), (422, field), "{body}: {message}");
            assert!(message.contains(named), "{body}: {message}");
        }
        assert_eq!(field_of(r#"{"mode": "public"}"#).await.0, 200);
    }

    #[test]
    fn json_content_types_are_recognised_as_axum_does() {
        let says = |ct: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, ct.parse().unwrap());
            says_json(&h)
        };
        assert!(says("application/json"));
        assert!(says("application/json; charset=utf-8"));
        assert!(says("Application/JSON;charset=utf-8"));
        assert!(says("application/cloudevents+json"));
        assert!(!says("text/json"));
        assert!(!says("text/plain"));
        assert!(!says("application/x-www-form-urlencoded"));
        assert!(!says_json(&HeaderMap::new()));
    }
}
