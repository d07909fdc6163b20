//! SIRET and SIREN numbers of French establishments.

use crate::error::Error;

/// The SIREN of La Poste, whose establishments follow their own check rule.
const LA_POSTE_SIREN: &str = "356000000";

/// A valid 14-digit SIRET (establishment number).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Siret(String);

impl Siret {
    /// Parses a SIRET, ignoring spaces: 14 digits passing the Luhn check, or for La Poste
    /// (SIREN 356000000) a digit sum divisible by 5.
    pub fn parse(field: &str, input: &str) -> Result<Self, Error> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 14 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::field(field, "invalid", "a SIRET has exactly 14 digits"));
        }
        let valid = if digits.starts_with(LA_POSTE_SIREN) {
            digit_sum(&digits).is_multiple_of(5)
        } else {
            luhn_valid(&digits)
        };
        if !valid {
            return Err(Error::field(field, "checksum", "this SIRET fails its check digit"));
        }
        Ok(Self(digits))
    }

    /// The 14 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The SIREN: the first 9 digits, which identify the legal unit.
    pub fn siren(&self) -> &str {
        &self.0[..9]
    }
}

fn digit_sum(digits: &str) -> u32 {
    digits.bytes().map(|b| u32::from(b - b'0')).sum()
}

/// The Luhn check over a string of ASCII digits.
pub fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_luhn_valid_siret_is_accepted() {
        // 732 829 320 00074: a published SIRET that passes Luhn.
        let siret = Siret::parse("siret", "732 829 320 00074").unwrap();
        assert_eq!(siret.as_str(), "73282932000074");
        assert_eq!(siret.siren(), "732829320");
    }

    #[test]
    fn a_wrong_check_digit_is_refused_with_the_field() {
        let err = Siret::parse("siret", "73282932000075").unwrap_err();
        assert_eq!(
            err,
            Error::field("siret", "checksum", "this SIRET fails its check digit")
        );
    }

    #[test]
    fn length_and_digits_are_checked() {
        assert!(Siret::parse("siret", "7328293200007").is_err());
        assert!(Siret::parse("siret", "7328293200007A").is_err());
    }

    #[test]
    fn la_poste_follows_its_own_rule() {
        // Digit sum 3+5+6+1 = 15, divisible by 5, though it fails Luhn: accepted.
        assert!(!luhn_valid("35600000000001"));
        assert!(Siret::parse("siret", "35600000000001").is_ok());
        // Passes Luhn but its digit sum is 26: refused, La Poste's rule applies instead.
        assert!(luhn_valid("35600000000048"));
        assert!(Siret::parse("siret", "35600000000048").is_err());
    }
}
