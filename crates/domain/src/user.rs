//! Accounts of organisers, administrators and organisation members.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{required_line, Checker};
use crate::Error;

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Creates and runs its own events.
    Organiser,
    /// Everything, including creating accounts.
    Admin,
    /// Acts only for the organisations it belongs to (a buyer's or an ESS structure's staff):
    /// edits their profile and needs, expresses interest; creates no event or series.
    Member,
}

impl Role {
    /// The text stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Organiser => "organiser",
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }

    /// Reads the stored text.
    pub fn from_db(text: &str) -> Option<Self> {
        match text {
            "organiser" => Some(Role::Organiser),
            "admin" => Some(Role::Admin),
            "member" => Some(Role::Member),
            _ => None,
        }
    }
}

/// A syntactically valid e-mail address, trimmed and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Parses an address; the domain part is lower-cased, and so is the whole for comparison.
    pub fn parse(field: &str, input: &str) -> Result<Self, Error> {
        use validator::ValidateEmail;
        let trimmed = input.trim().to_lowercase();
        if trimmed.len() > 254 || !trimmed.validate_email() {
            return Err(Error::field(field, "invalid", "must be a valid e-mail address"));
        }
        Ok(Self(trimmed))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password acceptable for a new account (10 to 128 characters).
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

impl NewPassword {
    /// Parses a password: at least 10 characters, at most 128.
    pub fn parse(field: &str, input: &str) -> Result<Self, Error> {
        let n = input.chars().count();
        if n < 10 {
            return Err(Error::field(field, "too_short", "must be at least 10 characters"));
        }
        if n > 128 {
            return Err(Error::field(field, "too_long", "must be at most 128 characters"));
        }
        Ok(Self(input.to_owned()))
    }

    /// The clear text, to be hashed.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A validated new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login address.
    pub email: Email,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Password to hash.
    pub password: NewPassword,
}

impl NewUser {
    /// Parses every field, reporting all errors at once.
    pub fn parse(email: &str, name: &str, role: Role, password: &str) -> Result<Self, Error> {
        let mut check = Checker::new();
        let email = check.take(Email::parse("email", email));
        let name = check.take(required_line("name", name, 200));
        let password = check.take(NewPassword::parse("password", password));
        match (email, name, password) {
            (Some(email), Some(name), Some(password)) => check.finish(|| Self {
                email,
                name,
                role,
                password,
            }),
            _ => Err(check.into_error()),
        }
    }
}

/// An account as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Identifier.
    pub id: Uuid,
    /// Login address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Creation time.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// The authenticated caller of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// The user's id.
    pub user_id: Uuid,
    /// The user's role.
    pub role: Role,
}

impl Actor {
    /// Whether the caller is an administrator.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Whether the caller may create series and events (organisers and admins, not members).
    pub fn may_organise(&self) -> bool {
        matches!(self.role, Role::Organiser | Role::Admin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_user_reports_every_bad_field() {
        let err = NewUser::parse("nope", "", Role::Organiser, "short").unwrap_err();
        let Error::Invalid(errors) = err else { panic!() };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "name", "password"]);
    }

    #[test]
    fn emails_are_lowercased() {
        let e = Email::parse("email", " Marie.Dupont@Ville-Orly.FR ").unwrap();
        assert_eq!(e.as_str(), "marie.dupont@ville-orly.fr");
    }
}
