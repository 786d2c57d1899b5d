//! Orders normalized per second on one core, each shape beside the cheapest parse of
//! the same bytes: the SOAP `<Order>` (the recorded order `1904241640CLE8Z` with its
//! anonymised country set to `FR`) beside one bare quick-xml `Reader` pass, and the
//! REST order (`tests/data/rest_order.json`) beside a `serde_json::Value` parse.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use quick_xml::events::Event;
use quick_xml::Reader;
use shipgate_cdiscount::normalize;
use shipgate_cdiscount::soap::pull::split;
use shipgate_sdk::Origin;
use std::hint::black_box;

fn reader_pass(xml: &[u8]) -> usize {
    let mut reader = Reader::from_reader(xml);
    let mut n = 0;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) | Err(_) => return n,
            Ok(_) => n += 1,
        }
    }
}

fn bench(c: &mut Criterion) {
    let origin = Origin {
        tenant: "t".into(),
        merchant: "m".into(),
        connector_id: "cdiscount".into(),
    };
    let list = include_bytes!("../tests/data/GetOrderList.get_order_list.response.xml");
    let page = split(list).expect("recorded answer splits");
    let soap = String::from_utf8_lossy(&page.orders[2].body)
        .replace("<Country>COUNTRY</Country>", "<Country>FR</Country>")
        .into_bytes();
    let rest = include_bytes!("../tests/data/rest_order.json");
    normalize(&origin, &soap).expect("SOAP sample normalizes");
    normalize(&origin, rest).expect("REST sample normalizes");

    let mut g = c.benchmark_group("cdiscount_soap_order");
    g.throughput(Throughput::Elements(1));
    g.bench_function("quick_xml_reader_pass", |b| {
        b.iter(|| reader_pass(black_box(&soap)))
    });
    g.bench_function("normalize", |b| {
        b.iter(|| normalize(&origin, black_box(&soap)))
    });
    g.finish();

    let mut g = c.benchmark_group("cdiscount_rest_order");
    g.throughput(Throughput::Elements(1));
    g.bench_function("serde_json_value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(rest)))
    });
    g.bench_function("normalize", |b| {
        b.iter(|| normalize(&origin, black_box(rest)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
