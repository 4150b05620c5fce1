//! The composite score (tasks.md §5.6–5.7), exactly as the earlier reader computes it,
//! and the blocked rule.

/// Highest composite score (reached only at interest 10, quality 10, weight `max`).
pub const COMPOSITE_CAP: f64 = 20.0;

/// A weight name's multiplier: block 0, reduce 0.5, normal 1, boost 1.5, max 2; any
/// other string 1.
pub fn weight_value(weight: &str) -> f64 {
    match weight {
        "block" => 0.0,
        "reduce" => 0.5,
        "normal" => 1.0,
        "boost" => 1.5,
        "max" => 2.0,
        _ => 1.0,
    }
}

/// A category as the composite needs it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CategoryWeight {
    /// The category's own `weight` (NULL = inherit).
    pub weight: Option<String>,
    /// Its parent's own `weight`, when it has a parent. Grandparents are not consulted.
    pub parent_weight: Option<String>,
    pub is_hidden: bool,
}

impl CategoryWeight {
    /// Own weight, else the parent's, else `normal` (one level only).
    pub fn effective(&self) -> &str {
        self.weight
            .as_deref()
            .or(self.parent_weight.as_deref())
            .unwrap_or("normal")
    }
}

/// Blocked: any category hidden or with effective weight `block`. No categories → not.
pub fn is_blocked(categories: &[CategoryWeight]) -> bool {
    categories
        .iter()
        .any(|c| c.is_hidden || c.effective() == "block")
}

/// `min(interest × mean(weights) × (0.5 + quality/10 × 0.5), 20)`; the mean is 1.0 for
/// no categories and counts duplicates. Stored unrounded.
pub fn composite(interest: i64, quality: i64, categories: &[CategoryWeight]) -> f64 {
    let category_multiplier = if categories.is_empty() {
        1.0
    } else {
        categories
            .iter()
            .map(|c| weight_value(c.effective()))
            .sum::<f64>()
            / categories.len() as f64
    };
    let quality_multiplier = 0.5 + (quality as f64 / 10.0) * 0.5;
    (interest as f64 * category_multiplier * quality_multiplier).min(COMPOSITE_CAP)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(own: Option<&str>, parent: Option<&str>) -> CategoryWeight {
        CategoryWeight {
            weight: own.map(str::to_string),
            parent_weight: parent.map(str::to_string),
            is_hidden: false,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn examples_of_the_spec() {
        assert!(close(composite(8, 6, &[]), 6.4));
        assert!(close(
            composite(7, 8, &[w(Some("boost"), None), w(Some("normal"), None)]),
            7.875
        ));
        assert!(close(composite(6, 4, &[w(Some("reduce"), None)]), 2.1));
        assert!(close(composite(10, 10, &[w(Some("max"), None)]), 20.0));
    }

    #[test]
    fn every_weight_and_unknown_strings() {
        for (name, v) in [
            ("block", 0.0),
            ("reduce", 0.5),
            ("normal", 1.0),
            ("boost", 1.5),
            ("max", 2.0),
            ("inherit", 1.0),
            ("huge", 1.0),
        ] {
            assert!(close(weight_value(name), v), "{name}");
            // interest 10, quality 10 → 10 × weight.
            assert!(close(
                composite(10, 10, &[w(Some(name), None)]),
                (10.0 * v).min(20.0)
            ));
        }
    }

    #[test]
    fn parent_inheritance_is_one_level() {
        // Own NULL → parent's weight.
        assert!(close(composite(10, 10, &[w(None, Some("boost"))]), 15.0));
        // Own weight wins over the parent's.
        assert!(close(
            composite(10, 10, &[w(Some("reduce"), Some("max"))]),
            5.0
        ));
        // Neither → normal. (A grandparent is never consulted: the caller passes only the parent.)
        assert!(close(composite(10, 10, &[w(None, None)]), 10.0));
        // An unknown own string does not fall through to the parent.
        assert!(close(
            composite(10, 10, &[w(Some("odd"), Some("max"))]),
            10.0
        ));
    }

    #[test]
    fn duplicates_count_in_the_mean_and_quality_scales() {
        let boost = w(Some("boost"), None);
        let normal = w(None, None);
        // mean(1.5, 1.5, 1.0) = 4/3; quality 0 → ×0.5.
        assert!(close(
            composite(9, 0, &[boost.clone(), boost, normal]),
            9.0 * (4.0 / 3.0) * 0.5
        ));
        assert!(close(composite(0, 10, &[]), 0.0));
    }

    #[test]
    fn cap_at_twenty() {
        // 10 × mean(2,2) × 1.0 = 20; nothing can go past the cap.
        assert!(close(
            composite(10, 10, &[w(Some("max"), None), w(None, Some("max"))]),
            20.0
        ));
        assert!(close(composite(12, 10, &[w(Some("max"), None)]), 20.0));
        assert!(composite(10, 9, &[w(Some("max"), None)]) < 20.0);
    }

    #[test]
    fn blocked_rule() {
        assert!(!is_blocked(&[]));
        assert!(is_blocked(&[w(None, None), w(Some("block"), None)]));
        assert!(is_blocked(&[w(None, Some("block"))]));
        assert!(!is_blocked(&[w(Some("normal"), Some("block"))]));
        let hidden = CategoryWeight {
            is_hidden: true,
            ..Default::default()
        };
        assert!(is_blocked(&[hidden]));
        // A block weight alone makes the composite 0 even without the rule.
        assert!(close(composite(10, 10, &[w(Some("block"), None)]), 0.0));
    }
}
