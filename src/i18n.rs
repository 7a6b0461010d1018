//! Shopper-facing text and number formatting. Money goes through `Intl`, so it
//! reads right for the checkout's currency and locale.

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::JsValue;

use crate::flow::Failure;

/// English messages (the default locale).
pub fn failure_message(f: &Failure) -> String {
    match f {
        Failure::CheckoutNotFound => {
            "This checkout is no longer available. Please refresh the page or return to your cart."
                .into()
        }
        Failure::Network => {
            "We couldn't reach the store. Check your connection and try again.".into()
        }
        Failure::Timeout => "The store is taking too long to answer. Please try again.".into(),
        Failure::Server | Failure::Decode => {
            "Something went wrong on our side. Please try again.".into()
        }
        Failure::Rejected(Some(msg)) => msg.clone(),
        Failure::Rejected(None) => "The store could not process this request.".into(),
    }
}

/// A BCP 47 tag from a provider locale (`en_US` -> `en-US`).
pub fn bcp47(locale: &str) -> String {
    locale.replace('_', "-")
}

/// The page's language, when no locale is configured.
pub fn page_locale() -> String {
    web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_else(|| "en-US".into())
}

fn intl_format(locale: &str, currency: &str, amount: f64) -> Option<String> {
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let ctor: Function = Reflect::get(&intl, &"NumberFormat".into()).ok()?.into();
    let opts = Object::new();
    Reflect::set(&opts, &"style".into(), &"currency".into()).ok()?;
    Reflect::set(&opts, &"currency".into(), &currency.into()).ok()?;
    let args = Array::of2(&JsValue::from_str(locale), &opts);
    // Reflect::construct catches the RangeError of a malformed locale or currency.
    let fmt = Reflect::construct(&ctor, &args).ok()?;
    let format: Function = Reflect::get(&fmt, &"format".into()).ok()?.into();
    format.call1(&fmt, &amount.into()).ok()?.as_string()
}

/// Formats money for a currency and locale; never fails.
pub fn money(amount: f64, currency: &str, locale: &str) -> String {
    intl_format(locale, currency, amount)
        .or_else(|| intl_format("en-US", currency, amount))
        .unwrap_or_else(|| format!("{amount:.2} {currency}"))
}
