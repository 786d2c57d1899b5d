//! The registry: all carriers, indexed by code and by every name they go by, with one
//! regex set over every tracking-number pattern for detection.

use crate::error::RegistryError;
use crate::profile::{CarrierProfile, Vocabulary};
use regex::RegexSet;
use shipgate_sdk::model::TrackingNumber;
use std::collections::HashMap;
use std::path::Path;

/// Every carrier shipgate knows, loaded once at start-up.
#[derive(Debug, Clone)]
pub struct Registry {
    pub(crate) carriers: Vec<CarrierProfile>,
    by_code: HashMap<String, usize>,
    by_folded_name: HashMap<String, usize>,
    by_vocabulary: HashMap<(Vocabulary, String), usize>,
    /// Every pattern of every format, anchored, in (carrier, format, pattern) order.
    pub(crate) prefilter: RegexSet,
    /// For each prefilter pattern: (carrier index, format index, pattern index).
    pub(crate) pattern_owner: Vec<(usize, usize, usize)>,
}

impl Registry {
    /// Loads every `*.toml` file of `dir` (sorted by name). Every bad file is reported,
    /// not just the first, so one `mappings check` run shows all there is to fix.
    pub fn load_dir(dir: impl AsRef<Path>) -> Result<Self, Vec<RegistryError>> {
        let dir = dir.as_ref();
        let io = |path: &Path, source| {
            vec![RegistryError::Io {
                path: path.to_path_buf(),
                source,
            }]
        };
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
            let path = entry.map_err(|e| io(dir, e))?.path();
            if path.extension().is_some_and(|e| e == "toml") {
                paths.push(path);
            }
        }
        paths.sort();
        let mut sources = Vec::with_capacity(paths.len());
        let mut errors = Vec::new();
        for path in paths {
            match std::fs::read_to_string(&path) {
                Ok(text) => sources.push((path.display().to_string(), text)),
                Err(source) => errors.push(RegistryError::Io { path, source }),
            }
        }
        match Self::from_sources(sources.iter().map(|(f, t)| (f.as_str(), t.as_str()))) {
            Ok(registry) if errors.is_empty() => Ok(registry),
            Ok(_) => Err(errors),
            Err(mut more) => {
                errors.append(&mut more);
                Err(errors)
            }
        }
    }

    /// Builds a registry from `(file name, TOML text)` pairs: the loader behind
    /// [`Registry::load_dir`], and the way tests build one without touching disk.
    pub fn from_sources<'a>(
        sources: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, Vec<RegistryError>> {
        let mut carriers = Vec::new();
        let mut errors = Vec::new();
        for (file, text) in sources {
            match CarrierProfile::from_toml(file, text) {
                Ok(c) => carriers.push(c),
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Self::from_carriers(carriers).map_err(|e| vec![e])
    }

    /// Indexes parsed carriers; refuses a code or a name claimed by two carriers.
    pub fn from_carriers(carriers: Vec<CarrierProfile>) -> Result<Self, RegistryError> {
        let mut by_code = HashMap::new();
        let mut by_folded_name = HashMap::new();
        let mut by_vocabulary = HashMap::new();
        let mut patterns = Vec::new();
        let mut pattern_owner = Vec::new();
        for (i, c) in carriers.iter().enumerate() {
            if let Some(&first) = by_code.get(c.code()) {
                return Err(conflict(c, "code", c.code(), &carriers[first]));
            }
            by_code.insert(c.code().to_string(), i);
            for spelling in c.spellings() {
                let folded = fold(spelling);
                match by_folded_name.get(&folded) {
                    Some(&j) if j != i => {
                        return Err(conflict(c, "aliases", spelling, &carriers[j]))
                    }
                    _ => by_folded_name.insert(folded, i),
                };
            }
            for v in Vocabulary::ALL {
                if let Some(name) = c.name_in(v) {
                    by_vocabulary.insert((v, fold(name)), i);
                }
            }
            for (f, format) in c.formats().iter().enumerate() {
                for (p, pattern) in format.patterns().enumerate() {
                    patterns.push(pattern.to_string());
                    pattern_owner.push((i, f, p));
                }
            }
        }
        let prefilter = RegexSet::new(&patterns).map_err(|e| RegistryError::Invalid {
            file: "(all carriers)".into(),
            key: "tracking_numbers".into(),
            line: 1,
            reason: format!("the combined pattern set does not build: {e}"),
        })?;
        Ok(Self {
            carriers,
            by_code,
            by_folded_name,
            by_vocabulary,
            prefilter,
            pattern_owner,
        })
    }

    /// The carrier with this code.
    pub fn get(&self, code: &str) -> Option<&CarrierProfile> {
        self.by_code.get(code).and_then(|&i| self.carriers.get(i))
    }

    /// All carriers, in file-name order.
    pub fn iter(&self) -> impl Iterator<Item = &CarrierProfile> {
        self.carriers.iter()
    }

    /// How many carriers are loaded.
    pub fn len(&self) -> usize {
        self.carriers.len()
    }

    /// Whether no carrier is loaded.
    pub fn is_empty(&self) -> bool {
        self.carriers.is_empty()
    }

    /// Resolves a carrier name as a storefront or a supplier wrote it. Case, spaces and
    /// punctuation do not count (`"dhl express"`, `"DHL-Express"`). The name is looked up
    /// first in `vocabulary` when one is given, then among every carrier's code, name,
    /// storefront names and aliases.
    pub fn by_name(&self, vocabulary: Option<Vocabulary>, name: &str) -> Option<&CarrierProfile> {
        let folded = fold(name);
        if folded.is_empty() {
            return None;
        }
        vocabulary
            .and_then(|v| self.by_vocabulary.get(&(v, folded.clone())))
            .or_else(|| self.by_folded_name.get(&folded))
            .and_then(|&i| self.carriers.get(i))
    }

    /// The public tracking page for `number` at carrier `code`; `None` when the carrier is
    /// unknown, has no tracking URL, or the number is not a valid tracking number.
    pub fn tracking_url(&self, code: &str, number: &str) -> Option<String> {
        let template = self.get(code)?.tracking_url_template()?;
        let number = TrackingNumber::parse(number).ok()?;
        Some(template.replace("{number}", number.as_str()))
    }
}

fn conflict(c: &CarrierProfile, key: &str, value: &str, other: &CarrierProfile) -> RegistryError {
    RegistryError::Conflict {
        file: c.source().to_string(),
        key: key.to_string(),
        reason: format!(
            "{value:?} is already claimed by {} ({})",
            other.code(),
            other.source()
        ),
    }
}

/// Case, space and punctuation folding for name lookups; keeps letters of any script,
/// so `顺丰速运` folds to itself.
fn fold(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}
