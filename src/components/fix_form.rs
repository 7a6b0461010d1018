use leptos::prelude::*;

use crate::components::{ctx, FormField};
use crate::flow::Event;

/// After a rejected order (other 4xx): editable fields for what the provider
/// named, prefilled; `Save and place order` saves them to the same checkout and
/// orders it again.
#[component]
pub fn FixForm() -> impl IntoView {
    let c = ctx();
    let fields = Memo::new(move |_| c.state.with(|s| s.fix_fields.clone()));
    view! {
        <form class="cw-form" novalidate
            on:submit=move |ev| {
                ev.prevent_default();
                c.on_event.run(Event::SaveFix);
            }>
            <fieldset class="cw-fieldset">
                <legend class="cw-legend">"Check your details"</legend>
                {move || {
                    fields
                        .get()
                        .into_iter()
                        .map(|f| view! { <FormField field=f /> })
                        .collect_view()
                }}
            </fieldset>
            <button type="submit" class="cw-button cw-button--primary cw-button--block">
                "Save and place order"
            </button>
        </form>
    }
}
