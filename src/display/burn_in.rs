//! Burn-in protection: the whole display drifts a few pixels in a slow
//! orbit, so no edge of a heading, a clock digit or a tile border sits on the
//! same pixels of a panel for days.
//!
//! The orbit is a Lissajous figure of two slow sines with periods that share
//! no small multiple (7 and 11 minutes), so over an hour it sweeps the whole
//! small square rather than one circle. It moves less than a pixel a second:
//! nobody sees it move.

use std::f64::consts::TAU;

/// Minutes for one horizontal swing.
const PERIOD_X_MS: f64 = 7.0 * 60_000.0;
/// Minutes for one vertical swing.
const PERIOD_Y_MS: f64 = 11.0 * 60_000.0;

/// The display's shift `elapsed_ms` after it started, as `(x, y)` each in
/// `-1.0..=1.0`; the stylesheet scales it to a few pixels (relative to the
/// screen size, so a 4K panel moves as far, in its own pixels, as an HD one).
pub fn shift(elapsed_ms: u64) -> (f64, f64) {
    let t = elapsed_ms as f64;
    let x = (TAU * t / PERIOD_X_MS).sin();
    // Starts a quarter turn ahead, so the drift begins on a curve, not a line.
    let y = (TAU * t / PERIOD_Y_MS + TAU / 4.0).sin();
    (x, y)
}

/// The CSS custom properties for a shift, rounded to keep the style
/// attribute short: `--shift-x:0.123;--shift-y:-0.456`.
pub fn style(shift: (f64, f64)) -> String {
    format!("--shift-x:{:.3};--shift-y:{:.3}", shift.0, shift.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shift_stays_within_its_square() {
        for minute in 0..(24 * 60) {
            let (x, y) = shift(minute * 60_000 + 1234);
            assert!(
                (-1.0..=1.0).contains(&x) && (-1.0..=1.0).contains(&y),
                "{x} {y}"
            );
        }
    }

    #[test]
    fn it_moves_over_minutes_but_imperceptibly_within_a_second() {
        let start = shift(0);
        let later = shift(2 * 60_000);
        let moved = ((later.0 - start.0).powi(2) + (later.1 - start.1).powi(2)).sqrt();
        assert!(moved > 0.5, "two minutes move the content visibly: {moved}");
        for second in 0..600u64 {
            let a = shift(second * 1000);
            let b = shift(second * 1000 + 1000);
            let step = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
            // With an amplitude of ~10 px this is well under a pixel a second.
            assert!(step < 0.02, "second {second}: {step}");
        }
    }

    #[test]
    fn over_an_hour_it_sweeps_all_four_quadrants() {
        let mut seen = [false; 4];
        for second in 0..3600u64 {
            let (x, y) = shift(second * 1000);
            seen[usize::from(x >= 0.0) * 2 + usize::from(y >= 0.0)] = true;
        }
        assert_eq!(seen, [true; 4]);
    }

    #[test]
    fn the_style_is_two_custom_properties() {
        assert_eq!(style((0.5, -0.25)), "--shift-x:0.500;--shift-y:-0.250");
    }
}
