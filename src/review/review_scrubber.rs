//! The review scrubber under the header: where the replay stands in
//! exercise time, UTC and seq, the track along the whole exercise, the
//! playback controls, the moment box and the list of marks.

use leptos::prelude::*;

use crate::review::replay::use_replay;
use crate::review::scrubber_track::TrackMarks;
use crate::review::{MomentInput, PlaybackControls, ReviewMarks, ScrubberTrack};
use crate::vocabulary::replay::{exercise_clock, seq, utc};

/// The whole review panel (`#review-panel`), hidden until the header's
/// "Review" opens it or a replay begins.
#[component]
pub fn ReviewScrubber() -> impl IntoView {
    let replay = use_replay();
    let marks = TrackMarks::of(replay);
    let replaying = move || replay.replaying() && replay.shown().is_some();
    let at = move || {
        replay
            .position()
            .unwrap_or_else(|| replay.live_clock().now())
    };
    let store = move || {
        if replaying() {
            replay.store
        } else {
            replay.live()
        }
    };
    let exercise_time = move || {
        let at = at();
        store().exercise(|exercise| exercise_clock(exercise, at))
    };
    let seq_text = move || match replay.shown().filter(|_| replay.replaying()) {
        Some(shown) => seq(shown.seq, false),
        None => seq(replay.live().incidents(|ledger| ledger.seq()), true),
    };
    view! {
        <section
            id="review-panel"
            class="review-scrubber"
            aria-labelledby="review-heading"
            data-testid="review-scrubber"
            hidden=move || !replay.is_open()
        >
            <div class="review-head">
                <h2 id="review-heading" class="review-title">"Review"</h2>
                <dl class="review-readouts">
                    <div class="review-readout">
                        <dt>"Exercise time"</dt>
                        <dd data-testid="review-exercise-time">{exercise_time}</dd>
                    </div>
                    <div class="review-readout">
                        <dt>"UTC"</dt>
                        <dd data-testid="review-utc">{move || utc(at())}</dd>
                    </div>
                    <div class="review-readout">
                        <dt>"Seq"</dt>
                        <dd data-testid="review-seq">{seq_text}</dd>
                    </div>
                </dl>
            </div>
            <ScrubberTrack marks=marks />
            <div class="review-tools">
                <PlaybackControls />
                <MomentInput />
            </div>
            <ReviewMarks marks=marks />
        </section>
    }
}
