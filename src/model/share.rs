//! The original-text rule (原原本本学习): every session gives at least a share of its study
//! time — by default one third — to reading the original text:
//!
//! > 每个班次都要拿出1/3以上时间，原原本本学习 — every session gives at least one third of its
//! > time to reading the original text.
//!
//! Shares are compared exactly where that matters: for the default threshold of one third the
//! test is `original × 3 ≥ study` in whole minutes, so a session at exactly one third passes.
//! These are pure functions of minutes; the sessions feature applies them to each session.

use serde::Serialize;

/// The outcome of the original-text rule for given minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RuleOutcome {
    pub meets: bool,
    /// The fewest whole minutes of original text that, added, would meet the rule (0 when it is
    /// met; `None` when no amount would: a threshold of 1 with other study time).
    pub minutes_more: Option<u64>,
}

fn is_one_third(threshold: f64) -> bool {
    (threshold - 1.0 / 3.0).abs() < 1e-12
}

/// Does `original / study >= threshold` hold? Exact in integers for one third (the default),
/// with a small tolerance for other thresholds, which are decimal fractions in `site.yaml`.
pub fn meets(original: u64, study: u64, threshold: f64) -> bool {
    if is_one_third(threshold) {
        original * 3 >= study
    } else {
        original as f64 >= threshold * study as f64 - 1e-9
    }
}

/// The smallest whole `x >= 0` with `(original + x) / (study + x) >= threshold`: adding minutes
/// of original text adds them to the study time too.
pub fn minutes_more(original: u64, study: u64, threshold: f64) -> Option<u64> {
    if meets(original, study, threshold) {
        return Some(0);
    }
    if threshold >= 1.0 {
        return None;
    }
    // x >= (t·S − O) / (1 − t); start from the float estimate and settle it exactly.
    let estimate = ((threshold * study as f64 - original as f64) / (1.0 - threshold)).ceil();
    let mut x = if estimate.is_finite() && estimate > 0.0 {
        estimate as u64
    } else {
        0
    };
    while x > 0 && meets(original + x - 1, study + x - 1, threshold) {
        x -= 1;
    }
    while !meets(original + x, study + x, threshold) {
        x += 1;
    }
    Some(x)
}

/// Evaluates the rule for a session's minutes.
pub fn evaluate(original: u32, study: u32, threshold: f64) -> RuleOutcome {
    let (o, s) = (u64::from(original), u64::from(study));
    RuleOutcome {
        // A session without study time has no share to meet the rule with.
        meets: s > 0 && meets(o, s, threshold),
        minutes_more: if s > 0 {
            minutes_more(o, s, threshold)
        } else {
            None
        },
    }
}

/// A share in percent with one decimal, `28.6 %`. When a share below the threshold would print
/// as the threshold itself, more decimals are shown so that the two differ.
pub fn share_text(original: u32, study: u32, threshold: f64) -> String {
    let share = if study == 0 {
        0.0
    } else {
        f64::from(original) * 100.0 / f64::from(study)
    };
    let below = !meets(u64::from(original), u64::from(study), threshold);
    let limit = threshold_text(threshold);
    let mut text = format!("{share:.1} %");
    if below {
        for decimals in 2..=4 {
            if text != limit {
                break;
            }
            text = format!("{share:.decimals$} %");
        }
    }
    text
}

/// The threshold in percent with one decimal, `33.3 %`.
pub fn threshold_text(threshold: f64) -> String {
    format!("{:.1} %", threshold * 100.0)
}

/// The message of a session below the rule.
pub fn rule_message(original: u32, study: u32, threshold: f64) -> String {
    let outcome = evaluate(original, study, threshold);
    let head = format!(
        "the original-text share is {} ({original} of {study} study minutes), below the minimum of {}",
        share_text(original, study, threshold),
        threshold_text(threshold)
    );
    match outcome.minutes_more {
        Some(x) => format!(
            "{head}: add {x} {} of original text to meet it",
            if x == 1 { "minute" } else { "minutes" }
        ),
        None => format!("{head}: every study minute must be original text"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_one_third_meets_the_default_rule() {
        let third = 1.0 / 3.0;
        assert!(meets(100, 300, third));
        assert!(!meets(99, 298, third));
        assert!(!meets(99, 300, third));
        assert_eq!(minutes_more(100, 300, third), Some(0));
    }

    #[test]
    fn minutes_more_counts_the_added_minutes_in_the_total_too() {
        let third = 1.0 / 3.0;
        // 100 of 350: (100 + x) * 3 >= 350 + x  ⇔  x >= 25.
        assert_eq!(minutes_more(100, 350, third), Some(25));
        // one minute short of a third: 99 of 298 → 1 more makes 100 of 299.
        assert_eq!(minutes_more(99, 298, third), Some(1));
        assert!(meets(100, 299, third));
        // 0 of 10 → 5 (5 of 15).
        assert_eq!(minutes_more(0, 10, third), Some(5));
        // Other thresholds: 40 % of 100 with 30 original → (30 + x) / (100 + x) >= 0.4 → x = 17 (47/117 = 0.4017).
        assert_eq!(minutes_more(30, 100, 0.4), Some(17));
        assert!(!meets(46, 116, 0.4));
        // 0.5 of 60 with 20 → 20 + x >= 30 + x/2 → x = 20.
        assert_eq!(minutes_more(20, 60, 0.5), Some(20));
        // A threshold of 1 can only be met by removing other study time.
        assert_eq!(minutes_more(20, 60, 1.0), None);
        assert_eq!(minutes_more(60, 60, 1.0), Some(0));
    }

    #[test]
    fn minutes_more_is_the_smallest_that_works() {
        for t in [1.0 / 3.0, 0.25, 0.4, 0.5, 0.6667, 0.9] {
            for study in 1..120u64 {
                for original in 0..=study {
                    let x = minutes_more(original, study, t).unwrap();
                    assert!(
                        meets(original + x, study + x, t),
                        "{original}/{study} t={t} x={x}"
                    );
                    if x > 0 {
                        assert!(
                            !meets(original + x - 1, study + x - 1, t),
                            "{original}/{study} t={t} x={x}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_session_without_study_time_does_not_meet_the_rule() {
        let outcome = evaluate(0, 0, 1.0 / 3.0);
        assert!(!outcome.meets);
        assert_eq!(outcome.minutes_more, None);
        assert!(evaluate(10, 30, 1.0 / 3.0).meets);
    }

    #[test]
    fn share_texts() {
        let third = 1.0 / 3.0;
        assert_eq!(share_text(100, 350, third), "28.6 %");
        assert_eq!(share_text(100, 300, third), "33.3 %");
        // below, but it would print as the threshold: more decimals.
        assert_eq!(share_text(1000, 3001, third), "33.32 %");
        assert_eq!(threshold_text(third), "33.3 %");
        assert_eq!(
            rule_message(100, 350, third),
            "the original-text share is 28.6 % (100 of 350 study minutes), below the minimum of 33.3 %: add 25 minutes of original text to meet it"
        );
        assert_eq!(
            rule_message(99, 298, third),
            "the original-text share is 33.2 % (99 of 298 study minutes), below the minimum of 33.3 %: add 1 minute of original text to meet it"
        );
    }
}
