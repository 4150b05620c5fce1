//! `cargo run --release -p curator-core --example bench_upgrade -- [ARTICLES] [DIR]`
//!
//! Generates a V7 legacy database (default 200,000 articles of about 2 KB), then
//! in the same run times a plain file copy of it and the full in-place upgrade of
//! another copy (backup, all steps, integrity and foreign-key checks, commit), and
//! prints both and their ratio. No timed asserts.

#[path = "../tests/common/gen.rs"]
mod gen;

use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let articles: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(200_000);
    let dir = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir)
        .join(format!("curator-bench-{articles}"));
    std::fs::create_dir_all(&dir).expect("bench dir");
    let source = dir.join("legacy-v7.db");
    if !source.exists() {
        let t = Instant::now();
        gen::generate_v7(&source, articles).expect("generate");
        println!(
            "generated {} in {:.2}s",
            source.display(),
            t.elapsed().as_secs_f64()
        );
    }
    let size = std::fs::metadata(&source).expect("size").len();
    for f in std::fs::read_dir(&dir).expect("dir").flatten() {
        if f.path() != source {
            let _ = std::fs::remove_file(f.path());
        }
    }
    // Warm the page cache so every measurement reads the same way.
    std::fs::read(&source).expect("warm");
    let env = curator_core::upgrade::UpgradeEnv {
        vars: Vec::new(),
        cwd: dir.clone(),
    };
    const ROUNDS: usize = 3;
    let (mut copies, mut upgrades) = (Vec::new(), Vec::new());
    let mut detected = String::new();
    for round in 1..=ROUNDS {
        let copy = dir.join("copy.db");
        let t = Instant::now();
        std::fs::copy(&source, &copy).expect("copy");
        let copy_s = t.elapsed().as_secs_f64();
        let target = dir.join("upgrade.db");
        std::fs::copy(&source, &target).expect("copy");
        // A user's database is not a file just written: flush the fresh copy so the
        // upgrade's own fsyncs do not pay for writing the copy back.
        std::fs::File::open(&target)
            .and_then(|f| f.sync_all())
            .expect("sync");
        let t = Instant::now();
        let report = curator_core::upgrade::upgrade(&target, false, &env, |_| {}).expect("upgrade");
        let upgrade_s = t.elapsed().as_secs_f64();
        detected = report.detected;
        println!(
            "round {round}: copy {copy_s:.3} s, upgrade {upgrade_s:.3} s, ratio {:.2}x",
            upgrade_s / copy_s
        );
        copies.push(copy_s);
        upgrades.push(upgrade_s);
        for f in std::fs::read_dir(&dir).expect("dir").flatten() {
            if f.path() != source {
                let _ = std::fs::remove_file(f.path());
            }
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (copy_s, upgrade_s) = (median(&mut copies), median(&mut upgrades));
    println!("articles:      {articles}");
    println!("file size:     {:.1} MB", size as f64 / 1e6);
    println!("detected:      {detected}");
    println!("file copy:     {copy_s:.3} s (median of {ROUNDS})");
    println!("upgrade:       {upgrade_s:.3} s (median of {ROUNDS}; backup with fsync, all steps, checks, commit)");
    println!(
        "ratio:         {:.2}x the copy (target < 2x)",
        upgrade_s / copy_s
    );
}
