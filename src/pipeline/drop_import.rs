//! A drop folder's round: every file that is done being written is imported, then filed
//! under `done/` or `failed/` by how its import went. `shipgate run` does this on a timer,
//! `shipgate demo` once per dropped file.

use super::tracking_import::{import_file, ImportError, ImportReport, ImportRequest};
use crate::host::Host;
use shipgate_csv::{CsvError, DropFolder, Outcome, Template};
use std::path::PathBuf;

/// What became of one file of the folder.
#[derive(Debug)]
pub struct FileImport {
    /// The file as it was found.
    pub path: PathBuf,
    /// The import's report, or why the file was refused as a whole.
    pub outcome: Result<ImportReport, ImportError>,
    /// Where the file was moved (`done/` or `failed/`), or why it could not be.
    pub moved_to: Result<PathBuf, CsvError>,
}

/// Imports every ready file of `folder` with `template` for the connector, tenant and
/// merchant of `owner` (whose `path` is ignored: each file is its own request).
pub async fn import_ready_files(
    host: &Host,
    folder: &DropFolder,
    template: &Template,
    owner: &ImportRequest,
) -> Result<Vec<FileImport>, CsvError> {
    let mut done = Vec::new();
    for path in folder.ready_files()? {
        let request = ImportRequest {
            path: path.clone(),
            ..owner.clone()
        };
        let outcome = import_file(host, template, &request, |_| {}).await;
        let verdict = if outcome.is_ok() {
            Outcome::Done
        } else {
            Outcome::Failed
        };
        let moved_to = folder.finish(&path, verdict);
        done.push(FileImport {
            path,
            outcome,
            moved_to,
        });
    }
    Ok(done)
}
