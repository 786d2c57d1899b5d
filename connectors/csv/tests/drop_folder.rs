//! The drop folder over a real temporary directory: only settled `*.csv` files are
//! offered, files are moved and never overwritten, and every refusal is an error.

use shipgate_csv::{CsvError, DropFolder, Outcome};
use std::fs::{self, File};
use std::path::Path;
use std::time::{Duration, SystemTime};

fn write_aged(path: &Path, body: &str, age_secs: i64) {
    fs::write(path, body).expect("write");
    let now = SystemTime::now();
    let at = if age_secs >= 0 {
        now - Duration::from_secs(age_secs.unsigned_abs())
    } else {
        now + Duration::from_secs(age_secs.unsigned_abs())
    };
    File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(at))
        .expect("set mtime");
}

#[test]
fn creates_its_folders_and_offers_only_settled_csv_files_oldest_first() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("drop");
    let folder = DropFolder::new(&root)
        .expect("creates")
        .with_settle_time(Duration::from_secs(60));
    assert!(root.join("done").is_dir() && root.join("failed").is_dir());

    write_aged(&root.join("b.csv"), "x", 300);
    write_aged(&root.join("A.CSV"), "x", 600);
    write_aged(&root.join("still-writing.csv"), "x", 1);
    write_aged(&root.join("from-the-future.csv"), "x", -600);
    write_aged(&root.join(".upload.csv"), "x", 600);
    write_aged(&root.join("notes.txt"), "x", 600);
    fs::create_dir(root.join("dir.csv")).expect("mkdir");

    let ready = folder.ready_files().expect("lists");
    let names: Vec<_> = ready
        .iter()
        .filter_map(|p| p.file_name()?.to_str())
        .collect();
    assert_eq!(names, ["A.CSV", "b.csv"]);
}

#[test]
fn finish_moves_files_and_never_overwrites() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let folder = DropFolder::new(tmp.path())
        .expect("creates")
        .with_settle_time(Duration::ZERO);

    let first = tmp.path().join("tracking.csv");
    fs::write(&first, "first").expect("write");
    let moved = folder.finish(&first, Outcome::Done).expect("moves");
    assert_eq!(moved, tmp.path().join("done/tracking.csv"));
    assert!(!first.exists());

    fs::write(&first, "second").expect("write");
    let moved_again = folder.finish(&first, Outcome::Done).expect("moves");
    assert_ne!(moved_again, moved);
    let name = moved_again
        .file_name()
        .and_then(|n| n.to_str())
        .expect("name");
    assert!(
        name.starts_with("tracking.") && name.ends_with("Z.csv"),
        "{name}"
    );
    assert_eq!(
        fs::read_to_string(&moved).expect("read"),
        "first",
        "the first file is intact"
    );
    assert_eq!(fs::read_to_string(&moved_again).expect("read"), "second");

    let bad = tmp.path().join("bad.csv");
    fs::write(&bad, "x").expect("write");
    let failed = folder.finish(&bad, Outcome::Failed).expect("moves");
    assert_eq!(failed, tmp.path().join("failed/bad.csv"));
    assert!(folder.ready_files().expect("lists").is_empty());
}

#[test]
fn refusals_are_errors_naming_the_path() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let folder = DropFolder::new(tmp.path().join("drop")).expect("creates");

    let missing = tmp.path().join("drop/gone.csv");
    match folder.finish(&missing, Outcome::Done) {
        Err(CsvError::Io { path, .. }) => assert!(path.ends_with("gone.csv"), "{path}"),
        other => panic!("expected an error, got {other:?}"),
    }

    let outside = tmp.path().join("elsewhere.csv");
    fs::write(&outside, "x").expect("write");
    let err = folder
        .finish(&outside, Outcome::Done)
        .expect_err("outside the drop folder");
    assert!(err.to_string().contains("elsewhere.csv"), "{err}");
    assert!(outside.exists(), "a refused file is left where it was");

    let blocked = tmp.path().join("file-not-dir");
    fs::write(&blocked, "x").expect("write");
    assert!(DropFolder::new(blocked.join("drop")).is_err());
}
