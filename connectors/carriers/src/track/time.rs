//! Carrier timestamps to UTC. Carriers write times with offsets, without offsets (local
//! time at the event's place), as dates and times in separate fields, or as epoch
//! milliseconds; every parser goes through these two functions so the rules live once.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// A timestamp that carries its own offset or `Z` (RFC 3339 / ISO 8601, with or
/// without fractional seconds, `+0100` or `+01:00`).
pub fn parse_utc(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%z"))
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M%z"))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A local timestamp without offset, read at `offset` (the carrier's documented zone,
/// or UTC when it documents none). Accepts `formats` in order; a date alone is read as
/// midnight, so a date-only event still sorts before the events of later days.
pub fn parse_local(text: &str, formats: &[&str], offset: FixedOffset) -> Option<DateTime<Utc>> {
    let text = text.trim();
    let naive = formats.iter().find_map(|f| {
        NaiveDateTime::parse_from_str(text, f).ok().or_else(|| {
            NaiveDate::parse_from_str(text, f)
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
    })?;
    offset
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// A local time in Central Europe (Germany, Poland, Belgium…) to UTC: UTC+1, and UTC+2
/// from the last Sunday of March 02:00 to the last Sunday of October 03:00 (the EU rule
/// since 1996). The repeated October hour is read as summer time.
pub fn central_european(local: NaiveDateTime) -> Option<DateTime<Utc>> {
    let year = local.year();
    let starts = last_sunday(year, 3)?.and_hms_opt(2, 0, 0)?;
    let ends = last_sunday(year, 10)?.and_hms_opt(3, 0, 0)?;
    let hours = if (starts..ends).contains(&local) {
        2
    } else {
        1
    };
    FixedOffset::east_opt(hours * 3600)?
        .from_local_datetime(&local)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// [`central_european`] of a text read with the first of `formats` that fits.
pub fn parse_central_european(text: &str, formats: &[&str]) -> Option<DateTime<Utc>> {
    let text = text.trim();
    formats
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .and_then(central_european)
}

/// The last Sunday of a month with 31 days (March, October).
fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    let last = NaiveDate::from_ymd_opt(year, month, 31)?;
    let back = i64::from(last.weekday().num_days_from_sunday());
    last.checked_sub_signed(Duration::days(back))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_local_times_become_utc() {
        let t = parse_utc("2024-03-01T10:15:00+01:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-03-01T09:15:00+00:00");
        assert_eq!(
            parse_utc("2024-03-01 10:15:00.123+0100")
                .unwrap()
                .to_rfc3339(),
            "2024-03-01T09:15:00.123+00:00"
        );
        let paris = FixedOffset::east_opt(3600).unwrap();
        let t = parse_local("01/03/2024 10:15", &["%d/%m/%Y %H:%M"], paris).unwrap();
        assert_eq!(t.to_rfc3339(), "2024-03-01T09:15:00+00:00");
        let d = parse_local("20240301", &["%Y%m%d"], FixedOffset::east_opt(0).unwrap()).unwrap();
        assert_eq!(d.to_rfc3339(), "2024-03-01T00:00:00+00:00");
        assert!(parse_utc("yesterday").is_none());
        let winter = parse_central_european("2024-01-15 10:00", &["%Y-%m-%d %H:%M"]).unwrap();
        assert_eq!(winter.to_rfc3339(), "2024-01-15T09:00:00+00:00");
        let summer = parse_central_european("2024-07-15 10:00", &["%Y-%m-%d %H:%M"]).unwrap();
        assert_eq!(summer.to_rfc3339(), "2024-07-15T08:00:00+00:00");
        // 2024's summer time starts on 31 March at 02:00 local.
        let before = parse_central_european("2024-03-31 01:59", &["%Y-%m-%d %H:%M"]).unwrap();
        assert_eq!(before.to_rfc3339(), "2024-03-31T00:59:00+00:00");
    }
}
