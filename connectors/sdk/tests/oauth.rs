//! The OAuth2 token cache against a loopback token endpoint: one token serves many calls,
//! a refused grant is a credentials error, and the two ways of presenting the client
//! credentials reach the server as each carrier expects.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Form, Json, Router};
use shipgate_sdk::oauth::{ClientAuth, Grant, OAuthClient, TokenSource};
use shipgate_sdk::sandbox::SandboxServer;
use shipgate_sdk::ConnectorError;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[derive(Default)]
struct Endpoint {
    issued: AtomicUsize,
}

/// Accepts client `app`/`s3cret` given either way; answers `expires_in` as a string, the
/// way UPS does, to prove both forms are read.
async fn token(
    State(endpoint): State<Arc<Endpoint>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> (StatusCode, Json<serde_json::Value>) {
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "Basic YXBwOnMzY3JldA==");
    let in_body = form.get("client_id").map(String::as_str) == Some("app")
        && form.get("client_secret").map(String::as_str) == Some("s3cret");
    let grant_ok = match form.get("grant_type").map(String::as_str) {
        Some("client_credentials") => true,
        Some("refresh_token") => form.get("refresh_token").map(String::as_str) == Some("r-1"),
        _ => false,
    };
    if !(basic || in_body) || !grant_ok {
        return (
            StatusCode::BAD_REQUEST,
            Json(
                serde_json::json!({"error": "invalid_client", "error_description": "Client authentication failed"}),
            ),
        );
    }
    let n = endpoint.issued.fetch_add(1, Ordering::SeqCst) + 1;
    (
        StatusCode::OK,
        Json(
            serde_json::json!({"access_token": format!("t-{n}"), "token_type": "Bearer", "expires_in": "14399"}),
        ),
    )
}

async fn endpoint() -> (SandboxServer, Arc<Endpoint>) {
    let state = Arc::new(Endpoint::default());
    let router = Router::new()
        .route("/token", post(token))
        .with_state(state.clone());
    (SandboxServer::start(router).await.expect("starts"), state)
}

fn client(server: &SandboxServer, secret: &str, grant: Grant, auth: ClientAuth) -> TokenSource {
    TokenSource::new(
        reqwest::Client::new(),
        OAuthClient {
            token_url: format!("{}/token", server.base_url()),
            client_id: "app".into(),
            client_secret: secret.into(),
            grant,
            auth,
        },
    )
}

#[tokio::test]
async fn one_token_serves_many_concurrent_calls_until_invalidated() {
    let (server, state) = endpoint().await;
    let source = Arc::new(client(
        &server,
        "s3cret",
        Grant::ClientCredentials { scope: None },
        ClientAuth::BasicHeader,
    ));
    let calls = (0..20).map(|_| {
        let source = source.clone();
        tokio::spawn(async move { source.token().await })
    });
    for call in calls {
        assert_eq!(call.await.expect("joins").expect("token"), "t-1");
    }
    assert_eq!(state.issued.load(Ordering::SeqCst), 1);
    source.invalidate().await;
    assert_eq!(source.token().await.expect("token"), "t-2");
}

#[tokio::test]
async fn refresh_token_grant_in_the_form_body() {
    let (server, state) = endpoint().await;
    let source = client(
        &server,
        "s3cret",
        Grant::RefreshToken {
            refresh_token: "r-1".into(),
        },
        ClientAuth::FormBody,
    );
    assert_eq!(source.token().await.expect("token"), "t-1");
    assert_eq!(state.issued.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_refused_client_is_a_credentials_error_with_the_servers_words() {
    let (server, _) = endpoint().await;
    let source = client(
        &server,
        "wrong",
        Grant::ClientCredentials { scope: None },
        ClientAuth::FormBody,
    );
    match source.token().await {
        Err(ConnectorError::Unauthorized { status, message }) => {
            assert_eq!(status, 400);
            assert!(message.contains("invalid_client"), "{message}");
        }
        other => panic!("expected Unauthorized, got {other:?}"),
    }
    assert!(format!("{source:?}").contains("<redacted>"));
    assert!(!format!("{source:?}").contains("wrong"));
}
