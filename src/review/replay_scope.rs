//! Hands the replay's store and clock to what it wraps while a moment is
//! replayed, so the pages (and the header's exercise status) read the
//! exercise as it was through the same `use_live()` / `use_clock()` they
//! read the live one with.

use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos::tachys::reactive_graph::OwnedView;

use crate::review::replay::{try_use_replay, Mode};

/// Its children, reading the replay while `?at=` names a moment and the
/// live store otherwise. The children are made again when the mode
/// changes (not on every new moment: the replay's store takes those in
/// place), and are not made at all while the first state of a replay is
/// on its way: `fallback` says so instead, so a pasted link never shows
/// the live picture first.
#[component]
pub fn ReplayScope(
    /// Shown while a replay's first state is loading (nothing by default).
    #[prop(optional, into)]
    fallback: ViewFn,
    children: ChildrenFn,
) -> impl IntoView {
    let Some(replay) = try_use_replay() else {
        return children().into_any();
    };
    let mode = Memo::new(move |_| replay.mode());
    (move || match mode.get() {
        Mode::Live => EitherOf3::A(children()),
        Mode::Loading => EitherOf3::B(fallback.run()),
        Mode::Ready => {
            // A child owner of its own: the contexts go with it when the
            // mode changes, and the live store is seen again.
            let owner = Owner::current()
                .expect("a view is rendered under an owner")
                .child();
            let view = owner.with(|| {
                provide_context(replay.store);
                provide_context(replay.clock);
                children()
            });
            EitherOf3::C(OwnedView::new_with_owner(view, owner))
        }
    })
    .into_any()
}
