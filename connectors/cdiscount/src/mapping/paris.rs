//! SOAP dates carry no zone (`2019-04-29T14:13:07.12`): they are the wall clock of
//! Cdiscount's servers in France. This turns them into UTC and back with the EU rule
//! France follows since 1996 (CEST, UTC+2, from the last Sunday of March 01:00 UTC to
//! the last Sunday of October 01:00 UTC; CET, UTC+1, otherwise), without a zone
//! database. In the autumn hour that happens twice the first (summer) reading wins.

use super::invalid;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use shipgate_sdk::MappingError;

fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let last = next.pred_opt()?;
    let back = last.weekday().num_days_from_sunday();
    last.checked_sub_signed(Duration::days(i64::from(back)))
}

/// Whether France is on summer time at this UTC instant.
pub fn is_summer(utc: NaiveDateTime) -> bool {
    let one = NaiveTime::from_hms_opt(1, 0, 0).unwrap_or(NaiveTime::MIN);
    let (Some(start), Some(end)) = (last_sunday(utc.year(), 3), last_sunday(utc.year(), 10)) else {
        return false;
    };
    utc >= start.and_time(one) && utc < end.and_time(one)
}

/// The UTC instant of a French wall-clock time.
pub fn to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    let summer = local - Duration::hours(2);
    let naive = if is_summer(summer) {
        summer
    } else {
        local - Duration::hours(1)
    };
    Utc.from_utc_datetime(&naive)
}

/// The French wall-clock time of a UTC instant, as SOAP filters expect it.
pub fn to_local(utc: DateTime<Utc>) -> NaiveDateTime {
    let naive = utc.naive_utc();
    naive + Duration::hours(if is_summer(naive) { 2 } else { 1 })
}

/// Parses a SOAP date: zone-less text is French wall-clock time; text with a zone
/// (`Z`, `+02:00`) is taken as written.
pub fn parse(path: &str, raw: &str) -> Result<DateTime<Utc>, MappingError> {
    let t = raw.trim();
    if let Ok(with_zone) = DateTime::parse_from_rfc3339(t) {
        return Ok(with_zone.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f")
        .map(to_utc)
        .map_err(|e| invalid(path, raw, format!("not a date-time: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").unwrap()
    }

    #[test]
    fn summer_and_winter_offsets() {
        let t = parse("d", "2019-04-29T14:13:07.12").unwrap();
        assert_eq!(t.to_rfc3339(), "2019-04-29T12:13:07.120+00:00");
        let w = parse("d", "2019-01-15T10:00:00").unwrap();
        assert_eq!(w.to_rfc3339(), "2019-01-15T09:00:00+00:00");
    }

    #[test]
    fn switch_days_2019() {
        // 31 March 2019: 02:00 CET became 03:00 CEST (01:00 UTC).
        assert_eq!(
            to_utc(local("2019-03-31T01:59:00")).to_rfc3339(),
            "2019-03-31T00:59:00+00:00"
        );
        assert_eq!(
            to_utc(local("2019-03-31T03:00:00")).to_rfc3339(),
            "2019-03-31T01:00:00+00:00"
        );
        // 27 October 2019: 03:00 CEST became 02:00 CET (01:00 UTC).
        assert_eq!(
            to_utc(local("2019-10-27T03:30:00")).to_rfc3339(),
            "2019-10-27T02:30:00+00:00"
        );
        assert_eq!(
            to_utc(local("2019-10-27T01:30:00")).to_rfc3339(),
            "2019-10-26T23:30:00+00:00"
        );
    }

    #[test]
    fn round_trips_and_zones_are_respected() {
        let t = parse("d", "2019-07-01T12:00:00Z").unwrap();
        assert_eq!(to_local(t), local("2019-07-01T14:00:00"));
        assert_eq!(to_utc(to_local(t)), t);
        assert_eq!(
            parse("x.CreationDate", "yesterday").unwrap_err().location(),
            "x.CreationDate"
        );
    }
}
