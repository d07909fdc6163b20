//! Enumerations stored as text columns and exchanged as `snake_case` JSON strings.

/// Declares an enum with its stored/JSON text for each variant, `as_str`, `from_db` and `ALL`.
#[macro_export]
macro_rules! text_enum {
    // `$text:tt`, not `:literal`: a `literal` fragment reaches derive macros wrapped in an
    // invisible group, which utoipa does not read in `#[serde(rename = …)]`, so the OpenAPI
    // document listed the Rust variant names (`EssStructure`) instead of the wire texts.
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The text stored in the database and used in JSON.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Reads the stored text back.
            pub fn from_db(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
