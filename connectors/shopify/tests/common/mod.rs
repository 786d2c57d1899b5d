//! Helpers shared by the integration tests: a connector pointed at a sandbox, and a
//! full pull that follows the cursor the way the host does.

#![allow(dead_code)]

use shipgate_sdk::{Cursor, Origin, Page, RawOrder, Source};
use shipgate_shopify::sandbox::{SandboxConfig, ShopifySandbox};
use shipgate_shopify::{ShopifyConfig, ShopifyConnector};

pub fn origin() -> Origin {
    Origin {
        tenant: "acme-3pl".into(),
        merchant: "bob-shop".into(),
        connector_id: "shopify-1".into(),
    }
}

pub async fn sandbox(orders: usize) -> ShopifySandbox {
    ShopifySandbox::start(SandboxConfig {
        orders,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts")
}

pub fn connector(sb: &ShopifySandbox, tweak: impl FnOnce(&mut ShopifyConfig)) -> ShopifyConnector {
    let mut config = sb.shopify_config();
    tweak(&mut config);
    ShopifyConnector::new(config, origin()).expect("valid config")
}

/// Pulls from `cursor` until the remote says there is no more, returning every raw
/// order, every page, and the final cursor.
pub async fn pull_all(
    c: &ShopifyConnector,
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
