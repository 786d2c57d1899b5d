//! Rebuilds the host when a store migration is added: `sqlx::migrate!` embeds the
//! `migrations/sqlite` and `migrations/postgres` folders at compile time, and cargo does
//! not watch them by itself (a directory given here is watched with everything under it).

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
