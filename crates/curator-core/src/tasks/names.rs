//! Names the model gives → categories (tasks.md §5.5): the earlier reader's slug
//! (python-slugify, shared with the legacy upgrade) and its `smart_case` display form.

use crate::upgrade::names::{capitalize, slugify, smart as mapped};

/// The slug of a name as the earlier reader computes it.
pub fn slug(name: &str) -> String {
    slugify(name)
}

/// The display name a new category gets: the whole name through the map, else each
/// whitespace-separated word (after `-` → space) through the map or capitalized.
pub fn smart_case(name: &str) -> String {
    let lower = name.trim().to_lowercase();
    if let Some(m) = mapped(&lower) {
        return m.to_string();
    }
    name.replace('-', " ")
        .split_whitespace()
        .map(|w| mapped(&w.to_lowercase()).map_or_else(|| capitalize(w), str::to_string))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One name to resolve, in answer order: `categories` first, then `suggested_new`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameToResolve {
    pub slug: String,
    pub display_name: String,
    /// Only names from `suggested_new` may be placed under `suggested_parent`.
    pub suggested: bool,
}

/// The names of an answer in the order they are resolved, empty slugs dropped,
/// duplicates kept (they count again in the composite average).
pub fn names_in_order(categories: &[String], suggested_new: &[String]) -> Vec<NameToResolve> {
    categories
        .iter()
        .map(|n| (n, false))
        .chain(suggested_new.iter().map(|n| (n, true)))
        .filter_map(|(n, suggested)| {
            let slug = slug(n);
            (!slug.is_empty()).then(|| NameToResolve {
                slug,
                display_name: smart_case(n),
                suggested,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_of_the_spec() {
        for (name, s) in [
            ("Café", "cafe"),
            ("Straße", "strasse"),
            ("AI & ML", "ai-ml"),
            ("Web_Development", "web-development"),
            ("Node.js", "node-js"),
            ("C++", "c"),
            ("C#", "c"),
            ("🚀", ""),
        ] {
            assert_eq!(slug(name), s, "{name}");
        }
    }

    #[test]
    fn smart_case_of_the_spec() {
        assert_eq!(smart_case("ai"), "AI");
        assert_eq!(smart_case(" AI-ML "), "AI & ML");
        assert_eq!(smart_case("machine learning"), "Machine Learning");
        assert_eq!(smart_case("web-development"), "Web Development");
        assert_eq!(smart_case("ios api"), "iOS API");
        assert_eq!(smart_case("Open  source"), "Open Source");
        assert_eq!(smart_case("DEVOPS tools"), "DevOps Tools");
    }

    #[test]
    fn order_and_duplicates_are_kept_and_empty_slugs_dropped() {
        let n = names_in_order(
            &["AI".into(), "ai".into(), "!!".into()],
            &["Quantum Computing".into()],
        );
        let slugs: Vec<&str> = n.iter().map(|x| x.slug.as_str()).collect();
        assert_eq!(slugs, vec!["ai", "ai", "quantum-computing"]);
        assert!(!n[0].suggested && n[2].suggested);
        assert_eq!(n[2].display_name, "Quantum Computing");
    }
}
