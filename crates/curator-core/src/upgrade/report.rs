//! What an upgrade reports: the report of `upgrade`/`inspect` and its progress.

use serde::Serialize;
use specta::Type;
use std::collections::BTreeMap;

/// Rows of one table before and after the upgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
pub struct TableCounts {
    #[specta(type = specta_typescript::Number)]
    pub before: i64,
    #[specta(type = specta_typescript::Number)]
    pub after: i64,
}

/// What `upgrade` found and did (the CLI's `--json` output and the app's report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct UpgradeReport {
    /// Shape id of schema-history.md (`V0`…`V7`, `D`, `A1`…`A3`, `T`, `F`, `N1`,
    /// `N2`, `newer`), or `curator` for a database that is already Curator's.
    pub detected: String,
    /// Whether the file was (or, in a dry run, would be) changed.
    pub changed: bool,
    /// Path of the backup copy, when one was written.
    pub backup: Option<String>,
    /// Curator schema version after the upgrade.
    #[specta(type = specta_typescript::Number)]
    pub schema_version: i64,
    /// Row counts per table.
    pub tables: BTreeMap<String, TableCounts>,
}

/// Where an upgrade is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Type, strum::IntoStaticStr, strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum UpgradeStage {
    Inspecting,
    Backup,
    Migrating,
    Checking,
    Committing,
    Done,
}

impl UpgradeStage {
    /// The wire name (what serde writes).
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Progress of an upgrade: `done` of `total` units of the current stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
pub struct UpgradeProgress {
    pub stage: UpgradeStage,
    #[specta(type = specta_typescript::Number)]
    pub done: u64,
    #[specta(type = specta_typescript::Number)]
    pub total: u64,
}
