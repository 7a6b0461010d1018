use leptos::prelude::*;

use crate::components::{ctx, t, BrandMark};
use crate::flow::{Event, SavedCard, Step, WalletList};
use crate::model::SourceId;

/// A registered shopper's saved cards, as a radio group next to `Use a new
/// card` (which shows the card frame). The default is preselected; expired
/// cards and one declined just now are listed but not selectable. Each card
/// has `Remove`, which asks for confirmation first. Shown at payment entry for
/// checkouts with a `customerId`.
#[component]
pub fn SavedCards() -> impl IntoView {
    let c = ctx();
    let shown = Memo::new(move |_| {
        c.state
            .with(|s| s.step == Step::Payment && s.wallet.customer.is_some())
    });
    view! {
        <Show when=move || shown.get()>
            <SavedCardList />
        </Show>
    }
}

/// The radio group itself (see [`SavedCards`]).
#[component]
fn SavedCardList() -> impl IntoView {
    let c = ctx();
    let failed = Memo::new(move |_| c.state.with(|s| s.wallet.list == WalletList::Failed));
    let cards = Memo::new(move |_| c.state.with(|s| s.wallet.cards.clone()));
    let new_card = Memo::new(move |_| c.state.with(|s| s.wallet.choice.is_none()));
    let group = format!("{}-card", c.prefix);
    let new_id = format!("{}-new-card", c.prefix);
    let option_group = group.clone();
    view! {
        <fieldset class="cw-fieldset cw-wallet">
            <legend class="cw-legend">{t("legend.pay_with")}</legend>
            <Show when=move || failed.get()>
                <p class="cw-wallet__note">
                    {t("wallet.load_failed")}
                </p>
            </Show>
            <For each=move || cards.get() key=|card| card.id.clone() let:card>
                <SavedCardOption card=card group=option_group.clone() />
            </For>
            <div class="cw-wallet__option">
                <input type="radio" class="cw-wallet__radio" id=new_id.clone() name=group
                    prop:checked=move || new_card.get()
                    on:change=move |_| c.on_event.run(Event::ChooseCard(None)) />
                <BrandMark brand="" />
                <label class="cw-wallet__label" for=new_id>{t("label.new_card")}</label>
            </div>
        </fieldset>
    }
}

/// One saved card: its radio (named by brand and last four), its expiry, its
/// marks (expired, declined just now) and `Remove` with its confirmation.
#[component]
fn SavedCardOption(
    /// The card.
    card: SavedCard,
    /// The radio group's name.
    group: String,
) -> impl IntoView {
    let c = ctx();
    let id = card.id.clone();
    let input_id = format!("{}-saved-{}", c.prefix, dom_safe(&id));
    let text = c.text.get_untracked();
    let name = text.card_name(&card.card.brand, &card.card.last_four_digits);
    let expiry = text.card_expiry(
        card.card.expiration_month,
        card.card.expiration_year,
        card.expired,
    );
    let chosen = {
        let id = id.clone();
        Memo::new(move |_| c.state.with(|s| s.wallet.choice.as_ref() == Some(&id)))
    };
    let declined = {
        let id = id.clone();
        Memo::new(move |_| c.state.with(|s| s.wallet.declined.contains(&id)))
    };
    let confirming = {
        let id = id.clone();
        Memo::new(move |_| {
            c.state
                .with(|s| s.wallet.confirm_remove.as_ref() == Some(&id))
        })
    };
    let expired = card.expired;
    let choose = {
        let id = id.clone();
        move |_| c.on_event.run(Event::ChooseCard(Some(id.clone())))
    };
    let ask = {
        let id = id.clone();
        move |_| c.on_event.run(Event::AskRemove(id.clone()))
    };
    let confirm_text = text.fill("wallet.confirm_remove", &[("card", &name)]);
    view! {
        <div class="cw-wallet__option" class:cw-wallet__option--unusable=move || expired || declined.get()>
            <input type="radio" class="cw-wallet__radio" id=input_id.clone() name=group
                prop:checked=move || chosen.get()
                disabled=move || expired || declined.get()
                on:change=choose />
            // Beside the label, not in it: the label's text is the card's name.
            <BrandMark brand=card.card.brand.clone() />
            <label class="cw-wallet__label" for=input_id>
                {name.clone()}
                <span class="cw-wallet__meta">{expiry}</span>
                <Show when=move || declined.get()>
                    <span class="cw-wallet__mark">{t("wallet.declined_now")}</span>
                </Show>
            </label>
            <button type="button" class="cw-button cw-button--link" on:click=ask>
                {t("button.remove")}<span class="cw-visually-hidden">{format!(" {name}")}</span>
            </button>
            <Show when=move || confirming.get()>
                <div class="cw-wallet__confirm" role="group" aria-label=t("label.confirm_removal")>
                    <p class="cw-wallet__confirm-text">{confirm_text.clone()}</p>
                    <button type="button" class="cw-button cw-button--secondary"
                        on:click=move |_| c.on_event.run(Event::ConfirmRemove)>
                        {t("button.remove_confirm")}
                    </button>
                    <button type="button" class="cw-button cw-button--secondary"
                        on:click=move |_| c.on_event.run(Event::CancelRemove)>
                        {t("button.remove_cancel")}
                    </button>
                </div>
            </Show>
        </div>
    }
}

/// An id usable inside an element id (ids are opaque strings of any length).
fn dom_safe(id: &SourceId) -> String {
    id.as_str()
        .chars()
        .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '-' })
        .collect()
}
