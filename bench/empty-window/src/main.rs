//! The smallest Tauri 2 app: one window with a static page. Built in the same run as
//! Curator so the startup benchmark compares like with like.
fn main() {
    if let Err(e) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("empty-window: {e}");
        std::process::exit(1);
    }
}
