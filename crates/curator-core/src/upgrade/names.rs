//! Category names of the earlier reader: python-slugify's slugs and the display form.

/// The smart-case map of schema-history §4.3.
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

fn smart(word: &str) -> Option<&'static str> {
    SMART_CASE.iter().find(|(k, _)| *k == word).map(|(_, v)| *v)
}

/// Python's `str.capitalize()`: first character upper, the rest lower.
fn capitalize(word: &str) -> String {
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

/// Transliterate like text-unidecode: ASCII through, every character outside the
/// Basic Multilingual Plane to nothing (text-unidecode has no tables there, so
/// `🚀 Space` gives `Space`), the rest through deunicode's tables.
fn unidecode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else if (c as u32) <= 0xFFFF {
            out.push_str(deunicode::deunicode_char(c).unwrap_or(""));
        }
    }
    out
}

/// Decode `&name;`, `&#NN;` and `&#xHH;` references as python-slugify does (after
/// transliteration, so the text is ASCII here).
fn decode_entities(text: &str) -> String {
    const NAMED: &[(&str, char)] = &[
        ("amp", '&'),
        ("lt", '<'),
        ("gt", '>'),
        ("quot", '"'),
        ("apos", '\''),
        ("nbsp", '\u{a0}'),
    ];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos + 1..];
        let decoded = tail.find(';').and_then(|end| {
            let body = &tail[..end];
            let c = if let Some(hex) = body.strip_prefix("#x").or_else(|| body.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
            } else if let Some(dec) = body.strip_prefix('#') {
                dec.parse::<u32>().ok().and_then(char::from_u32)
            } else {
                NAMED.iter().find(|(n, _)| *n == body).map(|(_, c)| *c)
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            None => {
                out.push('&');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// python-slugify 8.0.4 with default options.
pub fn slugify(text: &str) -> String {
    // Quotes become separators before transliteration.
    let text = text.replace('\'', "-");
    let text = decode_entities(&unidecode(&text)).to_lowercase();
    let text = text.replace('\'', "");
    // Commas between digits go away ("1,000" -> "1000").
    let chars: Vec<char> = text.chars().collect();
    let mut cleaned = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let between_digits = c == ','
            && i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if !between_digits {
            cleaned.push(c);
        }
    }
    let mut slug = String::with_capacity(cleaned.len());
    for c in cleaned.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').to_string()
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
