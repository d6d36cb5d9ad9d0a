//! Stone's timestamps as `time` types, in exactly their wire formats:
//! `common.DropboxTimestamp` (`%Y-%m-%dT%H:%M:%SZ`, UTC, no fractions) is a
//! [`DateTime`], `common.Date` (`%Y-%m-%d`) a [`Date`].

use super::{Decode, DecodeError, Encode, Reader, Writer};

/// A point in time, UTC on the wire.
pub type DateTime = time::OffsetDateTime;
/// A calendar day.
pub type Date = time::Date;

/// The number `len` ASCII digits spell at `from` (no sign, no space):
/// folded by hand, as `str::parse` costs several times more per timestamp.
fn digits(s: &str, from: usize, len: usize) -> Option<u32> {
    let part = s.as_bytes().get(from..from + len)?;
    part.iter().try_fold(0u32, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
    })
}

fn parse_date(s: &str) -> Option<Date> {
    if s.len() < 10 || s.as_bytes()[4] != b'-' || s.as_bytes()[7] != b'-' {
        return None;
    }
    let month = time::Month::try_from(u8::try_from(digits(s, 5, 2)?).ok()?).ok()?;
    Date::from_calendar_date(
        i32::try_from(digits(s, 0, 4)?).ok()?,
        month,
        u8::try_from(digits(s, 8, 2)?).ok()?,
    )
    .ok()
}

fn parse_date_time(s: &str) -> Option<DateTime> {
    let b = s.as_bytes();
    if s.len() != 20 || b[10] != b'T' || b[13] != b':' || b[16] != b':' || b[19] != b'Z' {
        return None;
    }
    let date = parse_date(&s[..10])?;
    let hms = |i| digits(s, i, 2).and_then(|v| u8::try_from(v).ok());
    let t = time::Time::from_hms(hms(11)?, hms(14)?, hms(17)?).ok()?;
    Some(time::PrimitiveDateTime::new(date, t).assume_utc())
}

fn write_date(out: &mut String, d: Date) {
    use std::fmt::Write as _;
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}",
        d.year(),
        u8::from(d.month()),
        d.day()
    );
}

impl Encode for DateTime {
    fn encode(&self, w: &mut Writer) {
        let utc = self.to_offset(time::UtcOffset::UTC);
        let mut s = String::with_capacity(20);
        write_date(&mut s, utc.date());
        use std::fmt::Write as _;
        let _ = write!(
            s,
            "T{:02}:{:02}:{:02}Z",
            utc.hour(),
            utc.minute(),
            utc.second()
        );
        w.string(&s);
    }
}

impl Decode for DateTime {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let s = r.str_cow()?;
        parse_date_time(&s).ok_or_else(|| {
            r.error(format!(
                "{s:?} is not a timestamp like 2015-05-12T15:50:38Z"
            ))
        })
    }
}

impl Encode for Date {
    fn encode(&self, w: &mut Writer) {
        let mut s = String::with_capacity(10);
        write_date(&mut s, *self);
        w.string(&s);
    }
}

impl Decode for Date {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let s = r.str_cow()?;
        match parse_date(&s) {
            Some(d) if s.len() == 10 => Ok(d),
            _ => Err(r.error(format!("{s:?} is not a date like 2015-05-12"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_exactly_and_reject_other_forms() {
        let t: DateTime = crate::wire::from_str(r#""2015-05-12T15:50:38Z""#).unwrap();
        assert_eq!(t.unix_timestamp(), 1431445838);
        assert_eq!(crate::wire::to_string(&t), r#""2015-05-12T15:50:38Z""#);
        for bad in [
            r#""2015-05-12T15:50:38.5Z""#,
            r#""2015-05-12T15:50:38""#,
            r#""2015-13-12T15:50:38Z""#,
            r#""2015-05-12 15:50:38Z""#,
            r#""2015-05-+2T15:50:38Z""#,
            r#""2015-05-12T15:5 :38Z""#,
        ] {
            assert!(crate::wire::from_str::<DateTime>(bad).is_err(), "{bad}");
        }
        // The expressions the emitter writes for a timestamp default
        // (generator/src/emit/types.rs), for 2020-02-29 and a time of day.
        let d: Date = crate::wire::DateTime::UNIX_EPOCH
            .saturating_add(crate::time::Duration::days(18321i64))
            .date();
        assert_eq!(crate::wire::to_string(&d), r#""2020-02-29""#);
        let t: DateTime = crate::wire::DateTime::UNIX_EPOCH
            .saturating_add(crate::time::Duration::seconds(1431445838i64));
        assert_eq!(crate::wire::to_string(&t), r#""2015-05-12T15:50:38Z""#);
        let d: Date = crate::wire::from_str(r#""2016-02-29""#).unwrap();
        assert_eq!(crate::wire::to_string(&d), r#""2016-02-29""#);
        assert!(crate::wire::from_str::<Date>(r#""2015-02-29""#).is_err());
    }
}
