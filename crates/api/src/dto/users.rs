//! Accounts: `POST /users`.

use chrono::DateTime;
use chrono::Utc;
use matinale_domain::user::Role;
use matinale_domain::user::User;
use serde::Deserialize;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// `POST /users`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// Login e-mail.
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// Password, 10 to 128 characters.
    #[schema(min_length = 10, max_length = 128)]
    pub password: String,
    /// `organiser`, `admin`, or `member` (acts only for the organisations it is added to).
    pub role: Role,
    /// Display name.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$"
    )]
    pub name: String,
}

/// An account.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    /// Id.
    pub id: Uuid,
    /// E-mail.
    pub email: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

impl From<User> for UserResponse {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role,
            created_at: u.created_at,
        }
    }
}
