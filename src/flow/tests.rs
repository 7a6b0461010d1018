//! Host tests of the journey: every branch of the contract's rules, then
//! property tests over random shopper/response sequences.

use super::*;
use crate::card_frame::protocol::{FieldError, FrameState};
use crate::model::{Customer, PaymentSession, SessionId};
use serde_json::json;

fn id(s: &str) -> CheckoutId {
    CheckoutId(s.into())
}

fn checkout(cid: &str, session_state: &str, remaining: f64) -> Checkout {
    serde_json::from_value(json!({
        "id": cid, "currency": "USD", "locale": "en_US", "email": "jdoe@example.com",
        "customerId": "cus_1", "upstreamId": "up_1", "metadata": {"campaign": "fall"},
        "shippingChoice": {"amount": 5.0, "description": "Standard"},
        "billTo": {"name": "Jane Doe", "phone": "555", "address": {"line1": "10380 Bren Rd W",
                   "city": "Minnetonka", "postalCode": "55343", "state": "MN", "country": "US"}},
        "shipTo": {"name": "Jane Doe", "address": {"line1": "10380 Bren Rd W", "city": "Minnetonka",
                   "postalCode": "55343", "state": "MN", "country": "US"}},
        "items": [{"id": "itm_1", "skuId": "sku_mug", "quantity": 2, "price": 10.0, "amount": 20.0,
                   "productDetails": {"name": "Mug", "image": "/img/mug.svg"}, "tax": {"amount": 1.51}}],
        "subtotal": 20.0, "totalTax": 1.51, "totalShipping": 5.0, "totalAmount": 26.51,
        "payment": {"sources": [], "session": {"id": format!("ses_{cid}"), "state": session_state,
                    "amountContributed": 26.51 - remaining, "amountRemainingToBeContributed": remaining}}
    }))
    .unwrap()
}

fn fresh(cid: &str) -> Checkout {
    checkout(cid, "requires_source", 26.51)
}

fn ready(cid: &str) -> Checkout {
    checkout(cid, "requires_confirmation", 0.0)
}

fn source(sid: &str) -> Source {
    serde_json::from_value(json!({"id": sid, "type": "creditCard", "state": "chargeable",
        "creditCard": {"brand": "Visa", "lastFourDigits": "1111", "expirationMonth": 7, "expirationYear": 2030}}))
    .unwrap()
}

fn order(oid: &str, cid: &str, state: &str) -> Order {
    serde_json::from_value(
        json!({"id": oid, "checkoutId": cid, "state": state, "totalAmount": 26.51}),
    )
    .unwrap()
}

fn err(code: &str, parameter: Option<&str>, message: &str) -> Vec<ErrorEntry> {
    vec![ErrorEntry {
        code: code.into(),
        parameter: parameter.map(str::to_owned),
        message: message.into(),
    }]
}

fn rejected(code: &str, parameter: Option<&str>, message: &str) -> ApiError {
    ApiError::Rejected {
        status: 400,
        errors: err(code, parameter, message),
    }
}

fn sends(cmds: &[Command]) -> Vec<Call> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Send(call) => Some(call.clone()),
            _ => None,
        })
        .collect()
}

/// The one call among `cmds`.
fn one(cmds: &[Command]) -> Call {
    let mut calls = sends(cmds);
    assert_eq!(calls.len(), 1, "expected exactly one call: {cmds:?}");
    calls.pop().unwrap()
}

fn notices(cmds: &[Command]) -> Vec<Notice> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Emit(n) => Some(n.clone()),
            _ => None,
        })
        .collect()
}

fn focus(cmds: &[Command]) -> Option<Field> {
    cmds.iter().find_map(|c| match c {
        Command::Focus(f) => Some(*f),
        _ => None,
    })
}

/// A widget mounted on `chk_1` and loaded into payment entry.
fn at_payment(config: Config) -> State {
    let mut s = State::new(Start::Existing(id("chk_1")), config);
    let cmds = update(&mut s, Event::Mounted { seed: 7 });
    assert_eq!(sends(&cmds), vec![Call::GetCheckout(id("chk_1"))]);
    let cmds = update(&mut s, Event::Reply(Reply::Checkout(Ok(fresh("chk_1")))));
    assert_eq!(s.step, Step::Payment);
    // The checkout is a registered shopper's (`cus_1`): its saved cards are
    // read first; this one has none.
    assert_eq!(sends(&cmds), vec![Call::GetCustomer("cus_1".into())]);
    update(
        &mut s,
        Event::Reply(Reply::Customer(Ok(customer(&[], None)))),
    );
    assert!(s.pending.is_none());
    s
}

/// A saved card of `cus_1`: (id, last four, expiry month, expiry year).
fn saved(sid: &str, last4: &str, month: u32, year: u32) -> Source {
    serde_json::from_value(json!({"id": sid, "type": "creditCard", "state": "chargeable",
        "reusable": true, "clientSecret": format!("{sid}_secret"),
        "creditCard": {"brand": "Visa", "lastFourDigits": last4, "expirationMonth": month, "expirationYear": year}}))
    .unwrap()
}

/// `GET /customers/cus_1` with these saved sources.
fn customer(sources: &[Source], default: Option<&str>) -> Customer {
    Customer {
        id: "cus_1".into(),
        email: Some("jdoe@example.com".into()),
        default_source_id: default.map(|d| SourceId(d.into())),
        sources: sources.to_vec(),
    }
}

/// The card frame came up and reports a complete, valid card.
fn type_card(s: &mut State) {
    update(s, Event::Frame(FromFrame::Ready));
    update(
        s,
        Event::Frame(FromFrame::State(FrameState {
            complete: true,
            brand: Some("Visa".into()),
            ..FrameState::default()
        })),
    );
}

/// What the frame hands back for a chargeable source.
fn card(sid: &str) -> CardSource {
    CardSource {
        source_id: sid.into(),
        brand: "Visa".into(),
        last4: "1111".into(),
        expiration_month: 7,
        expiration_year: 2030,
        name: "Jane Doe".into(),
    }
}

/// The frame messages among `cmds`.
fn to_frame(cmds: &[Command]) -> Vec<ToFrame> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::ToFrame(m) => Some(m.clone()),
            _ => None,
        })
        .collect()
}

/// The one tokenization asked of the frame: (request, session id, owner).
fn tokenize(cmds: &[Command]) -> (u32, String, Owner) {
    match to_frame(cmds).as_slice() {
        [ToFrame::Tokenize {
            request,
            session_id,
            owner,
        }] => (*request, session_id.clone(), owner.clone()),
        _ => panic!("expected one tokenization, got {cmds:?}"),
    }
}

/// Focus moved into the frame, to this card field.
fn card_focus(cmds: &[Command]) -> Option<CardField> {
    to_frame(cmds).into_iter().find_map(|m| match m {
        ToFrame::Focus { field } => Some(field),
        _ => None,
    })
}

/// Continue → tokenization in the frame → attach → first poll; returns the
/// session id and owner the frame was given.
fn pay(s: &mut State) -> (String, Owner) {
    type_card(s);
    let cmds = update(s, Event::Continue);
    let (request, session, owner) = tokenize(&cmds);
    let cmds = update(
        s,
        Event::Frame(FromFrame::Tokenized {
            request,
            source: card("src_1"),
        }),
    );
    let cid = s.checkout_id().unwrap().clone();
    assert_eq!(
        sends(&cmds),
        vec![Call::AttachSource(cid.clone(), SourceId("src_1".into()))]
    );
    let cmds = update(s, Event::Reply(Reply::Source(Ok(source("src_1")))));
    assert_eq!(s.step, Step::Waiting);
    assert_eq!(
        sends(&cmds),
        vec![Call::GetCheckout(cid)],
        "first readiness check is immediate"
    );
    (session, owner)
}

/// From payment entry to Review on the current checkout.
fn to_review(s: &mut State) {
    pay(s);
    let cid = s.checkout_id().unwrap().as_str().to_owned();
    update(s, Event::Reply(Reply::Checkout(Ok(ready(&cid)))));
    assert_eq!(s.step, Step::Review);
}

fn place(s: &mut State) -> CheckoutId {
    let cmds = update(s, Event::PlaceOrder);
    match sends(&cmds).as_slice() {
        [Call::PlaceOrder(cid)] => cid.clone(),
        other => panic!("expected one POST /orders, got {other:?}"),
    }
}

#[test]
fn loading_an_existing_checkout_prefills_and_announces() {
    let mut s = State::new(Start::Existing(id("chk_1")), Config::default());
    update(&mut s, Event::Mounted { seed: 1 });
    let cmds = update(&mut s, Event::Reply(Reply::Checkout(Ok(fresh("chk_1")))));
    assert_eq!(
        notices(&cmds),
        vec![Notice::Step("payment"), Notice::Ready(id("chk_1"))]
    );
    assert_eq!(s.form.get(Field::Email), "jdoe@example.com");
    assert_eq!(s.form.get(Field::Name), "Jane Doe");
    assert_eq!(s.form.get(Field::PostalCode), "55343");
    assert_eq!(s.form.get(Field::Country), "US");
    // The card frame's `Name on card` gets the billing name once it is up.
    assert_eq!(
        to_frame(&update(&mut s, Event::Frame(FromFrame::Ready))),
        vec![ToFrame::Prefill {
            name: "Jane Doe".into()
        }]
    );
}

/// A frame that is up before the checkout loads gets the name with the checkout.
#[test]
fn the_billing_name_reaches_a_frame_that_was_up_first() {
    let mut s = State::new(Start::Existing(id("chk_1")), Config::default());
    update(&mut s, Event::Mounted { seed: 1 });
    assert!(to_frame(&update(&mut s, Event::Frame(FromFrame::Ready))).is_empty());
    let cmds = update(&mut s, Event::Reply(Reply::Checkout(Ok(fresh("chk_1")))));
    assert_eq!(
        to_frame(&cmds),
        vec![ToFrame::Prefill {
            name: "Jane Doe".into()
        }]
    );
}

#[test]
fn a_cart_is_created_once_and_then_reread() {
    let cart = json!({"currency": "USD", "items": [{"skuId": "sku_mug"}]});
    let mut s = State::new(Start::Cart(cart.clone()), Config::default());
    let cmds = update(&mut s, Event::Mounted { seed: 1 });
    assert_eq!(sends(&cmds), vec![Call::CreateCheckout(cart)]);
    update(&mut s, Event::Reply(Reply::Checkout(Ok(fresh("chk_new")))));
    assert_eq!(s.checkout_id(), Some(&id("chk_new")));
}

#[test]
fn a_checkout_that_is_already_paid_opens_at_review_or_waiting() {
    let mut c = ready("chk_1");
    c.payment.sources.push(source("src_0"));
    let mut s = State::new(Start::Existing(id("chk_1")), Config::default());
    update(&mut s, Event::Mounted { seed: 1 });
    update(&mut s, Event::Reply(Reply::Checkout(Ok(c.clone()))));
    assert_eq!(s.step, Step::Review);
    assert_eq!(s.card.as_ref().unwrap().last_four_digits, "1111");

    c.payment.session = Some(PaymentSession {
        id: SessionId("ses".into()),
        state: "pending".into(),
        amount_contributed: Some(26.51),
        amount_remaining_to_be_contributed: Some(0.0),
    });
    let mut s = State::new(Start::Existing(id("chk_1")), Config::default());
    update(&mut s, Event::Mounted { seed: 1 });
    let cmds = update(&mut s, Event::Reply(Reply::Checkout(Ok(c))));
    assert_eq!(s.step, Step::Waiting);
    assert_eq!(sends(&cmds), vec![Call::GetCheckout(id("chk_1"))]);
}

#[test]
fn load_failures_offer_try_again_when_it_can_help() {
    let mut s = State::new(Start::Existing(id("chk_1")), Config::default());
    update(&mut s, Event::Mounted { seed: 1 });
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Checkout(Err(ApiError::Server {
            status: 502,
            retry_after: None,
        }))),
    );
    assert_eq!(s.step, Step::Error);
    assert!(notices(&cmds).contains(&Notice::Error(Failure::Server)));
    assert_eq!(
        sends(&update(&mut s, Event::Retry)),
        vec![Call::GetCheckout(id("chk_1"))]
    );
    assert!(
        update(&mut s, Event::Retry).is_empty(),
        "no second request while one is in flight"
    );

    // A missing checkout may have become an order: looked up first.
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Checkout(Err(ApiError::NotFound(vec![])))),
    );
    assert_eq!(sends(&cmds), vec![Call::FindOrders(id("chk_1"))]);
    update(
        &mut s,
        Event::Reply(Reply::Orders(Ok(OrderList {
            has_more: false,
            data: vec![],
        }))),
    );
    assert_eq!(s.failure_shown(), Some(Failure::CheckoutNotFound));
    assert!(
        update(&mut s, Event::Retry).is_empty(),
        "a missing checkout is not retried"
    );
}

impl State {
    fn failure_shown(&self) -> Option<Failure> {
        match &self.alert {
            Some(Alert::Failed(f) | Alert::Retrying(f)) => Some(f.clone()),
            _ => None,
        }
    }
}

#[test]
fn an_invalid_form_sends_nothing_and_focuses_the_first_problem() {
    let mut s = at_payment(Config::default());
    update(&mut s, Event::Frame(FromFrame::Ready));
    // The frame says the card is incomplete (the number is wrong, the code missing).
    update(
        &mut s,
        Event::Frame(FromFrame::State(FrameState {
            complete: false,
            invalid: vec![CardField::Number, CardField::Cvc],
            ..FrameState::default()
        })),
    );
    update(&mut s, Event::Input(Field::Email, "nope".into()));
    let cmds = update(&mut s, Event::Continue);
    assert!(sends(&cmds).is_empty());
    assert!(s.pending.is_none());
    assert_eq!(s.alert, Some(Alert::Invalid));
    assert!(
        to_frame(&cmds).contains(&ToFrame::Validate),
        "the frame shows its problems"
    );
    assert_eq!(
        card_focus(&cmds),
        Some(CardField::Number),
        "the card comes first in the form"
    );
    assert_eq!(focus(&cmds), None);
    assert_eq!(s.visible_problem(Field::Email), Some(Problem::EmailInvalid));
    // With the card complete, the first problem is the email, on this page.
    update(
        &mut s,
        Event::Frame(FromFrame::State(FrameState {
            complete: true,
            ..FrameState::default()
        })),
    );
    let cmds = update(&mut s, Event::Continue);
    assert!(sends(&cmds).is_empty() && card_focus(&cmds).is_none());
    assert_eq!(focus(&cmds), Some(Field::Email));
    // Errors shown inside the frame decide the focus when nothing else is known.
    update(
        &mut s,
        Event::Frame(FromFrame::State(FrameState {
            errors: vec![FieldError {
                field: CardField::Expiry,
                message: "In the past".into(),
            }],
            ..FrameState::default()
        })),
    );
    assert_eq!(
        card_focus(&update(&mut s, Event::Continue)),
        Some(CardField::Expiry)
    );
}

/// `Continue` pressed while the frame loads is not lost: the purchase goes
/// on once the frame is up and reports a complete card (typed before it was).
#[test]
fn continue_pressed_while_the_frame_loads_goes_on_when_it_is_ready() {
    let mut s = at_payment(Config::default());
    assert!(update(&mut s, Event::Continue).is_empty());
    assert_eq!(s.alert, Some(Alert::FrameLoading));
    update(&mut s, Event::Frame(FromFrame::Ready));
    let cmds = update(
        &mut s,
        Event::Frame(FromFrame::State(FrameState {
            complete: true,
            ..FrameState::default()
        })),
    );
    tokenize(&cmds);
    assert_eq!(s.alert, None);
}

#[test]
fn continue_waits_for_the_card_frame() {
    let mut s = at_payment(Config::default());
    let cmds = update(&mut s, Event::Continue);
    assert!(cmds.is_empty(), "nothing to tokenize with: {cmds:?}");
    assert_eq!(s.alert, Some(Alert::FrameLoading));
    type_card(&mut s);
    assert_eq!(s.alert, None, "the frame came up: the message goes");
    assert_eq!(
        s.pending,
        Some(Pending::CreateSource),
        "and the Continue pressed meanwhile went on"
    );
}

#[test]
fn errors_show_after_blur_not_while_typing() {
    let mut s = at_payment(Config::default());
    update(&mut s, Event::Input(Field::Email, "jane@".into()));
    assert_eq!(s.visible_problem(Field::Email), None);
    update(&mut s, Event::Blur(Field::Email));
    assert_eq!(s.visible_problem(Field::Email), Some(Problem::EmailInvalid));
    update(
        &mut s,
        Event::Input(Field::Email, "jane@example.com".into()),
    );
    assert_eq!(s.visible_problem(Field::Email), None);
    update(&mut s, Event::Input(Field::Country, " de ".into()));
    assert_eq!(s.form.get(Field::Country), "DE", "countries are normalised");
}

#[test]
fn happy_path_tokenizes_in_the_frame_waits_and_places_one_order() {
    let mut s = at_payment(Config::default());
    let (session, owner) = pay(&mut s);
    // The frame creates the source against this checkout's session, with the
    // billing data of this page; it hands back only the card's summary.
    assert_eq!(session, "ses_chk_1");
    assert_eq!(owner.email, "jdoe@example.com");
    assert_eq!(owner.address["postalCode"], "55343");
    assert_eq!(owner.address["country"], "US");
    let card = s.card.as_ref().unwrap();
    assert_eq!(
        (card.brand.as_str(), card.last_four_digits.as_str()),
        ("Visa", "1111")
    );
    assert_eq!((card.expiration_month, card.expiration_year), (7, 2030));
    assert_eq!(s.source, Some(SourceId("src_1".into())));

    // Not ready yet: a backed-off, jittered timer, then another look.
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Checkout(Ok(checkout("chk_1", "pending", 0.0)))),
    );
    let Some(Command::Schedule { generation, ms }) = cmds.first().cloned() else {
        panic!("expected a timer, got {cmds:?}")
    };
    assert!(
        (200..=300).contains(&ms),
        "first delay 250 ms ± 20 %, got {ms}"
    );
    assert!(
        update(&mut s, Event::Timer(generation + 1)).is_empty(),
        "stale timers do nothing"
    );
    assert_eq!(
        sends(&update(&mut s, Event::Timer(generation))),
        vec![Call::GetCheckout(id("chk_1"))]
    );
    assert!(
        update(&mut s, Event::Timer(generation)).is_empty(),
        "one check at a time"
    );
    let cmds = update(&mut s, Event::Reply(Reply::Checkout(Ok(ready("chk_1")))));
    assert_eq!(s.step, Step::Review);
    assert_eq!(notices(&cmds), vec![Notice::Step("review")]);

    // One order, however often the button is pressed.
    assert_eq!(place(&mut s), id("chk_1"));
    assert!(update(&mut s, Event::PlaceOrder).is_empty());
    assert!(update(&mut s, Event::PlaceOrder).is_empty());
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Order(Ok(order("ord_1", "chk_1", "accepted")))),
    );
    assert_eq!(s.step, Step::Complete);
    assert!(notices(&cmds).contains(&Notice::OrderCreated(order("ord_1", "chk_1", "accepted"))));
    // A placed checkout is never ordered again.
    s.step = Step::Review;
    assert!(update(&mut s, Event::PlaceOrder).is_empty());
}

#[test]
fn edited_contact_data_is_saved_first_with_only_the_changed_fields() {
    let mut s = at_payment(Config::default());
    type_card(&mut s);
    update(
        &mut s,
        Event::Input(Field::Email, "jane@example.com".into()),
    );
    let cmds = update(&mut s, Event::Continue);
    assert_eq!(
        sends(&cmds),
        vec![Call::UpdateCheckout(
            id("chk_1"),
            json!({"email": "jane@example.com"})
        )]
    );
    assert!(
        update(&mut s, Event::Continue).is_empty(),
        "no double submit"
    );
    let mut saved = fresh("chk_1");
    saved.email = Some("jane@example.com".into());
    let cmds = update(&mut s, Event::Reply(Reply::Checkout(Ok(saved))));
    assert!(sends(&cmds).is_empty());
    let (_, _, owner) = tokenize(&cmds);
    assert_eq!(
        owner.email, "jane@example.com",
        "the saved email goes to the source"
    );

    // A billing change sends the whole billTo object, and only it.
    let mut s = at_payment(Config::default());
    type_card(&mut s);
    update(&mut s, Event::Input(Field::PostalCode, "55344".into()));
    let cmds = update(&mut s, Event::Continue);
    let Call::UpdateCheckout(_, body) = one(&cmds) else {
        panic!()
    };
    assert_eq!(body.as_object().unwrap().len(), 1);
    assert_eq!(body["billTo"]["address"]["postalCode"], "55344");
    assert_eq!(
        body["billTo"]["phone"], "555",
        "untouched billTo fields are kept"
    );
}

#[test]
fn a_rejected_contact_update_marks_the_field() {
    let mut s = at_payment(Config::default());
    type_card(&mut s);
    update(
        &mut s,
        Event::Input(Field::Email, "jane@example.com".into()),
    );
    update(&mut s, Event::Continue);
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Checkout(Err(rejected(
            "invalid_parameter",
            Some("email"),
            "Bad email",
        )))),
    );
    assert_eq!(focus(&cmds), Some(Field::Email));
    assert_eq!(s.server_error(Field::Email), Some("Bad email"));
    assert!(
        to_frame(&cmds).is_empty(),
        "the card typed into the frame is kept: {cmds:?}"
    );
    update(&mut s, Event::Input(Field::Email, "j@example.com".into()));
    assert_eq!(
        s.server_error(Field::Email),
        None,
        "editing clears the server's message"
    );
}

#[test]
fn a_failed_source_returns_to_the_form_with_the_message() {
    let mut s = at_payment(Config::default());
    type_card(&mut s);
    let (request, _, _) = tokenize(&update(&mut s, Event::Continue));
    assert!(
        update(&mut s, Event::Continue).is_empty(),
        "one tokenization at a time"
    );
    let cmds = update(
        &mut s,
        Event::Frame(FromFrame::TokenizeFailed {
            request,
            failure: TokenizeFailure::Refused,
            message: Some("This card cannot be used.".into()),
        }),
    );
    assert_eq!(s.step, Step::Payment);
    assert_eq!(card_focus(&cmds), Some(CardField::Number));
    assert_eq!(
        s.alert,
        Some(Alert::CardFailed {
            message: Some("This card cannot be used.".into())
        })
    );
    assert!(s.pending.is_none());
    assert!(sends(&cmds).is_empty());
    // The shopper can try another card at once: a new request id.
    let (again, _, _) = tokenize(&update(&mut s, Event::Continue));
    assert_ne!(again, request);
    // The old request's late answer changes nothing.
    let before = s.clone();
    let cmds = update(
        &mut s,
        Event::Frame(FromFrame::Tokenized {
            request,
            source: card("src_old"),
        }),
    );
    assert!(cmds.is_empty());
    assert_eq!(s, before);
}

#[test]
fn a_network_failure_creating_the_source_keeps_everything_and_offers_try_again() {
    let mut s = at_payment(Config::default());
    type_card(&mut s);
    let (request, _, _) = tokenize(&update(&mut s, Event::Continue));
    let cmds = update(
        &mut s,
        Event::Frame(FromFrame::TokenizeFailed {
            request,
            failure: TokenizeFailure::Network,
            message: None,
        }),
    );
    assert!(notices(&cmds).contains(&Notice::Error(Failure::Network)));
    assert_eq!(s.retry, Some(Retry::Continue));
    assert!(
        !to_frame(&cmds).contains(&ToFrame::Reset),
        "the card stays in the frame"
    );
    tokenize(&update(&mut s, Event::Retry));
}

#[test]
fn an_incomplete_card_at_tokenization_shows_the_frames_problems() {
    let mut s = at_payment(Config::default());
    type_card(&mut s);
    let (request, _, _) = tokenize(&update(&mut s, Event::Continue));
    let cmds = update(
        &mut s,
        Event::Frame(FromFrame::TokenizeFailed {
            request,
            failure: TokenizeFailure::Incomplete,
            message: None,
        }),
    );
    assert_eq!(s.alert, Some(Alert::Invalid));
    assert!(to_frame(&cmds).contains(&ToFrame::Validate));
    assert!(card_focus(&cmds).is_some());
    assert!(s.pending.is_none());
}

#[test]
fn attach_failures_retry_the_same_source() {
    let mut s = at_payment(Config::default());
    type_card(&mut s);
    let (request, _, _) = tokenize(&update(&mut s, Event::Continue));
    update(
        &mut s,
        Event::Frame(FromFrame::Tokenized {
            request,
            source: card("src_1"),
        }),
    );
    update(
        &mut s,
        Event::Reply(Reply::Source(Err(ApiError::Server {
            status: 503,
            retry_after: Some(1),
        }))),
    );
    assert_eq!(
        sends(&update(&mut s, Event::Retry)),
        vec![Call::AttachSource(id("chk_1"), SourceId("src_1".into()))]
    );
}

#[test]
fn a_409_opens_payment_on_a_fresh_checkout_and_never_reuses_the_old_one() {
    let mut s = at_payment(Config::default());
    to_review(&mut s);
    assert_eq!(place(&mut s), id("chk_1"));
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Order(Err(ApiError::Conflict(err(
            "failed-request",
            None,
            "Your card was declined.",
        ))))),
    );
    let Call::CreateCheckout(body) = one(&cmds) else {
        panic!("expected a fresh checkout, got {cmds:?}")
    };
    assert_eq!(body, fresh_checkout_body(&ready("chk_1")));
    assert_eq!(s.step, Step::Submitting);

    let cmds = update(&mut s, Event::Reply(Reply::Checkout(Ok(fresh("chk_2")))));
    assert_eq!(s.step, Step::Payment);
    assert_eq!(card_focus(&cmds), Some(CardField::Number));
    assert!(
        to_frame(&cmds).contains(&ToFrame::Reset),
        "the declined card is emptied from the frame"
    );
    assert_eq!(
        notices(&cmds),
        vec![
            Notice::Step("payment"),
            Notice::Declined {
                checkout_id: id("chk_1"),
                new_checkout_id: id("chk_2"),
                alert: Alert::Declined {
                    message: Some("Your card was declined.".into()),
                    hard: false
                },
            }
        ]
    );
    assert_eq!(
        s.form.get(Field::Name),
        "Jane Doe",
        "everything else is kept"
    );
    assert!(s.card.is_none());

    // Paying again goes to the new checkout's session and orders the new id.
    let (session, _) = pay(&mut s);
    assert_eq!(session, "ses_chk_2");
    update(&mut s, Event::Reply(Reply::Checkout(Ok(ready("chk_2")))));
    assert_eq!(place(&mut s), id("chk_2"));
    assert!(s.dead.contains(&id("chk_1")));
}

#[test]
fn declines_can_repeat_and_each_gets_a_fresh_checkout() {
    let mut s = at_payment(Config::default());
    let mut ordered = vec![];
    for n in 2..=4 {
        to_review(&mut s);
        ordered.push(place(&mut s));
        update(
            &mut s,
            Event::Reply(Reply::Order(Err(ApiError::Conflict(vec![])))),
        );
        update(
            &mut s,
            Event::Reply(Reply::Checkout(Ok(fresh(&format!("chk_{n}"))))),
        );
    }
    to_review(&mut s);
    ordered.push(place(&mut s));
    assert_eq!(
        ordered,
        vec![id("chk_1"), id("chk_2"), id("chk_3"), id("chk_4")]
    );
}

#[test]
fn hard_declines_are_told_apart() {
    let mut s = at_payment(Config::default());
    to_review(&mut s);
    place(&mut s);
    update(
        &mut s,
        Event::Reply(Reply::Order(Err(ApiError::Conflict(err(
            "fraud_blocked",
            None,
            "",
        ))))),
    );
    assert_eq!(
        s.alert,
        Some(Alert::Declined {
            message: None,
            hard: true
        })
    );
}

#[test]
fn a_failed_fresh_checkout_can_be_retried_with_the_same_body() {
    let mut s = at_payment(Config::default());
    to_review(&mut s);
    place(&mut s);
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Order(Err(ApiError::Conflict(vec![])))),
    );
    let first = sends(&cmds);
    update(
        &mut s,
        Event::Reply(Reply::Checkout(Err(ApiError::Network))),
    );
    assert_eq!(s.step, Step::Error);
    assert_eq!(sends(&update(&mut s, Event::Retry)), first);
    // The dead checkout is not ordered while we wait.
    assert!(update(&mut s, Event::PlaceOrder).is_empty());
}

#[test]
fn fresh_checkout_body_carries_the_shopper_data_only() {
    let body = fresh_checkout_body(&ready("chk_1"));
    assert_eq!(
        body,
        json!({
            "currency": "USD", "locale": "en_US", "email": "jdoe@example.com",
            "customerId": "cus_1", "upstreamId": "up_1", "metadata": {"campaign": "fall"},
            "shippingChoice": {"amount": 5.0, "description": "Standard"},
            "billTo": {"name": "Jane Doe", "phone": "555", "address": {"line1": "10380 Bren Rd W",
                       "line2": "", "city": "Minnetonka", "postalCode": "55343", "state": "MN", "country": "US"}},
            "shipTo": {"name": "Jane Doe", "phone": "", "address": {"line1": "10380 Bren Rd W", "line2": "",
                       "city": "Minnetonka", "postalCode": "55343", "state": "MN", "country": "US"}},
            "items": [{"skuId": "sku_mug", "quantity": 2, "price": 10.0,
                       "productDetails": {"name": "Mug", "image": "/img/mug.svg"}}]
        })
    );
}

#[test]
fn a_rejected_email_is_fixed_on_the_same_checkout() {
    let mut s = at_payment(Config::default());
    to_review(&mut s);
    place(&mut s);
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Order(Err(rejected(
            "order_create_failed",
            Some("email"),
            "Use another email.",
        )))),
    );
    assert_eq!(s.step, Step::Fix);
    assert_eq!(s.fix_fields, vec![Field::Email]);
    assert_eq!(focus(&cmds), Some(Field::Email));
    assert!(notices(&cmds).contains(&Notice::NeedsInput {
        checkout_id: id("chk_1"),
        fields: vec!["email".into()],
        alert: Alert::NeedsInput {
            message: Some("Use another email.".into())
        },
    }));
    // Saving unchanged data would fail the same way: nothing is sent.
    assert!(sends(&update(&mut s, Event::SaveFix)).is_empty());
    update(&mut s, Event::Input(Field::Email, "not-an-email".into()));
    let cmds = update(&mut s, Event::SaveFix);
    assert!(
        sends(&cmds).is_empty(),
        "invalid input is caught before sending"
    );
    assert_eq!(s.visible_problem(Field::Email), Some(Problem::EmailInvalid));
    update(
        &mut s,
        Event::Input(Field::Email, "jane@example.com".into()),
    );
    let cmds = update(&mut s, Event::SaveFix);
    assert_eq!(
        sends(&cmds),
        vec![Call::UpdateCheckout(
            id("chk_1"),
            json!({"email": "jane@example.com"})
        )]
    );
    let mut saved = ready("chk_1");
    saved.email = Some("jane@example.com".into());
    let cmds = update(&mut s, Event::Reply(Reply::Checkout(Ok(saved))));
    assert_eq!(
        sends(&cmds),
        vec![Call::PlaceOrder(id("chk_1"))],
        "the same id, again"
    );
}

#[test]
fn a_rejected_postal_code_is_fixed_with_the_billing_address() {
    let mut s = at_payment(Config::default());
    to_review(&mut s);
    place(&mut s);
    update(
        &mut s,
        Event::Reply(Reply::Order(Err(rejected(
            "invalid_parameter",
            Some("billTo.address.postalCode"),
            "Bad postal code",
        )))),
    );
    assert_eq!(s.fix_fields, vec![Field::PostalCode]);
    assert_eq!(s.server_error(Field::PostalCode), Some("Bad postal code"));
    update(&mut s, Event::Input(Field::PostalCode, "55401".into()));
    let Call::UpdateCheckout(cid, body) = one(&update(&mut s, Event::SaveFix)) else {
        panic!()
    };
    assert_eq!(cid, id("chk_1"));
    assert_eq!(body["billTo"]["address"]["postalCode"], "55401");
    assert_eq!(body["billTo"]["name"], "Jane Doe");
    // A 400 from the update itself is handled the same way.
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Checkout(Err(rejected(
            "invalid_parameter",
            Some("billTo.address.city"),
            "Bad city",
        )))),
    );
    assert_eq!(s.step, Step::Fix);
    assert_eq!(s.fix_fields, vec![Field::PostalCode, Field::City]);
    assert_eq!(focus(&cmds), Some(Field::City));
}

#[test]
fn a_4xx_without_parameter_shows_the_whole_contact_form() {
    let mut s = at_payment(Config::default());
    to_review(&mut s);
    place(&mut s);
    update(
        &mut s,
        Event::Reply(Reply::Order(Err(rejected("bad_request", None, "")))),
    );
    assert_eq!(s.step, Step::Fix);
    assert_eq!(s.fix_fields, Field::CONTACT.to_vec());
}

#[test]
fn order_submit_failed_goes_back_to_waiting() {
    let mut s = at_payment(Config::default());
    to_review(&mut s);
    place(&mut s);
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Order(Err(rejected(
            "order_submit_failed",
            None,
            "Not ready",
        )))),
    );
    assert_eq!(s.step, Step::Waiting);
    assert_eq!(sends(&cmds), vec![Call::GetCheckout(id("chk_1"))]);
    // …and to payment entry on the same checkout if the session needs a source.
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Checkout(Ok(checkout(
            "chk_1",
            "requires_source",
            26.51,
        )))),
    );
    assert_eq!(s.step, Step::Payment);
    assert_eq!(s.alert, Some(Alert::PaymentAgain));
    assert_eq!(card_focus(&cmds), Some(CardField::Number));
    assert!(to_frame(&cmds).contains(&ToFrame::Reset));
    assert_eq!(s.checkout_id(), Some(&id("chk_1")));
}

#[test]
fn a_404_on_order_is_resolved_by_lookup() {
    let mut s = at_payment(Config::default());
    to_review(&mut s);
    place(&mut s);
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Order(Err(ApiError::NotFound(vec![])))),
    );
    assert_eq!(sends(&cmds), vec![Call::FindOrders(id("chk_1"))]);
    let list = OrderList {
        has_more: false,
        data: vec![order("ord_1", "chk_1", "accepted")],
    };
    update(&mut s, Event::Reply(Reply::Orders(Ok(list))));
    assert_eq!(s.step, Step::Complete);
    assert_eq!(s.order.as_ref().unwrap().id.as_str(), "ord_1");
}

#[test]
fn a_404_with_no_order_ends_that_checkout() {
    let mut s = at_payment(Config::default());
    to_review(&mut s);
    place(&mut s);
    update(
        &mut s,
        Event::Reply(Reply::Order(Err(ApiError::NotFound(vec![])))),
    );
    update(
        &mut s,
        Event::Reply(Reply::Orders(Ok(OrderList::default()))),
    );
    assert_eq!(s.step, Step::Error);
    s.step = Step::Review;
    assert!(update(&mut s, Event::PlaceOrder).is_empty());
}

#[test]
fn no_answer_means_look_first_and_place_again_only_if_none_exists() {
    for lost in [
        ApiError::Network,
        ApiError::Timeout,
        ApiError::Decode,
        ApiError::Server {
            status: 502,
            retry_after: None,
        },
    ] {
        let mut s = at_payment(Config::default());
        to_review(&mut s);
        place(&mut s);
        let cmds = update(&mut s, Event::Reply(Reply::Order(Err(lost.clone()))));
        assert_eq!(
            sends(&cmds),
            vec![Call::FindOrders(id("chk_1"))],
            "{lost:?}"
        );
        // The lookup fails too: still unknown, so `Try again` looks again.
        update(&mut s, Event::Reply(Reply::Orders(Err(ApiError::Network))));
        assert_eq!(s.step, Step::Error);
        assert_eq!(
            sends(&update(&mut s, Event::Retry)),
            vec![Call::FindOrders(id("chk_1"))]
        );
        // None exists: the same checkout may be placed again.
        update(
            &mut s,
            Event::Reply(Reply::Orders(Ok(OrderList::default()))),
        );
        assert_eq!(s.step, Step::Review);
        assert_eq!(s.alert, Some(Alert::NotPlaced));
        assert_eq!(
            sends(&update(&mut s, Event::Retry)),
            vec![Call::PlaceOrder(id("chk_1"))]
        );
        update(
            &mut s,
            Event::Reply(Reply::Order(Ok(order("ord_9", "chk_1", "in_review")))),
        );
        assert_eq!(s.step, Step::Complete);
    }
}

#[test]
fn an_order_in_an_unknown_state_is_not_a_success() {
    let mut s = at_payment(Config::default());
    to_review(&mut s);
    place(&mut s);
    update(
        &mut s,
        Event::Reply(Reply::Order(Ok(order("ord_1", "chk_1", "blocked")))),
    );
    assert_eq!(s.step, Step::Error);
    assert_eq!(s.failure_shown(), Some(Failure::OrderNotPlaced));
    assert!(
        s.dead.contains(&id("chk_1")),
        "an order exists: never order it again"
    );
}

#[test]
fn readiness_waiting_gives_up_with_still_waiting_and_try_again() {
    let config = Config {
        readiness_timeout_ms: 3_000,
        ..Config::default()
    };
    let mut s = at_payment(config);
    pay(&mut s);
    let mut delays = vec![];
    loop {
        // Failed reads count as attempts and are retried on their own.
        let reply = if delays.len() % 2 == 0 {
            Ok(checkout("chk_1", "pending", 0.0))
        } else {
            Err(ApiError::Network)
        };
        let cmds = update(&mut s, Event::Reply(Reply::Checkout(reply)));
        match cmds.as_slice() {
            [Command::Schedule { generation, ms }] => {
                delays.push(*ms);
                update(&mut s, Event::Timer(*generation));
            }
            [] => break,
            other => panic!("{other:?}"),
        }
    }
    assert!(delays.iter().sum::<u64>() <= 3_000, "{delays:?}");
    assert!(delays.len() >= 3, "{delays:?}");
    assert!(
        delays.windows(2).all(|w| w[1] * 10 >= w[0] * 8),
        "backs off: {delays:?}"
    );
    assert_eq!(s.alert, Some(Alert::StillWaiting));
    assert_eq!(s.step, Step::Waiting);
    assert_eq!(
        sends(&update(&mut s, Event::Retry)),
        vec![Call::GetCheckout(id("chk_1"))]
    );
}

#[test]
fn poll_delays_back_off_to_the_cap_with_bounded_jitter() {
    let mut s = at_payment(Config::default());
    let mut last = 0;
    for attempt in 1..30 {
        s.poll.attempt = attempt;
        let d = s.poll_delay();
        assert!(d <= 2_400, "cap 2000 + 20 %: {d}");
        assert!(d >= 200, "{d}");
        last = d;
    }
    assert!(last >= 1_600, "reaches the cap: {last}");
}

#[test]
fn without_review_the_order_is_placed_as_soon_as_the_session_is_ready() {
    let mut s = at_payment(Config {
        review: false,
        ..Config::default()
    });
    pay(&mut s);
    let cmds = update(&mut s, Event::Reply(Reply::Checkout(Ok(ready("chk_1")))));
    assert_eq!(sends(&cmds), vec![Call::PlaceOrder(id("chk_1"))]);
    assert_eq!(s.step, Step::Submitting);
}

#[test]
fn replies_nobody_asked_for_are_ignored() {
    let mut s = at_payment(Config::default());
    let before = s.clone();
    assert!(update(
        &mut s,
        Event::Reply(Reply::Order(Ok(order("ord_x", "chk_1", "accepted"))))
    )
    .is_empty());
    assert_eq!(s, before);
    // A reply of the wrong shape for the request in flight is unreadable, not trusted.
    update(
        &mut s,
        Event::Input(Field::Email, "jane@example.com".into()),
    );
    type_card(&mut s);
    update(&mut s, Event::Continue);
    assert_eq!(s.pending, Some(Pending::SaveContact));
    update(
        &mut s,
        Event::Reply(Reply::Order(Ok(order("ord_x", "chk_1", "accepted")))),
    );
    assert_eq!(s.failure_shown(), Some(Failure::Decode));
    assert!(s.order.is_none());
    // While the frame tokenizes, no HTTP answer is taken for its answer.
    update(&mut s, Event::Retry);
    update(&mut s, Event::Reply(Reply::Checkout(Ok(fresh("chk_1")))));
    assert_eq!(s.pending, Some(Pending::CreateSource));
    let before = s.clone();
    assert!(update(&mut s, Event::Reply(Reply::Source(Ok(source("src_x"))))).is_empty());
    assert_eq!(s, before);
}

#[test]
fn input_outside_forms_is_ignored() {
    let mut s = at_payment(Config::default());
    to_review(&mut s);
    update(&mut s, Event::Input(Field::Email, "x@example.com".into()));
    assert_eq!(s.form.get(Field::Email), "jdoe@example.com");
}

fn timer(cmds: &[Command]) -> Option<(u32, u64)> {
    cmds.iter().find_map(|c| match c {
        Command::Schedule { generation, ms } => Some((*generation, *ms)),
        _ => None,
    })
}

#[test]
fn reads_retry_by_themselves_then_ask() {
    let mut s = State::new(Start::Existing(id("chk_1")), Config::default());
    update(&mut s, Event::Mounted { seed: 3 });
    let mut delays = vec![];
    for _ in 0..AUTO_RETRIES {
        let cmds = update(
            &mut s,
            Event::Reply(Reply::Checkout(Err(ApiError::Network))),
        );
        let (generation, ms) = timer(&cmds).expect("an automatic retry");
        assert!(matches!(s.alert, Some(Alert::Retrying(Failure::Network))));
        assert_eq!(s.retry, Some(Retry::Load), "`Try again` works at once too");
        delays.push(ms);
        assert!(
            update(&mut s, Event::Timer(generation + 1)).is_empty(),
            "stale timer"
        );
        assert_eq!(
            sends(&update(&mut s, Event::Timer(generation))),
            vec![Call::GetCheckout(id("chk_1"))]
        );
    }
    assert!(
        delays.windows(2).all(|w| w[1] > w[0]),
        "backs off: {delays:?}"
    );
    assert!(
        delays.iter().all(|d| (400..=4800).contains(d)),
        "{delays:?}"
    );
    // Budget spent: now it asks.
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Checkout(Err(ApiError::Network))),
    );
    assert_eq!(timer(&cmds), None);
    assert_eq!(s.alert, Some(Alert::Failed(Failure::Network)));
    assert_eq!(
        sends(&update(&mut s, Event::Retry)),
        vec![Call::GetCheckout(id("chk_1"))]
    );
    update(&mut s, Event::Reply(Reply::Checkout(Ok(fresh("chk_1")))));
    assert_eq!(s.step, Step::Payment);
    assert_eq!(s.auto_retries, 0, "success resets the budget");
}

#[test]
fn pressing_try_again_cancels_the_automatic_retry() {
    let mut s = State::new(Start::Existing(id("chk_1")), Config::default());
    update(&mut s, Event::Mounted { seed: 3 });
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Checkout(Err(ApiError::Timeout))),
    );
    let (generation, _) = timer(&cmds).unwrap();
    assert_eq!(sends(&update(&mut s, Event::Retry)).len(), 1);
    update(
        &mut s,
        Event::Reply(Reply::Checkout(Err(ApiError::Timeout))),
    );
    assert!(
        update(&mut s, Event::Timer(generation)).is_empty(),
        "the old timer is stale"
    );
}

#[test]
fn creating_from_a_cart_is_not_retried_blindly() {
    let cart = json!({"items": []});
    let mut s = State::new(Start::Cart(cart.clone()), Config::default());
    update(&mut s, Event::Mounted { seed: 3 });
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Checkout(Err(ApiError::Network))),
    );
    assert_eq!(timer(&cmds), None, "a lost create may have created one");
    assert_eq!(s.alert, Some(Alert::Failed(Failure::Network)));
    // …unless the server said when to come back.
    assert_eq!(
        sends(&update(&mut s, Event::Retry)),
        vec![Call::CreateCheckout(cart.clone())]
    );
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Checkout(Err(ApiError::Server {
            status: 503,
            retry_after: Some(2),
        }))),
    );
    let (generation, ms) = timer(&cmds).unwrap();
    assert_eq!(ms, 2_000, "Retry-After is honoured");
    assert_eq!(
        sends(&update(&mut s, Event::Timer(generation))),
        vec![Call::CreateCheckout(cart)]
    );
}

#[test]
fn state_changing_calls_wait_for_try_again_unless_told_when() {
    let mut s = at_payment(Config::default());
    type_card(&mut s);
    let (request, _, _) = tokenize(&update(&mut s, Event::Continue));
    // The frame's POST /sources failed with a 5xx: not retried by itself.
    let cmds = update(
        &mut s,
        Event::Frame(FromFrame::TokenizeFailed {
            request,
            failure: TokenizeFailure::Server,
            message: None,
        }),
    );
    assert_eq!(timer(&cmds), None);
    assert_eq!(s.retry, Some(Retry::Continue));
    // Attaching (an update of ours) answered 503 + Retry-After: retried when told.
    let (request, _, _) = tokenize(&update(&mut s, Event::Retry));
    update(
        &mut s,
        Event::Frame(FromFrame::Tokenized {
            request,
            source: card("src_1"),
        }),
    );
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Source(Err(ApiError::Server {
            status: 503,
            retry_after: Some(1),
        }))),
    );
    let (generation, ms) = timer(&cmds).unwrap();
    assert_eq!(ms, 1_000);
    assert_eq!(
        sends(&update(&mut s, Event::Timer(generation))),
        vec![Call::AttachSource(id("chk_1"), SourceId("src_1".into()))]
    );
    // A Retry-After beyond reason is left to the shopper.
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Source(Err(ApiError::Server {
            status: 503,
            retry_after: Some(3600),
        }))),
    );
    assert_eq!(timer(&cmds), None);
    assert_eq!(s.retry, Some(Retry::Attach));
}

#[test]
fn an_order_answered_503_is_looked_up_then_placed_again_when_the_server_said() {
    let mut s = at_payment(Config::default());
    to_review(&mut s);
    place(&mut s);
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Order(Err(ApiError::Server {
            status: 503,
            retry_after: Some(2),
        }))),
    );
    assert_eq!(
        sends(&cmds),
        vec![Call::FindOrders(id("chk_1"))],
        "look first"
    );
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Orders(Ok(OrderList::default()))),
    );
    let (generation, ms) = timer(&cmds).expect("placed again after Retry-After");
    assert_eq!(ms, 2_000);
    assert_eq!(
        sends(&update(&mut s, Event::Timer(generation))),
        vec![Call::PlaceOrder(id("chk_1"))]
    );
}

/// Continue with a card that needs 3-D Secure: the frame opens the challenge.
/// Returns the request id.
fn challenged(s: &mut State) -> u32 {
    type_card(s);
    let (request, _, _) = tokenize(&update(s, Event::Continue));
    let cmds = update(s, Event::Frame(FromFrame::ChallengeStarted { request }));
    assert_eq!(s.step, Step::Authenticating);
    assert_eq!(notices(&cmds), vec![Notice::Step("authenticating")]);
    assert_eq!(
        timer(&cmds).map(|(_, ms)| ms),
        Some(600_000),
        "the challenge has a time limit"
    );
    assert_eq!(
        s.pending,
        Some(Pending::CreateSource),
        "still one request in flight"
    );
    request
}

fn ended(request: u32, outcome: ChallengeOutcome, source: Option<CardSource>) -> Event {
    Event::Frame(FromFrame::ChallengeEnded {
        request,
        outcome,
        source,
    })
}

#[test]
fn a_passed_challenge_attaches_the_source_and_orders_once() {
    let mut s = at_payment(Config::default());
    let request = challenged(&mut s);
    assert!(update(&mut s, Event::Continue).is_empty());
    assert!(update(&mut s, Event::PlaceOrder).is_empty());
    let cmds = update(
        &mut s,
        ended(request, ChallengeOutcome::Passed, Some(card("src_3ds"))),
    );
    assert_eq!(
        sends(&cmds),
        vec![Call::AttachSource(id("chk_1"), SourceId("src_3ds".into()))]
    );
    assert_eq!(s.challenge, None);
    assert_eq!(s.timer_action, None, "the challenge timer is disarmed");
    update(&mut s, Event::Reply(Reply::Source(Ok(source("src_3ds")))));
    assert_eq!(s.step, Step::Waiting);
    update(&mut s, Event::Reply(Reply::Checkout(Ok(ready("chk_1")))));
    assert_eq!(place(&mut s), id("chk_1"));
    assert!(update(&mut s, Event::PlaceOrder).is_empty());
}

#[test]
fn a_failed_challenge_returns_to_payment_with_could_not_verify() {
    let mut s = at_payment(Config::default());
    let request = challenged(&mut s);
    let cmds = update(&mut s, ended(request, ChallengeOutcome::Failed, None));
    assert_eq!(s.step, Step::Payment);
    assert_eq!(s.alert, Some(Alert::CardNotVerified));
    assert!(sends(&cmds).is_empty(), "a failed source is never attached");
    assert!(to_frame(&cmds).contains(&ToFrame::Reset));
    assert_eq!(card_focus(&cmds), Some(CardField::Number));
    assert!(s.pending.is_none() && s.source.is_none());
    // Another card: a new tokenization, then one order.
    type_card(&mut s);
    let (again, _, _) = tokenize(&update(&mut s, Event::Continue));
    assert_ne!(again, request);
    let cmds = update(
        &mut s,
        Event::Frame(FromFrame::Tokenized {
            request: again,
            source: card("src_2"),
        }),
    );
    assert_eq!(
        sends(&cmds),
        vec![Call::AttachSource(id("chk_1"), SourceId("src_2".into()))]
    );
}

#[test]
fn a_cancelled_challenge_offers_verify_again_or_another_card() {
    let mut s = at_payment(Config::default());
    let request = challenged(&mut s);
    let cmds = update(&mut s, ended(request, ChallengeOutcome::Abandoned, None));
    assert!(cmds.is_empty(), "{cmds:?}");
    assert_eq!(s.step, Step::Authenticating);
    assert_eq!(
        s.alert,
        Some(Alert::ChallengeAbandoned { timed_out: false })
    );
    assert!(s.pending.is_none());
    assert!(
        update(&mut s, Event::Continue).is_empty(),
        "not payment entry"
    );
    // Verify again: the same challenge, one request in flight again.
    let cmds = update(&mut s, Event::VerifyAgain);
    assert_eq!(to_frame(&cmds), vec![ToFrame::Challenge { request }]);
    assert_eq!(timer(&cmds).map(|(_, ms)| ms), Some(600_000));
    assert_eq!(s.pending, Some(Pending::CreateSource));
    assert!(update(&mut s, Event::VerifyAgain).is_empty(), "once");
    assert!(
        update(&mut s, Event::UseAnotherCard).is_empty(),
        "not while it runs"
    );
    update(
        &mut s,
        Event::Frame(FromFrame::ChallengeStarted { request }),
    );
    let cmds = update(
        &mut s,
        ended(request, ChallengeOutcome::Passed, Some(card("src_3ds"))),
    );
    assert_eq!(
        sends(&cmds),
        vec![Call::AttachSource(id("chk_1"), SourceId("src_3ds".into()))]
    );

    // Or another card: back to an emptied frame on the same checkout.
    let mut s = at_payment(Config::default());
    let request = challenged(&mut s);
    update(&mut s, ended(request, ChallengeOutcome::Abandoned, None));
    let cmds = update(&mut s, Event::UseAnotherCard);
    assert_eq!(s.step, Step::Payment);
    assert_eq!(s.challenge, None);
    assert!(to_frame(&cmds).contains(&ToFrame::Reset));
    assert!(
        update(&mut s, Event::VerifyAgain).is_empty(),
        "that challenge is gone"
    );
    assert!(
        to_frame(&update(&mut s, Event::Continue)).contains(&ToFrame::Validate),
        "the emptied frame is incomplete until it says otherwise"
    );
    type_card(&mut s);
    tokenize(&update(&mut s, Event::Continue));
}

#[test]
fn a_challenge_that_runs_out_of_time_counts_as_abandoned() {
    let mut s = at_payment(Config {
        challenge_timeout_ms: 1_000,
        ..Config::default()
    });
    type_card(&mut s);
    let (request, _, _) = tokenize(&update(&mut s, Event::Continue));
    let cmds = update(
        &mut s,
        Event::Frame(FromFrame::ChallengeStarted { request }),
    );
    let (generation, ms) = timer(&cmds).unwrap();
    assert_eq!(ms, 1_000, "challengeTimeoutMs");
    assert!(update(&mut s, Event::Timer(generation + 1)).is_empty());
    let cmds = update(&mut s, Event::Timer(generation));
    assert_eq!(to_frame(&cmds), vec![ToFrame::CancelChallenge { request }]);
    assert_eq!(s.alert, Some(Alert::ChallengeAbandoned { timed_out: true }));
    assert!(s.pending.is_none());
    // Whatever the frame says about that challenge now is too late.
    let before = s.clone();
    let cmds = update(
        &mut s,
        ended(request, ChallengeOutcome::Passed, Some(card("src_late"))),
    );
    assert!(
        cmds.is_empty(),
        "a timed-out challenge is never attached: {cmds:?}"
    );
    assert_eq!(s, before);
    assert_eq!(
        to_frame(&update(&mut s, Event::VerifyAgain)),
        vec![ToFrame::Challenge { request }]
    );
}

#[test]
fn a_card_frame_that_never_answers_a_tokenization_is_given_up_on() {
    let mut s = at_payment(Config::default());
    type_card(&mut s);
    let cmds = update(&mut s, Event::Continue);
    let (request, _, _) = tokenize(&cmds);
    let (generation, ms) = timer(&cmds).expect("a limit on the frame's answer");
    assert_eq!(ms, FRAME_ANSWER_MS);
    // An earlier timer changes nothing; this one gives the frame up.
    assert!(update(&mut s, Event::Timer(generation.wrapping_sub(1))).is_empty());
    assert_eq!(s.pending, Some(Pending::CreateSource));
    let cmds = update(&mut s, Event::Timer(generation));
    assert!(s.pending.is_none());
    assert_eq!(s.alert, Some(Alert::FrameFailed));
    assert_eq!(s.retry, Some(Retry::Frame));
    assert_eq!(notices(&cmds), vec![Notice::Error(Failure::FrameFailed)]);
    assert!(sends(&cmds).is_empty(), "nothing attached");
    // Its late answer is stale; `Try again` reloads the frame.
    assert!(update(
        &mut s,
        Event::Frame(FromFrame::Tokenized {
            request,
            source: card("src_late")
        })
    )
    .is_empty());
    assert_eq!(update(&mut s, Event::Retry), vec![Command::ReloadFrame]);

    // An answer in time disarms the limit: its timer firing later does nothing.
    let mut s = at_payment(Config::default());
    type_card(&mut s);
    let cmds = update(&mut s, Event::Continue);
    let (request, _, _) = tokenize(&cmds);
    let (generation, _) = timer(&cmds).unwrap();
    update(
        &mut s,
        Event::Frame(FromFrame::TokenizeFailed {
            request,
            failure: TokenizeFailure::Network,
            message: None,
        }),
    );
    let alert = s.alert.clone();
    assert!(update(&mut s, Event::Timer(generation)).is_empty());
    assert_eq!(s.alert, alert);
}

#[test]
fn a_card_frame_that_never_loads_says_so_and_offers_try_again() {
    let mut s = at_payment(Config::default());
    let cmds = update(&mut s, Event::FrameFailed);
    assert_eq!(s.alert, Some(Alert::FrameFailed));
    assert_eq!(notices(&cmds), vec![Notice::Error(Failure::FrameFailed)]);
    assert_eq!(Failure::FrameFailed.kind(), "network");
    assert!(update(&mut s, Event::Continue).is_empty());
    assert_eq!(s.retry, Some(Retry::Frame));
    let cmds = update(&mut s, Event::Retry);
    assert_eq!(cmds, vec![Command::ReloadFrame]);
    assert_eq!(s.frame, Frame::default());
    type_card(&mut s);
    assert_eq!(s.alert, None);
    tokenize(&update(&mut s, Event::Continue));

    // The frame dying mid-tokenization frees the request; nothing is attached.
    let request = s.request;
    let cmds = update(&mut s, Event::FrameFailed);
    assert!(s.pending.is_none());
    assert_eq!(s.retry, Some(Retry::Frame));
    assert!(sends(&cmds).is_empty());
    assert!(update(
        &mut s,
        Event::Frame(FromFrame::Tokenized {
            request,
            source: card("src_dead")
        })
    )
    .is_empty());
}

#[test]
fn a_rejected_order_naming_the_card_reopens_the_frame_on_the_same_checkout() {
    let mut s = at_payment(Config::default());
    to_review(&mut s);
    place(&mut s);
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Order(Err(rejected(
            "invalid_parameter",
            Some("creditCard.cvv"),
            "Check the security code.",
        )))),
    );
    assert_eq!(s.step, Step::Payment);
    assert!(to_frame(&cmds).contains(&ToFrame::Reset));
    assert_eq!(card_focus(&cmds), Some(CardField::Number));
    assert_eq!(s.checkout_id(), Some(&id("chk_1")));
    assert!(!s.dead.contains(&id("chk_1")));
    assert!(names_card("owner.lastName") && !names_card("billTo.name"));
}

/// Payment entry for `cus_1` with these saved cards (today is 2026-11).
fn with_wallet(sources: &[Source], default: Option<&str>) -> State {
    let mut s = State::new(
        Start::Existing(id("chk_1")),
        Config {
            today: (2026, 11),
            ..Config::default()
        },
    );
    update(&mut s, Event::Mounted { seed: 3 });
    update(&mut s, Event::Reply(Reply::Checkout(Ok(fresh("chk_1")))));
    update(
        &mut s,
        Event::Reply(Reply::Customer(Ok(customer(sources, default)))),
    );
    update(&mut s, Event::Frame(FromFrame::Ready));
    s
}

fn visa() -> Source {
    saved("src_visa", "1111", 7, 2030)
}

fn mastercard() -> Source {
    saved("src_mc", "0008", 11, 2029)
}

fn expired() -> Source {
    saved("src_old", "2341", 1, 2024)
}

/// The one authentication asked of the frame: (request, source id, secret).
fn authenticate(cmds: &[Command]) -> (u32, String, String) {
    match to_frame(cmds).as_slice() {
        [ToFrame::Authenticate {
            request,
            source_id,
            client_secret,
            session_id,
        }] => {
            assert!(session_id.starts_with("ses_"), "{session_id}");
            (
                *request,
                source_id.clone(),
                client_secret.expose().to_owned(),
            )
        }
        _ => panic!("expected one authentication, got {cmds:?}"),
    }
}

#[test]
fn saved_cards_are_listed_with_the_default_chosen_and_expired_ones_not_selectable() {
    let mut s = with_wallet(&[visa(), mastercard(), expired()], Some("src_visa"));
    assert_eq!(s.wallet.list, WalletList::Loaded);
    assert_eq!(s.wallet.cards.len(), 3);
    assert_eq!(s.wallet.choice, Some(SourceId("src_visa".into())));
    assert!(s.wallet.card(&SourceId("src_old".into())).unwrap().expired);
    assert!(update(&mut s, Event::ChooseCard(Some(SourceId("src_old".into())))).is_empty());
    assert_eq!(
        s.wallet.choice,
        Some(SourceId("src_visa".into())),
        "an expired card cannot be chosen"
    );
    update(&mut s, Event::ChooseCard(Some(SourceId("src_mc".into()))));
    assert_eq!(s.wallet.choice, Some(SourceId("src_mc".into())));
    // An expired default is not preselected: a new card is.
    let s = with_wallet(&[visa(), expired()], Some("src_old"));
    assert_eq!(s.wallet.choice, None);
}

#[test]
fn paying_with_a_saved_card_authenticates_it_in_the_frame_and_attaches_it() {
    let mut s = with_wallet(&[visa(), mastercard()], Some("src_visa"));
    // No card typed: the frame's form is empty, and that is fine.
    let cmds = update(&mut s, Event::Continue);
    let (request, source, secret) = authenticate(&cmds);
    assert_eq!(
        (source.as_str(), secret.as_str()),
        ("src_visa", "src_visa_secret")
    );
    assert!(
        !format!("{s:?}{cmds:?}").contains("src_visa_secret"),
        "the saved card's secret never reaches a log through Debug"
    );
    assert!(update(&mut s, Event::Continue).is_empty(), "one at a time");
    assert!(
        update(
            &mut s,
            Event::Frame(FromFrame::Tokenized {
                request,
                source: card("src_x")
            })
        )
        .is_empty(),
        "a tokenization answer does not answer an authentication"
    );
    let cmds = update(&mut s, Event::Frame(FromFrame::Authenticated { request }));
    assert_eq!(
        sends(&cmds),
        vec![Call::AttachSource(id("chk_1"), SourceId("src_visa".into()))]
    );
    let card = s.card.clone().unwrap();
    assert_eq!(card.last_four_digits, "1111");
    update(&mut s, Event::Reply(Reply::Source(Ok(visa()))));
    update(&mut s, Event::Reply(Reply::Checkout(Ok(ready("chk_1")))));
    assert_eq!(place(&mut s), id("chk_1"));
}

#[test]
fn a_saved_card_may_need_a_challenge_and_may_be_refused() {
    let mut s = with_wallet(&[visa(), mastercard()], Some("src_visa"));
    let (request, _, _) = authenticate(&update(&mut s, Event::Continue));
    update(
        &mut s,
        Event::Frame(FromFrame::ChallengeStarted { request }),
    );
    assert_eq!(s.step, Step::Authenticating);
    let cmds = update(&mut s, ended(request, ChallengeOutcome::Passed, None));
    assert_eq!(
        sends(&cmds),
        vec![Call::AttachSource(id("chk_1"), SourceId("src_visa".into()))]
    );

    // Failed verification: payment entry, a new card offered.
    let mut s = with_wallet(&[visa(), mastercard()], Some("src_visa"));
    let (request, _, _) = authenticate(&update(&mut s, Event::Continue));
    update(
        &mut s,
        Event::Frame(FromFrame::ChallengeStarted { request }),
    );
    update(&mut s, ended(request, ChallengeOutcome::Failed, None));
    assert_eq!(
        (s.step, s.alert.clone()),
        (Step::Payment, Some(Alert::CardNotVerified))
    );
    assert_eq!(s.wallet.choice, None);

    // Refused (an expired card the server knows of, say): said; choose again.
    let mut s = with_wallet(&[visa(), mastercard()], Some("src_visa"));
    let (request, _, _) = authenticate(&update(&mut s, Event::Continue));
    let cmds = update(
        &mut s,
        Event::Frame(FromFrame::TokenizeFailed {
            request,
            failure: TokenizeFailure::Refused,
            message: Some("This card has expired.".into()),
        }),
    );
    assert!(to_frame(&cmds).is_empty(), "no focus into an unused frame");
    assert_eq!(
        s.alert,
        Some(Alert::CardFailed {
            message: Some("This card has expired.".into())
        })
    );
    update(&mut s, Event::ChooseCard(Some(SourceId("src_mc".into()))));
    let (_, source, _) = authenticate(&update(&mut s, Event::Continue));
    assert_eq!(source, "src_mc");
}

#[test]
fn the_list_failing_to_load_still_lets_the_shopper_pay_with_a_new_card() {
    let mut s = State::new(Start::Existing(id("chk_1")), Config::default());
    update(&mut s, Event::Mounted { seed: 3 });
    update(&mut s, Event::Reply(Reply::Checkout(Ok(fresh("chk_1")))));
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Customer(Err(ApiError::Server {
            status: 502,
            retry_after: None,
        }))),
    );
    assert!(
        cmds.is_empty(),
        "not an error that stops the purchase: {cmds:?}"
    );
    assert_eq!(s.wallet.list, WalletList::Failed);
    assert_eq!(s.wallet.choice, None);
    type_card(&mut s);
    tokenize(&update(&mut s, Event::Continue));
}

#[test]
fn a_new_card_is_saved_when_asked_and_a_refused_save_does_not_stop_the_purchase() {
    let mut s = with_wallet(&[visa()], Some("src_visa"));
    update(&mut s, Event::ChooseCard(None));
    update(&mut s, Event::SaveNewCard(true));
    type_card(&mut s);
    let (request, _, _) = tokenize(&update(&mut s, Event::Continue));
    let cmds = update(
        &mut s,
        Event::Frame(FromFrame::Tokenized {
            request,
            source: card("src_new"),
        }),
    );
    assert_eq!(
        sends(&cmds),
        vec![Call::SaveSource("cus_1".into(), SourceId("src_new".into()))]
    );
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Source(Ok(saved("src_new", "1111", 7, 2030)))),
    );
    assert_eq!(
        sends(&cmds),
        vec![Call::AttachSource(id("chk_1"), SourceId("src_new".into()))]
    );
    assert!(
        s.wallet.card(&SourceId("src_new".into())).is_some(),
        "listed"
    );

    let mut s = with_wallet(&[], None);
    update(&mut s, Event::SaveNewCard(true));
    type_card(&mut s);
    let (request, _, _) = tokenize(&update(&mut s, Event::Continue));
    update(
        &mut s,
        Event::Frame(FromFrame::Tokenized {
            request,
            source: card("src_new"),
        }),
    );
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Source(Err(ApiError::Conflict(err(
            "nonreusable_source",
            None,
            "This card can't be saved.",
        ))))),
    );
    assert_eq!(
        sends(&cmds),
        vec![Call::AttachSource(id("chk_1"), SourceId("src_new".into()))],
        "the purchase goes on with the card"
    );
    assert_eq!(
        s.wallet.save_refused.as_deref(),
        Some("This card can't be saved.")
    );
    // Guests are never offered it.
    let mut g = at_payment(Config::default());
    g.wallet.customer = None;
    update(&mut g, Event::SaveNewCard(true));
    assert!(!g.wallet.save_new);
}

#[test]
fn removing_a_saved_card_asks_first_and_keeps_it_when_removal_fails() {
    let mut s = with_wallet(&[visa(), mastercard()], Some("src_visa"));
    update(&mut s, Event::AskRemove(SourceId("src_visa".into())));
    assert_eq!(s.wallet.confirm_remove, Some(SourceId("src_visa".into())));
    assert!(update(&mut s, Event::CancelRemove).is_empty());
    assert_eq!(s.wallet.confirm_remove, None);
    update(&mut s, Event::AskRemove(SourceId("src_visa".into())));
    let cmds = update(&mut s, Event::ConfirmRemove);
    assert_eq!(
        sends(&cmds),
        vec![Call::RemoveSource(
            "cus_1".into(),
            SourceId("src_visa".into())
        )]
    );
    assert!(
        update(&mut s, Event::Continue).is_empty(),
        "one request at a time"
    );
    update(&mut s, Event::Reply(Reply::Removed(Ok(()))));
    assert!(s.wallet.card(&SourceId("src_visa".into())).is_none());
    assert_eq!(
        s.wallet.choice, None,
        "the removed card is no longer chosen"
    );

    update(&mut s, Event::AskRemove(SourceId("src_mc".into())));
    update(&mut s, Event::ConfirmRemove);
    update(
        &mut s,
        Event::Reply(Reply::Removed(Err(ApiError::Server {
            status: 500,
            retry_after: None,
        }))),
    );
    assert!(
        s.wallet.card(&SourceId("src_mc".into())).is_some(),
        "still listed"
    );
    assert_eq!(s.alert, Some(Alert::RemoveFailed { message: None }));
}

#[test]
fn a_decline_on_a_saved_card_marks_it_and_another_saved_card_pays_the_fresh_checkout() {
    let mut s = with_wallet(&[visa(), mastercard()], Some("src_visa"));
    let (request, _, _) = authenticate(&update(&mut s, Event::Continue));
    update(&mut s, Event::Frame(FromFrame::Authenticated { request }));
    update(&mut s, Event::Reply(Reply::Source(Ok(visa()))));
    update(&mut s, Event::Reply(Reply::Checkout(Ok(ready("chk_1")))));
    place(&mut s);
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Order(Err(ApiError::Conflict(err(
            "source_in_use",
            None,
            "This card can't be used for this purchase.",
        ))))),
    );
    let Call::CreateCheckout(body) = one(&cmds) else {
        panic!()
    };
    assert_eq!(
        body["customerId"], "cus_1",
        "the fresh checkout keeps the customer"
    );
    update(&mut s, Event::Reply(Reply::Checkout(Ok(fresh("chk_2")))));
    assert_eq!(s.step, Step::Payment);
    assert_eq!(s.wallet.declined, vec![SourceId("src_visa".into())]);
    assert_eq!(
        s.wallet.choice, None,
        "the declined default is not preselected"
    );
    assert!(update(&mut s, Event::ChooseCard(Some(SourceId("src_visa".into())))).is_empty());
    assert_eq!(s.wallet.choice, None);
    update(&mut s, Event::ChooseCard(Some(SourceId("src_mc".into()))));
    let (request, source, _) = authenticate(&update(&mut s, Event::Continue));
    assert_eq!(source, "src_mc");
    update(&mut s, Event::Frame(FromFrame::Authenticated { request }));
    update(&mut s, Event::Reply(Reply::Source(Ok(mastercard()))));
    update(&mut s, Event::Reply(Reply::Checkout(Ok(ready("chk_2")))));
    assert_eq!(place(&mut s), id("chk_2"));
}

#[test]
fn mounting_on_a_checkout_that_became_an_order_shows_the_order() {
    let mut s = State::new(Start::Existing(id("chk_paid")), Config::default());
    update(&mut s, Event::Mounted { seed: 5 });
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Checkout(Err(ApiError::NotFound(vec![])))),
    );
    assert_eq!(sends(&cmds), vec![Call::FindOrders(id("chk_paid"))]);
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Orders(Ok(OrderList {
            has_more: false,
            data: vec![order("ord_1", "chk_paid", "accepted")],
        }))),
    );
    assert_eq!(s.step, Step::Complete);
    assert!(notices(&cmds).contains(&Notice::OrderCreated(order(
        "ord_1", "chk_paid", "accepted"
    ))));
    assert!(sends(&cmds).is_empty(), "no second POST /orders");

    // None: this checkout no longer exists (kind `not_found`), nothing retried.
    let mut s = State::new(Start::Existing(id("chk_gone")), Config::default());
    update(&mut s, Event::Mounted { seed: 5 });
    update(
        &mut s,
        Event::Reply(Reply::Checkout(Err(ApiError::NotFound(vec![])))),
    );
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Orders(Ok(OrderList {
            has_more: false,
            data: vec![],
        }))),
    );
    assert_eq!(
        notices(&cmds),
        vec![
            Notice::Step("error"),
            Notice::Error(Failure::CheckoutNotFound)
        ]
    );
    assert_eq!(Failure::CheckoutNotFound.kind(), "not_found");
    assert!(update(&mut s, Event::Retry).is_empty());

    // A failed lookup is retried (by itself first), still for that checkout.
    let mut s = State::new(Start::Existing(id("chk_paid")), Config::default());
    update(&mut s, Event::Mounted { seed: 5 });
    update(
        &mut s,
        Event::Reply(Reply::Checkout(Err(ApiError::NotFound(vec![])))),
    );
    update(&mut s, Event::Reply(Reply::Orders(Err(ApiError::Network))));
    assert_eq!(
        sends(&update(&mut s, Event::Retry)),
        vec![Call::FindOrders(id("chk_paid"))]
    );
}

mod properties {
    //! Random shopper actions and random server answers, checked against the
    //! invariants that keep money safe.

    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    #[derive(Debug, Clone)]
    enum Act {
        /// The card frame reports its form complete (or not).
        FillCard(bool),
        Type(usize, usize),
        Blur(usize),
        Continue,
        PlaceOrder,
        SaveFix,
        Retry,
        VerifyAgain,
        UseAnotherCard,
        Timer(bool),
        /// The server, or the card frame, answers what is outstanding.
        Answer(u8),
        /// The card frame dies, or comes (back) up.
        FrameDown,
        FrameUp,
        /// The frame answers a request id that is not the current one.
        StaleFrameAnswer(u8),
        /// Saved cards: choose one (index) or a new card; save; remove.
        Choose(Option<usize>),
        SaveNew(bool),
        AskRemove(usize),
        ConfirmRemove,
    }

    fn act() -> impl Strategy<Value = Act> {
        prop_oneof![
            3 => any::<bool>().prop_map(Act::FillCard),
            2 => (0..7usize, 0..4usize).prop_map(|(f, v)| Act::Type(f, v)),
            1 => (0..7usize).prop_map(Act::Blur),
            3 => Just(Act::Continue),
            3 => Just(Act::PlaceOrder),
            1 => Just(Act::SaveFix),
            2 => Just(Act::Retry),
            1 => Just(Act::VerifyAgain),
            1 => Just(Act::UseAnotherCard),
            1 => any::<bool>().prop_map(Act::Timer),
            8 => any::<u8>().prop_map(Act::Answer),
            1 => Just(Act::FrameDown),
            2 => Just(Act::FrameUp),
            1 => any::<u8>().prop_map(Act::StaleFrameAnswer),
            2 => prop::option::of(0..3usize).prop_map(Act::Choose),
            1 => any::<bool>().prop_map(Act::SaveNew),
            1 => (0..3usize).prop_map(Act::AskRemove),
            1 => Just(Act::ConfirmRemove),
        ]
    }

    /// Values per field: mostly valid, sometimes not.
    fn value(f: Field, choice: usize) -> &'static str {
        let options: [&str; 4] = match f {
            Field::Email => ["a@example.com", "b@reject.example", "nope", "c@example.com"],
            Field::PostalCode => ["55343", "00000", "55401", "x"],
            Field::Country => ["US", "DE", "CA", ""],
            _ => ["Jane Doe", "Main St 1", "Springfield", ""],
        };
        options[choice]
    }

    fn api_error(n: u8) -> ApiError {
        match n % 6 {
            0 => ApiError::Network,
            1 => ApiError::Timeout,
            2 => ApiError::Decode,
            3 => ApiError::Server {
                status: 503,
                retry_after: Some(1),
            },
            4 => ApiError::NotFound(vec![]),
            _ => rejected("invalid_parameter", Some("email"), "bad"),
        }
    }

    /// The server side: which checkouts have orders, which are dead.
    #[derive(Default)]
    struct World {
        next: u32,
        orders: HashSet<CheckoutId>,
        dead: HashSet<CheckoutId>,
        /// After a rejected order (other 4xx), the next order must use this id.
        must_reuse: Option<CheckoutId>,
        /// The card frame is up and its form complete.
        frame_up: bool,
        card_complete: bool,
        /// Sources the frame handed out, and whether each passed 3-D Secure.
        chargeable: HashSet<String>,
    }

    /// What the widget is waiting for.
    #[derive(Debug, Clone, PartialEq)]
    enum Outstanding {
        Http(Call),
        /// A tokenization (or, with `saved`, a saved card's authentication)
        /// in the frame; `challenge`: its 3-D Secure is showing.
        Frame {
            request: u32,
            challenge: bool,
            saved: Option<String>,
        },
    }

    /// The saved cards the world's customer has: two usable, one expired.
    const SAVED: [(&str, u32); 3] = [("src_s0", 2030), ("src_s1", 2031), ("src_s2", 2020)];

    impl World {
        fn new_id(&mut self) -> String {
            self.next += 1;
            format!("chk_p{}", self.next)
        }

        /// An answer to `call`, chosen by `n`; updates the server's truth.
        fn answer(&mut self, call: &Call, n: u8) -> Reply {
            let ok = !n.is_multiple_of(3);
            match call {
                Call::GetCheckout(cid) | Call::UpdateCheckout(cid, _) => {
                    if self.orders.contains(cid) {
                        return Reply::Checkout(Err(ApiError::NotFound(vec![])));
                    }
                    Reply::Checkout(if ok {
                        let c = match n % 4 {
                            0 | 1 => ready(cid.as_str()),
                            2 => checkout(cid.as_str(), "pending", 0.0),
                            _ => checkout(cid.as_str(), "requires_source", 26.51),
                        };
                        Ok(c)
                    } else {
                        Err(api_error(n / 3))
                    })
                }
                Call::CreateCheckout(_) => Reply::Checkout(if ok {
                    let cid = self.new_id();
                    Ok(fresh(&cid))
                } else {
                    Err(api_error(n / 3))
                }),
                Call::AttachSource(..) => Reply::Source(if ok {
                    Ok(source("src_p"))
                } else {
                    Err(api_error(n / 3))
                }),
                Call::PlaceOrder(cid) => {
                    if self.orders.contains(cid) {
                        return Reply::Order(Err(ApiError::NotFound(vec![])));
                    }
                    if self.dead.contains(cid) {
                        return Reply::Order(Err(ApiError::Conflict(vec![])));
                    }
                    Reply::Order(match n % 9 {
                        0 | 1 => {
                            self.orders.insert(cid.clone());
                            Ok(order("ord", cid.as_str(), "accepted"))
                        }
                        2 => {
                            self.dead.insert(cid.clone());
                            Err(ApiError::Conflict(err("failed-request", None, "Declined")))
                        }
                        3 => {
                            self.must_reuse = Some(cid.clone());
                            Err(rejected("order_create_failed", Some("email"), "Bad email"))
                        }
                        4 => Err(rejected("order_submit_failed", None, "Not ready")),
                        5 => {
                            // Committed on the server, response lost.
                            self.orders.insert(cid.clone());
                            Err(ApiError::Network)
                        }
                        6 => Err(ApiError::Server {
                            status: 502,
                            retry_after: None,
                        }),
                        7 => {
                            self.must_reuse = Some(cid.clone());
                            Err(rejected(
                                "invalid_parameter",
                                Some("billTo.address.postalCode"),
                                "Bad",
                            ))
                        }
                        _ => Err(ApiError::Timeout),
                    })
                }
                Call::GetCustomer(_) => Reply::Customer(if ok {
                    let sources = SAVED
                        .iter()
                        .map(|(sid, year)| saved(sid, "4242", 7, *year))
                        .collect::<Vec<_>>();
                    Ok(customer(&sources, Some("src_s0")))
                } else {
                    Err(api_error(n / 3))
                }),
                Call::SaveSource(_, sid) => Reply::Source(if ok {
                    Ok(saved(sid.as_str(), "1111", 7, 2030))
                } else {
                    Err(ApiError::Conflict(err("nonreusable_source", None, "No")))
                }),
                Call::RemoveSource(..) => {
                    Reply::Removed(if ok { Ok(()) } else { Err(api_error(n / 3)) })
                }
                Call::FindOrders(cid) => Reply::Orders(if ok {
                    let data = if self.orders.contains(cid) {
                        vec![order("ord", cid.as_str(), "accepted")]
                    } else {
                        vec![]
                    };
                    Ok(OrderList {
                        has_more: false,
                        data,
                    })
                } else {
                    Err(api_error(n / 3))
                }),
            }
        }
    }

    impl World {
        /// The frame's answer to tokenization `request`, chosen by `n`:
        /// (message, still outstanding, challenge now showing).
        fn frame_answer(
            &mut self,
            request: u32,
            challenge: bool,
            saved: Option<&str>,
            n: u8,
        ) -> (FromFrame, bool) {
            if let Some(sid) = saved {
                // A saved card: usable as soon as the provider says so.
                let usable = match (challenge, n % 4) {
                    (true, 0) | (false, 0 | 1) => true,
                    (false, 2) => return (FromFrame::ChallengeStarted { request }, true),
                    _ => false,
                };
                if usable {
                    self.chargeable.insert(sid.to_owned());
                    return if challenge {
                        (
                            FromFrame::ChallengeEnded {
                                request,
                                outcome: ChallengeOutcome::Passed,
                                source: None,
                            },
                            false,
                        )
                    } else {
                        (FromFrame::Authenticated { request }, false)
                    };
                }
                return if challenge {
                    let outcome = [ChallengeOutcome::Failed, ChallengeOutcome::Abandoned]
                        [usize::from(n / 4) % 2];
                    (
                        FromFrame::ChallengeEnded {
                            request,
                            outcome,
                            source: None,
                        },
                        false,
                    )
                } else {
                    (
                        FromFrame::TokenizeFailed {
                            request,
                            failure: TokenizeFailure::Refused,
                            message: None,
                        },
                        false,
                    )
                };
            }
            let mut source = |k: u8| {
                let sid = format!("src_f{request}_{k}");
                self.chargeable.insert(sid.clone());
                card(&sid)
            };
            if challenge {
                let outcome = match n % 3 {
                    0 => ChallengeOutcome::Passed,
                    1 => ChallengeOutcome::Failed,
                    _ => ChallengeOutcome::Abandoned,
                };
                let source = (outcome == ChallengeOutcome::Passed).then(|| source(n));
                return (
                    FromFrame::ChallengeEnded {
                        request,
                        outcome,
                        source,
                    },
                    false,
                );
            }
            match n % 5 {
                0 | 1 => (
                    FromFrame::Tokenized {
                        request,
                        source: source(n),
                    },
                    false,
                ),
                2 => (FromFrame::ChallengeStarted { request }, true),
                3 => (
                    FromFrame::TokenizeFailed {
                        request,
                        failure: TokenizeFailure::Refused,
                        message: Some("No".into()),
                    },
                    false,
                ),
                _ => (
                    FromFrame::TokenizeFailed {
                        request,
                        failure: [
                            TokenizeFailure::Network,
                            TokenizeFailure::Timeout,
                            TokenizeFailure::Server,
                            TokenizeFailure::Decode,
                            TokenizeFailure::Incomplete,
                        ][usize::from(n / 5) % 5],
                        message: None,
                    },
                    false,
                ),
            }
        }
    }

    fn run(acts: Vec<Act>, review: bool) -> Result<(), TestCaseError> {
        let mut s = State::new(
            Start::Existing(id("chk_p0")),
            Config {
                review,
                today: (2026, 11),
                ..Config::default()
            },
        );
        let mut world = World::default();
        let mut outstanding: Option<Outstanding> = None;
        let first = update(&mut s, Event::Mounted { seed: 42 });
        outstanding = sends(&first).pop().map(Outstanding::Http).or(outstanding);
        let mut generation = 0;
        for a in acts {
            let event = match a {
                Act::FillCard(complete) => {
                    if !world.frame_up {
                        continue;
                    }
                    world.card_complete = complete;
                    Event::Frame(FromFrame::State(FrameState {
                        complete,
                        invalid: if complete {
                            vec![]
                        } else {
                            vec![CardField::Number]
                        },
                        ..FrameState::default()
                    }))
                }
                Act::Type(f, v) => {
                    let field = Field::ALL[f];
                    Event::Input(field, value(field, v).into())
                }
                Act::Blur(f) => Event::Blur(Field::ALL[f]),
                Act::Continue => Event::Continue,
                Act::PlaceOrder => Event::PlaceOrder,
                Act::SaveFix => Event::SaveFix,
                Act::Retry => Event::Retry,
                Act::VerifyAgain => Event::VerifyAgain,
                Act::UseAnotherCard => Event::UseAnotherCard,
                Act::Timer(current) => Event::Timer(if current {
                    generation
                } else {
                    generation.wrapping_add(7)
                }),
                Act::Answer(n) => match outstanding.take() {
                    Some(Outstanding::Http(call)) => Event::Reply(world.answer(&call, n)),
                    Some(Outstanding::Frame {
                        request,
                        challenge,
                        saved,
                    }) => {
                        let (msg, still) =
                            world.frame_answer(request, challenge, saved.as_deref(), n);
                        if still {
                            outstanding = Some(Outstanding::Frame {
                                request,
                                challenge: true,
                                saved,
                            });
                        }
                        Event::Frame(msg)
                    }
                    None => continue,
                },
                Act::FrameDown => {
                    world.frame_up = false;
                    world.card_complete = false;
                    if matches!(outstanding, Some(Outstanding::Frame { .. })) {
                        outstanding = None;
                    }
                    Event::FrameFailed
                }
                Act::Choose(k) => Event::ChooseCard(k.map(|k| SourceId(SAVED[k].0.to_owned()))),
                Act::SaveNew(on) => Event::SaveNewCard(on),
                Act::AskRemove(k) => Event::AskRemove(SourceId(SAVED[k].0.to_owned())),
                Act::ConfirmRemove => Event::ConfirmRemove,
                Act::FrameUp => {
                    if world.frame_up {
                        continue;
                    }
                    world.frame_up = true;
                    Event::Frame(FromFrame::Ready)
                }
                Act::StaleFrameAnswer(n) => {
                    // An answer for a request that is not the one in flight:
                    // it must change nothing at all.
                    let stale = s.request.wrapping_add(1 + u32::from(n));
                    let before = s.clone();
                    let (msg, _) = world.frame_answer(stale, n % 2 == 0, None, n);
                    let cmds = update(&mut s, Event::Frame(msg));
                    prop_assert!(
                        cmds.is_empty(),
                        "a stale frame answer did something: {:?}",
                        cmds
                    );
                    prop_assert_eq!(&s, &before);
                    continue;
                }
            };
            // The review button is enabled exactly when `can_place_order()`:
            // a click then always does something, and a disabled one never would.
            let place = matches!(event, Event::PlaceOrder).then(|| s.can_place_order());
            let cmds = update(&mut s, event);
            if let Some(could) = place {
                prop_assert_eq!(!cmds.is_empty(), could, "Place order vs can_place_order()");
            }
            for c in &cmds {
                match c {
                    Command::Send(call) => {
                        prop_assert!(
                            outstanding.is_none(),
                            "two requests in flight: {:?} and {:?}",
                            outstanding,
                            call
                        );
                        if let Call::PlaceOrder(cid) = call {
                            prop_assert!(
                                !world.orders.contains(cid),
                                "duplicate order for {:?}",
                                cid
                            );
                            prop_assert!(
                                !world.dead.contains(cid),
                                "order for a declined checkout {:?}",
                                cid
                            );
                            if let Some(expected) = world.must_reuse.take() {
                                prop_assert_eq!(
                                    &expected,
                                    cid,
                                    "after a 4xx the same checkout is ordered"
                                );
                            }
                        }
                        if let Call::AttachSource(_, sid) = call {
                            prop_assert!(
                                world.chargeable.contains(sid.as_str()),
                                "attached a source the frame never made chargeable: {:?}",
                                sid
                            );
                        }
                        outstanding = Some(Outstanding::Http(call.clone()));
                    }
                    Command::ToFrame(ToFrame::Tokenize { request, .. }) => {
                        prop_assert!(
                            outstanding.is_none(),
                            "a tokenization while {:?} is in flight",
                            outstanding
                        );
                        prop_assert!(
                            world.frame_up && world.card_complete,
                            "tokenized without a complete card in a live frame"
                        );
                        outstanding = Some(Outstanding::Frame {
                            request: *request,
                            challenge: false,
                            saved: None,
                        });
                    }
                    Command::ToFrame(ToFrame::Authenticate {
                        request, source_id, ..
                    }) => {
                        prop_assert!(
                            outstanding.is_none(),
                            "an authentication while {:?} is in flight",
                            outstanding
                        );
                        prop_assert!(world.frame_up, "authenticated without a live frame");
                        prop_assert!(source_id != SAVED[2].0, "an expired saved card was used");
                        outstanding = Some(Outstanding::Frame {
                            request: *request,
                            challenge: false,
                            saved: Some(source_id.clone()),
                        });
                    }
                    Command::ToFrame(ToFrame::Challenge { request }) => {
                        prop_assert!(outstanding.is_none());
                        let saved = s.wallet.paying_with.as_ref().map(|id| id.0.clone());
                        outstanding = Some(Outstanding::Frame {
                            request: *request,
                            challenge: true,
                            saved,
                        });
                    }
                    Command::ToFrame(ToFrame::CancelChallenge { .. }) => {
                        // The core gave up on it; the frame's later answer is moot.
                        outstanding = None;
                    }
                    Command::ReloadFrame => {
                        world.frame_up = false;
                        world.card_complete = false;
                    }
                    Command::Emit(Notice::Error(Failure::FrameFailed)) => {
                        // The core gave up on the frame (lost, or silent past
                        // FRAME_ANSWER_MS): whatever it answers later is moot.
                        if matches!(outstanding, Some(Outstanding::Frame { .. })) {
                            outstanding = None;
                        }
                    }
                    Command::ToFrame(ToFrame::Reset) => world.card_complete = false,
                    Command::Schedule { generation: g, .. } => generation = *g,
                    Command::Emit(Notice::Declined {
                        checkout_id,
                        new_checkout_id,
                        ..
                    }) => {
                        prop_assert_ne!(checkout_id, new_checkout_id);
                    }
                    _ => {}
                }
            }
            prop_assert_eq!(
                outstanding.is_some(),
                s.pending.is_some(),
                "pending mirrors the request in flight: {:?}",
                outstanding
            );
            if s.step == Step::Authenticating {
                prop_assert!(s.challenge.is_some(), "authenticating without a challenge");
            }
            if s.step == Step::Complete {
                let o = s.order.as_ref().expect("complete has an order");
                prop_assert!(
                    world.orders.contains(&o.checkout_id),
                    "success shown without an order"
                );
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 10_000,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn invariants_hold_for_any_sequence(
            acts in prop::collection::vec(act(), 0..80),
            review in any::<bool>(),
        ) {
            run(acts, review)?;
        }
    }
}
