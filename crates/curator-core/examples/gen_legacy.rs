//! `cargo run --example gen_legacy -- PATH [ARTICLES]`: write a V7-shaped legacy
//! database of the original reader (default 200,000 articles of about 2 KB).

#[path = "../tests/common/gen.rs"]
mod gen;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: gen_legacy PATH [ARTICLES]");
        std::process::exit(2);
    };
    let articles = args.next().and_then(|a| a.parse().ok()).unwrap_or(200_000);
    if let Err(e) = gen::generate_v7(std::path::Path::new(&path), articles) {
        eprintln!("gen_legacy: {e}");
        std::process::exit(1);
    }
}
