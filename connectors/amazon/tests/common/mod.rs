//! Helpers shared by the integration tests: a connector pointed at a sandbox, and a
//! full pull that follows the cursor the way the host does.

#![allow(dead_code)]

use shipgate_amazon::sandbox::{AmazonSandbox, SandboxConfig};
use shipgate_amazon::{AmazonConfig, AmazonConnector};
use shipgate_sdk::{Cursor, Origin, Page, RawOrder, Source};

pub fn origin() -> Origin {
    Origin {
        tenant: "acme-3pl".into(),
        merchant: "bob-store".into(),
        connector_id: "amazon-1".into(),
    }
}

pub async fn sandbox(orders: usize) -> AmazonSandbox {
    AmazonSandbox::start(SandboxConfig {
        orders,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts")
}

pub fn connector(sb: &AmazonSandbox, tweak: impl FnOnce(&mut AmazonConfig)) -> AmazonConnector {
    let mut config = sb.amazon_config();
    config.page_size = 10;
    tweak(&mut config);
    AmazonConnector::new(config, origin()).expect("valid config")
}

pub async fn pull_all(
    c: &AmazonConnector,
    mut cursor: Cursor,
) -> (Vec<RawOrder>, Vec<Page>, Cursor) {
    let mut orders = Vec::new();
    let mut pages = Vec::new();
    loop {
        let page = c.pull(&cursor).await.expect("pull succeeds");
        orders.extend(page.orders.iter().cloned());
        cursor = page.next.clone();
        let more = page.has_more;
        pages.push(page);
        if !more {
            return (orders, pages, cursor);
        }
    }
}
