use leptos::prelude::*;

use crate::components::{ctx, t};
use crate::flow::{Event, Field};
use crate::runtime::field_id;

fn autocomplete(f: Field) -> &'static str {
    match f {
        Field::Name => "billing name",
        Field::Email => "email",
        Field::Line1 => "billing address-line1",
        Field::City => "billing address-level2",
        Field::PostalCode => "billing postal-code",
        Field::Country => "billing country",
        Field::State => "billing address-level1",
    }
}

/// One labelled form field bound to the state: visible label (its accessible
/// name), the value as the core normalised it, and its error tied to it with
/// `aria-invalid` and `aria-describedby`.
#[component]
pub fn FormField(
    /// Which field.
    field: Field,
) -> impl IntoView {
    let c = ctx();
    let id = field_id(&c.prefix, field);
    let error_id = format!("{id}-error");
    let value = Memo::new(move |_| c.state.with(|s| s.form.get(field).to_owned()));
    let message = Memo::new(move |_| {
        c.state.with(|s| {
            s.server_error(field)
                .filter(|m| !m.is_empty())
                .map(str::to_owned)
                .or_else(|| {
                    s.visible_problem(field)
                        .map(|p| c.text.with(|t| t.problem(field, p)))
                })
        })
    });
    let invalid = move || message.with(Option::is_some).to_string();
    let described = {
        let error_id = error_id.clone();
        move || message.with(|m| m.as_ref().map(|_| error_id.clone()))
    };
    let input = move |v: String| c.on_event.run(Event::Input(field, v));
    let blur = move |_| c.on_event.run(Event::Blur(field));
    let control = if field == Field::Country {
        // Every country the provider accepts, named and sorted by `Intl`
        // in the widget's locale.
        let countries = Memo::new(move |_| crate::i18n::intl::countries(&c.locale.get()));
        let options = move || {
            countries.with(|list| {
                list.iter()
                    .map(|(code, name)| view! { <option value=*code>{name.clone()}</option> })
                    .collect_view()
            })
        };
        view! {
            <select class="cw-field__input" id=id.clone() name=field.slug()
                autocomplete=autocomplete(field)
                prop:value=move || value.get()
                aria-invalid=invalid
                aria-describedby=described
                on:change:target=move |ev| input(ev.target().value())
                on:blur=blur>
                <option value="">{t("label.choose_country")}</option>
                {options}
                // A country from the checkout that the list lacks stays selectable.
                {move || {
                    let v = value.get();
                    let listed = countries.with(|list| list.iter().any(|(code, _)| *code == v));
                    (!v.is_empty() && !listed)
                        .then(|| view! { <option value=v.clone()>{v.clone()}</option> })
                }}
            </select>
        }
        .into_any()
    } else {
        let (kind, mode) = match field {
            Field::Email => ("email", "email"),
            _ => ("text", "text"),
        };
        view! {
            <input class="cw-field__input" id=id.clone() name=field.slug() type=kind inputmode=mode
                autocomplete=autocomplete(field)
                spellcheck="false"
                prop:value=move || value.get()
                aria-invalid=invalid
                aria-describedby=described
                on:input:target=move |ev| input(ev.target().value())
                on:blur=blur />
        }
        .into_any()
    };
    view! {
        <div class="cw-field" class:cw-field--invalid=move || message.with(Option::is_some)
            data-field=field.slug()>
            <label class="cw-field__label" for=id>{move || c.text.with(|t| t.label(field).to_owned())}</label>
            {control}
            <p class="cw-field__error" id=error_id>{move || message.get()}</p>
        </div>
    }
}
