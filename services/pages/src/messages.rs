//! The message catalogues: every word the pages show, by key, in English (complete) and Arabic (read right
//! to left; any key it lacks falls back to English), and how a visit's language is chosen.

use std::collections::HashMap;
use std::sync::OnceLock;

/// A language the pages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    English,
    Arabic,
}

/// The cookie that remembers a language chosen with `?lang=`.
pub const LANGUAGE_COOKIE: &str = "cg_lang";

impl Language {
    pub const ALL: [Language; 2] = [Language::English, Language::Arabic];

    /// The BCP 47 code, as in `lang="…"` and `?lang=…`.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Arabic => "ar",
        }
    }

    /// The language's own name, for the language switcher.
    pub fn own_name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::Arabic => "العربية",
        }
    }

    /// `rtl` for languages written right to left.
    pub fn direction(self) -> &'static str {
        match self {
            Language::English => "ltr",
            Language::Arabic => "rtl",
        }
    }

    pub fn from_code(code: &str) -> Option<Language> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Language::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// `?lang=` first, then the remembered cookie, then the browser's `Accept-Language` (in its order of
    /// preference), else English.
    pub fn choose(query: Option<&str>, cookie: Option<&str>, accept_language: Option<&str>) -> Language {
        query
            .and_then(Language::from_code)
            .or_else(|| cookie.and_then(Language::from_code))
            .or_else(|| accept_language.and_then(preferred))
            .unwrap_or(Language::English)
    }

    /// The message `key` in this language.
    pub fn text(self, key: &str) -> &'static str {
        catalogue(self)
            .get(key)
            .or_else(|| catalogue(Language::English).get(key))
            .copied()
            .unwrap_or_else(|| {
                tracing::error!(key, "a message is missing from the English catalogue");
                ""
            })
    }

    /// The message `key` with its `{name}` placeholders filled in.
    pub fn format(self, key: &str, values: &[(&str, &str)]) -> String {
        values
            .iter()
            .fold(self.text(key).to_string(), |text, (name, value)| {
                text.replace(&format!("{{{name}}}"), value)
            })
    }
}

/// The first supported language of an `Accept-Language` header, by quality.
fn preferred(header: &str) -> Option<Language> {
    let mut ranked: Vec<(f32, Language)> = header
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let language = Language::from_code(pieces.next()?)?;
            let quality = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse().ok())
                .unwrap_or(1.0);
            Some((quality, language))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranked.first().map(|(_, language)| *language)
}

fn catalogue(language: Language) -> &'static HashMap<&'static str, &'static str> {
    static ENGLISH: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    static ARABIC: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    match language {
        Language::English => ENGLISH.get_or_init(|| parse(include_str!("../messages/en.txt"))),
        Language::Arabic => ARABIC.get_or_init(|| parse(include_str!("../messages/ar.txt"))),
    }
}

fn parse(source: &'static str) -> HashMap<&'static str, &'static str> {
    source
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split_once(" = "))
        .map(|(key, text)| (key.trim(), text.trim()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_comes_from_the_query_then_the_cookie_then_the_browser() {
        assert_eq!(Language::choose(Some("ar"), Some("en"), None), Language::Arabic);
        assert_eq!(Language::choose(Some("xx"), Some("ar"), None), Language::Arabic);
        assert_eq!(
            Language::choose(None, None, Some("fr-FR, ar-EG;q=0.8, en;q=0.5")),
            Language::Arabic
        );
        assert_eq!(Language::choose(None, None, Some("de")), Language::English);
        assert_eq!(Language::Arabic.direction(), "rtl");
    }

    #[test]
    fn every_key_the_source_uses_is_in_english_and_arabic_keys_are_a_subset() {
        let english = catalogue(Language::English);
        let arabic = catalogue(Language::Arabic);
        let extra: Vec<_> = arabic.keys().filter(|k| !english.contains_key(*k)).collect();
        assert!(extra.is_empty(), "Arabic keys not in English: {extra:?}");
        for key in [
            "nav.skip",
            "nav.directory",
            "nav.sign_in",
            "nav.sign_out",
            "site.name",
        ] {
            assert_ne!(arabic[key], english[key], "{key} is not translated");
        }
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut missing = Vec::new();
        for entry in std::fs::read_dir(folder).unwrap().flatten() {
            let source = std::fs::read_to_string(entry.path()).unwrap();
            for call in ["text(\"", "format(\""] {
                for (start, _) in source.match_indices(call) {
                    let rest = &source[start + call.len()..];
                    let key = &rest[..rest.find('"').unwrap()];
                    if key.contains('.') && !english.contains_key(key) {
                        missing.push(key.to_string());
                    }
                }
            }
        }
        assert!(missing.is_empty(), "keys missing from en.txt: {missing:?}");
    }
}
