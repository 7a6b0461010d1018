//! Shopper-facing text and number formatting. Money goes through `Intl`, so it
//! reads right for the checkout's currency and locale.

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::JsValue;

use crate::flow::{Alert, Failure, Field};
use crate::validation::Problem;

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
        Failure::OrderNotPlaced => {
            "Your order could not be completed. You have not been charged; please contact the store."
                .into()
        }
        Failure::FrameFailed => {
            "The secure card form couldn't load. Check your connection and try again.".into()
        }
    }
}

/// The text of an alert above the current step.
pub fn alert_message(a: &Alert) -> String {
    let or = |m: &Option<String>, default: &str| m.clone().unwrap_or_else(|| default.to_owned());
    match a {
        Alert::Declined { hard: true, .. } => {
            "This payment was declined. Please use a different card.".into()
        }
        Alert::Declined { message, .. } => format!(
            "{} Please enter your card details again.",
            or(message, "Your card was declined.")
        ),
        Alert::NeedsInput { message } => or(message, "Please check the highlighted details."),
        Alert::CardFailed { message } => {
            or(message, "This card can't be used. Please try another card.")
        }
        Alert::PaymentAgain => "Please enter your card details again.".into(),
        Alert::StillWaiting => {
            "We're still confirming your payment details. This is taking longer than usual.".into()
        }
        Alert::NotPlaced => {
            "We couldn't confirm your order. Please try again: you will not be charged twice."
                .into()
        }
        Alert::Invalid => "Please correct the highlighted fields.".into(),
        Alert::CardNotVerified => {
            "We couldn't verify this card with your bank. Please try again or use another card."
                .into()
        }
        Alert::ChallengeAbandoned { timed_out: false } => {
            "Card verification was cancelled. Verify again, or use another card.".into()
        }
        Alert::ChallengeAbandoned { timed_out: true } => {
            "Card verification took too long. Verify again, or use another card.".into()
        }
        Alert::FrameFailed => failure_message(&Failure::FrameFailed),
        Alert::FrameLoading => "The secure card form is still loading. One moment, please.".into(),
        Alert::RemoveFailed { message } => format!(
            "We couldn't remove this card.{} It is still saved.",
            message
                .as_ref()
                .map(|m| format!(" {m}"))
                .unwrap_or_default()
        ),
        Alert::Failed(f) => failure_message(f),
        Alert::Retrying(f) => format!("{} Trying again automatically…", failure_message(f)),
    }
}

/// The visible label of a field (also its accessible name).
pub fn label(f: Field) -> &'static str {
    match f {
        Field::Name => "Full name",
        Field::Email => "Email",
        Field::Line1 => "Address",
        Field::City => "City",
        Field::PostalCode => "Postal code",
        Field::Country => "Country",
        Field::State => "State",
    }
}

/// What is wrong with a field, in words.
pub fn problem_message(f: Field, p: Problem) -> String {
    match p {
        Problem::Required => format!("Enter {}.", required_noun(f)),
        Problem::CardNumberInvalid => "This card number is not valid.".into(),
        Problem::ExpiryInvalid => "Enter the expiration date as MM/YY.".into(),
        Problem::ExpiryPast => "This card has expired.".into(),
        Problem::CvcInvalid => "The security code is not valid for this card.".into(),
        Problem::EmailInvalid => "Enter a valid email address, like name@example.com.".into(),
        Problem::PostalCodeInvalid => "This postal code is not valid for the country.".into(),
        Problem::CountryInvalid => "Choose a country.".into(),
        Problem::TooLong => "This is too long.".into(),
    }
}

fn required_noun(f: Field) -> &'static str {
    match f {
        Field::Name => "your full name",
        Field::Email => "your email",
        Field::Line1 => "your address",
        Field::City => "your city",
        Field::PostalCode => "your postal code",
        Field::Country => "your country",
        Field::State => "your state",
    }
}

/// A saved card's name: `Visa ending in 1111`.
pub fn card_name(brand: &str, last4: &str) -> String {
    let brand = if brand.trim().is_empty() {
        "Card"
    } else {
        brand
    };
    format!("{brand} ending in {last4}")
}

/// A saved card's expiry: `Expires 07/2030`, or `Expired 01/2024`.
pub fn card_expiry(month: u32, year: u32, expired: bool) -> String {
    let word = if expired { "Expired" } else { "Expires" };
    format!("{word} {month:02}/{year}")
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
        .unwrap_or_else(|| plain_money(amount, currency))
}

/// `12.30 USD` without float formatting (which would add kilobytes to the bundle).
fn plain_money(amount: f64, currency: &str) -> String {
    let cents = (amount * 100.0).round() as i64;
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}{}.{:02} {currency}", cents / 100, cents % 100)
}
