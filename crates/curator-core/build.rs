// refinery embeds migrations at compile time but does not notice new files on its own
// (rust-db/refinery#309): rebuild whenever the folder changes.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
