//! The browser's `Intl`, in the active locale: money (`NumberFormat`) and
//! country names (`DisplayNames`, sorted with `Collator`). Never fails: a
//! locale or currency `Intl` refuses falls back to `en-US`, then to plain text.

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::JsValue;

use super::COUNTRY_CODES;

/// The page's language, when no locale is configured.
pub fn page_locale() -> Option<String> {
    web_sys::window().and_then(|w| w.navigator().language())
}

/// `new Intl[name](locale, options)`; `None` on a RangeError (a malformed
/// locale or option) or without `Intl[name]`.
fn construct(name: &str, locale: &str, opts: &Object) -> Option<JsValue> {
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let ctor = Reflect::get(&intl, &name.into()).ok()?;
    let ctor: Function = ctor.is_function().then(|| ctor.into())?;
    let args = Array::of2(&JsValue::from_str(locale), opts);
    Reflect::construct(&ctor, &args).ok()
}

fn method(target: &JsValue, name: &str) -> Option<Function> {
    let f = Reflect::get(target, &name.into()).ok()?;
    f.is_function().then(|| f.into())
}

fn intl_format(locale: &str, currency: &str, amount: f64) -> Option<String> {
    let opts = Object::new();
    Reflect::set(&opts, &"style".into(), &"currency".into()).ok()?;
    Reflect::set(&opts, &"currency".into(), &currency.into()).ok()?;
    let fmt = construct("NumberFormat", locale, &opts)?;
    method(&fmt, "format")?
        .call1(&fmt, &amount.into())
        .ok()?
        .as_string()
}

/// Formats money for a currency and locale; never fails.
pub fn money(amount: f64, currency: &str, locale: &str) -> String {
    intl_format(locale, currency, amount)
        .or_else(|| intl_format("en-US", currency, amount))
        .unwrap_or_else(|| plain_money(amount, currency))
}

/// `12.30 USD` without float formatting (which would add kilobytes to the bundle).
fn plain_money(amount: f64, currency: &str) -> String {
    let cents = (amount * 100.0).round() as i64;
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}{}.{:02} {currency}", cents / 100, cents % 100)
}

fn region_names(locale: &str) -> Option<(JsValue, Function)> {
    let opts = Object::new();
    Reflect::set(&opts, &"type".into(), &"region".into()).ok()?;
    let names = construct("DisplayNames", locale, &opts)?;
    let of = method(&names, "of")?;
    Some((names, of))
}

/// Every country the provider accepts, as (ISO code, name in `locale`),
/// sorted for the locale. Without `Intl.DisplayNames` the names are the codes.
pub fn countries(locale: &str) -> Vec<(&'static str, String)> {
    let names = region_names(locale).or_else(|| region_names("en"));
    let mut list: Vec<(&'static str, String)> = COUNTRY_CODES
        .iter()
        .map(|code| {
            let name = names
                .as_ref()
                .and_then(|(n, of)| of.call1(n, &JsValue::from_str(code)).ok())
                .and_then(|v| v.as_string())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| (*code).to_owned());
            (*code, name)
        })
        .collect();
    let collator = construct("Collator", locale, &Object::new())
        .or_else(|| construct("Collator", "en", &Object::new()));
    let compare = collator
        .as_ref()
        .and_then(|c| method(c, "compare").map(|f| (c.clone(), f)));
    match compare {
        Some((c, f)) => list.sort_by(|a, b| {
            let order = f
                .call2(&c, &JsValue::from_str(&a.1), &JsValue::from_str(&b.1))
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0);
            order.partial_cmp(&0.0).unwrap_or(std::cmp::Ordering::Equal)
        }),
        None => list.sort_by(|a, b| a.1.cmp(&b.1)),
    }
    list
}
