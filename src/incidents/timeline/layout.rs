//! The incidents timeline's maths: lanes, rows within a lane, time → x, tick
//! marks (on the app's one time axis), zoom and pan, and which bars are on screen.
//!
//! Everything here is plain data in and out; the `IncidentTimeline` component
//! only draws what [`layout`] and [`visible_bars`] return.

use chrono::{DateTime, Duration, Timelike, Utc};
use watchfloor_model::time::zulu_hm;
use watchfloor_model::{category_label, Incident, Nation, NationKind, CATEGORIES};

use crate::ui::query::QueryGet;
use crate::ui::time_axis::{step, whole_steps, TimeRange};
use crate::ui::window::intersects;
use crate::vocabulary::time::{day_month, duration, Precision};

/// Height of one row of bars, in px.
pub const ROW_HEIGHT: f64 = 22.0;
/// Space above and below the rows of a lane, in px.
pub const LANE_PADDING: f64 = 8.0;
/// The narrowest a bar is drawn, so an instant is still visible and clickable.
pub const MIN_BAR_WIDTH: f64 = 4.0;

/// What the lanes of the timeline stand for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LaneMode {
    /// One lane per nation; an incident affecting three nations has a bar in each.
    #[default]
    Nation,
    /// One lane per incident category.
    Category,
}

impl LaneMode {
    /// The URL spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            LaneMode::Nation => "nation",
            LaneMode::Category => "category",
        }
    }
}

/// How much time the timeline shows at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    /// A window of this many hours.
    Hours(i64),
    /// The whole exercise, STARTEX to ENDEX.
    Whole,
}

impl Default for Span {
    fn default() -> Self {
        Span::Hours(24)
    }
}

/// The zoom levels, closest first.
pub const ZOOM_LEVELS: &[Span] = &[
    Span::Hours(1),
    Span::Hours(3),
    Span::Hours(6),
    Span::Hours(12),
    Span::Hours(24),
    Span::Hours(48),
    Span::Whole,
];

impl Span {
    /// The URL spelling: `6h`, `1d`, `2d`, `all`.
    pub fn as_str(self) -> String {
        match self {
            Span::Whole => "all".into(),
            Span::Hours(hours) if hours % 24 == 0 => format!("{}d", hours / 24),
            Span::Hours(hours) => format!("{hours}h"),
        }
    }

    /// A label for the zoom control: "6 h", "2 d", "Whole exercise".
    pub fn label(self) -> String {
        match self {
            Span::Whole => "Whole exercise".into(),
            Span::Hours(hours) => duration(Duration::hours(hours), Precision::Exact),
        }
    }

    /// Parses `6h`, `2d` or `all`; only the zoom levels are accepted.
    pub fn parse(text: &str) -> Option<Span> {
        ZOOM_LEVELS
            .iter()
            .copied()
            .find(|span| span.as_str() == text)
    }

    fn level(self) -> usize {
        ZOOM_LEVELS
            .iter()
            .position(|span| *span == self)
            .unwrap_or(4)
    }

    /// One level closer (less time on screen).
    pub fn zoomed_in(self) -> Span {
        ZOOM_LEVELS[self.level().saturating_sub(1)]
    }

    /// One level further out (more time on screen).
    pub fn zoomed_out(self) -> Span {
        ZOOM_LEVELS[(self.level() + 1).min(ZOOM_LEVELS.len() - 1)]
    }
}

/// The view of the incidents page that lives in the URL besides the filter:
/// `?view=timeline&lanes=category&span=6h&from=2026-11-25T06:00Z`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TimelineView {
    pub lanes: LaneMode,
    pub span: Span,
    /// The left edge of the window; `None` follows the current time.
    pub from: Option<DateTime<Utc>>,
}

impl TimelineView {
    /// Reads the timeline's part of a query.
    pub fn from_query(query: &(impl QueryGet + ?Sized)) -> Self {
        TimelineView {
            lanes: match query.value("lanes").as_deref() {
                Some("category") => LaneMode::Category,
                _ => LaneMode::Nation,
            },
            span: query
                .value("span")
                .and_then(|text| Span::parse(&text))
                .unwrap_or_default(),
            from: query.value("from").and_then(|text| parse_minute(&text)),
        }
    }
}

/// `2026-11-25T06:00Z` (the URL form of a time: minutes are enough).
pub fn format_minute(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%MZ").to_string()
}

/// Parses `2026-11-25T06:00Z` or any RFC 3339 time.
pub fn parse_minute(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Some(minute) = text.strip_suffix('Z').filter(|rest| rest.len() == 16) {
        return format!("{minute}:00Z").parse().ok();
    }
    text.parse().ok()
}

/// The time window on screen. A `Whole` span shows `exercise` (see
/// [`exercise_range`](crate::ui::time_axis::exercise_range)); otherwise the
/// window starts at `from`, or follows `now` with three quarters of the
/// window behind it.
pub fn time_window(
    span: Span,
    from: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    exercise: TimeRange,
) -> TimeRange {
    match span {
        Span::Whole => exercise,
        Span::Hours(hours) => {
            let length = Duration::hours(hours);
            let start = from.unwrap_or_else(|| now - length * 3 / 4);
            TimeRange::new(start, start + length)
        }
    }
}

/// The left edge after panning half a window back (`-1`) or forward (`1`).
pub fn panned(window: TimeRange, direction: i32) -> DateTime<Utc> {
    window.start + window.length() / 2 * direction
}

/// The window after dragging the plot `dx` px to the right (`-dx` to the
/// left) on a plot `width` px wide: what was under the pointer stays under
/// it, so a drag to the right shows earlier times.
pub fn dragged(window: TimeRange, dx: f64, width: f64) -> TimeRange {
    if width <= 0.0 || !dx.is_finite() {
        return window;
    }
    let shift_ms = (window.length().num_milliseconds() as f64 * dx / width).round() as i64;
    let shift = Duration::milliseconds(shift_ms);
    TimeRange::new(window.start - shift, window.end - shift)
}

/// Width of the lane labels column, in px, for a timeline `width` px wide:
/// narrower on a phone, so the plot keeps most of the screen.
pub fn label_width(width: f64) -> f64 {
    if width < 560.0 {
        84.0
    } else {
        136.0
    }
}

/// A horizontal extent, in px.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Extent {
    pub left: f64,
    pub width: f64,
}

/// Maps time to horizontal position.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeScale {
    start_ms: i64,
    end_ms: i64,
    width: f64,
}

impl TimeScale {
    /// A scale putting the window's start at x = 0 and its end at x = `width`.
    pub fn new(window: TimeRange, width: f64) -> Self {
        let start_ms = window.start.timestamp_millis();
        TimeScale {
            start_ms,
            end_ms: window.end.timestamp_millis().max(start_ms + 1),
            width: width.max(1.0),
        }
    }

    /// x of a time given in epoch milliseconds.
    pub fn x_ms(&self, ms: i64) -> f64 {
        (ms - self.start_ms) as f64 / (self.end_ms - self.start_ms) as f64 * self.width
    }

    /// x of a time.
    pub fn x(&self, at: DateTime<Utc>) -> f64 {
        self.x_ms(at.timestamp_millis())
    }

    /// Where a bar from `start_ms` to `end_ms` is drawn, clipped to the
    /// scale and at least [`MIN_BAR_WIDTH`] wide.
    pub fn bar(&self, start_ms: i64, end_ms: i64) -> Extent {
        let left = self.x_ms(start_ms.max(self.start_ms));
        let right = self.x_ms(end_ms.min(self.end_ms));
        let width = (right - left).max(MIN_BAR_WIDTH);
        Extent {
            left: left.min(self.width - MIN_BAR_WIDTH).max(0.0),
            width,
        }
    }

    /// Whether the interval overlaps the scale's window.
    pub fn overlaps(&self, start_ms: i64, end_ms: i64) -> bool {
        start_ms <= self.end_ms && end_ms >= self.start_ms
    }
}

/// A mark on the time axis.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub at: DateTime<Utc>,
    pub x: f64,
    /// `14:00Z`, or `25 NOV` at midnight.
    pub label: String,
    /// A day boundary.
    pub major: bool,
}

/// Tick marks for `window` over `width` px, at least `min_spacing` px
/// apart, on whole UTC steps (5 minutes to 2 days) of the one time axis.
pub fn ticks(window: TimeRange, width: f64, min_spacing: f64) -> Vec<Tick> {
    let scale = TimeScale::new(window, width);
    let max_count = (width.max(1.0) / min_spacing.max(1.0)).floor() as i64;
    let every = step(window.length(), max_count, Duration::zero());
    whole_steps(window, every, 500)
        .into_iter()
        .map(|at| {
            let major = at.hour() == 0 && at.minute() == 0;
            Tick {
                at,
                x: scale.x(at),
                label: if major { day_month(at) } else { zulu_hm(at) },
                major,
            }
        })
        .collect()
}

/// One incident as the timeline needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct BarInput {
    /// Position in the incident list it came from.
    pub index: usize,
    /// Keys of the lanes it appears in (nation codes, or its category).
    pub lanes: Vec<String>,
    pub start_ms: i64,
    /// `None` while open: the bar runs to `now`.
    pub end_ms: Option<i64>,
}

impl BarInput {
    /// The bar of `incident` (at `index`) in `mode`.
    pub fn of(index: usize, incident: &Incident, mode: LaneMode) -> Self {
        BarInput {
            index,
            lanes: match mode {
                LaneMode::Nation => incident.nations.clone(),
                LaneMode::Category => vec![incident.category.clone()],
            },
            start_ms: incident.opened_at.timestamp_millis(),
            end_ms: incident.closed_at.map(|at| at.timestamp_millis()),
        }
    }
}

/// A lane as asked for: a key and a label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaneDef {
    pub key: String,
    pub label: String,
    /// Longer words for screen readers and tooltips (a nation's name).
    pub title: String,
}

/// The lanes for `mode`: nations grouped Allies, Partners, organisations and by
/// code; categories in the model's order, unknown ones after, A→Z.
pub fn lane_defs(mode: LaneMode, nations: &[Nation], incidents: &[Incident]) -> Vec<LaneDef> {
    match mode {
        LaneMode::Nation => {
            let mut sorted: Vec<&Nation> = nations.iter().collect();
            let rank = |kind: NationKind| match kind {
                NationKind::Ally => 0,
                NationKind::Partner => 1,
                NationKind::Organisation => 2,
            };
            sorted.sort_by(|a, b| (rank(a.kind), &a.code).cmp(&(rank(b.kind), &b.code)));
            sorted
                .into_iter()
                .map(|nation| LaneDef {
                    key: nation.code.clone(),
                    label: nation.code.clone(),
                    title: nation.name.clone(),
                })
                .collect()
        }
        LaneMode::Category => {
            let mut present: Vec<&str> = incidents.iter().map(|i| i.category.as_str()).collect();
            present.sort_unstable();
            present.dedup();
            let known = CATEGORIES
                .iter()
                .map(|(slug, _, _)| *slug)
                .filter(|slug| present.binary_search(slug).is_ok());
            let unknown = present
                .iter()
                .copied()
                .filter(|slug| CATEGORIES.iter().all(|(known, _, _)| known != slug));
            known
                .chain(unknown)
                .map(|slug| LaneDef {
                    key: slug.to_string(),
                    label: category_label(slug).to_string(),
                    title: category_label(slug).to_string(),
                })
                .collect()
        }
    }
}

/// A lane as laid out.
#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    pub key: String,
    pub label: String,
    pub title: String,
    /// px from the top of the chart.
    pub top: f64,
    pub height: f64,
    pub rows: u32,
}

/// A bar as laid out: in lane `lane`, row `row`.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub index: usize,
    pub lane: usize,
    pub row: u32,
    pub start_ms: i64,
    pub end_ms: i64,
    pub open: bool,
}

impl Bar {
    /// px from the top of the chart.
    pub fn y(&self, lanes: &[Lane]) -> f64 {
        lanes[self.lane].top + LANE_PADDING / 2.0 + self.row as f64 * ROW_HEIGHT
    }
}

/// Lanes and bars, independent of zoom and scroll so nothing jumps while panning.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    pub lanes: Vec<Lane>,
    pub bars: Vec<Bar>,
    /// px: the whole chart's height.
    pub height: f64,
}

/// Lays out `items` in the lanes `defs` (plus "Unassigned" for items with no
/// lane and any lane an item names that `defs` lacks). Within a lane, each bar
/// takes the first row where it does not overlap the one before it; open
/// incidents run to `now_ms`.
pub fn layout(items: &[BarInput], defs: &[LaneDef], now_ms: i64) -> Layout {
    let mut defs: Vec<LaneDef> = defs.to_vec();
    let mut lane_of = std::collections::HashMap::new();
    for (position, def) in defs.iter().enumerate() {
        lane_of.insert(def.key.clone(), position);
    }
    let mut members: Vec<Vec<(usize, i64, i64, bool)>> = vec![Vec::new(); defs.len()];
    for item in items {
        let end = item.end_ms.unwrap_or(now_ms).max(item.start_ms);
        let open = item.end_ms.is_none();
        let keys: Vec<&str> = if item.lanes.is_empty() {
            vec![""]
        } else {
            item.lanes.iter().map(String::as_str).collect()
        };
        for key in keys {
            let lane = *lane_of.entry(key.to_string()).or_insert_with(|| {
                defs.push(LaneDef {
                    key: key.to_string(),
                    label: if key.is_empty() {
                        "Unassigned".into()
                    } else {
                        key.to_string()
                    },
                    title: if key.is_empty() {
                        "No nation assigned".into()
                    } else {
                        key.to_string()
                    },
                });
                members.push(Vec::new());
                defs.len() - 1
            });
            members[lane].push((item.index, item.start_ms, end, open));
        }
    }
    let mut lanes = Vec::with_capacity(defs.len());
    let mut bars = Vec::with_capacity(items.len());
    let mut top = 0.0;
    for (lane_index, (def, mut entries)) in defs.into_iter().zip(members).enumerate() {
        entries.sort_by_key(|(index, start, _, _)| (*start, *index));
        let mut row_ends: Vec<i64> = Vec::new();
        for (index, start, end, open) in entries {
            let row = match row_ends.iter().position(|row_end| *row_end <= start) {
                Some(row) => {
                    row_ends[row] = end.max(start + 1);
                    row
                }
                None => {
                    row_ends.push(end.max(start + 1));
                    row_ends.len() - 1
                }
            };
            bars.push(Bar {
                index,
                lane: lane_index,
                row: row as u32,
                start_ms: start,
                end_ms: end,
                open,
            });
        }
        let rows = row_ends.len().max(1) as u32;
        let height = rows as f64 * ROW_HEIGHT + LANE_PADDING;
        lanes.push(Lane {
            key: def.key,
            label: def.label,
            title: def.title,
            top,
            height,
            rows,
        });
        top += height;
    }
    Layout {
        lanes,
        bars,
        height: top,
    }
}

/// Positions in `layout.bars` of the bars inside the time window of `scale`
/// and the vertical band `top..bottom` (px): the only ones drawn.
pub fn visible_bars(layout: &Layout, scale: &TimeScale, top: f64, bottom: f64) -> Vec<usize> {
    layout
        .bars
        .iter()
        .enumerate()
        .filter(|(_, bar)| {
            scale.overlaps(bar.start_ms, bar.end_ms)
                && intersects(top, bottom, bar.y(&layout.lanes), ROW_HEIGHT)
        })
        .map(|(position, _)| position)
        .collect()
}

/// Positions in `layout.lanes` of the lanes in the band `top..bottom`.
pub fn visible_lanes(layout: &Layout, top: f64, bottom: f64) -> Vec<usize> {
    layout
        .lanes
        .iter()
        .enumerate()
        .filter(|(_, lane)| intersects(top, bottom, lane.top, lane.height))
        .map(|(position, _)| position)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dragging_right_shows_earlier_times_and_keeps_the_length() {
        let window = TimeRange::new(at("2026-11-25T06:00:00Z"), at("2026-11-25T12:00:00Z"));
        let moved = dragged(window, 100.0, 600.0);
        assert_eq!(moved.start, at("2026-11-25T05:00:00Z"));
        assert_eq!(moved.end, at("2026-11-25T11:00:00Z"));
        let back = dragged(window, -300.0, 600.0);
        assert_eq!(back.start, at("2026-11-25T09:00:00Z"));
        assert_eq!(dragged(window, 50.0, 0.0), window);
    }

    #[test]
    fn lane_labels_are_narrower_on_a_phone() {
        assert_eq!(label_width(340.0), 84.0);
        assert_eq!(label_width(1100.0), 136.0);
    }

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("test time")
    }

    fn ms(text: &str) -> i64 {
        at(text).timestamp_millis()
    }

    fn item(index: usize, lanes: &[&str], start: &str, end: Option<&str>) -> BarInput {
        BarInput {
            index,
            lanes: lanes.iter().map(|lane| lane.to_string()).collect(),
            start_ms: ms(start),
            end_ms: end.map(ms),
        }
    }

    fn def(key: &str) -> LaneDef {
        LaneDef {
            key: key.into(),
            label: key.into(),
            title: key.into(),
        }
    }

    #[test]
    fn time_maps_linearly_to_x() {
        let scale = TimeScale::new(
            TimeRange::new(at("2026-11-25T00:00:00Z"), at("2026-11-25T12:00:00Z")),
            1200.0,
        );
        assert_eq!(scale.x(at("2026-11-25T00:00:00Z")), 0.0);
        assert_eq!(scale.x(at("2026-11-25T06:00:00Z")), 600.0);
        assert_eq!(scale.x(at("2026-11-25T12:00:00Z")), 1200.0);
        // A bar is clipped to the window and never thinner than MIN_BAR_WIDTH.
        assert_eq!(
            scale.bar(ms("2026-11-24T20:00:00Z"), ms("2026-11-25T03:00:00Z")),
            Extent {
                left: 0.0,
                width: 300.0
            }
        );
        assert_eq!(
            scale.bar(ms("2026-11-25T06:00:00Z"), ms("2026-11-25T06:00:00Z")),
            Extent {
                left: 600.0,
                width: 4.0
            }
        );
        assert!(!scale.overlaps(ms("2026-11-25T13:00:00Z"), ms("2026-11-25T14:00:00Z")));
    }

    #[test]
    fn overlapping_incidents_take_separate_rows_of_their_lane() {
        let items = [
            item(
                0,
                &["EST"],
                "2026-11-25T01:00:00Z",
                Some("2026-11-25T05:00:00Z"),
            ),
            item(
                1,
                &["EST"],
                "2026-11-25T02:00:00Z",
                Some("2026-11-25T03:00:00Z"),
            ),
            item(2, &["EST"], "2026-11-25T05:00:00Z", None),
            item(
                3,
                &["FIN", "EST"],
                "2026-11-25T03:30:00Z",
                Some("2026-11-25T04:00:00Z"),
            ),
            item(4, &[], "2026-11-25T01:00:00Z", None),
        ];
        let layout = layout(
            &items,
            &[def("EST"), def("FIN"), def("LVA")],
            ms("2026-11-25T06:00:00Z"),
        );
        let rows: Vec<(usize, usize, u32)> = layout
            .bars
            .iter()
            .map(|bar| (bar.index, bar.lane, bar.row))
            .collect();
        assert_eq!(
            rows,
            [
                (0, 0, 0),
                (1, 0, 1),
                (3, 0, 1),
                (2, 0, 0),
                (3, 1, 0),
                (4, 3, 0)
            ]
        );
        let lanes: Vec<(&str, u32, f64)> = layout
            .lanes
            .iter()
            .map(|lane| (lane.label.as_str(), lane.rows, lane.top))
            .collect();
        assert_eq!(
            lanes,
            [
                ("EST", 2, 0.0),
                ("FIN", 1, 52.0),
                ("LVA", 1, 82.0),
                ("Unassigned", 1, 112.0)
            ]
        );
        assert_eq!(layout.height, 142.0);
        let open = layout.bars.iter().find(|bar| bar.index == 2).unwrap();
        assert!(open.open);
        assert_eq!(open.end_ms, ms("2026-11-25T06:00:00Z"));
    }

    #[test]
    fn only_bars_in_the_window_and_the_band_are_drawn() {
        let items = [
            item(
                0,
                &["EST"],
                "2026-11-25T01:00:00Z",
                Some("2026-11-25T02:00:00Z"),
            ),
            item(
                1,
                &["EST"],
                "2026-11-25T08:00:00Z",
                Some("2026-11-25T09:00:00Z"),
            ),
            item(
                2,
                &["FIN"],
                "2026-11-25T01:00:00Z",
                Some("2026-11-25T02:00:00Z"),
            ),
        ];
        let layout = layout(
            &items,
            &[def("EST"), def("FIN")],
            ms("2026-11-25T12:00:00Z"),
        );
        let scale = TimeScale::new(
            TimeRange::new(at("2026-11-25T00:00:00Z"), at("2026-11-25T06:00:00Z")),
            600.0,
        );
        let drawn = |top, bottom| -> Vec<usize> {
            visible_bars(&layout, &scale, top, bottom)
                .into_iter()
                .map(|position| layout.bars[position].index)
                .collect()
        };
        assert_eq!(drawn(0.0, 1000.0), [0, 2]);
        assert_eq!(drawn(0.0, 20.0), [0]);
        assert_eq!(drawn(40.0, 1000.0), [2]);
        assert_eq!(visible_lanes(&layout, 40.0, 1000.0), [1]);
    }

    #[test]
    fn ticks_land_on_whole_steps_with_dates_at_midnight() {
        let ticks = ticks(
            TimeRange::new(at("2026-11-24T21:10:00Z"), at("2026-11-25T03:00:00Z")),
            600.0,
            80.0,
        );
        let labels: Vec<&str> = ticks.iter().map(|tick| tick.label.as_str()).collect();
        assert_eq!(
            labels,
            ["22:00Z", "23:00Z", "25 NOV", "01:00Z", "02:00Z", "03:00Z"]
        );
        assert!(ticks[2].major);
        assert!((ticks[0].x - 50.0 / 350.0 * 600.0).abs() < 1e-9);
    }

    #[test]
    fn zoom_and_pan_move_through_the_levels() {
        assert_eq!(Span::Hours(6).zoomed_in(), Span::Hours(3));
        assert_eq!(Span::Hours(1).zoomed_in(), Span::Hours(1));
        assert_eq!(Span::Hours(48).zoomed_out(), Span::Whole);
        assert_eq!(Span::Whole.zoomed_out(), Span::Whole);
        for span in ZOOM_LEVELS {
            assert_eq!(Span::parse(&span.as_str()), Some(*span));
        }
        assert_eq!(Span::Hours(24).as_str(), "1d");
        assert_eq!(Span::Hours(48).label(), "2 d");
        assert_eq!(Span::Hours(6).label(), "6 h");
        assert_eq!(Span::parse("7h"), None);
        let now = at("2026-11-25T12:00:00Z");
        let bounds = TimeRange::new(at("2026-11-23T08:00:00Z"), at("2026-11-28T08:00:00Z"));
        let window = time_window(Span::Hours(4), None, now, bounds);
        assert_eq!(
            window,
            TimeRange::new(at("2026-11-25T09:00:00Z"), at("2026-11-25T13:00:00Z"))
        );
        assert_eq!(panned(window, -1), at("2026-11-25T07:00:00Z"));
        assert_eq!(panned(window, 1), at("2026-11-25T11:00:00Z"));
        assert_eq!(time_window(Span::Whole, Some(now), now, bounds), bounds);
        assert_eq!(
            time_window(
                Span::Hours(6),
                Some(at("2026-11-24T00:00:00Z")),
                now,
                bounds
            ),
            TimeRange::new(at("2026-11-24T00:00:00Z"), at("2026-11-24T06:00:00Z"))
        );
    }

    #[test]
    fn the_view_survives_the_url() {
        let query: &[(&str, &str)] = &[
            ("lanes", "category"),
            ("span", "6h"),
            ("from", "2026-11-25T06:00Z"),
        ];
        let view = TimelineView::from_query(query);
        assert_eq!(view.lanes, LaneMode::Category);
        assert_eq!(view.span, Span::Hours(6));
        assert_eq!(view.from, Some(at("2026-11-25T06:00:00Z")));
        assert_eq!(
            format_minute(at("2026-11-25T06:00:59Z")),
            "2026-11-25T06:00Z"
        );
        let empty: &[(&str, &str)] = &[];
        assert_eq!(TimelineView::from_query(empty), TimelineView::default());
        assert_eq!(
            parse_minute("2026-11-25T06:00:00Z"),
            Some(at("2026-11-25T06:00:00Z"))
        );
        assert_eq!(parse_minute("yesterday"), None);
    }
}
