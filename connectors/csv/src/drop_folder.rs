//! The drop folder suppliers upload files to. The host polls [`DropFolder::ready_files`],
//! imports each file and files it away with [`DropFolder::finish`]; there is no thread
//! here, so the host decides when and how often to look.
//!
//! ```text
//! root/           new files land here (only *.csv is picked up)
//! root/done/      imported (bad rows went to quarantine)
//! root/failed/    refused as a whole (missing column, unreadable)
//! ```

use crate::error::CsvError;
use chrono::Utc;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Where a file goes once the host is through with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Imported: moved to `done/`.
    Done,
    /// Refused as a whole: moved to `failed/`.
    Failed,
}

/// A drop folder and its `done/` and `failed/` sub-folders.
#[derive(Debug, Clone)]
pub struct DropFolder {
    root: PathBuf,
    settle: Duration,
}

/// How long a file must be left untouched before it counts as fully written.
const DEFAULT_SETTLE: Duration = Duration::from_secs(2);

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> CsvError + '_ {
    move |source| CsvError::Io {
        path: path.display().to_string(),
        source,
    }
}

impl DropFolder {
    /// Opens the folder at `root`, creating it and its `done/` and `failed/` sub-folders
    /// when missing. Files count as ready once unmodified for 2 s (see
    /// [`Self::with_settle_time`]).
    pub fn new(root: impl Into<PathBuf>) -> Result<Self, CsvError> {
        let root = root.into();
        for dir in [root.clone(), root.join("done"), root.join("failed")] {
            fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        }
        Ok(Self {
            root,
            settle: DEFAULT_SETTLE,
        })
    }

    /// Sets how long a file must go unmodified before it is picked up: a supplier's
    /// upload may still be writing it (an SFTP upload writes in chunks).
    pub fn with_settle_time(mut self, settle: Duration) -> Self {
        self.settle = settle;
        self
    }

    /// The folder files are dropped in.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The `*.csv` files of the root (case-insensitive extension, hidden files skipped)
    /// that have not been modified for the settle time, oldest first. A file modified
    /// "in the future" (clock skew) is not ready.
    pub fn ready_files(&self) -> Result<Vec<PathBuf>, CsvError> {
        let now = SystemTime::now();
        let mut ready = Vec::new();
        for entry in fs::read_dir(&self.root).map_err(io_err(&self.root))? {
            let entry = entry.map_err(io_err(&self.root))?;
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let is_csv = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            if name.starts_with('.') || !is_csv {
                continue;
            }
            let meta = entry.metadata().map_err(io_err(&path))?;
            if !meta.is_file() {
                continue;
            }
            let modified = meta.modified().map_err(io_err(&path))?;
            if now
                .duration_since(modified)
                .is_ok_and(|age| age >= self.settle)
            {
                ready.push((modified, path));
            }
        }
        ready.sort();
        Ok(ready.into_iter().map(|(_, p)| p).collect())
    }

    /// Moves `path` (a file directly in the root) to `done/` or `failed/` and returns its
    /// new path. A file of the same name already there is never overwritten: the new one
    /// gets a UTC timestamp suffix (`orders.20240501T100000.123Z.csv`, then `-1`, `-2`…).
    pub fn finish(&self, path: &Path, outcome: Outcome) -> Result<PathBuf, CsvError> {
        let meta = fs::metadata(path).map_err(io_err(path))?;
        let in_root = path.parent().is_some_and(|p| same_dir(p, &self.root));
        let name = path
            .file_name()
            .filter(|_| meta.is_file() && in_root)
            .ok_or_else(|| CsvError::Io {
                path: path.display().to_string(),
                source: io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("not a file in the drop folder {}", self.root.display()),
                ),
            })?;
        let dir = self.root.join(match outcome {
            Outcome::Done => "done",
            Outcome::Failed => "failed",
        });
        let mut target = dir.join(name);
        if target.exists() {
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let ext = path
                .extension()
                .map(|e| format!(".{}", e.to_string_lossy()))
                .unwrap_or_default();
            let stamp = Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
            target = dir.join(format!("{stem}.{stamp}{ext}"));
            let mut n = 1;
            while target.exists() {
                target = dir.join(format!("{stem}.{stamp}-{n}{ext}"));
                n += 1;
            }
        }
        fs::rename(path, &target).map_err(io_err(path))?;
        Ok(target)
    }
}

/// Whether two paths name the same folder (`root` vs `root/.`, relative vs absolute).
fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
