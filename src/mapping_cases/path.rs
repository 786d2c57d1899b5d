//! The little path language of mapping cases: `a.b[2].c`, `[0].status`.

use serde_json::Value;

/// The value at `path` in `root`, or `None` when any step is missing.
pub(super) fn lookup<'v>(root: &'v Value, path: &str) -> Option<&'v Value> {
    let mut node = root;
    for segment in path.split('.').filter(|s| !s.is_empty()) {
        let (key, indexes) = match segment.find('[') {
            Some(i) => (&segment[..i], &segment[i..]),
            None => (segment, ""),
        };
        if !key.is_empty() {
            node = node.get(key)?;
        }
        for index in indexes.split('[').filter(|s| !s.is_empty()) {
            let i: usize = index.strip_suffix(']')?.parse().ok()?;
            node = node.get(i)?;
        }
    }
    Some(node)
}

/// A value as a case compares it: strings as they are, everything else as JSON text, so
/// `quantity = 1` and `amount = "409.94"` both read naturally in TOML.
pub(super) fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_walk_objects_and_arrays() {
        let v =
            json!({"lines": [{"sku": "A"}, {"sku": "B", "qty": 2}], "total": {"amount": "9.50"}});
        assert_eq!(lookup(&v, "lines[1].sku"), Some(&json!("B")));
        assert_eq!(
            lookup(&v, "total.amount").map(as_text).as_deref(),
            Some("9.50")
        );
        assert_eq!(
            lookup(&v, "lines[1].qty").map(as_text).as_deref(),
            Some("2")
        );
        assert_eq!(lookup(&json!([{"s": 1}]), "[0].s"), Some(&json!(1)));
        assert_eq!(lookup(&v, "lines[5].sku"), None);
        assert_eq!(lookup(&v, "lines[x]"), None);
        assert_eq!(lookup(&v, "nope.deeper"), None);
    }
}
