//! The field-level rules of the corpus (slugs, dates, URLs, variants, article numbers) and the
//! machinery to report a broken rule at the line where it was written.

use std::collections::BTreeMap;

use serde::de::IgnoredAny;

use super::load::Diagnostic;

/// Shortest variant, in normalized characters, that can still be matched reliably. Shorter ones
/// are refused in curated claims and kept, with a warning, in bulk files: real rumors can be short.
pub const MIN_VARIANT_CHARS: usize = 6;

/// Where a claim comes from, which decides how strict the style rules are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `claims/*.toml`, written and reviewed by our editors: every rule is an error.
    Curated,
    /// `*.jsonl` (imports, other fact-checkers' data): style rules are warnings, so one short
    /// real rumor does not block ten thousand others.
    Bulk,
}

/// Rules of good style (not of structure): errors for curated claims, warnings for bulk ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StyleRule {
    ShortVariant,
    DebunkWordsInVariant,
    FewKeywords,
    NoCategory,
    UnsourcedPublished,
}

impl StyleRule {
    fn describe(self) -> &'static str {
        match self {
            StyleRule::ShortVariant => "variants shorter than 6 characters",
            StyleRule::DebunkWordsInVariant => "variants worded as the debunk (谣言, 辟谣, 不实), not as the rumor",
            StyleRule::FewKeywords => "fewer than 3 keywords",
            StyleRule::NoCategory => "no category",
            StyleRule::UnsourcedPublished => "a `published` date that is no source's `date`",
        }
    }
}

/// Bulk style warnings shown one by one per file and rule; beyond that, one line counts the rest.
const STYLE_WARNINGS_SHOWN: usize = 3;

/// Words of a debunk that do not belong in a rumor's own text.
const DEBUNK_WORDS: [&str; 4] = ["谣言", "辟谣", "不实信息", "系不实"];

/// Finds the line of a field in a TOML file, or the line of a JSONL record.
pub struct Locator {
    pub path: String,
    src: Option<String>,
    line: usize,
}

impl Locator {
    pub fn toml(path: &str, src: String) -> Locator {
        Locator { path: path.to_string(), src: Some(src), line: 1 }
    }

    pub fn line(path: &str, line: usize) -> Locator {
        Locator { path: path.to_string(), src: None, line }
    }

    /// Line of `key = …`, inside the n-th `[[table]]` when given.
    pub fn key_line(&self, key: &str, table: Option<(&str, usize)>) -> usize {
        let Some(src) = &self.src else { return self.line };
        let lines: Vec<&str> = src.lines().collect();
        let (from, to) = match table {
            None => (0, lines.len()),
            Some((name, n)) => {
                let header = format!("[[{name}]]");
                match lines.iter().enumerate().filter(|(_, l)| l.trim() == header).nth(n) {
                    Some((start, _)) => {
                        let end = (start + 1..lines.len()).find(|&i| lines[i].trim_start().starts_with('[')).unwrap_or(lines.len());
                        (start, end)
                    }
                    None => return self.key_line(name, None),
                }
            }
        };
        (from..to).find(|&i| is_assignment(lines[i], key)).map(|i| i + 1).or(table.map(|_| from + 1)).unwrap_or(1)
    }

    /// Line where `text` (e.g. one variant) starts, else the line of `key`.
    pub fn text_line(&self, text: &str, key: &str) -> usize {
        let Some(src) = &self.src else { return self.line };
        let probe: String = text.trim().chars().take(12).collect();
        if !probe.is_empty()
            && let Some(i) = src.lines().position(|l| l.contains(&probe))
        {
            return i + 1;
        }
        self.key_line(key, None)
    }
}

fn is_assignment(line: &str, key: &str) -> bool {
    let t = line.trim_start();
    t.strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with('='))
}

/// Collects errors and warnings while the corpus is read.
#[derive(Default)]
pub struct Checker {
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
    /// Bulk style warnings per (file, rule), to count what is not shown.
    style_counts: BTreeMap<(String, StyleRule), usize>,
}

/// Values that can be present but blank.
pub trait Blank {
    fn is_blank(&self) -> bool;
}

impl Blank for String {
    fn is_blank(&self) -> bool {
        self.trim().is_empty()
    }
}

impl<T> Blank for Vec<T> {
    fn is_blank(&self) -> bool {
        false
    }
}

fn field_name(table: Option<(&str, usize)>, key: &str) -> String {
    match table {
        Some((t, n)) => format!("{t}[{}].{key}", n + 1),
        None => key.to_string(),
    }
}

impl Checker {
    pub fn error_at(&mut self, path: &str, line: usize, message: String) {
        self.errors.push(Diagnostic { path: path.to_string(), line, message });
    }

    pub fn error(&mut self, loc: &Locator, line: usize, message: String) {
        self.error_at(&loc.path, line, message);
    }

    pub fn warn(&mut self, loc: &Locator, line: usize, message: String) {
        self.warnings.push(Diagnostic { path: loc.path.clone(), line, message });
    }

    /// A field that must be present and not blank.
    pub fn required<T: Blank>(&mut self, loc: &Locator, table: Option<(&str, usize)>, key: &str, v: Option<T>) -> Option<T> {
        match v {
            None => {
                let line = match table {
                    Some(_) => loc.key_line(key, table),
                    None => loc.line,
                };
                self.error(loc, line, format!("missing field `{}`", field_name(table, key)));
                None
            }
            Some(v) if v.is_blank() => {
                self.error(loc, loc.key_line(key, table), format!("field `{}` is empty", field_name(table, key)));
                None
            }
            Some(v) => Some(v),
        }
    }

    pub fn unknown_fields(&mut self, loc: &Locator, table: Option<(&str, usize)>, extra: &BTreeMap<String, IgnoredAny>) {
        for k in extra.keys() {
            self.warn(loc, loc.key_line(k, table), format!("unknown field `{}` is ignored", field_name(table, k)));
        }
    }

    pub fn slug(&mut self, loc: &Locator, table: Option<(&str, usize)>, key: &str, v: &str) {
        let ok = v.len() <= 120
            && v.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && v.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !ok {
            let msg = format!("`{}` = `{v}` is not a slug (lowercase a-z, 0-9, '-', '_'; at most 120)", field_name(table, key));
            self.error(loc, loc.key_line(key, table), msg);
        }
    }

    pub fn date(&mut self, loc: &Locator, table: Option<(&str, usize)>, key: &str, v: &str) {
        let line = loc.key_line(key, table);
        match parse_date(v) {
            None => self.error(loc, line, format!("`{}` = `{v}` is not a date (YYYY-MM-DD)", field_name(table, key))),
            Some(d) if d > today() => self.error(loc, line, format!("`{}` = `{v}` is in the future", field_name(table, key))),
            Some(_) => {}
        }
    }

    pub fn url(&mut self, loc: &Locator, table: Option<(&str, usize)>, v: &str) {
        let rest = v.strip_prefix("https://").or_else(|| v.strip_prefix("http://"));
        let ok = rest.is_some_and(|r| {
            let host = r.split(['/', '?', '#']).next().unwrap_or("");
            host.contains('.') && !r.chars().any(char::is_whitespace)
        });
        if !ok {
            let msg = format!("`{}` = `{v}` is not an http(s) URL", field_name(table, "url"));
            self.error(loc, loc.key_line("url", table), msg);
        }
    }

    pub fn variant(&mut self, origin: Origin, loc: &Locator, line: usize, v: &str) {
        let n = crate::text::normalize(v).chars.iter().filter(|c| **c != ' ').count();
        if n == 0 {
            self.error(loc, line, format!("variant `{v}` has no text to match (only spaces, punctuation or emoji)"));
        } else if n < MIN_VARIANT_CHARS {
            let msg = match origin {
                Origin::Curated => format!("variant `{v}` is too short to match reliably ({n} characters; at least {MIN_VARIANT_CHARS})"),
                Origin::Bulk => {
                    format!("variant `{v}` is short ({n} characters): it is indexed, and matches messages that say little more")
                }
            };
            self.style(origin, StyleRule::ShortVariant, loc, line, msg);
        }
        if let Some(w) = DEBUNK_WORDS.iter().find(|w| v.contains(*w)) {
            let msg = format!("variant `{v}` contains `{w}`: a variant is the rumor as it circulates, not the debunk");
            self.style(origin, StyleRule::DebunkWordsInVariant, loc, line, msg);
        }
    }

    /// A broken style rule: an error in curated claims, a warning in bulk files.
    pub fn style(&mut self, origin: Origin, rule: StyleRule, loc: &Locator, line: usize, message: String) {
        match origin {
            Origin::Curated => self.error(loc, line, message),
            Origin::Bulk => {
                let n = self.style_counts.entry((loc.path.clone(), rule)).or_insert(0);
                *n += 1;
                if *n <= STYLE_WARNINGS_SHOWN {
                    self.warn(loc, line, message);
                }
            }
        }
    }

    /// One line per file and rule for the bulk style warnings that were not shown one by one.
    pub fn finish_style(&mut self) {
        for ((path, rule), n) in std::mem::take(&mut self.style_counts) {
            if n > STYLE_WARNINGS_SHOWN {
                let msg = format!("{n} claims in this file have {} ({STYLE_WARNINGS_SHOWN} shown above)", rule.describe());
                self.warnings.push(Diagnostic { path, line: 0, message: msg });
            }
        }
    }

    pub fn article_number(&mut self, loc: &Locator, table: Option<(&str, usize)>, v: &str) {
        let mut parts = v.split('-');
        let ok = parts.next().is_some_and(is_number) && parts.all(is_number) && v.split('-').count() <= 2;
        if !ok {
            let msg = format!("article number `{v}` must look like 13 or 291-1");
            self.error(loc, loc.key_line("number", table), msg);
        }
    }
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.len() <= 4 && s.chars().all(|c| c.is_ascii_digit())
}

/// `YYYY-MM-DD` → (year, month, day), checking the calendar.
pub fn parse_date(s: &str) -> Option<(i32, u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i32 = s[0..4].parse().ok()?;
    let m: u32 = s[5..7].parse().ok()?;
    let d: u32 = s[8..10].parse().ok()?;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    (y >= 1900 && (1..=12).contains(&m) && d >= 1 && d <= days[m as usize - 1]).then_some((y, m, d))
}

/// Today's date (UTC) as (year, month, day).
pub fn today() -> (i32, u32, u32) {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    civil_from_days((secs / 86_400) as i64)
}

/// Days since 1970-01-01 → civil date (Howard Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = (yoe + era * 400 + i64::from(m <= 2)) as i32;
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date("2022-07-12"), Some((2022, 7, 12)));
        assert_eq!(parse_date("2022-02-30"), None);
        assert_eq!(parse_date("2022-7-12"), None);
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_000), (2022, 1, 8));
    }

    #[test]
    fn key_lines_in_tables() {
        let src = "id = \"a\"\nrating = \"x\"\n\n[[sources]]\npublisher = \"p\"\n\n[[sources]]\ntitle = \"t\"\nurl = \"ftp://x\"\n";
        let loc = Locator::toml("f.toml", src.to_string());
        assert_eq!(loc.key_line("rating", None), 2);
        assert_eq!(loc.key_line("url", Some(("sources", 1))), 9);
        assert_eq!(loc.key_line("publisher", Some(("sources", 1))), 7);
    }
}
