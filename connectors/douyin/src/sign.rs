//! Request and push-message signatures, exactly as the official Go SDK computes them
//! (`zsmhub/doudian-sdk` @ `93c52ff`, `utils/sign_util.go` and `message/doudian_sign.go`):
//!
//! - request: `pattern = secret + "app_key" + app_key + "method" + method + "param_json" +
//!   param_json + "timestamp" + timestamp + "v2" + secret`, then lowercase hex of
//!   HMAC-SHA256 keyed by the secret (`sign_method=hmac-sha256`) or of MD5 (`md5`).
//!   `access_token` and `sign_method` are not signed.
//! - `param_json` is the business parameters re-serialized with every object's keys
//!   sorted and no HTML escaping (the SDK round-trips through a Go map), no trailing
//!   newline: [`canonical_json`].
//! - push message: header `event-sign` = lowercase hex MD5 of `app_key + body + secret`.

use hmac::{KeyInit, Mac};
use md5::{Digest, Md5};
use serde_json::Value;
use sha2::Sha256;
use std::fmt::Write;

/// How a request is signed; the platform reads it from the `sign_method` query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignMethod {
    /// `hmac-sha256`, what the current SDKs send.
    HmacSha256,
    /// `md5`, the legacy method many older integrations still use.
    Md5,
}

impl SignMethod {
    /// The `sign_method` query value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HmacSha256 => "hmac-sha256",
            Self::Md5 => "md5",
        }
    }

    /// Reads a `sign_method` query value; an absent one means md5 on the platform.
    pub fn parse(raw: Option<&str>) -> Option<Self> {
        match raw {
            Some("hmac-sha256") => Some(Self::HmacSha256),
            Some("md5") | None => Some(Self::Md5),
            Some(_) => None,
        }
    }
}

/// The string the signature covers (see the module doc).
pub fn sign_pattern(
    app_key: &str,
    secret: &str,
    method: &str,
    param_json: &str,
    timestamp: &str,
) -> String {
    format!(
        "{secret}app_key{app_key}method{method}param_json{param_json}timestamp{timestamp}v2{secret}"
    )
}

/// The `sign` query value for one request.
pub fn request_sign(
    how: SignMethod,
    app_key: &str,
    secret: &str,
    method: &str,
    param_json: &str,
    timestamp: &str,
) -> String {
    let pattern = sign_pattern(app_key, secret, method, param_json, timestamp);
    match how {
        SignMethod::HmacSha256 => {
            // HMAC accepts keys of any length, so this never fails.
            let mut mac = hmac::Hmac::<Sha256>::new_from_slice(secret.as_bytes())
                .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
            mac.update(pattern.as_bytes());
            hex::encode(mac.finalize().into_bytes())
        }
        SignMethod::Md5 => hex::encode(Md5::digest(pattern.as_bytes())),
    }
}

/// The `event-sign` header value of a push message: hex MD5 of `app_key + body + secret`.
pub fn event_sign(app_key: &str, body: &[u8], secret: &str) -> String {
    let mut h = Md5::new();
    h.update(app_key.as_bytes());
    h.update(body);
    h.update(secret.as_bytes());
    hex::encode(h.finalize())
}

/// Compares two signatures in time that depends only on their lengths, so a forger
/// learns nothing from how fast a wrong guess is refused.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `param_json` as the platform signs it: object keys sorted at every depth, numbers as
/// given, strings escaped like Go's encoder with HTML escaping off (so `<`, `>` and `&`
/// stay as they are, U+2028 and U+2029 become `\u2028` / `\u2029`).
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, out);
                out.push(':');
                write_canonical(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        Value::String(s) => write_string(s, out),
        other => out.push_str(&other.to_string()),
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The worked example of `shared/notes/marketplaces.md` §3.1 (computed from the
    /// SDK's algorithm; the platform publishes no known-answer value).
    #[test]
    fn request_signature_known_answers() {
        let params = json!({"update_time_start": 1700000000, "size": 20, "page": 0,
            "order_by": "update_time", "update_time_end": 1700003600});
        let pj = canonical_json(&params);
        assert_eq!(
            pj,
            r#"{"order_by":"update_time","page":0,"size":20,"update_time_end":1700003600,"update_time_start":1700000000}"#
        );
        let args = ("1234567890123456789", "test-secret", "order.searchList");
        assert_eq!(
            request_sign(
                SignMethod::HmacSha256,
                args.0,
                args.1,
                args.2,
                &pj,
                "1700003700"
            ),
            "269f8d89184e0347ed0de0b9e8a554c400b8e8864ffa3a70b5ad658c041fe096"
        );
        assert_eq!(
            request_sign(SignMethod::Md5, args.0, args.1, args.2, &pj, "1700003700"),
            "a763c49ec6dc3620a44a36601b5a2f1d"
        );
    }

    #[test]
    fn event_signature_known_answer() {
        let body = br#"[{"tag":"102","msg_id":"7000000000000000000","data":"{\"p_id\":4785000000000000000,\"shop_id\":4463798}"}]"#;
        assert_eq!(
            event_sign("1234567890123456789", body, "test-secret"),
            "4cb145bcba4720b23e8d95c2e5544cfb"
        );
    }

    #[test]
    fn canonical_json_sorts_nested_keys_and_keeps_html() {
        let v = json!({"b": {"z": 1, "a": [{"y": "<&>", "x": "\u{2028}"}]}, "a": true});
        assert_eq!(
            canonical_json(&v),
            r#"{"a":true,"b":{"a":[{"x":"\u2028","y":"<&>"}],"z":1}}"#
        );
    }

    #[test]
    fn constant_time_eq_compares_whole_values() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
