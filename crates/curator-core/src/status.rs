//! What the first screen and `curator status` show.

use crate::{db, Core, Result, APP_VERSION};
use serde::Serialize;
use specta::Type;

/// Facts about the open database and this build.
#[derive(Debug, Clone, Serialize, Type, PartialEq, Eq)]
pub struct StatusInfo {
    /// Absolute path of the database file.
    pub db_path: String,
    /// Newest Curator migration applied to the file.
    #[specta(type = specta_typescript::Number)]
    pub schema_version: i64,
    /// Version of this build.
    pub app_version: String,
}

impl Core {
    pub async fn status(&self) -> Result<StatusInfo> {
        let db_path = self.db().path().display().to_string();
        let schema_version = self.db().call(|c| Ok(db::schema_version(c)?)).await?;
        Ok(StatusInfo {
            db_path,
            schema_version,
            app_version: APP_VERSION.to_string(),
        })
    }
}
