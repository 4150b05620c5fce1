//! Printing: `--json` prints exactly the DTO the matching Tauri command returns;
//! otherwise a few readable lines.

use serde::Serialize;

pub fn emit<T: Serialize>(json: bool, value: &T, text: impl FnOnce(&T) -> String) {
    if json {
        println!("{}", serde_json::to_string(value).unwrap_or_default());
    } else {
        let t = text(value);
        if !t.is_empty() {
            println!("{}", t.trim_end());
        }
    }
}

pub fn opt<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref()
        .map_or_else(|| "-".to_string(), |x| x.to_string())
}
