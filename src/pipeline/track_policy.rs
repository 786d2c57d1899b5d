//! When to ask a carrier about a parcel again. Parcels that move get looked at often,
//! parcels that have sat still for days less and less, and a final status never again:
//! carriers bill or throttle tracking calls, and most polls of a settled parcel are
//! wasted.

use chrono::Duration;
use shipgate_sdk::model::TrackingStatus;

/// The first look at a parcel nobody has reported on yet, and the retry when a carrier
/// did not know the number (labels are often scanned hours after they are printed).
const UNSEEN: Duration = Duration::hours(1);
/// The delivery day: the van is out or a pick-up point holds it.
const DELIVERY_DAY: Duration = Duration::minutes(45);
/// Never poll a moving parcel more often than this…
const SHORTEST: Duration = Duration::hours(2);
/// …nor a settled one less often than this.
const LONGEST: Duration = Duration::hours(24);
/// A parcel with no news for this long is given up on (carriers expire numbers after
/// about this long, and a storefront gains nothing from more polls).
const GIVE_UP: Duration = Duration::days(60);

/// How long to wait before the next poll of a parcel whose last status is `status`,
/// unchanged for `unchanged_for`; `None` ends polling.
pub fn next_poll(status: Option<TrackingStatus>, unchanged_for: Duration) -> Option<Duration> {
    if unchanged_for >= GIVE_UP {
        return None;
    }
    let Some(status) = status else {
        return Some(UNSEEN);
    };
    if status.is_final() {
        return None;
    }
    Some(match status {
        TrackingStatus::OutForDelivery
        | TrackingStatus::AvailableForPickup
        | TrackingStatus::AttemptFailed => DELIVERY_DAY,
        // A quarter of the time it has been still: a parcel that just moved is looked at
        // again soon, one stuck for four days once a day.
        _ => (unchanged_for / 4).clamp(SHORTEST, LONGEST),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_statuses_are_never_polled_again() {
        for status in [
            TrackingStatus::Delivered,
            TrackingStatus::Returned,
            TrackingStatus::Cancelled,
            TrackingStatus::Expired,
        ] {
            assert_eq!(
                next_poll(Some(status), Duration::zero()),
                None,
                "{status:?}"
            );
        }
    }

    #[test]
    fn a_settling_parcel_is_polled_less_and_less_within_bounds() {
        let s = Some(TrackingStatus::InTransit);
        let fresh = next_poll(s, Duration::minutes(10)).unwrap();
        let day = next_poll(s, Duration::days(1)).unwrap();
        let week = next_poll(s, Duration::days(7)).unwrap();
        assert_eq!(fresh, SHORTEST);
        assert_eq!(day, Duration::hours(6));
        assert_eq!(week, LONGEST);
        assert!(fresh < day && day < week);
        assert_eq!(next_poll(s, Duration::days(61)), None);
    }

    #[test]
    fn delivery_day_and_unseen_parcels_are_looked_at_soon() {
        assert_eq!(
            next_poll(Some(TrackingStatus::OutForDelivery), Duration::days(3)),
            Some(DELIVERY_DAY)
        );
        assert_eq!(next_poll(None, Duration::days(2)), Some(UNSEEN));
    }
}
