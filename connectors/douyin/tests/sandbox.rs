//! The sandbox gateway itself, spoken to by hand: signatures checked the way the
//! platform does (hmac-sha256 and legacy md5, Unix or Beijing-time timestamps), and
//! refusals in the platform's envelope.

mod common;

use serde_json::Value;
use shipgate_douyin::sign::{request_sign, SignMethod};

async fn call(
    base: &str,
    method: &str,
    body: &str,
    how: SignMethod,
    ts: &str,
    secret: &str,
) -> Value {
    let key = "7000000000000000001";
    let sign = request_sign(how, key, secret, method, body, ts);
    let url = format!("{base}/{}", method.replace('.', "/"));
    reqwest::Client::new()
        .post(url)
        .query(&[
            ("app_key", key),
            ("method", method),
            ("timestamp", ts),
            ("v", "2"),
            ("sign", &sign),
            ("sign_method", how.as_str()),
        ])
        .body(body.to_string())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

const CREATE: &str = r#"{"code":"","grant_type":"authorization_self","shop_id":4463798}"#;

#[tokio::test]
async fn both_sign_methods_and_both_timestamp_forms_are_accepted() {
    let sb = common::sandbox(1).await;
    let now = chrono::Utc::now();
    let unix = now.timestamp().to_string();
    let beijing = (now + chrono::Duration::hours(8))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    for (how, ts) in [
        (SignMethod::HmacSha256, &unix),
        (SignMethod::Md5, &unix),
        (SignMethod::HmacSha256, &beijing),
    ] {
        let answer = call(
            &sb.base_url(),
            "token.create",
            CREATE,
            how,
            ts,
            "sandbox-app-secret",
        )
        .await;
        assert_eq!(answer["code"], 10000, "{how:?} {ts}: {answer}");
        assert_eq!(answer["data"]["expires_in"], 604_800);
    }
}

#[tokio::test]
async fn a_wrong_signature_or_stale_timestamp_is_refused_in_the_platform_envelope() {
    let sb = common::sandbox(1).await;
    let unix = chrono::Utc::now().timestamp().to_string();
    let answer = call(
        &sb.base_url(),
        "token.create",
        CREATE,
        SignMethod::HmacSha256,
        &unix,
        "wrong",
    )
    .await;
    assert_eq!(answer["code"], 40003);
    assert_eq!(answer["sub_code"], "isv.signature-invalid");
    assert!(answer["log_id"].is_string());
    let stale = (chrono::Utc::now().timestamp() - 3600).to_string();
    let answer = call(
        &sb.base_url(),
        "token.create",
        CREATE,
        SignMethod::HmacSha256,
        &stale,
        "sandbox-app-secret",
    )
    .await;
    assert_eq!(answer["sub_code"], "isv.timestamp-invalid");
}

#[tokio::test]
async fn business_calls_need_an_access_token() {
    let sb = common::sandbox(1).await;
    let unix = chrono::Utc::now().timestamp().to_string();
    let answer = call(
        &sb.base_url(),
        "order.searchList",
        r#"{"page":0,"size":10}"#,
        SignMethod::HmacSha256,
        &unix,
        "sandbox-app-secret",
    )
    .await;
    assert_eq!(answer["code"], 40001);
    assert_eq!(answer["sub_code"], "isv.access-token-missing");
}
