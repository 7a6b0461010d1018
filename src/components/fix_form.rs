use leptos::prelude::*;

use crate::components::{ctx, t, Fieldset, FormField};
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
            <Fieldset legend="legend.check_details">
                <For each=move || fields.get() key=|f| *f let:field>
                    <FormField field=field />
                </For>
            </Fieldset>
            <button type="submit" class="cw-button cw-button--primary cw-button--block">
                {t("button.save_and_place_order")}
            </button>
        </form>
    }
}
