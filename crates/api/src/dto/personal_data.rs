//! RGPD: export and erasure.

use crate::error::ApiError;
use matinale_domain::user::Email;
use matinale_store::personal_data::Erased;
use serde::Deserialize;
use serde::Serialize;
use utoipa::IntoParams;
use utoipa::ToSchema;

/// What an erasure did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErasedResponse {
    /// Registrations made anonymous (kept for counts and reports).
    pub registrations: u64,
    /// Accounts with that address, left as they are (admins manage staff accounts).
    pub accounts_kept: u64,
}

impl From<Erased> for ErasedResponse {
    fn from(e: Erased) -> Self {
        Self {
            registrations: e.registrations,
            accounts_kept: e.accounts_kept,
        }
    }
}

/// `?email=` of the person routes.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PersonQuery {
    /// The person's e-mail address (required).
    #[param(value_type = String, required = true, format = Email, max_length = 254)]
    pub email: Option<String>,
}

impl PersonQuery {
    pub(crate) fn email(&self) -> Result<Email, ApiError> {
        let given = self
            .email
            .as_deref()
            .ok_or_else(|| matinale_domain::Error::field("email", "required", "give the person's e-mail"))?;
        Ok(Email::parse("email", given)?)
    }
}
