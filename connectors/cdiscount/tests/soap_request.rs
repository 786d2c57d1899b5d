//! The SOAP requests shipgate writes carry what the recorded calls carry: the
//! data-contract header (CatalogID 1, SiteID 100, Country Fr, TokenId, Version 1.0) and
//! the body element in `http://www.cdiscount.com`, with the XSD's field order.

use shipgate_cdiscount::soap::envelope::{
    get_order_list, validate_order_list, OrderFilter, References, ValidateOrder, ValidateOrderLine,
    ValidateOrderLines, CDISCOUNT_NS, MESSAGES_NS,
};
use shipgate_cdiscount::soap::scan::scan;

#[test]
fn get_order_list_has_the_recorded_header_and_filter_order() {
    let filter = OrderFilter {
        begin_modification_date: Some("2019-04-24T00:00:00".into()),
        end_modification_date: Some("2019-04-25T00:00:00".into()),
        fetch_order_lines: true,
        order_reference_list: Some(References::new(vec!["1904240959CN8HI".into()])),
    };
    let xml = get_order_list("TOKEN123", &filter).unwrap();
    assert_eq!(scan(xml.as_bytes()).unwrap().root, "Envelope");
    for part in [
        "<s:Body><GetOrderList xmlns=\"http://www.cdiscount.com\">",
        "<a:CatalogID>1</a:CatalogID><a:SiteID>100</a:SiteID>",
        "<a:Country>Fr</a:Country>",
        "<a:TokenId>TOKEN123</a:TokenId>",
        "<a:Version>1.0</a:Version>",
        "<orderFilter><BeginModificationDate>2019-04-24T00:00:00</BeginModificationDate><EndModificationDate>2019-04-25T00:00:00</EndModificationDate><FetchOrderLines>true</FetchOrderLines><OrderReferenceList",
        "<b:string>1904240959CN8HI</b:string>",
    ] {
        assert!(xml.contains(part), "missing {part} in {xml}");
    }
    assert!(xml.contains(MESSAGES_NS) && xml.contains(CDISCOUNT_NS));
}

#[test]
fn validate_order_list_ships_with_tracking_in_xsd_order() {
    let order = ValidateOrder {
        carrier_name: "Colissimo".into(),
        lines: ValidateOrderLines {
            lines: vec![ValidateOrderLine {
                acceptation_state: "ShippedBySeller".into(),
                product_condition: "New".into(),
                seller_product_id: "PRES1".into(),
            }],
        },
        order_number: "1904240959CN8HI".into(),
        order_state: "Shipped".into(),
        tracking_number: "6A12345678901".into(),
        tracking_url: None,
    };
    let xml = validate_order_list("T", &[order]).unwrap();
    assert!(xml.contains(
        "<validateOrderListMessage><OrderList><ValidateOrder><CarrierName>Colissimo</CarrierName><OrderLineList><ValidateOrderLine><AcceptationState>ShippedBySeller</AcceptationState><ProductCondition>New</ProductCondition><SellerProductId>PRES1</SellerProductId></ValidateOrderLine></OrderLineList><OrderNumber>1904240959CN8HI</OrderNumber><OrderState>Shipped</OrderState><TrackingNumber>6A12345678901</TrackingNumber></ValidateOrder>"
    ), "{xml}");
}
