//! Members of an organisation.

use matinale_domain::user::Role;
use matinale_store::organisations::Member;
use serde::Deserialize;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// `POST /organisations/{id}/members`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMemberRequest {
    /// The account to add (typically created with role `member` by an admin).
    pub user_id: Uuid,
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
