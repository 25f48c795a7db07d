//! The feed of latest changes: newest first, each linking to what changed.

use leptos::prelude::*;
use watchfloor_model::time::zulu_hm;

use crate::live::ledger::Subject;
use crate::live::use_live;

/// The latest `limit` changes from the live store's feed.
#[component]
pub fn LatestChanges(
    /// How many entries to show.
    #[prop(default = 12)]
    limit: usize,
) -> impl IntoView {
    let live = use_live();
    let changes = Memo::new(move |_| live.feed(limit));
    view! {
        <Show
            when=move || changes.with(|changes| !changes.is_empty())
            fallback=|| view! { <p class="empty">"No changes yet."</p> }
        >
            <ol class="feed" aria-live="polite" aria-relevant="additions">
                <For each=move || changes.get() key=|change| change.seq let:change>
                    <li class="feed-entry" data-testid="latest-change" data-seq=change.seq>
                        <time datetime=change.at.to_rfc3339()>{zulu_hm(change.at)}</time>
                        {match &change.subject {
                            Subject::Incident(id) => {
                                view! {
                                    <a class="feed-subject" href=format!("/incidents/{id}")>
                                        {change.heading.clone()}
                                    </a>
                                }
                                    .into_any()
                            }
                            Subject::Nation(code) => {
                                view! {
                                    <a class="feed-subject" href=format!("/nations/{code}")>
                                        {change.heading.clone()}
                                    </a>
                                }
                                    .into_any()
                            }
                            Subject::Exercise => {
                                view! { <span class="feed-subject">{change.heading.clone()}</span> }
                                    .into_any()
                            }
                        }}
                        <span class="feed-text">{change.text.clone()}</span>
                        {change.by.clone().map(|by| view! {
                            <span class="feed-by" data-testid="change-by">{format!("by {by}")}</span>
                        })}
                    </li>
                </For>
            </ol>
        </Show>
    }
}
