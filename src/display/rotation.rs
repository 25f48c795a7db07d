//! Which panel is up, and how far through its time, at any moment.
//!
//! Everything follows from the time since the display started, so a timer
//! that fires late (a busy TV, a throttled tab) never makes the rotation
//! drift: the next tick simply lands on the right panel.

/// Where the rotation stands at one instant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rotation {
    /// The panel up now, as an index into the settings' panel list.
    pub index: usize,
    /// How many panel changes have happened since the start: a key that
    /// changes exactly when the panel does, even with a single panel.
    pub step: u64,
    /// How far through its time the current panel is, `0.0..1.0`.
    pub progress: f64,
}

impl Rotation {
    /// The rotation `elapsed_ms` after the start, for `count` panels of
    /// `period_ms` each. With no panels or no period, the first panel stays.
    pub fn at(elapsed_ms: u64, count: usize, period_ms: u64) -> Rotation {
        if count == 0 || period_ms == 0 {
            return Rotation {
                index: 0,
                step: 0,
                progress: 0.0,
            };
        }
        let step = elapsed_ms / period_ms;
        Rotation {
            index: (step % count as u64) as usize,
            step,
            progress: (elapsed_ms % period_ms) as f64 / period_ms as f64,
        }
    }

    /// The rotation `elapsed_ms` after the start through panels that each
    /// stay up their own `periods_ms`. With no panels or no time, the first stays.
    pub fn cycle(elapsed_ms: u64, periods_ms: &[u64]) -> Rotation {
        let total: u64 = periods_ms.iter().sum();
        if total == 0 {
            return Rotation::at(elapsed_ms, periods_ms.len(), 0);
        }
        let cycles = elapsed_ms / total;
        let mut within = elapsed_ms % total;
        for (index, &period) in periods_ms.iter().enumerate() {
            if within < period {
                return Rotation {
                    index,
                    step: cycles
                        .saturating_mul(periods_ms.len() as u64)
                        .saturating_add(index as u64),
                    progress: within as f64 / period as f64,
                };
            }
            within -= period;
        }
        Rotation::at(0, periods_ms.len(), 0)
    }

    /// Milliseconds until the next panel.
    pub fn remaining_ms(&self, period_ms: u64) -> u64 {
        ((1.0 - self.progress) * period_ms as f64).round() as u64
    }
}

/// The rotation indicator's words: "2 / 4".
pub fn indicator(index: usize, count: usize) -> String {
    format!("{} / {}", index + 1, count.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(elapsed_ms: u64, count: usize, period_ms: u64, expected: (usize, u64, f64)) {
        let rotation = Rotation::at(elapsed_ms, count, period_ms);
        assert_eq!(
            (rotation.index, rotation.step, rotation.progress),
            expected,
            "{elapsed_ms} ms, {count} panels of {period_ms} ms"
        );
    }

    #[test]
    fn panels_follow_one_another_and_wrap_around() {
        check(0, 4, 20_000, (0, 0, 0.0));
        check(5_000, 4, 20_000, (0, 0, 0.25));
        check(19_999, 4, 20_000, (0, 0, 0.99995));
        check(20_000, 4, 20_000, (1, 1, 0.0));
        check(70_000, 4, 20_000, (3, 3, 0.5));
        check(80_000, 4, 20_000, (0, 4, 0.0));
    }

    #[test]
    fn a_single_panel_stays_but_still_counts_its_steps() {
        check(0, 1, 5_000, (0, 0, 0.0));
        check(12_500, 1, 5_000, (0, 2, 0.5));
    }

    #[test]
    fn a_week_of_rotation_lands_on_the_right_panel() {
        let week_ms = 7 * 24 * 3600 * 1000;
        let rotation = Rotation::at(week_ms + 25_000, 3, 20_000);
        // 604 800 s is 30 240 periods (a multiple of 3), plus one period and a quarter.
        assert_eq!((rotation.index, rotation.step), (1, 30_241));
        assert!((rotation.progress - 0.25).abs() < 1e-9);
        assert_eq!(rotation.remaining_ms(20_000), 15_000);
    }

    #[test]
    fn nothing_to_rotate_is_not_a_division_by_zero() {
        check(1_000, 0, 20_000, (0, 0, 0.0));
        check(1_000, 4, 0, (0, 0, 0.0));
    }

    #[test]
    fn the_indicator_counts_from_one() {
        assert_eq!(indicator(0, 4), "1 / 4");
        assert_eq!(indicator(3, 4), "4 / 4");
        assert_eq!(indicator(0, 0), "1 / 1");
    }
}
