//! API keys for bots that need more than the anonymous rate: a TOML file named by
//! `PIYAO_API_KEYS`, read once at startup.
//!
//! ```toml
//! [[key]]
//! name = "family-groups-bot"   # shown in the access log, never the key itself
//! key = "a long random secret" # at least 16 characters
//! rate = 200                   # checks per second; 0 = no limit
//! ```

use std::path::Path;

use serde::Deserialize;

/// Shortest key accepted: anything shorter can be guessed.
const MIN_KEY_CHARS: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub name: String,
    key: String,
    /// Checks per second; 0 = no limit.
    pub rate: u32,
}

/// The keys of a deployment (none by default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiKeys {
    keys: Vec<ApiKey>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    key: Vec<RawKey>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKey {
    name: String,
    key: String,
    rate: u32,
}

impl ApiKeys {
    /// Read and check the file; errors name the file, and the line or the key at fault.
    pub fn load(path: &Path) -> Result<ApiKeys, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read API keys: {e}", path.display()))?;
        ApiKeys::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<ApiKeys, String> {
        let file: File = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| 1 + text[..s.start.min(text.len())].matches('\n').count()).unwrap_or(1);
            format!("{line}: invalid API keys file: {}", e.message())
        })?;
        let mut keys: Vec<ApiKey> = Vec::new();
        for (i, k) in file.key.into_iter().enumerate() {
            let at = format!("key {} (`{}`)", i + 1, k.name);
            if k.name.trim().is_empty() {
                return Err(format!("key {}: `name` is empty", i + 1));
            }
            if k.key.chars().count() < MIN_KEY_CHARS || k.key.trim() != k.key {
                return Err(format!("{at}: `key` must be at least {MIN_KEY_CHARS} characters, without surrounding spaces"));
            }
            if keys.iter().any(|o| o.key == k.key) {
                return Err(format!("{at}: the same key is given twice"));
            }
            if keys.iter().any(|o| o.name == k.name) {
                return Err(format!("{at}: the same name is given twice"));
            }
            keys.push(ApiKey { name: k.name, key: k.key, rate: k.rate });
        }
        Ok(ApiKeys { keys })
    }

    /// The key `sent` by a client, compared in constant time against every key.
    pub fn find(&self, sent: &str) -> Option<&ApiKey> {
        let mut found = None;
        for k in &self.keys {
            let same = k.key.len() == sent.len() && k.key.bytes().zip(sent.bytes()).fold(0u8, |d, (a, b)| d | (a ^ b)) == 0;
            if same {
                found = Some(k);
            }
        }
        found
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_finds_keys() {
        let keys = ApiKeys::parse(
            "[[key]]\nname = \"bot-a\"\nkey = \"0123456789abcdef\"\nrate = 100\n\n[[key]]\nname = \"bot-b\"\nkey = \"fedcba9876543210x\"\nrate = 0\n",
        )
        .unwrap();
        assert_eq!(keys.find("0123456789abcdef").unwrap().name, "bot-a");
        assert_eq!(keys.find("fedcba9876543210x").unwrap().rate, 0);
        assert!(keys.find("0123456789abcdeF").is_none());
        assert!(keys.find("").is_none());
        assert!(ApiKeys::parse("").unwrap().is_empty());
    }

    #[test]
    fn refuses_a_bad_file_saying_where() {
        let err = |t: &str| ApiKeys::parse(t).unwrap_err();
        assert!(err("[[key]]\nname = \"a\"\nkey = \"short\"\nrate = 1\n").contains("key 1 (`a`): `key` must be at least 16"));
        assert!(err("[[key]]\nname = \"a\"\nkey = \"0123456789abcdef\"\nrate = -1\n").starts_with("4: invalid API keys file"));
        assert!(err("[[key]]\nname = \"a\"\nkey = \"0123456789abcdef\"\n").contains("missing field `rate`"));
        let twice =
            "[[key]]\nname = \"a\"\nkey = \"0123456789abcdef\"\nrate = 1\n[[key]]\nname = \"b\"\nkey = \"0123456789abcdef\"\nrate = 1\n";
        assert!(err(twice).contains("key 2 (`b`): the same key is given twice"));
        assert!(err("[[key]]\nname = \"a\"\nkey = \"0123456789abcdef\"\nrate = 1\ncolour = 2\n").contains("unknown field"));
    }
}
