//! `curator upgrade`: carry a database of the earlier reader (or an older Curator)
//! forward in place, all or nothing.

use curator_core::upgrade::{self, UpgradeEnv, UpgradeProgress, UpgradeReport};
use curator_core::CoreError;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::Path;

/// Run the upgrade (or the dry run) and print the report. While it runs, stderr
/// shows the stage and its percentage when it is a terminal (stdout, and so
/// `--json`, is unchanged).
pub fn run(path: &Path, json: bool, dry_run: bool) -> Result<(), CoreError> {
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::with_draw_target(Some(1), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{msg:<10} [{bar:32}] {percent:>3}%") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar
    });
    let show = |p: UpgradeProgress| {
        if let Some(bar) = &bar {
            bar.set_message(<&'static str>::from(p.stage));
            bar.set_length(p.total.max(1));
            bar.set_position(p.done.min(p.total.max(1)));
        }
    };
    let result = upgrade::upgrade(path, dry_run, &UpgradeEnv::from_process(), show);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let report = result?;
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
