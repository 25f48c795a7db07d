//! Choosing affected nations among the exercise's 27 or more: a search box
//! and the matching nations as checkboxes, the chosen ones listed first as
//! removable chips. Keyboard: Tab through, Space to tick.

use leptos::prelude::*;

use crate::control::forms::matching_nations;
use crate::live::use_live;

/// A multi-select of the exercise's nations, by code.
#[component]
pub fn NationPicker(
    /// The chosen codes.
    chosen: RwSignal<Vec<String>>,
    /// A prefix for ids and test ids (`compose`, `update`).
    name: &'static str,
    /// The id of the error message under the picker.
    described_by: &'static str,
) -> impl IntoView {
    let live = use_live();
    let search = RwSignal::new(String::new());
    let toggle = move |code: String| {
        chosen.update(|chosen| {
            if let Some(at) = chosen.iter().position(|c| *c == code) {
                chosen.remove(at);
            } else {
                chosen.push(code);
            }
        })
    };
    let matches = move || {
        let query = search.get();
        live.nations(|nations| {
            matching_nations(nations, &query)
                .into_iter()
                .map(|nation| (nation.code.clone(), nation.name.clone()))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <fieldset class="nation-picker" aria-describedby=described_by data-testid=format!("{name}-nations")>
            <legend>"Affected nations"</legend>
            <ul class="chips" aria-label="Chosen nations">
                {move || chosen.get().into_iter().map(|code| {
                    let remove = code.clone();
                    view! {
                        <li>
                            <button
                                type="button"
                                class="chip"
                                aria-label=format!("Remove {code}")
                                on:click=move |_| toggle(remove.clone())
                            >
                                {code.clone()}" ×"
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <label class="field">
                <span>"Find a nation"</span>
                <input
                    type="search"
                    data-testid=format!("{name}-nation-search")
                    prop:value=move || search.get()
                    on:input=move |ev| search.set(event_target_value(&ev))
                />
            </label>
            <div class="nation-options">
                {move || matches().into_iter().map(|(code, label)| {
                    let checked = {
                        let code = code.clone();
                        move || chosen.with(|chosen| chosen.contains(&code))
                    };
                    let flip = code.clone();
                    view! {
                        <label class="option">
                            <input
                                type="checkbox"
                                value=code.clone()
                                data-testid=format!("{name}-nation-{code}")
                                prop:checked=checked
                                on:change=move |_| toggle(flip.clone())
                            />
                            <span>{format!("{code} {label}")}</span>
                        </label>
                    }
                }).collect_view()}
            </div>
        </fieldset>
    }
}
