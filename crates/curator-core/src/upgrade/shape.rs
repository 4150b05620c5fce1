//! The historical shapes of the earlier reader's databases. A leaf: it depends on
//! nothing of Curator's, so errors can name a shape.

/// The historical shapes of schema-history §1, by their ids there. The id's text
/// (what reports and messages show) comes from strum.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    strum::Display,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::EnumIter,
)]
pub enum Shape {
    V0,
    V1,
    V2,
    V3,
    V4,
    V5,
    V6,
    V7,
    D,
    A1,
    A2,
    A3,
    T,
    F,
    N1,
    N2,
    /// An Alembic revision newer than any this build knows, with the target's tables.
    #[strum(serialize = "newer")]
    Newer,
}

impl Shape {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}
