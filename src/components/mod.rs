//! One component per file. Components render the state and send events up;
//! they decide nothing about the journey. They share the widget's [`Ctx`]
//! through Leptos' context.

mod alert_banner;
mod brand_mark;
mod card_frame;
mod confirmation;
mod field;
mod fix_form;
mod order_summary;
mod payment_form;
mod review;
mod saved_cards;
mod widget;

use leptos::prelude::*;

use crate::flow::{Event, State};
use crate::i18n::Messages;

pub use alert_banner::AlertBanner;
pub use brand_mark::BrandMark;
pub use card_frame::CardFrame;
pub use confirmation::Confirmation;
pub use field::FormField;
pub use fix_form::FixForm;
pub use order_summary::OrderSummary;
pub use payment_form::PaymentForm;
pub use review::Review;
pub use saved_cards::SavedCards;
pub use widget::Widget;

/// What every component of one widget shares.
#[derive(Clone)]
pub struct Ctx {
    /// The widget state, owned by the shell.
    pub state: Signal<State>,
    /// Sends shopper events to the shell.
    pub on_event: Callback<Event>,
    /// Prefix of this widget's element ids.
    pub prefix: String,
    /// The locale for text and money (BCP 47).
    pub locale: Memo<String>,
    /// The shopper's text in that locale, with the merchant's overrides.
    pub text: Memo<Messages>,
    /// The card frame's `src` (a new value is a new frame).
    pub frame_src: Signal<String>,
    /// Tells the shell that the card frame's iframe loaded.
    pub on_frame_load: Callback<web_sys::HtmlIFrameElement>,
}

/// A `<fieldset>` of the widget's forms, opened by its `<legend>`.
#[component]
pub fn Fieldset(
    /// The message key of the visible group name (the fieldset's accessible name).
    legend: &'static str,
    /// The fields.
    children: Children,
) -> impl IntoView {
    view! {
        <fieldset class="cw-fieldset">
            <legend class="cw-legend">{t(legend)}</legend>
            {children()}
        </fieldset>
    }
}

/// The context of the enclosing widget.
pub fn ctx() -> Ctx {
    expect_context::<Ctx>()
}

/// The text of a message key in the widget's locale, as a reactive view (it
/// follows the locale once the checkout names one).
pub fn t(key: &'static str) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let text = ctx().text;
    move || text.with(|m| m.get(key).to_owned())
}

impl Ctx {
    /// Formats money in the checkout's currency.
    pub fn money(&self, amount: f64) -> String {
        let currency = self.state.with_untracked(|s| {
            s.checkout
                .as_ref()
                .map(|c| c.currency.clone())
                .unwrap_or_default()
        });
        crate::i18n::intl::money(amount, &currency, &self.locale.get())
    }
}
