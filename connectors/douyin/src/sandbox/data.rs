//! Constructed shop orders in the shape of `schema-catalog.json` (`ShopOrder`,
//! `SkuOrder`, `post_addr`): invented values, real field names and types. Plain recipient
//! fields are held here; the server encrypts them on the way out.

use serde_json::{json, Value};

/// Unix second of the first generated order's update time (2023-11-14T22:13:20Z).
pub(crate) const BASE_TIME: i64 = 1_700_000_000;

const PROVINCES: [(&str, &str, &str); 3] = [
    ("上海市", "上海市", "浦东新区"),
    ("广东省", "深圳市", "南山区"),
    ("浙江省", "杭州市", "西湖区"),
];

/// The `i`-th order of the shop: paid and awaiting shipment, mostly; every seventh is
/// cash on delivery with two sku orders.
pub(crate) fn shop_order(i: usize, shop_id: i64) -> Value {
    let n = i as i64;
    let order_id = format!("69{:017}", 1_000 + n);
    let (province, city, town) = PROVINCES[i % PROVINCES.len()];
    let two = i % 7 == 3;
    let unit = 1990 + 100 * (n % 5);
    let qty = 1 + n % 3;
    let mut skus = vec![sku_order(
        &order_id,
        1,
        &format!("SKU-{:04}", i % 50),
        "保温杯 500ml",
        unit,
        qty,
    )];
    let mut sum = unit * qty;
    if two {
        skus.push(sku_order(&order_id, 2, "SKU-GIFT", "杯套", 500, 1));
        sum += 500;
    }
    let post = 800;
    json!({
        "order_id": order_id,
        "shop_id": shop_id,
        "shop_name": "shipgate 沙盒小店",
        "order_level": 2,
        "order_type": 0,
        "order_status": 2,
        "order_status_desc": "待发货",
        "main_status": 2,
        "b_type": 2,
        "create_time": BASE_TIME + 60 * n - 600,
        "update_time": BASE_TIME + 60 * n,
        "pay_time": BASE_TIME + 60 * n - 550,
        "exp_ship_time": BASE_TIME + 60 * n + 172_800,
        "pay_type": if two { 0 } else { 1 },
        "order_amount": sum + post,
        "pay_amount": sum + post,
        "post_amount": post,
        "buyer_words": "",
        "seller_words": "",
        "post_receiver": format!("测试买家{i}"),
        "post_tel": format!("138{:08}", 10_000 + n),
        "post_addr": {
            "province": {"id": "31", "name": province},
            "city": {"id": "3101", "name": city},
            "town": {"id": "310115", "name": town},
            "street": {"id": "310115005", "name": "张江镇"},
            "detail": format!("科苑路{}号{}室", 100 + n, 200 + n % 9),
        },
        "logistics_info": [],
        "sku_order_list": skus,
    })
}

fn sku_order(parent: &str, k: i64, code: &str, name: &str, unit: i64, qty: i64) -> Value {
    json!({
        "order_id": format!("{parent}{k:02}"),
        "parent_order_id": parent,
        "order_level": 3,
        "order_status": 2,
        "product_id": 3_600_000_000_000_000_000i64 + k,
        "product_name": name,
        "sku_id": 1_700_000_000_000_000_000i64 + k,
        "code": code,
        "out_sku_id": "",
        "spec": [{"name": "颜色", "value": "白色"}],
        "item_num": qty,
        "origin_amount": unit,
        "sum_amount": unit * qty,
        "pay_amount": unit * qty,
        "goods_type": 0,
        "given_product_type": "MASTER",
    })
}
