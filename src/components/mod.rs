//! One view per file. Views render the state and send events up; they decide
//! nothing about the journey. Each is a function returning a [`View`] built
//! with [`el`], so every element shares one type (see `el.rs` for why).

mod alert_banner;
mod confirmation;
mod el;
mod field;
mod fix_form;
mod order_summary;
mod payment_form;
mod review;
mod widget;

use crate::reactive::*;

use crate::flow::{Event, State};

use alert_banner::alert_banner;
use confirmation::confirmation;
pub use el::View;
use field::form_field;
use fix_form::fix_form;
use order_summary::order_summary;
use payment_form::payment_form;
use review::review;
pub use widget::widget;

/// What every view of one widget shares (passed down, not a Leptos context:
/// one lookup machinery less in the bundle).
#[derive(Clone)]
pub struct Ctx {
    /// The widget state, owned by the shell.
    pub state: RwSignal<State>,
    /// Sends shopper events to the shell.
    pub on_event: Callback<Event>,
    /// Prefix of this widget's element ids.
    pub prefix: String,
    /// The locale for text and money (BCP 47).
    pub locale: Memo<String>,
}

/// A `<fieldset>` of the widget's forms, opened by its `<legend>`.
fn fieldset(legend: &'static str) -> el::El {
    el::el_class("fieldset", "cw-fieldset")
        .child(el::el_class("legend", "cw-legend").text(legend).view())
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
        crate::i18n::money(amount, &currency, &self.locale.get())
    }
}
