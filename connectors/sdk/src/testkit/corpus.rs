//! Broken inputs derived from one valid payload: what a remote, a proxy or a disk can do
//! to bytes on the way (cut them short, flip them, wrap them a thousand times deep) and
//! what a remote's schema drift does to fields (other types, missing keys).

use serde_json::Value;

/// The most JSON nodes whose values are mutated one by one; a larger payload has only
/// its first nodes (in document order) mutated, to keep the check fast.
const MAX_NODES: usize = 500;

/// The most prefixes the payload is cut to.
const MAX_CUTS: usize = 256;

/// The most positions a byte is overwritten at.
const MAX_FLIPS: usize = 64;

/// Stands in a serialized document for a number JSON can write but `serde_json::Value`
/// cannot hold; replaced in the bytes after serialization.
const HOLE: &str = "__shipgate_testkit_hole__";

/// One broken input and what was done to make it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mutation {
    /// What was done (`truncated to 120 of 2903 bytes`, `/lineItems/nodes/0/quantity =
    /// null`), so a failure names its input.
    pub label: String,
    /// The bytes.
    pub body: Vec<u8>,
}

impl Mutation {
    fn new(label: impl Into<String>, body: impl Into<Vec<u8>>) -> Self {
        Self {
            label: label.into(),
            body: body.into(),
        }
    }
}

/// Every broken input derived from `valid`: byte-level damage for any payload, plus,
/// when `valid` is JSON, each node (up to [`MAX_NODES`]) replaced by values of every
/// JSON type, by extreme numbers and strings, and removed. Deterministic: the same
/// payload gives the same corpus.
pub fn corpus(valid: &[u8]) -> Vec<Mutation> {
    let mut out = fixed_inputs();
    bytes(valid, &mut out);
    if let Ok(root) = serde_json::from_slice::<Value>(valid) {
        structural(&root, &mut out);
    }
    out
}

/// Inputs that do not depend on the payload.
fn fixed_inputs() -> Vec<Mutation> {
    let mut out = vec![
        Mutation::new("empty", Vec::new()),
        Mutation::new("whitespace", " \n\t "),
        Mutation::new("null", "null"),
        Mutation::new("zero", "0"),
        Mutation::new("empty string", "\"\""),
        Mutation::new("empty array", "[]"),
        Mutation::new("empty object", "{}"),
        Mutation::new("invalid UTF-8", vec![0xff, 0xfe, 0x00, 0xc3, 0x28]),
        Mutation::new(
            "HTML error page",
            "<html><body>502 Bad Gateway</body></html>",
        ),
        Mutation::new("100,000 open brackets", "[".repeat(100_000)),
        Mutation::new("10,000 nested objects", "{\"a\":".repeat(10_000)),
        Mutation::new(
            "1,000 nested arrays, closed",
            format!("{}{}", "[".repeat(1_000), "]".repeat(1_000)),
        ),
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for n in [16, 256, 4096] {
        let garbage: Vec<u8> = (0..n)
            .map(|_| {
                // xorshift64: deterministic noise without a dependency.
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state.to_le_bytes()[0]
            })
            .collect();
        out.push(Mutation::new(format!("{n} random bytes"), garbage));
    }
    out
}

/// Evenly spread positions in `0..len`, at most `max`.
fn positions(len: usize, max: usize) -> impl Iterator<Item = usize> {
    let step = len.div_ceil(max).max(1);
    (0..len).step_by(step)
}

/// Damage to the bytes themselves.
fn bytes(valid: &[u8], out: &mut Vec<Mutation>) {
    let len = valid.len();
    for cut in positions(len, MAX_CUTS) {
        out.push(Mutation::new(
            format!("truncated to {cut} of {len} bytes"),
            &valid[..cut],
        ));
    }
    for at in positions(len, MAX_FLIPS) {
        for b in [b'"', b'{', b']', 0xff, 0x00] {
            let mut body = valid.to_vec();
            body[at] = b;
            out.push(Mutation::new(format!("byte {at} set to {b:#04x}"), body));
        }
    }
    let mut bom = vec![0xef, 0xbb, 0xbf];
    bom.extend_from_slice(valid);
    out.push(Mutation::new("byte-order mark in front", bom));
    out.push(Mutation::new(
        "trailing garbage",
        [valid, b" }]garbage".as_slice()].concat(),
    ));
    out.push(Mutation::new("payload twice", [valid, valid].concat()));
    out.push(Mutation::new(
        "wrapped in 1,000 arrays",
        [
            "[".repeat(1_000).as_bytes(),
            valid,
            "]".repeat(1_000).as_bytes(),
        ]
        .concat(),
    ));
}

/// One step of a path into a JSON document.
enum Step {
    Key(String),
    Index(usize),
}

/// A node: its JSON pointer, its parent's pointer and the step from the parent.
struct NodeAt {
    pointer: String,
    parent: String,
    step: Step,
}

/// The nodes under `v` in document order, at most [`MAX_NODES`].
fn nodes(v: &Value, at: &str, out: &mut Vec<NodeAt>) {
    let children: Vec<(Step, &Value)> = match v {
        Value::Object(map) => map.iter().map(|(k, v)| (Step::Key(k.clone()), v)).collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (Step::Index(i), v))
            .collect(),
        _ => return,
    };
    for (step, child) in children {
        if out.len() >= MAX_NODES {
            return;
        }
        let token = match &step {
            Step::Key(k) => k.replace('~', "~0").replace('/', "~1"),
            Step::Index(i) => i.to_string(),
        };
        let pointer = format!("{at}/{token}");
        out.push(NodeAt {
            pointer: pointer.clone(),
            parent: at.to_string(),
            step,
        });
        nodes(child, &pointer, out);
    }
}

/// Values every node is replaced by, with how they print in a label.
fn replacements() -> Vec<(&'static str, Value)> {
    let mut deep = Value::Null;
    for _ in 0..64 {
        deep = Value::Array(vec![deep]);
    }
    vec![
        ("null", Value::Null),
        ("true", Value::Bool(true)),
        ("-1", Value::from(-1)),
        ("0", Value::from(0)),
        ("1.5", Value::from(1.5)),
        ("i64::MIN", Value::from(i64::MIN)),
        ("\"\"", Value::from("")),
        ("\"not a value\"", Value::from("not a value")),
        (
            "control and bidi characters",
            Value::from("\u{0}\u{1b}[31m\u{202e}ÿ"),
        ),
        ("a 10,000-character string", Value::from("x".repeat(10_000))),
        ("[]", Value::Array(Vec::new())),
        ("{}", Value::Object(serde_json::Map::new())),
        ("64 nested arrays", deep),
    ]
}

/// Numbers no `Value` holds, written in the bytes through [`HOLE`].
const RAW_NUMBERS: [&str; 3] = [
    "1e400",
    "-99999999999999999999999999",
    "18446744073709551616",
];

/// Each node replaced by every value of [`replacements`] and [`RAW_NUMBERS`], and removed.
fn structural(root: &Value, out: &mut Vec<Mutation>) {
    let mut all = Vec::new();
    nodes(root, "", &mut all);
    let values = replacements();
    for node in &all {
        for (label, value) in &values {
            let mut doc = root.clone();
            if let Some(slot) = doc.pointer_mut(&node.pointer) {
                *slot = value.clone();
                if let Ok(body) = serde_json::to_vec(&doc) {
                    out.push(Mutation::new(format!("{} = {label}", node.pointer), body));
                }
            }
        }
        for number in RAW_NUMBERS {
            let mut doc = root.clone();
            if let Some(slot) = doc.pointer_mut(&node.pointer) {
                *slot = Value::from(HOLE);
                if let Ok(text) = serde_json::to_string(&doc) {
                    let body = text.replacen(&format!("\"{HOLE}\""), number, 1);
                    out.push(Mutation::new(format!("{} = {number}", node.pointer), body));
                }
            }
        }
        let mut doc = root.clone();
        let removed = match (doc.pointer_mut(&node.parent), &node.step) {
            (Some(Value::Object(map)), Step::Key(k)) => map.remove(k).is_some(),
            (Some(Value::Array(items)), Step::Index(i)) if *i < items.len() => {
                items.remove(*i);
                true
            }
            _ => false,
        };
        if removed {
            if let Ok(body) = serde_json::to_vec(&doc) {
                out.push(Mutation::new(format!("{} removed", node.pointer), body));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_payload_gets_every_kind_of_damage() {
        let valid = br#"{"id":"1","lines":[{"qty":2}],"a/b":null}"#;
        let all = corpus(valid);
        let labels: Vec<&str> = all.iter().map(|m| m.label.as_str()).collect();
        for wanted in [
            "empty",
            "truncated to 0 of 41 bytes",
            "/lines/0/qty = null",
            "/lines/0/qty = 1e400",
            "/lines/0 removed",
            "/a~1b = {}",
            "wrapped in 1,000 arrays",
        ] {
            assert!(labels.contains(&wanted), "{wanted} not in {labels:?}");
        }
        let big = all
            .iter()
            .find(|m| m.label == "/lines/0/qty = 1e400")
            .unwrap();
        let text = std::str::from_utf8(&big.body).unwrap();
        assert!(text.contains(r#"[{"qty":1e400}]"#), "{text}");
        let removed = all.iter().find(|m| m.label == "/id removed").unwrap();
        let removed: Value = serde_json::from_slice(&removed.body).unwrap();
        assert_eq!(
            removed,
            serde_json::json!({"lines": [{"qty": 2}], "a/b": null})
        );
        assert_eq!(corpus(valid), all, "deterministic");
    }

    #[test]
    fn a_non_json_payload_still_gets_byte_damage() {
        let all = corpus(b"order,qty\n1,2\n");
        assert!(all.iter().any(|m| m.label == "truncated to 7 of 14 bytes"));
        assert!(!all.iter().any(|m| m.label.contains(" removed")));
    }
}
