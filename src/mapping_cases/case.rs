//! One mapping case: read it, run its input through the named mapping, compare.

use super::path::{as_text, lookup};
use serde::Deserialize;
use serde_json::Value;
use shipgate_carriers::Registry;
use shipgate_csv::{OrdersReader, TemplateKind, Templates, TrackingReader};
use shipgate_sdk::Origin;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A case file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// `shopify`, `csv:<template>` or `track:<carrier API>`.
    pub source: String,
    /// The payload, relative to the case file.
    pub input: PathBuf,
    /// For `track:` cases whose answer does not name its parcel: the number asked about.
    #[serde(default)]
    pub requested: Option<String>,
    /// JSON path → expected value in the canonical output.
    #[serde(default)]
    pub expect: BTreeMap<String, toml::Value>,
    /// The mapping must refuse the input, here and for this reason.
    #[serde(default)]
    pub expect_error: Option<ExpectedError>,
}

/// What a refusal must say.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedError {
    /// A substring of the error's location (field path, line/column).
    #[serde(default)]
    pub location: Option<String>,
    /// A substring of the error's message.
    #[serde(default)]
    pub message: Option<String>,
}

/// One expectation that did not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The JSON path, or `<error>` for an expected or unexpected refusal.
    pub path: String,
    /// What the case expects.
    pub expected: String,
    /// What the mapping gave (`None`: nothing at that path).
    pub found: Option<String>,
}

/// How a case went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseOutcome {
    /// Every expectation held.
    Passed {
        /// How many were checked.
        checked: usize,
    },
    /// Some did not.
    Failed(Vec<Mismatch>),
}

/// Why a case could not be run at all.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// The case or its input could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The case file is not a valid case.
    #[error("{path}: {message}")]
    Invalid {
        /// The case file.
        path: String,
        /// What is wrong, with line and column.
        message: String,
    },
}

/// Runs the case in `file` against the given templates and carrier registry.
pub fn run_case(
    file: &Path,
    templates: &Templates,
    registry: &Registry,
) -> Result<CaseOutcome, CaseError> {
    let shown = file.display().to_string();
    let read = |path: &Path| {
        std::fs::read(path).map_err(|source| CaseError::Read {
            path: path.display().to_string(),
            source,
        })
    };
    let invalid = |message: String| CaseError::Invalid {
        path: shown.clone(),
        message,
    };
    let text = String::from_utf8_lossy(&read(file)?).into_owned();
    let case: Case = toml::from_str(&text).map_err(|e| invalid(e.to_string()))?;
    if case.expect.is_empty() && case.expect_error.is_none() {
        return Err(invalid("a case needs [expect] or [expect_error]".into()));
    }
    let input = read(&file.parent().unwrap_or(Path::new(".")).join(&case.input))?;
    let output = evaluate(&case, &input, templates, registry).map_err(invalid)?;
    Ok(compare(&case, output))
}

/// The canonical output of the input as JSON, or the refusal as (location, message).
type Evaluation = Result<Value, (String, String)>;

fn evaluate(
    case: &Case,
    input: &[u8],
    templates: &Templates,
    registry: &Registry,
) -> Result<Evaluation, String> {
    let origin = Origin {
        tenant: "default".into(),
        merchant: "default".into(),
        connector_id: "mappings-check".into(),
    };
    let json = |v: Result<Value, serde_json::Error>| v.map_err(|e| e.to_string());
    if case.source == "shopify" {
        return Ok(
            match shipgate_shopify::mapping::normalize_order(input, &origin) {
                Ok(order) => Ok(json(serde_json::to_value(order))?),
                Err(e) => Err((e.location(), e.to_string())),
            },
        );
    }
    if let Some(api) = case.source.strip_prefix("track:") {
        return Ok(
            match registry.parse_tracking(api, input, case.requested.as_deref()) {
                Ok(updates) => Ok(json(serde_json::to_value(updates))?),
                Err(e) => Err((String::new(), e.to_string())),
            },
        );
    }
    let Some(name) = case.source.strip_prefix("csv:") else {
        return Err(format!(
            "unknown source {:?}: use shopify, csv:<template> or track:<api>",
            case.source
        ));
    };
    let template = templates
        .get(name)
        .ok_or_else(|| format!("no CSV template {name:?}"))?;
    let row_error = |e: shipgate_csv::RowError| {
        let mut location = format!("line {}", e.line);
        if let Some(column) = &e.column {
            location.push_str(&format!(", column {column}"));
        }
        (location, e.reason)
    };
    Ok(match template.kind() {
        TemplateKind::Orders => {
            let mut rows =
                OrdersReader::new(input, template, &origin, "case").map_err(|e| e.to_string())?;
            match rows.next() {
                Some(Ok(order)) => Ok(json(serde_json::to_value(order.order))?),
                Some(Err(e)) => Err(row_error(e)),
                None => Err(("".into(), "the file holds no order".into())),
            }
        }
        TemplateKind::Tracking => {
            let mut rows =
                TrackingReader::new(input, template, "case").map_err(|e| e.to_string())?;
            match rows.next() {
                Some(Ok(r)) => Ok(serde_json::json!({
                    "line": r.line,
                    "order_ref": r.order_ref,
                    "tracking_number": r.tracking_number,
                    "carrier": r.carrier_name,
                    "tracking_url": r.tracking_url,
                    "shipped_at": r.shipped_at,
                })),
                Some(Err(e)) => Err(row_error(e)),
                None => Err(("".into(), "the file holds no row".into())),
            }
        }
    })
}

fn compare(case: &Case, output: Evaluation) -> CaseOutcome {
    let mut mismatches = Vec::new();
    let mut checked = 0;
    match (&output, &case.expect_error) {
        (Ok(value), None) => {
            for (path, expected) in &case.expect {
                checked += 1;
                let expected = match expected {
                    toml::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let found = lookup(value, path).map(as_text);
                if found.as_deref() != Some(expected.as_str()) {
                    mismatches.push(Mismatch {
                        path: path.clone(),
                        expected,
                        found,
                    });
                }
            }
        }
        (Ok(_), Some(_)) => mismatches.push(Mismatch {
            path: "<error>".into(),
            expected: "the mapping refuses the input".into(),
            found: Some("it was accepted".into()),
        }),
        (Err((location, message)), None) => mismatches.push(Mismatch {
            path: "<error>".into(),
            expected: "the mapping accepts the input".into(),
            found: Some(format!("refused at {location:?}: {message}")),
        }),
        (Err((location, message)), Some(want)) => {
            for (wanted, got, what) in [
                (&want.location, location, "location"),
                (&want.message, message, "message"),
            ] {
                if let Some(wanted) = wanted {
                    checked += 1;
                    if !got.contains(wanted.as_str()) {
                        mismatches.push(Mismatch {
                            path: format!("<error {what}>"),
                            expected: wanted.clone(),
                            found: Some(got.clone()),
                        });
                    }
                }
            }
        }
    }
    if mismatches.is_empty() {
        CaseOutcome::Passed { checked }
    } else {
        CaseOutcome::Failed(mismatches)
    }
}
