//! `cargo run --example gen_legacy -- PATH [ARTICLES] [fresh|v1.0]`: write a legacy
//! database of the original reader in one of the two real V7 shapes (default: 200,000
//! articles, ≈ 870 MB, fresh-at-9824235; see `tests/common/gen.rs`).

#[path = "../tests/common/gen.rs"]
mod gen;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: gen_legacy PATH [ARTICLES] [fresh|v1.0]");
        std::process::exit(2);
    };
    let articles = args.next().and_then(|a| a.parse().ok()).unwrap_or(200_000);
    let shape = match args.next().as_deref() {
        None | Some("fresh") => gen::Shape::Fresh,
        Some("v1.0") => gen::Shape::V10Lineage,
        Some(other) => {
            eprintln!("gen_legacy: unknown shape {other} (fresh or v1.0)");
            std::process::exit(2);
        }
    };
    if let Err(e) = gen::generate(std::path::Path::new(&path), articles, shape) {
        eprintln!("gen_legacy: {e}");
        std::process::exit(1);
    }
}
