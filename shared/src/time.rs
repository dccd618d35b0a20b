//! UTC calendar arithmetic for the few timestamps the wire formats need (SigV4 dates,
//! Cognito's SRP `TIMESTAMP`). The clock itself is always read by the caller and passed
//! in as milliseconds since the Unix epoch: `SystemTime::now()` panics in wasm32.

/// A UTC date and time of day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UtcDateTime {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// 0 = Sunday.
    pub weekday: u32,
}

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl UtcDateTime {
    pub fn from_epoch_ms(ms: i64) -> Self {
        let secs = ms.div_euclid(1000);
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        Self {
            year,
            month,
            day,
            hour: rem / 3600,
            minute: rem / 60 % 60,
            second: rem % 60,
            // 1970-01-01 was a Thursday.
            weekday: (days + 4).rem_euclid(7) as u32,
        }
    }

    pub fn to_epoch_ms(&self) -> i64 {
        let days = days_from_civil(self.year, self.month, self.day);
        (days * 86_400 + i64::from(self.hour * 3600 + self.minute * 60 + self.second)) * 1000
    }

    /// `20230307T090501Z`, SigV4's `X-Amz-Date`.
    pub fn amz_date(&self) -> String {
        format!(
            "{}T{:02}{:02}{:02}Z",
            self.amz_day(),
            self.hour,
            self.minute,
            self.second
        )
    }

    /// `20230307`, SigV4's credential-scope date.
    pub fn amz_day(&self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }

    /// `Tue Mar 7 09:05:01 UTC 2023`: Cognito's SRP `TIMESTAMP`, day not zero-padded.
    pub fn cognito_timestamp(&self) -> String {
        format!(
            "{} {} {} {:02}:{:02}:{:02} UTC {}",
            WEEKDAYS[self.weekday as usize],
            MONTHS[self.month as usize - 1],
            self.day,
            self.hour,
            self.minute,
            self.second,
            self.year
        )
    }

    /// `Mon Sep 05 2022 09:30:00 GMT+0000 (Coordinated Universal Time)`: JavaScript's
    /// `Date.toString()` in UTC, as the validator writes `start_full` and `end_full`.
    #[cfg(feature = "server")]
    pub fn js_date_string(&self) -> String {
        format!(
            "{} {} {:02} {} {:02}:{:02}:{:02} GMT+0000 (Coordinated Universal Time)",
            WEEKDAYS[self.weekday as usize],
            MONTHS[self.month as usize - 1],
            self.day,
            self.year,
            self.hour,
            self.minute,
            self.second
        )
    }

    /// Reads SigV4's `X-Amz-Date` (`20230307T090501Z`).
    #[cfg(feature = "server")]
    pub fn parse_amz_date(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
            return None;
        }
        let num = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = text.get(range)?;
            part.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| part.parse().ok())?
        };
        let (year, month, day) = (num(0..4)?, num(4..6)?, num(6..8)?);
        let (hour, minute, second) = (num(9..11)?, num(11..13)?, num(13..15)?);
        if !(1..=12).contains(&month)
            || !(1..=31).contains(&day)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return None;
        }
        let t = Self {
            year: i64::from(year),
            month,
            day,
            hour,
            minute,
            second,
            weekday: 0,
        };
        let parsed = Self::from_epoch_ms(t.to_epoch_ms());
        (parsed.day == day).then_some(parsed)
    }

    /// Reads a Cognito `TIMESTAMP`, with or without a zero-padded day.
    #[cfg(feature = "server")]
    pub fn parse_cognito_timestamp(text: &str) -> Option<Self> {
        let parts: Vec<&str> = text.split_whitespace().collect();
        let [weekday, month, day, time, "UTC", year] = parts[..] else {
            return None;
        };
        let month = MONTHS.iter().position(|m| *m == month)? as u32 + 1;
        let day: u32 = day.parse().ok()?;
        let year: i64 = year.parse().ok()?;
        let mut hms = time.split(':').map(|p| p.parse::<u32>().ok());
        let (hour, minute, second) = (hms.next()??, hms.next()??, hms.next()??);
        if hms.next().is_some()
            || !(1..=31).contains(&day)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return None;
        }
        let parsed = Self::from_epoch_ms(
            Self {
                year,
                month,
                day,
                hour,
                minute,
                second,
                weekday: 0,
            }
            .to_epoch_ms(),
        );
        (WEEKDAYS[parsed.weekday as usize] == weekday && parsed.day == day).then_some(parsed)
    }
}

/// Days since 1970-01-01 to (year, month, day); Howard Hinnant's algorithm.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = year - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        // 2023-03-07T09:05:01Z, a Tuesday.
        let t = UtcDateTime::from_epoch_ms(1_678_179_901_000);
        assert_eq!(t.amz_date(), "20230307T090501Z");
        assert_eq!(t.amz_day(), "20230307");
        assert_eq!(t.cognito_timestamp(), "Tue Mar 7 09:05:01 UTC 2023");
        assert_eq!(
            UtcDateTime::from_epoch_ms(0).cognito_timestamp(),
            "Thu Jan 1 00:00:00 UTC 1970"
        );
        #[cfg(feature = "server")]
        assert_eq!(
            UtcDateTime::from_epoch_ms(1_662_370_200_000).js_date_string(),
            "Mon Sep 05 2022 09:30:00 GMT+0000 (Coordinated Universal Time)"
        );
        // Leap day.
        assert_eq!(
            UtcDateTime::from_epoch_ms(1_709_208_000_000).amz_day(),
            "20240229"
        );
    }

    #[test]
    fn round_trips_every_day_for_a_few_centuries() {
        for day in (-50_000..80_000).step_by(7) {
            let ms = day * 86_400_000 + 12_345_000;
            assert_eq!(UtcDateTime::from_epoch_ms(ms).to_epoch_ms(), ms);
        }
    }

    #[cfg(feature = "server")]
    #[test]
    fn parses_amz_dates() {
        let t = UtcDateTime::parse_amz_date("20230307T090501Z").unwrap();
        assert_eq!(t.to_epoch_ms(), 1_678_179_901_000);
        for bad in [
            "20230307T090501",
            "2023030TT090501Z",
            "20230230T090501Z",
            "20231307T090501Z",
            "2023-3-7T090501Z",
        ] {
            assert_eq!(UtcDateTime::parse_amz_date(bad), None, "{bad}");
        }
    }

    #[cfg(feature = "server")]
    #[test]
    fn parses_cognito_timestamps_padded_or_not() {
        let t = UtcDateTime::parse_cognito_timestamp("Tue Mar 7 09:05:01 UTC 2023").unwrap();
        assert_eq!(t.to_epoch_ms(), 1_678_179_901_000);
        let padded = UtcDateTime::parse_cognito_timestamp("Tue Mar 07 09:05:01 UTC 2023").unwrap();
        assert_eq!(padded, t);
        for bad in [
            "Wed Mar 7 09:05:01 UTC 2023",
            "Tue Mar 7 09:05 UTC 2023",
            "Tue Foo 7 09:05:01 UTC 2023",
            "Tue Mar 7 09:05:01 GMT 2023",
            "",
        ] {
            assert_eq!(UtcDateTime::parse_cognito_timestamp(bad), None, "{bad}");
        }
    }
}
