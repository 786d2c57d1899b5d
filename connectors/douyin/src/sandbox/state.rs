//! What the sandbox gateway holds: the app, the shop's authorization and tokens, its
//! orders (plain), fault injection and the record tests assert on.

use super::server::LogisticsCall;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub(crate) type Shared = Arc<Mutex<State>>;

/// An access token the sandbox issued.
pub(crate) struct Token {
    pub(crate) expired: bool,
}

pub(crate) struct State {
    pub(crate) app_key: String,
    pub(crate) app_secret: String,
    pub(crate) shop_id: i64,
    pub(crate) authorized: bool,
    pub(crate) tokens: HashMap<String, Token>,
    pub(crate) refresh_tokens: Vec<String>,
    pub(crate) issued: u64,
    pub(crate) expires_in: u64,
    pub(crate) orders: Vec<Value>,
    pub(crate) corruptions: HashMap<String, Value>,
    pub(crate) undecryptable: Vec<String>,
    pub(crate) faults: VecDeque<u16>,
    pub(crate) delay: Option<Duration>,
    pub(crate) qps: Option<u32>,
    pub(crate) second: (Instant, u32),
    pub(crate) logistics: Vec<LogisticsCall>,
    pub(crate) requests: usize,
    pub(crate) token_calls: usize,
    pub(crate) rate_limited: usize,
}

impl State {
    /// Counts a business call against the per-second limit; false when over it.
    pub(crate) fn admit(&mut self) -> bool {
        let Some(limit) = self.qps else { return true };
        let now = Instant::now();
        if now.duration_since(self.second.0) >= Duration::from_secs(1) {
            self.second = (now, 0);
        }
        self.second.1 += 1;
        let admitted = self.second.1 <= limit;
        if !admitted {
            self.rate_limited += 1;
        }
        admitted
    }

    /// Issues a fresh access / refresh token pair.
    pub(crate) fn issue(&mut self) -> (String, String) {
        self.issued += 1;
        let access = format!("sbx-at-{}-{}", self.shop_id, self.issued);
        let refresh = format!("sbx-rt-{}-{}", self.shop_id, self.issued);
        self.tokens.insert(access.clone(), Token { expired: false });
        self.refresh_tokens.push(refresh.clone());
        (access, refresh)
    }
}
