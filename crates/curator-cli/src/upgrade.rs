//! `curator upgrade`: carry a database of the earlier reader (or an older Curator)
//! forward in place, all or nothing.

use curator_core::upgrade::{self as legacy, UpgradeEnv, UpgradeReport};
use curator_core::CoreError;
use std::path::Path;

/// Run the upgrade (or the dry run) and print the report.
pub fn run(path: &Path, json: bool, dry_run: bool) -> Result<(), CoreError> {
    let report = legacy::upgrade(path, dry_run, &UpgradeEnv::from_process(), |_| {})?;
    if json {
        println!("{}", serde_json::to_string(&report).unwrap_or_default());
    } else {
        print_text(&report, dry_run);
    }
    Ok(())
}

fn print_text(r: &UpgradeReport, dry_run: bool) {
    println!("detected:       {}", r.detected);
    let what = match (r.changed, dry_run) {
        (false, _) => "nothing to do",
        (true, true) => "would be upgraded (dry run: nothing written)",
        (true, false) => "upgraded",
    };
    println!("result:         {what}");
    println!("backup:         {}", r.backup.as_deref().unwrap_or("none"));
    println!("schema version: {}", r.schema_version);
    println!("tables:         rows before -> after");
    for (name, c) in &r.tables {
        println!("  {name:<28} {:>9} -> {}", c.before, c.after);
    }
}
