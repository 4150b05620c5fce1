//! Category names of the earlier reader: python-slugify's slugs and the display form.

/// The smart-case map of schema-history §4.3 (also tasks.md §5.5: new categories).
const SMART_CASE: &[(&str, &str)] = &[
    ("ai", "AI"),
    ("ml", "ML"),
    ("ai-ml", "AI & ML"),
    ("ios", "iOS"),
    ("macos", "macOS"),
    ("imac", "iMac"),
    ("api", "API"),
    ("css", "CSS"),
    ("html", "HTML"),
    ("sql", "SQL"),
    ("ui", "UI"),
    ("ux", "UX"),
    ("devops", "DevOps"),
    ("saas", "SaaS"),
    ("llm", "LLM"),
    ("gpu", "GPU"),
    ("cpu", "CPU"),
    ("vpn", "VPN"),
];

/// The fixed display form of a lower-case word or slug, where the map has one.
pub(crate) fn smart(word: &str) -> Option<&'static str> {
    SMART_CASE.iter().find(|(k, _)| *k == word).map(|(_, v)| *v)
}

/// Python's `str.capitalize()`: first character upper, the rest lower.
pub(crate) fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect(),
        None => String::new(),
    }
}

/// Display form of a slug (`kebab_to_display` of the original).
pub fn display_name(slug: &str) -> String {
    let lower = slug.to_lowercase();
    let lower = lower.trim();
    if let Some(s) = smart(lower) {
        return s.to_string();
    }
    slug.split('-')
        .map(|w| smart(w).map_or_else(|| capitalize(w), str::to_string))
        .collect::<Vec<_>>()
        .join(" ")
}

/// python-slugify 8.0.4 with default options and text-unidecode 1.3 (the `pyslug`
/// crate, checked against python-slugify itself by its differential test).
pub fn slugify(text: &str) -> String {
    pyslug::slugify(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_examples_of_the_spec() {
        for (input, slug) in [
            ("AI & ML", "ai-ml"),
            ("Café Culture", "cafe-culture"),
            ("Straße & Verkehr", "strasse-verkehr"),
            ("🚀 Space Launches", "space-launches"),
            ("Technology", "technology"),
            ("machine learning", "machine-learning"),
            ("Machine-Learning", "machine-learning"),
            ("  --Rust--  ", "rust"),
            ("Don't Panic", "don-t-panic"),
            ("1,000 Cuts", "1000-cuts"),
            ("AT&amp;T", "at-t"),
            ("", ""),
            ("🚀", ""),
            ("&euro; Markets", "markets"),
            ("☕ Coffee", "coffee"),
            ("℃ Weather", "degc-weather"),
            ("&#X41;", "x41"),
            ("&apos;", "apos"),
        ] {
            assert_eq!(slugify(input), slug, "{input}");
        }
    }

    #[test]
    fn display_examples() {
        assert_eq!(display_name("ai-ml"), "AI & ML");
        assert_eq!(display_name("web-development"), "Web Development");
        assert_eq!(display_name("ios-api"), "iOS API");
        assert_eq!(display_name("Technology"), "Technology");
        assert_eq!(display_name("AI"), "AI");
        assert_eq!(display_name("machine learning"), "Machine learning");
    }
}
