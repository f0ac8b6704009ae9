//! The plan editor's field parsers: `parse_duration_field` and
//! `parse_rounds_field` on any text, and on the written forms they document.

use proptest::prelude::*;
use speechtimer_core::plan::{
    FieldError, MAX_ROUNDS, MAX_TOTAL, format_duration, parse_duration_field, parse_rounds_field,
};
use std::time::Duration;

/// Pieces of near-valid input, so that arbitrary text often gets past the
/// first checks of the parsers.
const PIECES: &[&str] = &[
    "0",
    "1",
    "2",
    "5",
    "9",
    "00",
    "30",
    "59",
    "60",
    "99",
    "999",
    "1000",
    "123456789",
    "1234567890",
    "86400",
    "86401",
    ":",
    "::",
    "h",
    "H",
    "hr",
    "heure",
    "heures",
    "m",
    "M",
    "mn",
    "min",
    "MIN",
    "minute",
    "minutes",
    "s",
    "S",
    "sec",
    "seconde",
    "secondes",
    "'",
    "''",
    "\"",
    " ",
    "  ",
    "\t",
    "\n",
    "\u{a0}",
    "-",
    "+",
    ".",
    ",",
    "e",
    "x",
    "İ",
    "ǅ",
    "ß",
    "０",
    "٣",
    "½",
    "\u{0}",
    "\u{301}",
    "🕐",
];

/// Text of any characters, of near-valid pieces, or both mixed.
fn any_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => any::<char>().prop_map(String::from),
        4 => proptest::sample::select(PIECES).prop_map(String::from),
        1 => "[0-9]{1,12}",
    ];
    proptest::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

/// Random ASCII case, as a user may type it.
fn recase(text: &str, mask: u64) -> String {
    text.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask >> (i % 64) & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect()
}

/// A duration in one of the documented forms, with the seconds it says.
fn written_duration() -> impl Strategy<Value = (String, u64)> {
    let bare = (0u64..200_000).prop_map(|s| (s.to_string(), s));
    let min_sec = (0u64..2_000, 0u64..60).prop_map(|(m, s)| (format!("{m}:{s:02}"), m * 60 + s));
    let hour_min_sec = (0u64..30, 0u64..60, 0u64..60)
        .prop_map(|(h, m, s)| (format!("{h}:{m:02}:{s:02}"), h * 3600 + m * 60 + s));
    let units = (
        proptest::option::of((
            0u64..30,
            proptest::sample::select(&["h", "hr", "heure", "heures"][..]),
        )),
        proptest::option::of((
            0u64..2_000,
            proptest::sample::select(&["m", "mn", "min", "minute", "minutes", "'"][..]),
        )),
        proptest::option::of((
            0u64..100_000,
            proptest::sample::select(&["s", "sec", "seconde", "secondes", "\"", "''"][..]),
        )),
        any::<bool>(),
    )
        .prop_filter("at least one number", |(h, m, s, _)| {
            h.is_some() || m.is_some() || s.is_some()
        })
        .prop_map(|(h, m, s, bare_last)| {
            let parts = [(h, 3600), (m, 60), (s, 1)];
            let last = parts.iter().rposition(|(p, _)| p.is_some());
            let mut text = String::new();
            let mut secs = 0;
            let mut prev_scale = None;
            for (i, (part, scale)) in parts.into_iter().enumerate() {
                if let Some((value, unit)) = part {
                    text.push_str(&value.to_string());
                    // a trailing bare number is in the unit just below the previous one
                    let bare = bare_last && Some(i) == last && prev_scale == Some(scale * 60);
                    if !bare {
                        text.push_str(unit);
                    }
                    secs += value * scale;
                    prev_scale = Some(scale);
                }
            }
            (text, secs)
        });
    (
        prop_oneof![bare, min_sec, hour_min_sec, units],
        any::<u64>(),
        0usize..3,
        0usize..3,
    )
        .prop_map(|((text, secs), mask, before, after)| {
            let text = format!(
                "{}{}{}",
                " ".repeat(before),
                recase(&text, mask),
                "\t".repeat(after)
            );
            (text, secs)
        })
}

fn check_duration_field(input: &str) -> Result<(), TestCaseError> {
    let trimmed = input.trim();
    match parse_duration_field(input) {
        Ok(d) => {
            prop_assert!(d <= MAX_TOTAL, "{input:?} -> {d:?}, over the limit");
            prop_assert_eq!(d.subsec_nanos(), 0, "{:?} -> {:?}", input, d);
            let shown = format_duration(d);
            prop_assert_eq!(
                parse_duration_field(&shown),
                Ok(d),
                "{:?} shown as {:?}",
                input,
                shown
            );
            let secs = d.as_secs().to_string();
            prop_assert_eq!(
                parse_duration_field(&secs),
                Ok(d),
                "{:?} as {:?}",
                input,
                secs
            );
            prop_assert!(
                trimmed.bytes().any(|b| b.is_ascii_digit()),
                "{input:?} has no digit"
            );
        }
        Err(FieldError::Empty) => {
            prop_assert!(trimmed.replace(' ', "").is_empty(), "{input:?} said empty")
        }
        Err(FieldError::NotADuration(t) | FieldError::TooLong(t)) => {
            prop_assert_eq!(t.as_str(), trimmed, "error text of {:?}", input)
        }
        Err(e @ FieldError::NotARoundCount(_)) => {
            prop_assert!(false, "{input:?}: a duration field said {e:?}")
        }
    }
    Ok(())
}

fn check_rounds_field(input: &str) -> Result<(), TestCaseError> {
    let trimmed = input.trim();
    match parse_rounds_field(input) {
        Ok(n) => {
            prop_assert!((1..=MAX_ROUNDS).contains(&n), "{input:?} -> {n}");
            prop_assert!(
                trimmed.bytes().all(|b| b.is_ascii_digit()),
                "{input:?} -> {n}"
            );
            prop_assert_eq!(trimmed.parse::<u32>(), Ok(n));
            prop_assert_eq!(parse_rounds_field(&n.to_string()), Ok(n));
        }
        Err(FieldError::Empty) => prop_assert!(trimmed.is_empty(), "{input:?} said empty"),
        Err(FieldError::NotARoundCount(t)) => {
            prop_assert_eq!(t.as_str(), trimmed, "error text of {:?}", input)
        }
        Err(e) => prop_assert!(false, "{input:?}: a rounds field said {e:?}"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(crate::config(4000))]

    #[test]
    fn duration_field_on_any_text(input in any_text()) {
        check_duration_field(&input)?;
    }

    #[test]
    fn duration_field_reads_the_documented_forms((input, secs) in written_duration()) {
        let expected = if secs <= MAX_TOTAL.as_secs() {
            Ok(Duration::from_secs(secs))
        } else {
            Err(FieldError::TooLong(input.trim().to_string()))
        };
        prop_assert_eq!(parse_duration_field(&input), expected, "{:?}", input);
        check_duration_field(&input)?;
    }

    #[test]
    fn rounds_field_on_any_text(input in any_text()) {
        check_rounds_field(&input)?;
    }

    #[test]
    fn rounds_field_reads_whole_numbers(
        n in 0u32..5_000,
        zeros in 0usize..3,
        before in 0usize..3,
        after in 0usize..3,
    ) {
        let input = format!("{}{}{n}{}", " ".repeat(before), "0".repeat(zeros), "\n".repeat(after));
        let expected = if (1..=MAX_ROUNDS).contains(&n) {
            Ok(n)
        } else {
            Err(FieldError::NotARoundCount(input.trim().to_string()))
        };
        prop_assert_eq!(parse_rounds_field(&input), expected, "{:?}", input);
        check_rounds_field(&input)?;
    }
}

/// Every whole number of seconds up to the limit (all 86 401 of them, so no
/// sampling): as the editor shows it and as bare seconds, it reads back.
#[test]
fn every_duration_up_to_the_limit_survives_formatting() {
    for secs in 0..=MAX_TOTAL.as_secs() {
        let d = Duration::from_secs(secs);
        assert_eq!(parse_duration_field(&format_duration(d)), Ok(d), "{secs} s");
        assert_eq!(parse_duration_field(&secs.to_string()), Ok(d), "{secs} s");
    }
    let over = MAX_TOTAL.as_secs() + 1;
    assert!(matches!(
        parse_duration_field(&format_duration(Duration::from_secs(over))),
        Err(FieldError::TooLong(_))
    ));
}
