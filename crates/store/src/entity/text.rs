//! [`Text<T>`]: a domain value kept in a text column, typed in the entity.
//!
//! The domain's enums (`text_enum!`) cannot implement SeaORM's value traits in this crate (the
//! orphan rule), so an entity holds them wrapped: `pub status: Text<RegistrationStatus>`. The
//! wrapper reads and writes the enum's own text (`as_str`/`from_db`); a stored text the enum
//! does not know is a database error naming the type, not a panic. Any type can be kept so by
//! implementing [`TextColumn`].

use std::fmt;

use sea_orm::sea_query::{ArrayType, ColumnType, Nullable, StringLen, ValueType, ValueTypeErr};
use sea_orm::{ActiveValue, ColIdx, DbErr, IntoActiveValue, QueryResult, TryFromU64, TryGetError, TryGetable, Value};

/// A value stored as text: how it is written and read back.
pub trait TextColumn: Sized {
    /// The name given in errors.
    const NAME: &'static str;

    /// The stored text.
    fn to_text(&self) -> String;

    /// Reads the stored text back; `None` when it names no value.
    fn from_text(text: &str) -> Option<Self>;
}

/// The domain enums (`text_enum!`) stored as their `as_str` text.
macro_rules! text_enums {
    ($($ty:path),+ $(,)?) => {$(
        impl TextColumn for $ty {
            const NAME: &'static str = stringify!($ty);

            fn to_text(&self) -> String {
                self.as_str().to_owned()
            }

            fn from_text(text: &str) -> Option<Self> {
                Self::from_db(text)
            }
        }
    )+};
}

text_enums!(
    matinale_domain::event::Category,
    matinale_domain::event::EventKind,
    matinale_domain::event::EventStatus,
    matinale_domain::event::ProgrammeItemKind,
    matinale_domain::mail::MailKind,
    matinale_domain::mail::MailStatus,
    matinale_domain::meeting::MeetingStatus,
    matinale_domain::need::NeedCategory,
    matinale_domain::need::NeedStatus,
    matinale_domain::need::ReservedMarket,
    matinale_domain::organisation::EssKind,
    matinale_domain::organisation::OrganisationKind,
    matinale_domain::outcome::Absent,
    matinale_domain::outcome::Attendance,
    matinale_domain::outcome::MarkedAttendance,
    matinale_domain::outcome::OutcomeKind,
    matinale_domain::registration::Locale,
    matinale_domain::registration::RegistrationStatus,
    matinale_domain::stand::StandKind,
);

/// A seat pool: a category's own (its text) or `open`.
impl TextColumn for matinale_domain::registration::SeatPool {
    const NAME: &'static str = "SeatPool";

    fn to_text(&self) -> String {
        self.as_str().to_owned()
    }

    fn from_text(text: &str) -> Option<Self> {
        match text {
            "open" => Some(Self::Open),
            category => matinale_domain::event::Category::from_db(category).map(Self::Quota),
        }
    }
}

/// `T` in a text column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text<T>(pub T);

impl<T> Text<T> {
    /// The value.
    pub fn get(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Text<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> From<T> for Text<T> {
    fn from(value: T) -> Self {
        Text(value)
    }
}

impl<T: PartialEq> PartialEq<T> for Text<T> {
    fn eq(&self, other: &T) -> bool {
        self.0 == *other
    }
}

impl<T: TextColumn> fmt::Display for Text<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_text())
    }
}

impl<T: TextColumn> From<Text<T>> for Value {
    fn from(value: Text<T>) -> Self {
        Value::String(Some(value.0.to_text()))
    }
}

fn unknown<T: TextColumn>(text: &str) -> DbErr {
    DbErr::Type(format!("{text:?} is no {}", T::NAME))
}

impl<T: TextColumn> TryGetable for Text<T> {
    fn try_get_by<I: ColIdx>(res: &QueryResult, idx: I) -> Result<Self, TryGetError> {
        let text = String::try_get_by(res, idx)?;
        T::from_text(&text)
            .map(Text)
            .ok_or_else(|| TryGetError::DbErr(unknown::<T>(&text)))
    }
}

impl<T: TextColumn> ValueType for Text<T> {
    fn try_from(v: Value) -> Result<Self, ValueTypeErr> {
        let text = <String as ValueType>::try_from(v)?;
        T::from_text(&text).map(Text).ok_or(ValueTypeErr)
    }

    fn type_name() -> String {
        format!("Text<{}>", T::NAME)
    }

    fn array_type() -> ArrayType {
        ArrayType::String
    }

    fn column_type() -> ColumnType {
        ColumnType::String(StringLen::None)
    }
}

impl<T: TextColumn> Nullable for Text<T> {
    fn null() -> Value {
        Value::String(None)
    }
}

impl<T: TextColumn> IntoActiveValue<Text<T>> for Text<T> {
    fn into_active_value(self) -> ActiveValue<Text<T>> {
        ActiveValue::Set(self)
    }
}

/// Never an auto-increment key; required of a part of a composite primary key.
impl<T: TextColumn> TryFromU64 for Text<T> {
    fn try_from_u64(_: u64) -> Result<Self, DbErr> {
        Err(DbErr::ConvertFromU64("Text"))
    }
}

/// As its stored text (an export shows what the database holds).
impl<T: TextColumn> serde::Serialize for Text<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.to_text())
    }
}

#[cfg(test)]
mod tests {
    use matinale_domain::registration::{RegistrationStatus, SeatPool};
    use sea_orm::sea_query::ValueType;
    use sea_orm::Value;

    use super::Text;

    #[test]
    fn a_status_is_written_and_read_as_its_text() {
        let value = Value::from(Text(RegistrationStatus::NoShow));
        assert_eq!(value, Value::String(Some("no_show".to_owned())));
        let read = <Text<RegistrationStatus> as ValueType>::try_from(value);
        assert_eq!(read.ok(), Some(Text(RegistrationStatus::NoShow)));
    }

    #[test]
    fn a_text_the_enum_does_not_know_is_refused() {
        let read = <Text<RegistrationStatus> as ValueType>::try_from(Value::from("pending"));
        assert!(read.is_err());
    }

    #[test]
    fn a_seat_pool_reads_back_its_category_or_open() {
        for pool in ["open", "buyer", "partner"] {
            let read = <Text<SeatPool> as ValueType>::try_from(Value::from(pool)).map(|p| p.as_str());
            assert_eq!(read.ok(), Some(pool));
        }
        assert!(<Text<SeatPool> as ValueType>::try_from(Value::from("closed")).is_err());
    }
}
