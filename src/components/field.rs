use crate::reactive::*;

use crate::components::el::{dynamic, el, el_class, live_text, nothing, View};
use crate::components::Ctx;
use crate::flow::{Event, Field};
use crate::i18n;
use crate::runtime::field_id;

/// Countries offered in the country list (ISO alpha-2, English names).
const COUNTRIES: &[(&str, &str)] = &[
    ("US", "United States"),
    ("CA", "Canada"),
    ("GB", "United Kingdom"),
    ("IE", "Ireland"),
    ("DE", "Germany"),
    ("FR", "France"),
    ("NL", "Netherlands"),
    ("ES", "Spain"),
    ("IT", "Italy"),
    ("SE", "Sweden"),
    ("AU", "Australia"),
    ("NZ", "New Zealand"),
    ("JP", "Japan"),
    ("MX", "Mexico"),
    ("BR", "Brazil"),
    ("IN", "India"),
];

fn autocomplete(f: Field) -> &'static str {
    match f {
        Field::Name => "cc-name",
        Field::CardNumber => "cc-number",
        Field::Expiry => "cc-exp",
        Field::Cvc => "cc-csc",
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
pub fn form_field(c: &Ctx, field: Field) -> View {
    let c = c.clone();
    let id = field_id(&c.prefix, field);
    let error_id = format!("{id}-error");
    let value = Memo::new(move |_| c.state.with(|s| s.form.get(field).to_owned()));
    // Empty while the field is fine (a String memo, like `value`: one memo type
    // less in the bundle).
    let message = Memo::new(move |_| {
        c.state.with(|s| {
            s.server_error(field)
                .filter(|m| !m.is_empty())
                .map(str::to_owned)
                .or_else(|| {
                    s.visible_problem(field)
                        .map(|p| i18n::problem_message(field, p))
                })
                .unwrap_or_default()
        })
    });
    let invalid = move || message.with(|m| !m.is_empty());
    let control = if field == Field::Country {
        let option = |code: &str, name: &str| el("option").attr("value", code).text(name).view();
        el("select")
            .child(option("", "Choose…"))
            .children(COUNTRIES.iter().map(|(code, name)| option(code, name)))
            // A country from the checkout that the list lacks stays selectable.
            .child(dynamic(move || {
                let v = value.get();
                if v.is_empty() || COUNTRIES.iter().any(|(code, _)| *code == v) {
                    return nothing();
                }
                option(&v, &v)
            }))
            .on("change", move |ev| {
                c.on_event.run(Event::Input(field, target_value(&ev)))
            })
    } else {
        let (kind, mode, placeholder) = match field {
            Field::CardNumber => ("text", "numeric", "1234 1234 1234 1234"),
            Field::Expiry => ("text", "numeric", "MM/YY"),
            Field::Cvc => ("text", "numeric", ""),
            Field::Email => ("email", "email", ""),
            _ => ("text", "text", ""),
        };
        el("input")
            .attr("type", kind)
            .attr("inputmode", mode)
            .attr("placeholder", placeholder)
            .attr("spellcheck", "false")
            .on("input", move |ev| {
                c.on_event.run(Event::Input(field, target_value(&ev)))
            })
    };
    let control = control
        .attr("class", "cw-field__input")
        .attr("id", id.clone())
        .attr("name", field.slug())
        .attr("autocomplete", autocomplete(field))
        .prop_live("value", move || value.get())
        .attr_live("aria-invalid", move || Some(invalid().to_string()))
        .attr_live("aria-describedby", {
            let error_id = error_id.clone();
            move || invalid().then(|| error_id.clone())
        })
        .on("blur", move |_| c.on_event.run(Event::Blur(field)))
        .view();
    el("div")
        .class_when("cw-field", "cw-field--invalid", invalid)
        .attr("data-field", field.slug())
        .child(
            el_class("label", "cw-field__label")
                .attr("for", id)
                .text(i18n::label(field))
                .view(),
        )
        .child(control)
        .child(
            el_class("p", "cw-field__error")
                .attr("id", error_id)
                .child(live_text(move || message.get()))
                .view(),
        )
        .view()
}

/// The `value` of an input or select event's target.
fn target_value(ev: &web_sys::Event) -> String {
    ev.target()
        .and_then(|t| js_sys::Reflect::get(&t, &"value".into()).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}
