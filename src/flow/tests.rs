//! Host tests of the journey: every branch of the contract's rules, then
//! property tests over random shopper/response sequences.

use super::*;
use crate::model::{PaymentSession, SessionId};
use serde_json::json;

const TODAY: (u32, u32) = (2026, 11);
const VISA: &str = "4444 2222 3333 1111";

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
    let cmds = update(
        &mut s,
        Event::Mounted {
            today: TODAY,
            seed: 7,
        },
    );
    assert_eq!(sends(&cmds), vec![Call::GetCheckout(id("chk_1"))]);
    update(&mut s, Event::Reply(Reply::Checkout(Ok(fresh("chk_1")))));
    assert_eq!(s.step, Step::Payment);
    s
}

fn type_card(s: &mut State, number: &str) {
    for (f, v) in [
        (Field::CardNumber, number),
        (Field::Expiry, "07/30"),
        (Field::Cvc, "123"),
    ] {
        update(s, Event::Input(f, v.into()));
    }
}

/// Continue → source → attach → first poll; returns the source request sent.
fn pay(s: &mut State, number: &str) -> SourceRequest {
    type_card(s, number);
    let cmds = update(s, Event::Continue);
    let Some(Call::CreateSource(req)) = sends(&cmds).pop() else {
        panic!("expected POST /sources, got {cmds:?}")
    };
    let req = *req;
    let cmds = update(s, Event::Reply(Reply::Source(Ok(source("src_1")))));
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
    req
}

/// From payment entry to Review on the current checkout.
fn to_review(s: &mut State, number: &str) {
    pay(s, number);
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
    update(
        &mut s,
        Event::Mounted {
            today: TODAY,
            seed: 1,
        },
    );
    let cmds = update(&mut s, Event::Reply(Reply::Checkout(Ok(fresh("chk_1")))));
    assert_eq!(
        notices(&cmds),
        vec![Notice::Step("payment"), Notice::Ready(id("chk_1"))]
    );
    assert_eq!(s.form.get(Field::Email), "jdoe@example.com");
    assert_eq!(s.form.get(Field::Name), "Jane Doe");
    assert_eq!(s.form.get(Field::PostalCode), "55343");
    assert_eq!(s.form.get(Field::Country), "US");
    assert_eq!(s.form.get(Field::CardNumber), "");
}

#[test]
fn a_cart_is_created_once_and_then_reread() {
    let cart = json!({"currency": "USD", "items": [{"skuId": "sku_mug"}]});
    let mut s = State::new(Start::Cart(cart.clone()), Config::default());
    let cmds = update(
        &mut s,
        Event::Mounted {
            today: TODAY,
            seed: 1,
        },
    );
    assert_eq!(sends(&cmds), vec![Call::CreateCheckout(cart)]);
    update(&mut s, Event::Reply(Reply::Checkout(Ok(fresh("chk_new")))));
    assert_eq!(s.checkout_id(), Some(&id("chk_new")));
}

#[test]
fn a_checkout_that_is_already_paid_opens_at_review_or_waiting() {
    let mut c = ready("chk_1");
    c.payment.sources.push(source("src_0"));
    let mut s = State::new(Start::Existing(id("chk_1")), Config::default());
    update(
        &mut s,
        Event::Mounted {
            today: TODAY,
            seed: 1,
        },
    );
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
    update(
        &mut s,
        Event::Mounted {
            today: TODAY,
            seed: 1,
        },
    );
    let cmds = update(&mut s, Event::Reply(Reply::Checkout(Ok(c))));
    assert_eq!(s.step, Step::Waiting);
    assert_eq!(sends(&cmds), vec![Call::GetCheckout(id("chk_1"))]);
}

#[test]
fn load_failures_offer_try_again_when_it_can_help() {
    let mut s = State::new(Start::Existing(id("chk_1")), Config::default());
    update(
        &mut s,
        Event::Mounted {
            today: TODAY,
            seed: 1,
        },
    );
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

    update(
        &mut s,
        Event::Reply(Reply::Checkout(Err(ApiError::NotFound(vec![])))),
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
    update(
        &mut s,
        Event::Input(Field::CardNumber, "4444 2222 3333 1112".into()),
    );
    update(&mut s, Event::Input(Field::Expiry, "07/30".into()));
    let cmds = update(&mut s, Event::Continue);
    assert!(sends(&cmds).is_empty());
    assert_eq!(focus(&cmds), Some(Field::CardNumber));
    assert_eq!(s.alert, Some(Alert::Invalid));
    assert_eq!(
        s.visible_problem(Field::CardNumber),
        Some(Problem::CardNumberInvalid)
    );
    assert_eq!(s.visible_problem(Field::Cvc), Some(Problem::Required));
    assert_eq!(s.visible_problem(Field::Expiry), None);
}

#[test]
fn errors_show_after_blur_not_while_typing() {
    let mut s = at_payment(Config::default());
    update(&mut s, Event::Input(Field::CardNumber, "4444".into()));
    assert_eq!(s.visible_problem(Field::CardNumber), None);
    update(&mut s, Event::Blur(Field::CardNumber));
    assert_eq!(
        s.visible_problem(Field::CardNumber),
        Some(Problem::CardNumberInvalid)
    );
    update(&mut s, Event::Input(Field::CardNumber, VISA.into()));
    assert_eq!(s.visible_problem(Field::CardNumber), None);
    update(
        &mut s,
        Event::Input(Field::CardNumber, "343456789012341".into()),
    );
    assert_eq!(
        s.form.get(Field::CardNumber),
        "3434 567890 12341",
        "Amex groups 4-6-5"
    );
}

#[test]
fn happy_path_drops_card_data_waits_and_places_one_order() {
    let mut s = at_payment(Config::default());
    let req = pay(&mut s, VISA);
    assert_eq!(req.number, "4444222233331111");
    assert_eq!(req.cvv, "123");
    assert_eq!((req.expiration_month, req.expiration_year), (7, 2030));
    assert_eq!(req.session_id.as_str(), "ses_chk_1");
    assert_eq!(
        (req.first_name.as_str(), req.last_name.as_str()),
        ("Jane", "Doe")
    );
    // The card number and security code are gone from the state.
    assert_eq!(s.form.get(Field::CardNumber), "");
    assert_eq!(s.form.get(Field::Cvc), "");
    let dump = format!("{s:?}");
    assert!(
        !dump.contains("4444222233331111") && !dump.contains("4444 2222"),
        "{dump}"
    );
    assert_eq!(s.card.as_ref().unwrap().last_four_digits, "1111");

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
    type_card(&mut s, VISA);
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
    assert!(matches!(sends(&cmds).as_slice(), [Call::CreateSource(_)]));

    // A billing change sends the whole billTo object, and only it.
    let mut s = at_payment(Config::default());
    type_card(&mut s, VISA);
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
    type_card(&mut s, VISA);
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
    assert_eq!(
        s.form.get(Field::CardNumber),
        VISA,
        "typed card data is kept"
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
    type_card(&mut s, "4000 0000 0000 3295");
    update(&mut s, Event::Continue);
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Source(Err(rejected(
            "source_failed",
            Some("creditCard.number"),
            "This card cannot be used.",
        )))),
    );
    assert_eq!(s.step, Step::Payment);
    assert_eq!(focus(&cmds), Some(Field::CardNumber));
    assert_eq!(
        s.alert,
        Some(Alert::CardFailed {
            message: Some("This card cannot be used.".into())
        })
    );
    assert!(s.pending.is_none());
    // The shopper can try another card at once.
    update(&mut s, Event::Input(Field::CardNumber, VISA.into()));
    assert!(matches!(
        sends(&update(&mut s, Event::Continue)).as_slice(),
        [Call::CreateSource(_)]
    ));
}

#[test]
fn a_network_failure_creating_the_source_keeps_everything_and_offers_try_again() {
    let mut s = at_payment(Config::default());
    type_card(&mut s, VISA);
    update(&mut s, Event::Continue);
    let cmds = update(&mut s, Event::Reply(Reply::Source(Err(ApiError::Network))));
    assert!(notices(&cmds).contains(&Notice::Error(Failure::Network)));
    assert_eq!(s.retry, Some(Retry::Continue));
    assert_eq!(s.form.get(Field::CardNumber), VISA);
    assert!(matches!(
        sends(&update(&mut s, Event::Retry)).as_slice(),
        [Call::CreateSource(_)]
    ));
}

#[test]
fn attach_failures_retry_the_same_source() {
    let mut s = at_payment(Config::default());
    type_card(&mut s, VISA);
    update(&mut s, Event::Continue);
    update(&mut s, Event::Reply(Reply::Source(Ok(source("src_1")))));
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
    to_review(&mut s, "4000 0000 0000 3600");
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
    assert_eq!(focus(&cmds), Some(Field::CardNumber));
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
    assert_eq!(s.form.get(Field::CardNumber), "");
    assert_eq!(s.form.get(Field::Expiry), "");
    assert_eq!(
        s.form.get(Field::Name),
        "Jane Doe",
        "everything else is kept"
    );
    assert!(s.card.is_none());

    // Paying again goes to the new checkout's session and orders the new id.
    let req = pay(&mut s, VISA);
    assert_eq!(req.session_id.as_str(), "ses_chk_2");
    update(&mut s, Event::Reply(Reply::Checkout(Ok(ready("chk_2")))));
    assert_eq!(place(&mut s), id("chk_2"));
    assert!(s.dead.contains(&id("chk_1")));
}

#[test]
fn declines_can_repeat_and_each_gets_a_fresh_checkout() {
    let mut s = at_payment(Config::default());
    let mut ordered = vec![];
    for n in 2..=4 {
        to_review(&mut s, "4000 0000 0000 3600");
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
    to_review(&mut s, VISA);
    ordered.push(place(&mut s));
    assert_eq!(
        ordered,
        vec![id("chk_1"), id("chk_2"), id("chk_3"), id("chk_4")]
    );
}

#[test]
fn hard_declines_are_told_apart() {
    let mut s = at_payment(Config::default());
    to_review(&mut s, VISA);
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
    to_review(&mut s, VISA);
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
    to_review(&mut s, VISA);
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
    to_review(&mut s, VISA);
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
    to_review(&mut s, VISA);
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
    to_review(&mut s, VISA);
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
    assert_eq!(focus(&cmds), Some(Field::CardNumber));
    assert_eq!(s.checkout_id(), Some(&id("chk_1")));
}

#[test]
fn a_404_on_order_is_resolved_by_lookup() {
    let mut s = at_payment(Config::default());
    to_review(&mut s, VISA);
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
    to_review(&mut s, VISA);
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
        to_review(&mut s, VISA);
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
    to_review(&mut s, VISA);
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
    pay(&mut s, VISA);
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
    pay(&mut s, VISA);
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
    type_card(&mut s, VISA);
    update(&mut s, Event::Continue);
    update(
        &mut s,
        Event::Reply(Reply::Order(Ok(order("ord_x", "chk_1", "accepted")))),
    );
    assert_eq!(s.failure_shown(), Some(Failure::Decode));
    assert!(s.order.is_none());
}

#[test]
fn input_outside_forms_is_ignored() {
    let mut s = at_payment(Config::default());
    to_review(&mut s, VISA);
    update(&mut s, Event::Input(Field::CardNumber, VISA.into()));
    assert_eq!(s.form.get(Field::CardNumber), "");
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
    update(
        &mut s,
        Event::Mounted {
            today: TODAY,
            seed: 3,
        },
    );
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
    update(
        &mut s,
        Event::Mounted {
            today: TODAY,
            seed: 3,
        },
    );
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
    update(
        &mut s,
        Event::Mounted {
            today: TODAY,
            seed: 3,
        },
    );
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
    type_card(&mut s, VISA);
    update(&mut s, Event::Continue);
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Source(Err(ApiError::Server {
            status: 500,
            retry_after: None,
        }))),
    );
    assert_eq!(timer(&cmds), None);
    assert_eq!(s.retry, Some(Retry::Continue));
    update(&mut s, Event::Retry);
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Source(Err(ApiError::Server {
            status: 503,
            retry_after: Some(1),
        }))),
    );
    let (generation, ms) = timer(&cmds).unwrap();
    assert_eq!(ms, 1_000);
    assert!(matches!(
        sends(&update(&mut s, Event::Timer(generation))).as_slice(),
        [Call::CreateSource(_)]
    ));
    // A Retry-After beyond reason is left to the shopper.
    let cmds = update(
        &mut s,
        Event::Reply(Reply::Source(Err(ApiError::Server {
            status: 503,
            retry_after: Some(3600),
        }))),
    );
    assert_eq!(timer(&cmds), None);
}

#[test]
fn an_order_answered_503_is_looked_up_then_placed_again_when_the_server_said() {
    let mut s = at_payment(Config::default());
    to_review(&mut s, VISA);
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

mod properties {
    //! Random shopper actions and random server answers, checked against the
    //! invariants that keep money safe.

    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    #[derive(Debug, Clone)]
    enum Act {
        /// Types a complete, valid card (number, expiry, matching CVC).
        FillCard(usize),
        Type(usize, usize),
        Blur(usize),
        Continue,
        PlaceOrder,
        SaveFix,
        Retry,
        Timer(bool),
        Answer(u8),
    }

    fn act() -> impl Strategy<Value = Act> {
        prop_oneof![
            3 => (0..3usize).prop_map(Act::FillCard),
            2 => (0..10usize, 0..4usize).prop_map(|(f, v)| Act::Type(f, v)),
            1 => (0..10usize).prop_map(Act::Blur),
            3 => Just(Act::Continue),
            3 => Just(Act::PlaceOrder),
            1 => Just(Act::SaveFix),
            2 => Just(Act::Retry),
            1 => any::<bool>().prop_map(Act::Timer),
            8 => any::<u8>().prop_map(Act::Answer),
        ]
    }

    /// Values per field: mostly valid, sometimes not.
    fn value(f: Field, choice: usize) -> &'static str {
        let options: [&str; 4] = match f {
            Field::CardNumber => [VISA, "4000 0000 0000 3600", "3434 567890 12341", "4444"],
            Field::Expiry => ["07/30", "12/29", "01/20", "1"],
            Field::Cvc => ["123", "1234", "12", ""],
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
        typed_numbers: Vec<String>,
    }

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
                Call::CreateSource(_) | Call::AttachSource(..) => Reply::Source(if ok {
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

    fn run(acts: Vec<Act>, review: bool) -> Result<(), TestCaseError> {
        let mut s = State::new(
            Start::Existing(id("chk_p0")),
            Config {
                review,
                ..Config::default()
            },
        );
        let mut world = World::default();
        let mut outstanding: Option<Call> = None;
        let first = update(
            &mut s,
            Event::Mounted {
                today: TODAY,
                seed: 42,
            },
        );
        outstanding = sends(&first).pop().or(outstanding);
        let mut generation = 0;
        for a in acts {
            let event = match a {
                Act::FillCard(k) => {
                    let (number, cvc) = [
                        (VISA, "123"),
                        ("4000 0000 0000 3600", "123"),
                        ("3434 567890 12341", "1234"),
                    ][k];
                    world.typed_numbers.push(crate::validation::digits(number));
                    for (f, val) in [
                        (Field::CardNumber, number),
                        (Field::Expiry, "07/30"),
                        (Field::Cvc, cvc),
                    ] {
                        update(&mut s, Event::Input(f, val.into()));
                    }
                    continue;
                }
                Act::Type(f, v) => {
                    let field = Field::ALL[f];
                    let val = value(field, v);
                    if field == Field::CardNumber {
                        world.typed_numbers.push(crate::validation::digits(val));
                    }
                    Event::Input(field, val.into())
                }
                Act::Blur(f) => Event::Blur(Field::ALL[f]),
                Act::Continue => Event::Continue,
                Act::PlaceOrder => Event::PlaceOrder,
                Act::SaveFix => Event::SaveFix,
                Act::Retry => Event::Retry,
                Act::Timer(current) => Event::Timer(if current {
                    generation
                } else {
                    generation.wrapping_add(7)
                }),
                Act::Answer(n) => match outstanding.take() {
                    Some(call) => Event::Reply(world.answer(&call, n)),
                    None => continue,
                },
            };
            let was_source_reply = matches!(
                (&event, s.pending),
                (
                    Event::Reply(Reply::Source(Ok(_))),
                    Some(Pending::CreateSource)
                )
            );
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
                        if let Call::CreateSource(req) = call {
                            prop_assert!(!req.number.is_empty());
                        }
                        outstanding = Some(call.clone());
                    }
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
                "pending mirrors the request in flight"
            );
            if was_source_reply {
                prop_assert_eq!(s.form.get(Field::CardNumber), "");
                prop_assert_eq!(s.form.get(Field::Cvc), "");
                let dump = format!("{:?}", s);
                for n in &world.typed_numbers {
                    prop_assert!(
                        n.len() < 12 || !dump.contains(n.as_str()),
                        "card number left in state"
                    );
                }
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
