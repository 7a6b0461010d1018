use crate::reactive::*;

use crate::components::el::{dynamic, el_class, View};
use crate::components::{fieldset, form_field, Ctx};
use crate::flow::Event;

/// After a rejected order (other 4xx): editable fields for what the provider
/// named, prefilled; `Save and place order` saves them to the same checkout and
/// orders it again.
pub fn fix_form(c: &Ctx) -> View {
    let c = c.clone();
    let fields = Memo::new(move |_| c.state.with(|s| s.fix_fields.clone()));
    el_class("form", "cw-form")
        .attr("novalidate", "")
        .on("submit", move |ev| {
            ev.prevent_default();
            c.on_event.run(Event::SaveFix);
        })
        .child(
            fieldset("Check your details")
                .child(dynamic({
                    let c = c.clone();
                    move || {
                        fields
                            .get()
                            .into_iter()
                            .map(|f| form_field(&c, f))
                            .collect::<View>()
                    }
                }))
                .view(),
        )
        .child(
            el_class("button", "cw-button cw-button--primary cw-button--block")
                .attr("type", "submit")
                .text("Save and place order")
                .view(),
        )
        .view()
}
