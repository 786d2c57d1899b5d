//! Sharp edge 3 of DESIGN.md, in a test binary of its own because it blocks the whole
//! Redis for 1.5 s, which would fail the other queue tests' connections running beside it.

use std::time::{Duration, Instant};

use shipgate::queue::{Job, Queue, RetryPolicy};

fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| {
        panic!(
            "TEST_REDIS_URL is not set: run ./scripts/test (it starts a private \
             redis-server) or point it at a Redis you can write to"
        )
    })
}

/// Sharp edge 3: redis-rs gives up on a reply after 500 ms by default, so a Redis busy
/// for a second (a long script, an fsync stall) failed pushes and stopped workers. The
/// queue waits up to 5 s instead.
#[tokio::test]
async fn a_push_waits_out_a_redis_busy_for_over_a_second() {
    let url = redis_url();
    let name = format!("test-{}", ulid::Ulid::new());
    let queue = Queue::open_named(&url, &name, RetryPolicy::default())
        .await
        .unwrap();
    let client = redis::Client::open(url.as_str()).unwrap();
    let patient = redis::AsyncConnectionConfig::new().set_response_timeout(None);
    let mut blocker = client
        .get_multiplexed_async_connection_with_config(&patient)
        .await
        .unwrap();
    let busy = tokio::spawn(async move {
        redis::cmd("EVAL")
            .arg(
                "local t0 = redis.call('TIME') \
                 repeat local t = redis.call('TIME') \
                 until (t[1] - t0[1]) * 1000000 + (t[2] - t0[2]) > 1500000 \
                 return 1",
            )
            .arg(0)
            .query_async::<i64>(&mut blocker)
            .await
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let pushed = queue
        .push(Job::PullOrders {
            connector_id: "patient".into(),
        })
        .await;
    let waited = started.elapsed();
    busy.await.unwrap().unwrap();
    assert!(
        waited >= Duration::from_millis(900),
        "Redis was not busy when the push went out ({waited:?}): the case is not tested"
    );
    pushed.expect("a push waits for a busy Redis instead of timing out");
    assert_eq!(queue.pending().await.unwrap(), 1);
}
