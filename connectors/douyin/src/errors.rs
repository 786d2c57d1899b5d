//! The platform's answer envelope `{code, msg, sub_code, sub_msg, data, log_id}` and how
//! its codes become [`ConnectorError`] classes.
//!
//! Codes from the platform's "平台基础错误码汇总" table
//! (`op.jinritemai.com/docs/guide-docs/212/1427`, as transcribed in public SDKs, e.g.
//! `imactool/jinritemai` `Error/ErrorCode.php`): 10000 success, 20000/20001 service
//! unavailable / internal timeout, 30001 permission, 30002 IP not whitelisted, 40001–40004
//! missing / invalid parameters (sub codes `isv.signature-invalid`,
//! `isv.access-token-expired`, `isv.access-token-no-existed`…), 50001 platform failure
//! (token generation sub codes `dop.token-generate-failed:*`), 50002 business failure,
//! 60000 throttled, 70000 API offline, 80000 security, 90000 other. The platform answers
//! these with HTTP 200.

use serde::Deserialize;
use shipgate_sdk::ConnectorError;

/// Success.
pub const CODE_OK: i64 = 10000;
/// Throttled ("触发限流，请稍后重试").
pub const CODE_THROTTLED: i64 = 60000;

/// The envelope every gateway answer has. `data` stays raw until the caller knows the
/// call succeeded.
#[derive(Debug, Deserialize)]
pub struct Envelope {
    /// 10000 on success.
    pub code: i64,
    /// The code's text.
    #[serde(default)]
    pub msg: String,
    /// Finer reason (`isv.access-token-expired`, `isv.business-failed:…`).
    #[serde(default)]
    pub sub_code: String,
    /// The finer reason's text.
    #[serde(default)]
    pub sub_msg: String,
    /// The operation's answer.
    #[serde(default)]
    pub data: serde_json::Value,
}

/// Whether a failed call may succeed with a fresh access token.
pub fn is_token_expired(sub_code: &str) -> bool {
    matches!(
        sub_code,
        "isv.access-token-expired" | "isv.access-token-no-existed"
    )
}

fn is_credential_problem(sub_code: &str) -> bool {
    sub_code.starts_with("isv.access-token")
        || sub_code.starts_with("isv.signature")
        || sub_code.starts_with("isv.app-id")
        || sub_code.starts_with("dop.token-generate-failed")
        || sub_code.starts_with("dop.authorization")
        || sub_code == "isv.app-permissions-insufficient"
        || sub_code == "isv.authorization-type-invalid"
}

/// Maps a failed envelope (code ≠ 10000) to the class the host acts on. `status` is the
/// HTTP status it came with (200 on this platform).
pub fn classify(status: u16, env: &Envelope) -> ConnectorError {
    let message = format!(
        "Douyin code {} {} (sub_code {:?}: {})",
        env.code, env.msg, env.sub_code, env.sub_msg
    );
    match env.code {
        CODE_THROTTLED => ConnectorError::Throttled {
            retry_after: None,
            message,
        },
        20000 | 20001 | 90000 => ConnectorError::Remote { status, message },
        30001 | 30002 | 80000 => ConnectorError::Unauthorized { status, message },
        _ if is_credential_problem(&env.sub_code) => {
            ConnectorError::Unauthorized { status, message }
        }
        _ => ConnectorError::Rejected {
            status: Some(status),
            message,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(code: i64, sub: &str) -> Envelope {
        Envelope {
            code,
            msg: String::new(),
            sub_code: sub.into(),
            sub_msg: String::new(),
            data: serde_json::Value::Null,
        }
    }

    #[test]
    fn codes_map_to_classes() {
        assert!(matches!(
            classify(200, &env(60000, "")),
            ConnectorError::Throttled { .. }
        ));
        assert!(classify(200, &env(20000, "dop.service-error")).is_retryable());
        assert!(matches!(
            classify(200, &env(40003, "isv.access-token-expired")),
            ConnectorError::Unauthorized { .. }
        ));
        assert!(matches!(
            classify(200, &env(40003, "isv.signature-invalid")),
            ConnectorError::Unauthorized { .. }
        ));
        assert!(matches!(
            classify(200, &env(50001, "dop.token-generate-failed:token-expired")),
            ConnectorError::Unauthorized { .. }
        ));
        let e = classify(200, &env(50002, "isv.business-failed:1"));
        assert!(matches!(e, ConnectorError::Rejected { .. }) && !e.is_retryable());
    }
}
