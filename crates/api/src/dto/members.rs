//! Members of an organisation.

use matinale_domain::user::Role;
use matinale_store::organisations::{Member, MemberRef};
use serde::Deserialize;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// `POST /organisations/{id}/members`: exactly one of `user_id` and `email`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMemberRequest {
    /// The account to add (typically created with role `member` by an admin).
    #[serde(default)]
    pub user_id: Option<Uuid>,
    /// Or the login e-mail of the account to add, looked up on the server (case and spaces
    /// ignored); 422 on `email` when no account has it.
    #[serde(default)]
    pub email: Option<String>,
}

impl AddMemberRequest {
    /// The account the request names; 422 naming the field unless exactly one is given.
    pub fn account(self) -> Result<MemberRef, matinale_domain::Error> {
        match (self.user_id, self.email) {
            (Some(id), None) => Ok(MemberRef::Id(id)),
            (None, Some(email)) if !email.trim().is_empty() => Ok(MemberRef::Email(email)),
            (None, Some(_)) => Err(matinale_domain::Error::field(
                "email",
                "required",
                "an e-mail address is required",
            )),
            (None, None) => Err(matinale_domain::Error::field(
                "user_id",
                "required",
                "send user_id or email",
            )),
            (Some(_), Some(_)) => Err(matinale_domain::Error::field(
                "email",
                "conflict",
                "send user_id or email, not both",
            )),
        }
    }
}

/// A member of an organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberResponse {
    /// The account.
    pub user_id: Uuid,
    /// Display name.
    pub name: String,
    /// Login address: shown to the organisation's members and to admins only (other
    /// organisers list the members without it).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, required = false)]
    pub email: Option<String>,
    /// Role of the account (`member`, `organiser` or `admin`).
    pub role: Role,
}

impl MemberResponse {
    /// A member, with the e-mail address when `with_email`.
    pub fn new(m: Member, with_email: bool) -> Self {
        Self {
            user_id: m.user_id,
            name: m.name,
            email: with_email.then_some(m.email),
            role: m.role,
        }
    }
}
