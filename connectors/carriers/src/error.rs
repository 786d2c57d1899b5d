//! Why a carrier file was refused. Every variant names the file, and the key and line
//! when the problem sits at one place, so a mapping author can fix it without guessing.

use std::path::PathBuf;

/// A carrier file could not be read, parsed or accepted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// The directory or a file in it could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The path that failed.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML or does not have the carrier file's shape.
    #[error("{file}:{line}:{column}: at `{key}`: {reason}")]
    Parse {
        /// The file (or the name given to [`crate::Registry::from_toml`]).
        file: String,
        /// The key path where parsing stopped (`tracking_numbers[0].checksum`), `.` for the root.
        key: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What was wrong.
        reason: String,
    },
    /// The file parsed but a value is unusable (bad regex, missing capture group, …).
    #[error("{file}:{line}: at `{key}`: {reason}")]
    Invalid {
        /// The file.
        file: String,
        /// The key path of the bad value.
        key: String,
        /// 1-based line of the value, or 1 when the key has no single place (whole file).
        line: usize,
        /// What was wrong.
        reason: String,
    },
    /// Two files claim the same carrier code, or the same name resolves to two carriers.
    #[error("{file}: at `{key}`: {reason}")]
    Conflict {
        /// The file loaded second.
        file: String,
        /// The conflicting key.
        key: String,
        /// Which value clashes with which file.
        reason: String,
    },
}

impl RegistryError {
    /// The file the error is about, for reports that group errors by file.
    pub fn file(&self) -> String {
        match self {
            Self::Io { path, .. } => path.display().to_string(),
            Self::Parse { file, .. } | Self::Invalid { file, .. } | Self::Conflict { file, .. } => {
                file.clone()
            }
        }
    }
}

/// 1-based line and column of a byte offset in `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}
