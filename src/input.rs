//! User input, parsed once at the boundary: a message text within limits, and how many
//! matches to return. Every surface (API, web form, CLI, WeChat) goes through these.

/// Largest single-check body accepted (JSON or form; a 10,000-character message fits with room
/// to spare).
pub const MAX_BODY_BYTES: usize = 512 * 1024;
/// Longest message accepted, in characters after trimming.
pub const MAX_CHARS: usize = 10_000;
/// Default and largest number of matches returned.
pub const DEFAULT_LIMIT: usize = 5;
pub const MAX_LIMIT: usize = 20;

/// A message to check: trimmed, 1 to `MAX_CHARS` characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageText(String);

/// Why a message or limit was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("`text` is empty: paste the message you want to check")]
    Empty,
    #[error("`text` has {chars} characters; at most {MAX_CHARS} are accepted")]
    TooLong { chars: usize },
    #[error("`limit` must be between 1 and {MAX_LIMIT}, got {0}")]
    BadLimit(i64),
}

impl MessageText {
    pub fn parse(raw: &str) -> Result<MessageText, InputError> {
        let t = raw.trim();
        if t.chars().all(|c| c.is_whitespace() || c.is_control() || crate::text::is_invisible(c)) {
            return Err(InputError::Empty);
        }
        let chars = t.chars().count();
        if chars > MAX_CHARS {
            return Err(InputError::TooLong { chars });
        }
        Ok(MessageText(t.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Number of matches to return, 1 to `MAX_LIMIT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit(usize);

impl Limit {
    pub fn parse(raw: Option<i64>) -> Result<Limit, InputError> {
        match raw {
            None => Ok(Limit(DEFAULT_LIMIT)),
            Some(n) if (1..=MAX_LIMIT as i64).contains(&n) => Ok(Limit(n as usize)),
            Some(n) => Err(InputError::BadLimit(n)),
        }
    }

    pub fn get(self) -> usize {
        self.0
    }
}

impl Default for Limit {
    fn default() -> Limit {
        Limit(DEFAULT_LIMIT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_text() {
        assert_eq!(MessageText::parse("  hi  ").unwrap().as_str(), "hi");
        assert_eq!(MessageText::parse(" \n\t\u{200b} "), Err(InputError::Empty));
        // word joiners, variation selectors, tag characters: nothing a reader can see
        assert_eq!(MessageText::parse("\u{2060}\u{2060}\u{fe0f}\u{e0041}\u{3164}"), Err(InputError::Empty));
        assert!(matches!(MessageText::parse(&"谣".repeat(MAX_CHARS + 1)), Err(InputError::TooLong { .. })));
        assert!(MessageText::parse(&"谣".repeat(MAX_CHARS)).is_ok());
    }

    #[test]
    fn parses_limit() {
        assert_eq!(Limit::parse(None).unwrap().get(), 5);
        assert_eq!(Limit::parse(Some(20)).unwrap().get(), 20);
        assert_eq!(Limit::parse(Some(0)), Err(InputError::BadLimit(0)));
        assert_eq!(Limit::parse(Some(21)), Err(InputError::BadLimit(21)));
    }
}
