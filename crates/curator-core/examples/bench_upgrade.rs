//! `cargo run --release -p curator-core --example bench_upgrade -- [ARTICLES] [DIR] [SHAPE]`
//!
//! Generates the two real V7 shapes of a long-time user's database (issue 11; see
//! `tests/common/gen.rs`) at ARTICLES articles (default 200,000, ≈ 870 MB), kept
//! in DIR (default the temp dir) for later runs, and prints for each, in one run:
//!
//! - `cp`: a plain `cp` of the file (page cache, no fsync), the yardstick;
//! - the upgrade as `curator upgrade` runs it (backup written and flushed, all
//!   steps, integrity and foreign-key checks, commit), with the time of each stage;
//! - the same upgrade without the backup (the upgrade's own work);
//! - peak RSS of the upgrading process (VmHWM; each upgrade runs in a child
//!   process of this example);
//! - peak extra disk: the most the upgrade's files (backup, WAL, …) took beyond
//!   the database itself, sampled every few milliseconds.
//!
//! Each measurement starts from a fresh copy of the generated file, flushed to disk
//! and in the page cache. SHAPE (`fresh` or `v1.0`) limits the run to one shape.
//! Targets (issue 11): backup + upgrade ≤ 2× `cp` (fresh) and ≤ 3× (v1.0); without
//! the backup ≥ 10× faster than the earlier reader's own start-up upgrade (2.61 s
//! and 15.5 s on its files); peak RSS < 150 MiB; peak extra disk ≤ 1.1× the file
//! plus the shape's changes. No asserts: figures only.

#[path = "../tests/common/gen.rs"]
mod gen;

use curator_core::upgrade::{self, UpgradeEnv, UpgradeProgress, UpgradeStage};
use gen::Shape;
use std::cell::RefCell;
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Child mode: `bench_upgrade --child backup|no-backup PATH`. Prints one line:
/// `seconds vmhwm_kib stage=seconds…`.
fn child(mode: &str, path: &Path) {
    let env = UpgradeEnv {
        vars: Vec::new(),
        cwd: path.parent().unwrap().to_path_buf(),
    };
    let stages: RefCell<Vec<(UpgradeStage, Instant)>> = RefCell::new(Vec::new());
    let progress = |p: UpgradeProgress| {
        let mut s = stages.borrow_mut();
        if s.last().map(|l| l.0) != Some(p.stage) {
            s.push((p.stage, Instant::now()));
        }
    };
    let t = Instant::now();
    let report = match mode {
        "backup" => upgrade::upgrade(path, false, &env, progress),
        _ => upgrade::upgrade_without_backup_for_benchmarks(path, &env, progress),
    }
    .expect("upgrade");
    let secs = t.elapsed().as_secs_f64();
    assert!(report.changed);
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let s = stages.borrow();
    let mut line = format!("{secs:.3} {hwm} {}", report.detected);
    for w in s.windows(2) {
        line.push_str(&format!(
            " {:?}={:.3}",
            w[0].0,
            (w[1].1 - w[0].1).as_secs_f64()
        ));
    }
    println!("{line}");
}

fn allocated(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .filter_map(|f| f.metadata().ok())
                .map(|m| m.blocks() * 512)
                .sum()
        })
        .unwrap_or(0)
}

fn warm(path: &Path) {
    let mut f = std::fs::File::open(path).expect("open");
    let mut buf = vec![0u8; 1 << 20];
    while f.read(&mut buf).expect("read") > 0 {}
}

struct Run {
    secs: f64,
    hwm_kib: u64,
    extra_disk: u64,
    detail: String,
}

/// Upgrade a fresh copy of `source` in a child process, sampling the disk.
fn run(source: &Path, work: &Path, mode: &str) -> Run {
    let _ = std::fs::remove_dir_all(work);
    std::fs::create_dir_all(work).expect("work dir");
    let target = work.join("upgrade.db");
    std::fs::copy(source, &target).expect("copy");
    // A user's database is not a file just written: flush the copy first.
    std::fs::File::open(&target)
        .and_then(|f| f.sync_all())
        .expect("sync");
    settle();
    warm(source);
    warm(&target);
    let base = allocated(work);
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let stop = stop.clone();
        let work = work.to_path_buf();
        std::thread::spawn(move || {
            let mut peak = 0;
            while !stop.load(Ordering::Relaxed) {
                peak = peak.max(allocated(&work));
                std::thread::sleep(Duration::from_millis(3));
            }
            peak.max(allocated(&work))
        })
    };
    let out = Command::new(std::env::current_exe().expect("exe"))
        .args(["--child", mode])
        .arg(&target)
        .output()
        .expect("child");
    stop.store(true, Ordering::Relaxed);
    let peak = sampler.join().expect("sampler");
    assert!(
        out.status.success(),
        "upgrade failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let mut f = line.split(' ');
    let secs = f.next().and_then(|v| v.parse().ok()).unwrap_or(0.0);
    let hwm_kib = f.next().and_then(|v| v.parse().ok()).unwrap_or(0);
    let detail = f.collect::<Vec<_>>().join(" ");
    let _ = std::fs::remove_dir_all(work);
    Run {
        secs,
        hwm_kib,
        extra_disk: peak.saturating_sub(base),
        detail,
    }
}

/// Wait until the kernel has written every dirty page, so that no measurement
/// pays for the previous one's writes.
fn settle() {
    let _ = Command::new("sync").status();
}

/// A plain `cp` (page cache), and how long the copy then takes to reach the disk.
fn cp(source: &Path, work: &Path) -> (f64, f64) {
    let _ = std::fs::remove_dir_all(work);
    std::fs::create_dir_all(work).expect("work dir");
    let copy = work.join("copy.db");
    let t = Instant::now();
    let ok = Command::new("cp")
        .arg(source)
        .arg(&copy)
        .status()
        .expect("cp")
        .success();
    let secs = t.elapsed().as_secs_f64();
    assert!(ok, "cp failed");
    std::fs::File::open(&copy)
        .and_then(|f| f.sync_all())
        .expect("sync");
    let durable = t.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(work);
    (secs, durable)
}

fn bench(shape: Shape, articles: u64, dir: &Path) {
    let source = dir.join(format!("legacy-{}-{articles}.db", shape.name()));
    if !source.exists() {
        let t = Instant::now();
        let partial = source.with_extension("partial");
        let _ = std::fs::remove_file(&partial);
        gen::generate(&partial, articles, shape).expect("generate");
        std::fs::rename(&partial, &source).expect("rename");
        println!(
            "generated {} in {:.1} s",
            source.display(),
            t.elapsed().as_secs_f64()
        );
    }
    let size = std::fs::metadata(&source).expect("size").len();
    let work = dir.join(format!("work-{}", shape.name()));
    settle();
    warm(&source);
    let (cp_s, cp_sync_s) = cp(&source, &work);
    settle();
    warm(&source);
    let full = run(&source, &work, "backup");
    settle();
    warm(&source);
    let bare = run(&source, &work, "no-backup");
    let (target, reader) = match shape {
        Shape::Fresh => (2.0, 2.61),
        Shape::V10Lineage => (3.0, 15.5),
    };
    let mib = |b: u64| b as f64 / (1 << 20) as f64;
    println!();
    println!(
        "== {} ({articles} articles, {:.0} MB)",
        shape.name(),
        size as f64 / 1e6
    );
    println!(
        "cp:                        {cp_s:.3} s (then fsync: {cp_sync_s:.3} s for a durable copy)"
    );
    println!(
        "upgrade (backup included): {:.3} s = {:.2}x cp (target <= {target}x)   [{}]",
        full.secs,
        full.secs / cp_s,
        full.detail
    );
    println!(
        "upgrade without backup:    {:.3} s = {:.1}x faster than the earlier reader's {reader} s (target >= 10x)   [{}]",
        bare.secs,
        reader / bare.secs,
        bare.detail
    );
    println!(
        "peak RSS:                  {:.1} MiB with backup, {:.1} MiB without (target < 150 MiB)",
        full.hwm_kib as f64 / 1024.0,
        bare.hwm_kib as f64 / 1024.0
    );
    println!(
        "peak extra disk:           {:.1} MiB = {:.3}x the file with backup; {:.1} MiB without",
        mib(full.extra_disk),
        full.extra_disk as f64 / size as f64,
        mib(bare.extra_disk)
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        child(&args[1], Path::new(&args[2]));
        return;
    }
    let articles: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(200_000);
    let dir = args
        .get(1)
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir)
        .join("curator-bench-upgrade");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let only = args.get(2).map(String::as_str);
    for shape in [Shape::Fresh, Shape::V10Lineage] {
        let wanted = match only {
            None => true,
            Some("fresh") => shape == Shape::Fresh,
            Some(_) => shape == Shape::V10Lineage,
        };
        if wanted {
            bench(shape, articles, &dir);
        }
    }
}
