//! The user's message cut into plain and highlighted pieces, so the template can wrap the parts
//! that matched a debunk in `<mark>` while askama still escapes every piece.
//!
//! Spans come from the engine in Unicode characters (code points) of the trimmed message; they
//! may overlap, touch, or (defensively) run past the end, so they are applied as a per-character
//! mask rather than trusted to be sorted and disjoint.

use crate::matcher::Span;

/// A run of the message, highlighted or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub marked: bool,
}

/// The characters `[from, to)` of `chars` as pieces, marking those covered by any of `spans`
/// (which are offsets into the whole of `chars`).
pub fn mark(chars: &[char], from: usize, to: usize, spans: &[Span]) -> Vec<Piece> {
    let to = to.min(chars.len());
    let from = from.min(to);
    let mut covered = vec![false; to - from];
    for s in spans {
        for i in s.start.max(from)..s.end.min(to) {
            covered[i - from] = true;
        }
    }
    let mut pieces: Vec<Piece> = Vec::new();
    for (c, marked) in chars[from..to].iter().zip(covered) {
        match pieces.last_mut() {
            Some(p) if p.marked == marked => p.text.push(*c),
            _ => pieces.push(Piece { text: c.to_string(), marked }),
        }
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(pieces: &[Piece]) -> String {
        pieces.iter().map(|p| if p.marked { format!("[{}]", p.text) } else { p.text.clone() }).collect()
    }

    #[test]
    fn marks_overlapping_and_out_of_range_spans() {
        let chars: Vec<char> = "今晚全国清查封号".chars().collect();
        let spans = [Span { start: 2, end: 5 }, Span { start: 4, end: 6 }, Span { start: 7, end: 99 }];
        assert_eq!(render(&mark(&chars, 0, chars.len(), &spans)), "今晚[全国清查]封[号]");
    }

    #[test]
    fn marks_within_a_segment_only() {
        let chars: Vec<char> = "甲乙丙丁".chars().collect();
        assert_eq!(render(&mark(&chars, 1, 3, &[Span { start: 0, end: 2 }])), "[乙]丙");
        assert!(mark(&chars, 3, 1, &[]).is_empty());
    }
}
