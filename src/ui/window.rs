//! Windowing: which rows of a long list are worth putting in the DOM.
//!
//! Rows have a fixed height, so the rows on screen follow from the scroll
//! position alone; a few rows of overscan above and below keep fast scrolling
//! from showing gaps.

use std::ops::Range;

/// The rows of a list of `total` rows, each `row_height` px tall, that a
/// viewport `viewport_height` px tall scrolled to `scroll_top` shows, plus
/// `overscan` rows either side.
pub fn visible_rows(
    scroll_top: f64,
    viewport_height: f64,
    row_height: f64,
    total: usize,
    overscan: usize,
) -> Range<usize> {
    if total == 0 || row_height <= 0.0 {
        return 0..0;
    }
    let scroll_top = scroll_top.max(0.0);
    let first = (scroll_top / row_height).floor() as usize;
    let shown = (viewport_height.max(0.0) / row_height).ceil() as usize + 1;
    let start = first.saturating_sub(overscan).min(total);
    let end = first
        .saturating_add(shown)
        .saturating_add(overscan)
        .min(total);
    start..end.max(start)
}

/// The rows that intersect the vertical band `top..bottom` of items laid out
/// at `y` with height `height`: a linear scan used by the timeline, whose
/// lanes have varying heights.
pub fn intersects(top: f64, bottom: f64, y: f64, height: f64) -> bool {
    y < bottom && y + height > top
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_follows_the_scroll_position() {
        // 10 000 rows of 32 px in a 640 px viewport: 21 rows plus overscan.
        assert_eq!(visible_rows(0.0, 640.0, 32.0, 10_000, 5), 0..26);
        assert_eq!(visible_rows(3200.0, 640.0, 32.0, 10_000, 5), 95..126);
        assert_eq!(visible_rows(3210.0, 640.0, 32.0, 10_000, 0), 100..121);
    }

    #[test]
    fn the_window_stays_inside_the_list() {
        assert_eq!(
            visible_rows(320_000.0, 640.0, 32.0, 10_000, 5),
            9_995..10_000
        );
        assert_eq!(visible_rows(1_000_000.0, 640.0, 32.0, 10, 5), 10..10);
        assert_eq!(visible_rows(-50.0, 640.0, 32.0, 3, 5), 0..3);
        assert_eq!(visible_rows(0.0, 640.0, 32.0, 0, 5), 0..0);
        assert_eq!(visible_rows(0.0, 640.0, 0.0, 10, 5), 0..0);
    }

    #[test]
    fn bands_intersect_only_when_they_overlap() {
        assert!(intersects(100.0, 200.0, 150.0, 10.0));
        assert!(intersects(100.0, 200.0, 95.0, 10.0));
        assert!(!intersects(100.0, 200.0, 200.0, 10.0));
        assert!(!intersects(100.0, 200.0, 80.0, 20.0));
    }
}
