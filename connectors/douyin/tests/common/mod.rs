//! Helpers shared by the integration tests: a connector pointed at a sandbox, and a
//! full pull that follows the cursor the way the host does.

#![allow(dead_code)]

use shipgate_douyin::sandbox::{DouyinSandbox, SandboxConfig};
use shipgate_douyin::{DouyinConfig, DouyinConnector};
use shipgate_sdk::{Cursor, Origin, Page, RawOrder, Source};

pub fn origin() -> Origin {
    Origin {
        tenant: "acme-3pl".into(),
        merchant: "tea-shop".into(),
        connector_id: "douyin-1".into(),
    }
}

pub async fn sandbox(orders: usize) -> DouyinSandbox {
    DouyinSandbox::start(SandboxConfig {
        orders,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts")
}

pub fn connector(sb: &DouyinSandbox, tweak: impl FnOnce(&mut DouyinConfig)) -> DouyinConnector {
    let mut config = sb.douyin_config();
    tweak(&mut config);
    DouyinConnector::new(config, origin()).expect("valid config")
}

/// Pulls from `cursor` until the remote says there is no more.
pub async fn pull_all(c: &DouyinConnector, mut cursor: Cursor) -> (Vec<RawOrder>, Vec<Page>) {
    let mut orders = Vec::new();
    let mut pages = Vec::new();
    loop {
        let page = c.pull(&cursor).await.expect("pull succeeds");
        orders.extend(page.orders.iter().cloned());
        cursor = page.next.clone();
        let more = page.has_more;
        pages.push(page);
        if !more {
            return (orders, pages);
        }
    }
}
