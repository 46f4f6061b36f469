//! How a verdict, a rating and a match level are shown: in colour AND words (and a symbol),
//! never colour alone, for readers who cannot tell red from green.

use crate::corpus::Rating;
use crate::matcher::Level;
use crate::response::Verdict;

/// A verdict as a badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Badge {
    /// CSS class choosing the colour: the verdict's JSON name.
    pub class: &'static str,
    /// The Chinese word: 谣言, 误导, 属实, 存疑, 未收录.
    pub label: &'static str,
    /// A symbol for readers who skim; hidden from screen readers.
    pub icon: &'static str,
}

impl Badge {
    pub fn verdict(v: Verdict) -> Badge {
        let icon = match v {
            Verdict::False => "✗",
            Verdict::Misleading => "!",
            Verdict::True => "✓",
            Verdict::Unproven | Verdict::Unknown => "?",
        };
        Badge { class: v.as_str(), label: v.label(), icon }
    }

    pub fn rating(r: Rating) -> Badge {
        Badge::verdict(Verdict::from_rating(r))
    }
}

/// What a match level means to a reader.
pub fn level_label(level: Level) -> &'static str {
    match level {
        Level::Same => "与这条辟谣说的是同一件事",
        Level::Similar => "与这条辟谣的说法相近",
        Level::Related => "话题相关，结论不一定适用",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badges_have_words() {
        assert_eq!(Badge::verdict(Verdict::Unknown).label, "未收录");
        assert_eq!(Badge::rating(Rating::False).class, "false");
    }
}
