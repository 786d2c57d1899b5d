//! The GraphQL transport: one POST per operation, Shopify's error shapes mapped to
//! [`ConnectorError`], pacing against the calculated-cost bucket, and the shop's request
//! budget waited on before every POST.

use crate::throttle::{throttled_wait, Observed, Plan, QueryCost, ThrottleStatus};
use serde::Deserialize;
use serde_json::value::RawValue;
use shipgate_sdk::http::error_for_status;
use shipgate_sdk::{Account, ConnectorError, Pace, RequestBudget};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How many times one call re-sends a query Shopify throttled, when the bucket says the
/// wait is short. More would hide a mis-sized query behind sleeps.
const THROTTLED_RESENDS: u32 = 2;

/// One GraphQL operation to send.
pub(crate) struct Operation<'q> {
    /// A stable name, used to remember what this operation cost last time.
    pub(crate) name: &'static str,
    /// The document.
    pub(crate) query: &'q str,
    /// Its variables.
    pub(crate) variables: serde_json::Value,
    /// The cost to assume before Shopify has told us the real one.
    pub(crate) default_cost: f64,
}

/// A client for one shop's GraphQL Admin endpoint.
pub(crate) struct GraphqlClient {
    http: reqwest::Client,
    endpoint: String,
    token: String,
    requests: Pace,
    bucket: Mutex<Option<Observed>>,
    costs: Mutex<HashMap<&'static str, QueryCost>>,
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    data: Option<&'a RawValue>,
    errors: Option<Errors>,
    extensions: Option<Extensions>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Errors {
    List(Vec<GqlError>),
    Text(String),
}

#[derive(Deserialize)]
struct GqlError {
    message: Option<String>,
    extensions: Option<GqlErrorExtensions>,
}

#[derive(Deserialize)]
struct GqlErrorExtensions {
    code: Option<String>,
}

#[derive(Deserialize)]
struct Extensions {
    cost: Option<QueryCost>,
}

#[derive(Deserialize)]
struct Data<T> {
    data: T,
}

impl GraphqlClient {
    /// Builds the HTTP client with the request timeout. The shop's request budget is kept
    /// in this process until [`Self::set_budget`] shares it.
    pub(crate) fn new(
        endpoint: String,
        token: String,
        timeout: Duration,
        max_wait: Duration,
        account: Account,
    ) -> Result<Self, ConnectorError> {
        let http = reqwest::Client::builder().timeout(timeout).build()?;
        Ok(Self {
            http,
            endpoint,
            token,
            requests: Pace::new(account, max_wait),
            bucket: Mutex::new(None),
            costs: Mutex::new(HashMap::new()),
        })
    }

    /// Waits on `budget` for the shop's request turns from now on.
    pub(crate) fn set_budget(&mut self, budget: Arc<dyn RequestBudget>) {
        self.requests.set_budget(budget);
    }

    /// The bucket as the last response reported it.
    pub(crate) fn throttle_status(&self) -> Option<ThrottleStatus> {
        self.bucket.lock().ok().and_then(|b| b.map(|o| o.status))
    }

    /// What Shopify last reported for the operation named `name`.
    pub(crate) fn last_cost(&self, name: &str) -> Option<QueryCost> {
        self.costs.lock().ok().and_then(|c| c.get(name).copied())
    }

    /// Sends `op` and returns the response body once it is known to hold `data` and no
    /// errors. Waits in-process for the bucket when the wait is short; reports
    /// `Throttled` when it is not.
    pub(crate) async fn execute(&self, op: &Operation<'_>) -> Result<Vec<u8>, ConnectorError> {
        let mut resends = 0;
        loop {
            self.pace(op).await?;
            match self.send_once(op).await {
                Err(ConnectorError::Throttled {
                    retry_after: Some(wait),
                    ..
                }) if resends < THROTTLED_RESENDS
                    && wait <= self.requests.max_wait()
                    && self.knows_cost(op) =>
                {
                    resends += 1;
                    tracing::debug!(
                        operation = op.name,
                        ?wait,
                        "shopify throttled the query; waiting for the bucket"
                    );
                    // A plain 429 carries no cost data, so `pace` alone would not wait:
                    // the wait Shopify asked for is honoured here, and `pace` then finds
                    // the bucket refilled by its own model.
                    tokio::time::sleep(wait).await;
                }
                other => return other,
            }
        }
    }

    /// Reads `data` of a body [`Self::execute`] returned into `T`.
    pub(crate) fn data<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, ConnectorError> {
        serde_json::from_slice::<Data<T>>(body)
            .map(|d| d.data)
            .map_err(|e| ConnectorError::UnexpectedShape {
                reason: format!("data does not have the expected shape: {e}"),
                raw: body.to_vec(),
            })
    }

    fn knows_cost(&self, op: &Operation<'_>) -> bool {
        self.costs
            .lock()
            .map(|c| c.contains_key(op.name))
            .unwrap_or(false)
    }

    async fn pace(&self, op: &Operation<'_>) -> Result<(), ConnectorError> {
        let cost = self
            .costs
            .lock()
            .ok()
            .and_then(|c| c.get(op.name).copied())
            .and_then(|c| c.requested_query_cost.or(c.actual_query_cost))
            .unwrap_or(op.default_cost);
        let observed = self.bucket.lock().ok().and_then(|b| *b);
        match Observed::plan(
            observed.as_ref(),
            cost,
            Instant::now(),
            self.requests.max_wait(),
        ) {
            Plan::Go => Ok(()),
            Plan::Wait(wait) => {
                tokio::time::sleep(wait).await;
                Ok(())
            }
            Plan::TooLong(wait) => Err(ConnectorError::Throttled {
                retry_after: Some(wait),
                message: format!(
                    "{} needs {cost} points; the bucket refills them in {:.1}s",
                    op.name,
                    wait.as_secs_f64()
                ),
            }),
        }
    }

    fn observe(&self, op: &Operation<'_>, cost: &QueryCost) {
        if let Ok(mut b) = self.bucket.lock() {
            *b = Some(Observed {
                status: cost.throttle_status,
                at: Instant::now(),
            });
        }
        if cost
            .requested_query_cost
            .or(cost.actual_query_cost)
            .is_some()
        {
            if let Ok(mut c) = self.costs.lock() {
                c.insert(op.name, *cost);
            }
        }
    }

    async fn send_once(&self, op: &Operation<'_>) -> Result<Vec<u8>, ConnectorError> {
        self.requests.turn().await?;
        let body = serde_json::json!({ "query": op.query, "variables": op.variables });
        let resp = self
            .http
            .post(&self.endpoint)
            .header("X-Shopify-Access-Token", &self.token)
            .json(&body)
            .send()
            .await?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let raw = resp.bytes().await?.to_vec();
        interpret(self, op, status, retry_after.as_deref(), raw)
    }
}

/// Turns one HTTP answer into the body or the error class the host acts on.
fn interpret(
    client: &GraphqlClient,
    op: &Operation<'_>,
    status: u16,
    retry_after: Option<&str>,
    raw: Vec<u8>,
) -> Result<Vec<u8>, ConnectorError> {
    let envelope = serde_json::from_slice::<Envelope<'_>>(&raw);
    if let Ok(env) = &envelope {
        if let Some(cost) = env.extensions.as_ref().and_then(|e| e.cost.as_ref()) {
            client.observe(op, cost);
        }
        if let Some(Errors::List(errors)) = &env.errors {
            let throttled = errors.iter().any(|e| code(e) == Some("THROTTLED"));
            if throttled {
                let cost = env.extensions.as_ref().and_then(|e| e.cost.as_ref());
                let wait = cost
                    .and_then(|c| throttled_wait(c.requested_query_cost, &c.throttle_status))
                    .or_else(|| retry_after.and_then(shipgate_sdk::http::parse_retry_after));
                return Err(ConnectorError::Throttled {
                    retry_after: wait,
                    message: messages(errors),
                });
            }
        }
    }
    if !(200..300).contains(&status) {
        return Err(error_for_status(status, retry_after, &raw));
    }
    let env = match envelope {
        Ok(env) => env,
        Err(e) => {
            return Err(ConnectorError::UnexpectedShape {
                reason: format!("not a GraphQL JSON response: {e}"),
                raw,
            });
        }
    };
    match &env.errors {
        Some(Errors::List(errors))
            if errors.iter().any(|e| code(e) == Some("MAX_COST_EXCEEDED")) =>
        {
            // Over the single-query ceiling: a bug in our query's size, which no retry
            // fixes.
            return Err(ConnectorError::Rejected {
                status: Some(status),
                message: format!("{} query refused: {}", op.name, messages(errors)),
            });
        }
        Some(Errors::List(errors)) if !errors.is_empty() => {
            return Err(ConnectorError::Rejected {
                status: Some(status),
                message: messages(errors),
            });
        }
        Some(Errors::Text(text)) => {
            return Err(ConnectorError::Rejected {
                status: Some(status),
                message: text.clone(),
            });
        }
        _ => {}
    }
    match env.data {
        Some(d) if d.get() != "null" => Ok(raw),
        _ => Err(ConnectorError::UnexpectedShape {
            reason: "response has neither data nor errors".into(),
            raw,
        }),
    }
}

fn code(e: &GqlError) -> Option<&str> {
    e.extensions.as_ref().and_then(|x| x.code.as_deref())
}

fn messages(errors: &[GqlError]) -> String {
    errors
        .iter()
        .map(|e| {
            let msg = e.message.as_deref().unwrap_or("(no message)");
            match code(e) {
                Some(c) => format!("{msg} [{c}]"),
                None => msg.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> GraphqlClient {
        let config = crate::ShopifyConfig::new("http://127.0.0.1:9", "t");
        GraphqlClient::new(
            config.endpoint(),
            "t".into(),
            Duration::from_secs(1),
            Duration::from_secs(1),
            config.request_account().unwrap(),
        )
        .unwrap()
    }

    fn op() -> Operation<'static> {
        Operation {
            name: "test",
            query: "{ shop { name } }",
            variables: serde_json::Value::Null,
            default_cost: 1.0,
        }
    }

    #[test]
    fn throttled_body_gives_a_wait_from_the_bucket() {
        let c = client();
        let body = br#"{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}],
            "extensions":{"cost":{"requestedQueryCost":752,"actualQueryCost":null,
            "throttleStatus":{"maximumAvailable":1000.0,"currentlyAvailable":666,"restoreRate":50.0}}}}"#;
        for status in [200, 429] {
            let err = interpret(&c, &op(), status, None, body.to_vec()).unwrap_err();
            assert_eq!(
                err.retry_after(),
                Some(Duration::from_secs_f64(1.72)),
                "{err}"
            );
        }
        assert_eq!(c.throttle_status().unwrap().currently_available, 666.0);
    }

    #[test]
    fn other_graphql_errors_are_rejections_and_garbage_is_kept() {
        let c = client();
        let body = br#"{"errors":[{"message":"Field 'nope' doesn't exist on type 'Order'","extensions":{"code":"undefinedField"}}]}"#;
        let err = interpret(&c, &op(), 200, None, body.to_vec()).unwrap_err();
        assert!(
            matches!(err, ConnectorError::Rejected { .. }) && err.to_string().contains("nope"),
            "{err}"
        );
        let err = interpret(&c, &op(), 200, None, b"<html>oops</html>".to_vec()).unwrap_err();
        match err {
            ConnectorError::UnexpectedShape { raw, .. } => assert_eq!(raw, b"<html>oops</html>"),
            other => panic!("{other}"),
        }
        let err = interpret(&c, &op(), 200, None, br#"{"data":null}"#.to_vec()).unwrap_err();
        assert!(matches!(err, ConnectorError::UnexpectedShape { .. }));
    }

    #[test]
    fn max_cost_exceeded_is_a_rejection_naming_the_operation() {
        let c = client();
        let body = br#"{"errors":[{"message":"Query cost is 1293, which exceeds the single query max cost limit (1000).\n\nSee https://shopify.dev/docs/api/usage/rate-limits for more information on how the\ncost of a query is calculated.\n","extensions":{"code":"MAX_COST_EXCEEDED","cost":1293,"maxCost":1000,"documentation":"https://shopify.dev/api/usage/rate-limits"}}]}"#;
        let err = interpret(&c, &op(), 200, None, body.to_vec()).unwrap_err();
        match &err {
            ConnectorError::Rejected {
                status: Some(200),
                message,
            } => {
                assert!(
                    message.starts_with("test query refused: Query cost is 1293"),
                    "{message}"
                );
                assert!(message.ends_with("[MAX_COST_EXCEEDED]"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(!err.is_retryable());
        assert!(c.last_cost("test").is_none(), "nothing was charged");
    }

    #[test]
    fn statuses_map_through_the_sdk() {
        let c = client();
        let body = br#"{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}"#;
        assert!(matches!(
            interpret(&c, &op(), 401, None, body.to_vec()),
            Err(ConnectorError::Unauthorized { status: 401, .. })
        ));
        let e = interpret(&c, &op(), 429, Some("1"), b"{}".to_vec()).unwrap_err();
        assert_eq!(e.retry_after(), Some(Duration::from_secs(1)));
        assert!(interpret(&c, &op(), 502, None, b"bad gateway".to_vec())
            .unwrap_err()
            .is_retryable());
    }
}
