//! Cron schedules as the CronJob controller parses them (robfig/cron's standard parser): five
//! fields (minute hour day-of-month month day-of-week) with `*`, `?`, lists, ranges, steps and
//! names, plus `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight` and
//! `@hourly`. A `CRON_TZ=`/`TZ=` prefix is accepted; times are evaluated in UTC.

use jiff::civil::{Date, DateTime, Time};
use jiff::{Timestamp, ToSpan, tz::TimeZone};

/// Set when a field was written `*` or `?` (robfig's `starBit`), which changes how
/// day-of-month and day-of-week combine.
const STAR: u64 = 1 << 63;

/// A parsed schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    minute: u64,
    hour: u64,
    dom: u64,
    month: u64,
    dow: u64,
}

struct Bounds {
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const MINUTE: Bounds = Bounds {
    min: 0,
    max: 59,
    names: &[],
};
const HOUR: Bounds = Bounds {
    min: 0,
    max: 23,
    names: &[],
};
const DOM: Bounds = Bounds {
    min: 1,
    max: 31,
    names: &[],
};
const MONTH: Bounds = Bounds {
    min: 1,
    max: 12,
    names: &[
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ],
};
const DOW: Bounds = Bounds {
    min: 0,
    max: 6,
    names: &["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
};

fn value(s: &str, b: &Bounds) -> Result<u32, String> {
    let lower = s.to_ascii_lowercase();
    if let Some(i) = b.names.iter().position(|n| *n == lower) {
        // Month names start at 1, weekday names at 0.
        return Ok(i as u32 + b.min);
    }
    s.parse::<u32>()
        .map_err(|_| format!("failed to parse int from {s}: strconv.Atoi: parsing \"{s}\": invalid syntax"))
}

fn field(expr: &str, b: &Bounds) -> Result<u64, String> {
    let mut bits = 0u64;
    for part in expr.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (part, None),
        };
        let (mut start, mut end, mut extra) = (b.min, b.max, 0);
        let single;
        if range == "*" || range == "?" {
            extra = STAR;
            single = false;
        } else {
            match range.split_once('-') {
                Some((lo, hi)) => {
                    start = value(lo, b)?;
                    end = value(hi, b)?;
                    single = false;
                }
                None => {
                    start = value(range, b)?;
                    end = start;
                    single = true;
                }
            }
        }
        let step = match step {
            None => 1,
            Some(s) => {
                let n = s
                    .parse::<u32>()
                    .map_err(|_| format!("failed to parse int from {s}"))?;
                // `N/step` means `N-max/step`.
                if single {
                    end = b.max;
                }
                if n > 1 {
                    extra = 0;
                }
                n
            }
        };
        if start < b.min {
            return Err(format!(
                "beginning of range ({start}) below minimum ({}): {part}",
                b.min
            ));
        }
        if end > b.max {
            return Err(format!("end of range ({end}) above maximum ({}): {part}", b.max));
        }
        if start > end {
            return Err(format!(
                "beginning of range ({start}) beyond end of range ({end}): {part}"
            ));
        }
        if step == 0 {
            return Err(format!("step of range should be a positive number: {part}"));
        }
        let mut v = start;
        while v <= end {
            bits |= 1 << v;
            v += step;
        }
        bits |= extra;
    }
    Ok(bits)
}

impl Schedule {
    /// Parses a schedule; the error reads like the controller's `InvalidSchedule` message.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let mut spec = spec.trim();
        if let Some(rest) = spec.strip_prefix("CRON_TZ=").or_else(|| spec.strip_prefix("TZ=")) {
            spec = rest.split_once(' ').map(|(_, s)| s.trim()).unwrap_or_default();
        }
        let expanded = match spec {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            s if s.starts_with('@') => return Err(format!("unrecognized descriptor: {s}")),
            s => s,
        };
        let fields: Vec<&str> = expanded.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(format!(
                "expected exactly 5 fields, found {}: {spec}",
                fields.len()
            ));
        }
        let mut dow = field(fields[4], &Bounds { max: 7, ..DOW })?;
        // 7 is Sunday too.
        if dow & (1 << 7) != 0 {
            dow = (dow & !(1 << 7)) | 1;
        }
        Ok(Self {
            minute: field(fields[0], &MINUTE)?,
            hour: field(fields[1], &HOUR)?,
            dom: field(fields[2], &DOM)?,
            month: field(fields[3], &MONTH)?,
            dow,
        })
    }

    fn day_matches(&self, d: Date) -> bool {
        let dom = self.dom & (1 << d.day()) != 0;
        let dow = self.dow & (1 << d.weekday().to_sunday_zero_offset()) != 0;
        if self.dom & STAR != 0 || self.dow & STAR != 0 {
            dom && dow
        } else {
            dom || dow
        }
    }

    /// The first activation strictly after `t` (robfig's `Next`), searching up to five years.
    pub fn next_after(&self, t: Timestamp) -> Option<Timestamp> {
        let tz = TimeZone::UTC;
        let start = t.to_zoned(tz.clone()).datetime();
        let mut dt = DateTime::from_parts(start.date(), Time::new(start.hour(), start.minute(), 0, 0).ok()?)
            .checked_add(1.minute())
            .ok()?;
        let limit = start.date().year() + 5;
        while dt.year() <= limit {
            if self.month & (1 << dt.month()) == 0 {
                let first = dt.date().first_of_month().checked_add(1.month()).ok()?;
                dt = first.to_datetime(Time::midnight());
                continue;
            }
            if !self.day_matches(dt.date()) {
                dt = dt.date().checked_add(1.day()).ok()?.to_datetime(Time::midnight());
                continue;
            }
            if self.hour & (1 << dt.hour()) == 0 {
                let h = DateTime::from_parts(dt.date(), Time::new(dt.hour(), 0, 0, 0).ok()?);
                dt = h.checked_add(1.hour()).ok()?;
                continue;
            }
            if self.minute & (1 << dt.minute()) == 0 {
                dt = dt.checked_add(1.minute()).ok()?;
                continue;
            }
            return dt.to_zoned(tz).ok().map(|z| z.timestamp());
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn next(spec: &str, from: &str) -> String {
        Schedule::parse(spec)
            .unwrap()
            .next_after(ts(from))
            .unwrap()
            .to_string()
    }

    #[test]
    fn standard_fields_steps_ranges_and_names() {
        assert_eq!(
            next("*/5 * * * *", "2026-01-01T10:02:30Z"),
            "2026-01-01T10:05:00Z"
        );
        assert_eq!(
            next("*/5 * * * *", "2026-01-01T10:05:00Z"),
            "2026-01-01T10:10:00Z"
        );
        assert_eq!(next("30 2 * * *", "2026-01-01T10:00:00Z"), "2026-01-02T02:30:00Z");
        assert_eq!(
            next("0 9-17/4 * * mon-fri", "2026-01-02T18:00:00Z"),
            "2026-01-05T09:00:00Z"
        );
        assert_eq!(
            next("0 0 1 jan,jul *", "2026-02-01T00:00:00Z"),
            "2026-07-01T00:00:00Z"
        );
        assert_eq!(next("15 * * * 7", "2026-01-03T23:50:00Z"), "2026-01-04T00:15:00Z");
        // Both day fields restricted: either matches (the 13th, or any Friday).
        assert_eq!(next("0 0 13 * 5", "2026-01-01T00:00:00Z"), "2026-01-02T00:00:00Z");
    }

    #[test]
    fn descriptors_and_errors() {
        assert_eq!(next("@hourly", "2026-01-01T10:00:00Z"), "2026-01-01T11:00:00Z");
        assert_eq!(next("@daily", "2026-01-01T10:00:00Z"), "2026-01-02T00:00:00Z");
        assert_eq!(next("@weekly", "2026-01-01T10:00:00Z"), "2026-01-04T00:00:00Z");
        assert_eq!(next("@yearly", "2026-01-01T10:00:00Z"), "2027-01-01T00:00:00Z");
        assert_eq!(
            next("CRON_TZ=UTC 0 * * * *", "2026-01-01T10:00:00Z"),
            "2026-01-01T11:00:00Z"
        );
        assert!(Schedule::parse("* * * *").is_err());
        assert!(Schedule::parse("61 * * * *").is_err());
        assert!(Schedule::parse("@often").is_err());
        assert!(Schedule::parse("x * * * *").is_err());
        assert!(
            Schedule::parse("0 0 30 2 *")
                .unwrap()
                .next_after(ts("2026-01-01T00:00:00Z"))
                .is_none()
        );
    }
}
