//! The error sets of the OpenAPI document: each route declares one of these (then its own
//! responses, whose descriptions win), instead of repeating one `(status = …, body = Problem,
//! content_type = "application/problem+json")` line per status. Every error is problem+json.
#![allow(dead_code)] // The variants only describe responses; they are never built.

use utoipa::IntoResponses;

use crate::error::Problem;

/// Declares a set: one problem+json response per `status Variant`, documented by its `///`.
macro_rules! error_set {
    ($(#[doc = $doc:literal])* $name:ident { $($(#[doc = $what:literal])* $status:literal $variant:ident,)* }) => {
        $(#[doc = $doc])*
        #[derive(IntoResponses)]
        pub enum $name {
            $(
                $(#[doc = $what])*
                #[response(status = $status, content_type = "application/problem+json")]
                $variant(Problem),
            )*
        }
    };
}

error_set! {
    /// A public resource: unknown, or not visible to the caller.
    NotFoundErrors {
        404 NotFound,
    }
}

error_set! {
    /// A read that takes an optional token (an organiser's, a member's or a manage token).
    ReadErrors {
        /// a token was sent that is unknown or expired
        401 Unauthorized,
        404 NotFound,
    }
}

error_set! {
    /// A list: an unknown or expired token, a bad filter, page or per_page.
    ListErrors {
        /// a token was sent that is unknown or expired
        401 Unauthorized,
        422 Invalid,
    }
}

error_set! {
    /// A route for signed-in callers with a right on the resource (an organiser of the event, a
    /// member of the organisation, an admin).
    OrganiserErrors {
        401 Unauthorized,
        403 Forbidden,
        404 NotFound,
    }
}

error_set! {
    /// [`OrganiserErrors`] of a list or a query, whose parameters may be invalid.
    OrganiserListErrors {
        401 Unauthorized,
        403 Forbidden,
        404 NotFound,
        422 Invalid,
    }
}

error_set! {
    /// A write with a JSON body.
    WriteErrors {
        /// the body is not JSON, or not of the expected shape
        400 BadRequest,
        401 Unauthorized,
        403 Forbidden,
        404 NotFound,
        /// the body is larger than the limit
        413 PayloadTooLarge,
        /// the body is not sent as application/json
        415 UnsupportedMediaType,
        422 Invalid,
    }
}

error_set! {
    /// A PATCH: [`WriteErrors`], and `If-Match` naming a version that is no longer current.
    PatchErrors {
        /// the body is not JSON, or not of the expected shape
        400 BadRequest,
        401 Unauthorized,
        403 Forbidden,
        404 NotFound,
        412 PreconditionFailed,
        /// the body is larger than the limit
        413 PayloadTooLarge,
        /// the body is not sent as application/json
        415 UnsupportedMediaType,
        422 Invalid,
    }
}
