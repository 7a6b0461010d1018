//! Host tests of the card frame: every transition, with canned provider
//! answers, asserting on the messages and calls the core emits.

use super::*;
use crate::model::ErrorEntry;
use serde_json::{json, Value};

const TODAY: (u32, u32) = (2026, 5);
const SECRET: &str = "src_3ds_s3cr3t";
const ACS: &str = "http://localhost:8789/challenge?sourceId=src_3ds&token=t1";

fn ev(m: &mut FrameModel, e: FrameEvent) -> Vec<FrameCommand> {
    update(m, e)
}

fn msg(m: &mut FrameModel, t: ToFrame) -> Vec<FrameCommand> {
    update(m, FrameEvent::Message(t))
}

fn input(m: &mut FrameModel, f: CardField, s: &str) -> Vec<FrameCommand> {
    update(m, FrameEvent::Input(f, s.into()))
}

fn started() -> FrameModel {
    let mut m = FrameModel::default();
    ev(&mut m, FrameEvent::Started { today: TODAY });
    m
}

/// A frame with a complete card typed in.
fn typed(number: &str, cvc: &str) -> FrameModel {
    let mut m = started();
    input(&mut m, CardField::Name, "Mary Ann Smith");
    input(&mut m, CardField::Number, number);
    input(&mut m, CardField::Expiry, "1230");
    input(&mut m, CardField::Cvc, cvc);
    m
}

fn tokenize_msg(request: u32) -> ToFrame {
    ToFrame::Tokenize {
        request,
        session_id: "ses_1".into(),
        owner: Owner {
            email: " jdoe@example.com ".into(),
            address: json!({"line1": "10380 Bren Rd W", "city": "Minnetonka",
                            "postalCode": "55343", "state": "MN", "country": "US"}),
        },
    }
}

/// Posts among the commands.
fn posts(cmds: &[FrameCommand]) -> Vec<FromFrame> {
    cmds.iter()
        .filter_map(|c| match c {
            FrameCommand::Post(p) => Some(p.clone()),
            _ => None,
        })
        .collect()
}

/// The posts other than state reports.
fn answers(cmds: &[FrameCommand]) -> Vec<FromFrame> {
    posts(cmds)
        .into_iter()
        .filter(|p| !matches!(p, FromFrame::State(_)))
        .collect()
}

fn last_state(cmds: &[FrameCommand]) -> Option<FrameState> {
    posts(cmds).into_iter().rev().find_map(|p| match p {
        FromFrame::State(s) => Some(s),
        _ => None,
    })
}

/// The one call among the commands.
fn sent(cmds: &[FrameCommand]) -> (u32, SourceCall) {
    let calls: Vec<_> = cmds
        .iter()
        .filter_map(|c| match c {
            FrameCommand::Send { call, request } => Some((*call, request.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(calls.len(), 1, "{cmds:?}");
    calls[0].clone()
}

fn source(v: Value) -> Source {
    serde_json::from_value(v).unwrap()
}

fn chargeable(id: &str) -> Source {
    source(
        json!({"id": id, "type": "creditCard", "state": "chargeable",
        "creditCard": {"brand": "Visa", "lastFourDigits": "1111", "expirationMonth": 12, "expirationYear": 2030}}),
    )
}

fn needs_3ds(url: &str) -> Source {
    source(
        json!({"id": "src_3ds", "clientSecret": SECRET, "type": "creditCard",
        "state": "requires_action",
        "nextAction": {"action": "three_d_secure", "data": {"challengeUrl": url}},
        "creditCard": {"brand": "Mastercard", "lastFourDigits": "5454", "expirationMonth": 12, "expirationYear": 2030}}),
    )
}

fn with_state(mut s: Source, state: &str) -> Source {
    s.state = state.into();
    s
}

fn answer(m: &mut FrameModel, call: u32, result: Result<Source, ApiError>) -> Vec<FrameCommand> {
    ev(m, FrameEvent::Answer { call, result })
}

fn refused(status: u16, parameter: Option<&str>, message: &str) -> ApiError {
    let errors = vec![ErrorEntry {
        code: "invalid_card".into(),
        parameter: parameter.map(str::to_owned),
        message: message.into(),
    }];
    match status {
        409 => ApiError::Conflict(errors),
        _ => ApiError::Rejected { status, errors },
    }
}

/// A frame whose tokenization (request 1) is showing the challenge; returns
/// the model and every command so far.
fn challenging() -> (FrameModel, Vec<FrameCommand>) {
    let mut m = typed("5454 5454 5454 5454", "123");
    ev(&mut m, FrameEvent::Focused(CardField::Cvc));
    let mut all = msg(&mut m, tokenize_msg(1));
    let (call, _) = sent(&all);
    all.extend(answer(&mut m, call, Ok(needs_3ds(ACS))));
    (m, all)
}

/// As [`challenging`], after the challenge was abandoned.
fn abandoned() -> FrameModel {
    let (mut m, _) = challenging();
    msg(&mut m, ToFrame::CancelChallenge { request: 1 });
    m
}

// --- the form -------------------------------------------------------------

/// Nothing is reported before the init (typing is kept, messages are
/// ignored), and the init is answered once.
#[test]
fn ready_once_after_the_init() {
    let mut m = FrameModel::default();
    assert!(input(&mut m, CardField::Number, "4444").is_empty());
    assert!(msg(&mut m, ToFrame::Validate).is_empty());
    let cmds = ev(&mut m, FrameEvent::Started { today: TODAY });
    assert_eq!(posts(&cmds)[0], FromFrame::Ready);
    let state = last_state(&cmds).unwrap();
    assert!(!state.empty && !state.complete && state.errors.is_empty());
    assert!(ev(&mut m, FrameEvent::Started { today: TODAY }).is_empty());
}

/// Typing groups the number, detects the brand and reports the state, once
/// per change; nothing is flagged before the shopper leaves the field.
#[test]
fn typing_groups_detects_and_reports() {
    let mut m = started();
    let cmds = input(&mut m, CardField::Number, "4444222233331111");
    assert_eq!(m.value(CardField::Number), "4444 2222 3333 1111");
    let state = last_state(&cmds).unwrap();
    assert_eq!(state.brand.as_deref(), Some("Visa"));
    assert!(!state.empty && !state.complete && state.errors.is_empty());
    assert!(
        input(&mut m, CardField::Number, "4444 2222 3333 1111").is_empty(),
        "an unchanged state is not posted again"
    );
    input(&mut m, CardField::Expiry, "1");
    input(&mut m, CardField::Expiry, "123");
    assert_eq!(m.value(CardField::Expiry), "12/3");
    input(&mut m, CardField::Name, "Jane Doe");
    input(&mut m, CardField::Expiry, "12/30");
    let cmds = input(&mut m, CardField::Cvc, "12a34");
    assert_eq!(m.value(CardField::Cvc), "123", "3 digits for Visa");
    assert!(last_state(&cmds).unwrap().complete);
}

/// Amex takes a 4-digit code; the length follows the brand.
#[test]
fn security_code_length_by_brand() {
    let mut m = started();
    assert_eq!(m.cvc_len(), 4, "unknown brand: 3 or 4");
    input(&mut m, CardField::Number, "3434 567890 12341");
    assert_eq!(m.brand(), Some("American Express"));
    input(&mut m, CardField::Cvc, "12345");
    assert_eq!(m.value(CardField::Cvc), "1234");
    assert_eq!(m.problem(CardField::Cvc), None);
    input(&mut m, CardField::Number, "4444 2222 3333 1111");
    assert_eq!(m.problem(CardField::Cvc), Some(Problem::CvcInvalid));
}

/// A problem shows (and is announced) once the shopper leaves the field;
/// leaving an empty field is not a mistake yet.
#[test]
fn errors_after_blur() {
    let mut m = started();
    ev(&mut m, FrameEvent::Focused(CardField::Number));
    ev(&mut m, FrameEvent::Blurred(CardField::Number));
    assert!(m.state().errors.is_empty());
    input(&mut m, CardField::Number, "4444 2222");
    assert!(m.state().errors.is_empty());
    let cmds = ev(&mut m, FrameEvent::Blurred(CardField::Number));
    let state = last_state(&cmds).unwrap();
    assert_eq!(
        state.errors,
        [FieldError {
            field: CardField::Number,
            message: "This card number is not valid.".into()
        }]
    );
    assert_eq!(m.announcement(), "This card number is not valid.");
    input(&mut m, CardField::Expiry, "01/20");
    ev(&mut m, FrameEvent::Blurred(CardField::Expiry));
    assert_eq!(
        m.visible_error(CardField::Expiry).as_deref(),
        Some("This card has expired.")
    );
    input(&mut m, CardField::Number, "4444 2222 3333 1111");
    assert_eq!(m.visible_error(CardField::Number), None, "fixed as typed");
}

/// `Validate` shows and announces every field's problem.
#[test]
fn validate_shows_every_problem() {
    let mut m = started();
    input(&mut m, CardField::Cvc, "12");
    let state = last_state(&msg(&mut m, ToFrame::Validate)).unwrap();
    let messages: Vec<_> = state.errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "Enter the name on the card.",
            "Enter the card number.",
            "Enter the expiration date.",
            "The security code is not valid for this card."
        ]
    );
    assert!(m
        .announcement()
        .starts_with("Enter the name on the card. Enter"));
}

/// Focus and height go to the widget (it draws the focus ring, sizes the iframe).
#[test]
fn focus_and_height_are_reported() {
    let mut m = started();
    let cmds = ev(&mut m, FrameEvent::Focused(CardField::Expiry));
    assert_eq!(last_state(&cmds).unwrap().focused, Some(CardField::Expiry));
    let cmds = ev(&mut m, FrameEvent::Blurred(CardField::Expiry));
    assert_eq!(last_state(&cmds).unwrap().focused, None);
    let cmds = ev(&mut m, FrameEvent::Resized(236));
    assert_eq!(last_state(&cmds).unwrap().height, 236);
    assert!(ev(&mut m, FrameEvent::Resized(236)).is_empty());
}

/// `Focus` moves focus to the input, unless the challenge covers the form.
#[test]
fn focus_message() {
    let mut m = started();
    assert_eq!(
        msg(
            &mut m,
            ToFrame::Focus {
                field: CardField::Cvc
            }
        ),
        [FrameCommand::Focus(CardField::Cvc)]
    );
    let (mut m, _) = challenging();
    assert!(msg(
        &mut m,
        ToFrame::Focus {
            field: CardField::Cvc
        }
    )
    .is_empty());
}

// --- tokenization ---------------------------------------------------------

/// An incomplete form is not sent: its errors show, then the failure.
#[test]
fn incomplete_tokenize_shows_errors() {
    let mut m = started();
    input(&mut m, CardField::Number, "4444 2222 3333 1112");
    let cmds = msg(&mut m, tokenize_msg(1));
    assert!(matches!(cmds[0], FrameCommand::Post(FromFrame::State(ref s)) if s.errors.len() == 4));
    assert_eq!(
        answers(&cmds),
        [FromFrame::TokenizeFailed {
            request: 1,
            failure: TokenizeFailure::Incomplete,
            message: None
        }]
    );
    assert!(!cmds.iter().any(|c| matches!(c, FrameCommand::Send { .. })));
    // Not busy: once fixed, the next request goes out.
    let mut m = typed("4444 2222 3333 1111", "123");
    sent(&msg(&mut m, tokenize_msg(2)));
}

/// The body is the contract's, the name split into first and last name as
/// the widget did, the owner from the message.
#[test]
fn tokenize_posts_the_contract_body() {
    let mut m = typed("4444 2222 3333 1111", "123");
    let (_, call) = sent(&msg(&mut m, tokenize_msg(1)));
    let SourceCall::Create(request) = call else {
        panic!("{call:?}")
    };
    let body: Value = serde_json::from_str(&request.body()).unwrap();
    assert_eq!(
        body,
        json!({
            "type": "creditCard", "sessionId": "ses_1",
            "owner": {"firstName": "Mary Ann", "lastName": "Smith", "email": "jdoe@example.com",
                      "address": {"line1": "10380 Bren Rd W", "line2": "", "city": "Minnetonka",
                                  "postalCode": "55343", "state": "MN", "country": "US"}},
            "creditCard": {"number": "4444222233331111", "expirationMonth": 12,
                           "expirationYear": 2030, "cvv": "123"}
        })
    );
}

/// One tokenization at a time: another `Tokenize` meanwhile changes nothing.
#[test]
fn one_tokenization_at_a_time() {
    let mut m = typed("4444 2222 3333 1111", "123");
    sent(&msg(&mut m, tokenize_msg(1)));
    let before = m.clone();
    assert!(msg(&mut m, tokenize_msg(2)).is_empty());
    assert_eq!(m, before);
    let (mut m, _) = challenging();
    let before = m.clone();
    assert!(msg(&mut m, tokenize_msg(2)).is_empty());
    assert_eq!(m, before);
}

/// `chargeable`: the widget gets the summary, and the frame forgets the
/// number and the code.
#[test]
fn chargeable_is_tokenized_and_the_card_dropped() {
    let mut m = typed("4444 2222 3333 1111", "123");
    let (call, _) = sent(&msg(&mut m, tokenize_msg(1)));
    let cmds = answer(&mut m, call, Ok(chargeable("src_1")));
    assert_eq!(
        answers(&cmds),
        [FromFrame::Tokenized {
            request: 1,
            source: CardSource {
                source_id: "src_1".into(),
                brand: "Visa".into(),
                last4: "1111".into(),
                expiration_month: 12,
                expiration_year: 2030,
                name: "Mary Ann Smith".into(),
            }
        }]
    );
    assert_eq!(m.value(CardField::Number), "");
    assert_eq!(m.value(CardField::Cvc), "");
    assert_eq!(m.value(CardField::Name), "Mary Ann Smith");
    assert!(
        m.state().errors.is_empty(),
        "a dropped field is not a mistake"
    );
    // Not busy any more.
    assert!(
        answers(&msg(&mut m, tokenize_msg(2))).len() == 1,
        "incomplete now"
    );
}

/// A summary the provider left out comes from what was typed (never the number).
#[test]
fn missing_summary_falls_back_to_what_was_typed() {
    let mut m = typed("4444 2222 3333 1111", "123");
    let (call, _) = sent(&msg(&mut m, tokenize_msg(1)));
    let bare = source(json!({"id": "src_2", "state": "chargeable"}));
    let cmds = answer(&mut m, call, Ok(bare));
    let [FromFrame::Tokenized { source, .. }] = &answers(&cmds)[..] else {
        panic!("{cmds:?}")
    };
    assert_eq!(
        (source.brand.as_str(), source.last4.as_str()),
        ("Visa", "1111")
    );
    assert_eq!(
        (source.expiration_month, source.expiration_year),
        (12, 2030)
    );
}

/// `failed`, a 4xx or a 409: refused, with the provider's message; its field
/// messages go next to the fields, until the shopper changes them.
#[test]
fn refusals() {
    let mut m = typed("4000 0000 0000 3295", "123");
    let (call, _) = sent(&msg(&mut m, tokenize_msg(1)));
    let cmds = answer(&mut m, call, Ok(with_state(chargeable("src_f"), "failed")));
    assert_eq!(
        answers(&cmds),
        [FromFrame::TokenizeFailed {
            request: 1,
            failure: TokenizeFailure::Refused,
            message: None
        }]
    );
    assert_eq!(m.value(CardField::Number), "", "the source exists");

    for status in [400, 402, 409] {
        let mut m = typed("4000 0000 0000 3295", "123");
        let (call, _) = sent(&msg(&mut m, tokenize_msg(1)));
        let e = refused(
            status,
            Some("creditCard.number"),
            "This card cannot be used.",
        );
        let cmds = answer(&mut m, call, Err(e));
        assert_eq!(
            answers(&cmds),
            [FromFrame::TokenizeFailed {
                request: 1,
                failure: TokenizeFailure::Refused,
                message: Some("This card cannot be used.".into())
            }],
            "{status}"
        );
        assert_eq!(
            m.value(CardField::Number),
            "4000 0000 0000 3295",
            "no source: kept"
        );
        assert_eq!(
            last_state(&cmds).unwrap().errors,
            [FieldError {
                field: CardField::Number,
                message: "This card cannot be used.".into()
            }]
        );
        input(&mut m, CardField::Number, "4444 2222 3333 1111");
        assert!(m.state().errors.is_empty());
    }
}

/// No response, a timeout, a 5xx or an unreadable body: that failure, and the
/// card is kept so `Try again` can send it again.
#[test]
fn failures_without_a_source() {
    for (e, failure) in [
        (ApiError::Network, TokenizeFailure::Network),
        (ApiError::Timeout, TokenizeFailure::Timeout),
        (
            ApiError::Server {
                status: 502,
                retry_after: None,
            },
            TokenizeFailure::Server,
        ),
        (ApiError::Decode, TokenizeFailure::Decode),
    ] {
        let mut m = typed("4444 2222 3333 1111", "123");
        let (call, _) = sent(&msg(&mut m, tokenize_msg(1)));
        let cmds = answer(&mut m, call, Err(e));
        assert_eq!(
            answers(&cmds),
            [FromFrame::TokenizeFailed {
                request: 1,
                failure,
                message: None
            }]
        );
        assert_eq!(m.value(CardField::Cvc), "123");
        sent(&msg(&mut m, tokenize_msg(2)));
    }
    // A success without an id, or a state outside the contract: unreadable.
    for s in [
        source(json!({"state": "chargeable"})),
        with_state(chargeable("src_1"), "consumed"),
        source(json!({"id": "src_3ds", "clientSecret": SECRET, "state": "requires_action"})),
        needs_3ds("javascript:alert(1)"),
    ] {
        let mut m = typed("4444 2222 3333 1111", "123");
        let (call, _) = sent(&msg(&mut m, tokenize_msg(1)));
        let cmds = answer(&mut m, call, Ok(s));
        assert!(
            matches!(
                answers(&cmds)[..],
                [FromFrame::TokenizeFailed {
                    failure: TokenizeFailure::Decode,
                    ..
                }]
            ),
            "{cmds:?}"
        );
    }
}

// --- 3-D Secure -----------------------------------------------------------

/// `requires_action`: the challenge shows inside the frame, the card is
/// dropped, the widget hears `ChallengeStarted`.
#[test]
fn requires_action_shows_the_challenge() {
    let (m, cmds) = challenging();
    let tail = &cmds[cmds.len() - 2..];
    assert_eq!(
        tail,
        [
            FrameCommand::ShowChallenge(ACS.into()),
            FrameCommand::Post(FromFrame::ChallengeStarted { request: 1 })
        ]
    );
    assert_eq!(m.challenge_url(), Some(ACS));
    assert_eq!(m.state().focused, None, "the inputs are gone");
    assert_eq!(m.value(CardField::Number), "");
    assert_eq!(
        m.announcement(),
        text::challenge_note(&crate::i18n::Messages::default())
    );
}

/// The return page's message is a hint: the frame reads the source with its
/// client secret and trusts only that. A hint for another source is ignored.
#[test]
fn the_return_hint_leads_to_a_read() {
    let (mut m, _) = challenging();
    let before = m.clone();
    assert!(ev(
        &mut m,
        FrameEvent::ChallengeReturned {
            source_id: "src_other".into()
        }
    )
    .is_empty());
    assert_eq!(m, before);
    let cmds = ev(
        &mut m,
        FrameEvent::ChallengeReturned {
            source_id: "src_3ds".into(),
        },
    );
    assert_eq!(cmds[0], FrameCommand::HideChallenge);
    let (_, call) = sent(&cmds);
    assert_eq!(
        call,
        SourceCall::Read {
            id: SourceId("src_3ds".into()),
            client_secret: ClientSecret(SECRET.into())
        }
    );
    assert_eq!(m.challenge_url(), None);
    assert!(
        ev(
            &mut m,
            FrameEvent::ChallengeReturned {
                source_id: "src_3ds".into()
            }
        )
        .is_empty(),
        "one read per return"
    );
}

/// After the challenge, the source's state decides: chargeable, failed,
/// still requires_action (abandoned), or no answer (abandoned: read again later).
#[test]
fn the_source_state_decides_the_outcome() {
    let passed = CardSource {
        source_id: "src_3ds".into(),
        brand: "Mastercard".into(),
        last4: "5454".into(),
        expiration_month: 12,
        expiration_year: 2030,
        name: "Mary Ann Smith".into(),
    };
    let cases: [(
        Result<Source, ApiError>,
        ChallengeOutcome,
        Option<CardSource>,
    ); 6] = [
        (
            Ok(with_state(needs_3ds(ACS), "chargeable")),
            ChallengeOutcome::Passed,
            Some(passed),
        ),
        (
            Ok(with_state(needs_3ds(ACS), "failed")),
            ChallengeOutcome::Failed,
            None,
        ),
        (Ok(needs_3ds(ACS)), ChallengeOutcome::Abandoned, None),
        (Err(ApiError::Network), ChallengeOutcome::Abandoned, None),
        (Err(ApiError::Timeout), ChallengeOutcome::Abandoned, None),
        (
            Err(ApiError::NotFound(vec![])),
            ChallengeOutcome::Failed,
            None,
        ),
    ];
    for (result, outcome, source) in cases {
        let (mut m, _) = challenging();
        let cmds = ev(
            &mut m,
            FrameEvent::ChallengeReturned {
                source_id: "src_3ds".into(),
            },
        );
        let (call, _) = sent(&cmds);
        let cmds = answer(&mut m, call, result);
        assert_eq!(
            answers(&cmds),
            [FromFrame::ChallengeEnded {
                request: 1,
                outcome,
                source
            }]
        );
        // Over unless abandoned: a new card may be tokenized.
        let again = msg(&mut m, ToFrame::Challenge { request: 1 });
        assert_eq!(
            again.is_empty(),
            outcome != ChallengeOutcome::Abandoned,
            "{outcome:?}"
        );
    }
}

/// The widget's time limit: the challenge closes, abandoned; a read in
/// flight is then ignored.
#[test]
fn cancel_challenge() {
    let (mut m, _) = challenging();
    let cmds = msg(&mut m, ToFrame::CancelChallenge { request: 1 });
    assert_eq!(
        cmds,
        [
            FrameCommand::HideChallenge,
            FrameCommand::Post(FromFrame::ChallengeEnded {
                request: 1,
                outcome: ChallengeOutcome::Abandoned,
                source: None
            })
        ]
    );
    assert!(msg(&mut m, ToFrame::CancelChallenge { request: 1 }).is_empty());

    let (mut m, _) = challenging();
    let (call, _) = sent(&ev(
        &mut m,
        FrameEvent::ChallengeReturned {
            source_id: "src_3ds".into(),
        },
    ));
    let cmds = msg(&mut m, ToFrame::CancelChallenge { request: 1 });
    assert_eq!(
        answers(&cmds),
        [FromFrame::ChallengeEnded {
            request: 1,
            outcome: ChallengeOutcome::Abandoned,
            source: None
        }]
    );
    let before = m.clone();
    assert!(answer(&mut m, call, Ok(with_state(needs_3ds(ACS), "chargeable"))).is_empty());
    assert_eq!(m, before);
}

/// `Verify again` reads the source first: passed meanwhile, or shows the
/// challenge again, with the fresh URL the provider issued (or the old one).
#[test]
fn verify_again() {
    let fresh = "http://localhost:8789/challenge?sourceId=src_3ds&token=t2";
    let cases: [(Result<Source, ApiError>, Option<&str>); 3] = [
        (Ok(needs_3ds(fresh)), Some(fresh)),
        (Err(ApiError::Network), Some(ACS)),
        (Ok(with_state(needs_3ds(ACS), "chargeable")), None),
    ];
    for (result, shown) in cases {
        let mut m = abandoned();
        let cmds = msg(&mut m, ToFrame::Challenge { request: 1 });
        let (call, read) = sent(&cmds);
        assert!(matches!(read, SourceCall::Read { .. }));
        assert!(msg(&mut m, ToFrame::Challenge { request: 1 }).is_empty());
        let cmds = answer(&mut m, call, result);
        match shown {
            Some(url) => {
                assert_eq!(
                    cmds[cmds.len() - 2..],
                    [
                        FrameCommand::ShowChallenge(url.into()),
                        FrameCommand::Post(FromFrame::ChallengeStarted { request: 1 })
                    ]
                );
                assert_eq!(m.challenge_url(), Some(url));
            }
            None => assert!(matches!(
                answers(&cmds)[..],
                [FromFrame::ChallengeEnded {
                    outcome: ChallengeOutcome::Passed,
                    source: Some(_),
                    ..
                }]
            )),
        }
    }
}

/// After an abandoned challenge the shopper may use another card instead.
#[test]
fn another_card_after_an_abandoned_challenge() {
    let mut m = abandoned();
    input(&mut m, CardField::Number, "4444 2222 3333 1111");
    input(&mut m, CardField::Cvc, "123");
    let (call, _) = sent(&msg(&mut m, tokenize_msg(2)));
    assert!(
        msg(&mut m, ToFrame::Challenge { request: 1 }).is_empty(),
        "the old challenge is gone"
    );
    let cmds = answer(&mut m, call, Ok(chargeable("src_2")));
    assert!(matches!(
        answers(&cmds)[..],
        [FromFrame::Tokenized { request: 2, .. }]
    ));
}

/// The property the widget relies on: a message or answer for a request or
/// call that is not the current one changes nothing and says nothing.
#[test]
fn stale_request_ids_change_nothing() {
    let stale = [
        FrameEvent::Message(ToFrame::Challenge { request: 7 }),
        FrameEvent::Message(ToFrame::CancelChallenge { request: 7 }),
        FrameEvent::Answer {
            call: 999,
            result: Ok(chargeable("src_x")),
        },
        FrameEvent::ChallengeReturned {
            source_id: "src_x".into(),
        },
    ];
    let setups: [fn() -> FrameModel; 4] = [
        || typed("4444 2222 3333 1111", "123"),
        || {
            let mut m = typed("4444 2222 3333 1111", "123");
            msg(&mut m, tokenize_msg(1));
            m
        },
        || challenging().0,
        abandoned,
    ];
    for setup in setups {
        for e in stale.clone() {
            let mut m = setup();
            let before = m.clone();
            let label = format!("{e:?} on {before:?}");
            assert!(update(&mut m, e).is_empty(), "{label}");
            assert_eq!(m, before, "{label}");
        }
    }
    // The first call's answer after a second tokenization is stale too.
    let mut m = typed("4444 2222 3333 1111", "123");
    let (first, _) = sent(&msg(&mut m, tokenize_msg(1)));
    answer(&mut m, first, Err(ApiError::Network));
    msg(&mut m, tokenize_msg(2));
    let before = m.clone();
    assert!(answer(&mut m, first, Ok(chargeable("src_late"))).is_empty());
    assert_eq!(m, before);
}

/// `Reset` forgets the card (the name stays, as in the widget), closes the
/// challenge, and makes a late answer stale.
#[test]
fn reset_forgets_the_card() {
    let mut m = typed("4444 2222 3333 1111", "123");
    let (call, _) = sent(&msg(&mut m, tokenize_msg(1)));
    let cmds = msg(&mut m, ToFrame::Reset);
    assert!(!cmds.contains(&FrameCommand::HideChallenge));
    for f in [CardField::Number, CardField::Expiry, CardField::Cvc] {
        assert_eq!(m.value(f), "", "{f:?}");
    }
    assert_eq!(m.value(CardField::Name), "Mary Ann Smith");
    assert!(answer(&mut m, call, Ok(chargeable("src_late"))).is_empty());

    let (mut m, _) = challenging();
    let cmds = msg(&mut m, ToFrame::Reset);
    assert!(cmds.contains(&FrameCommand::HideChallenge), "{cmds:?}");
    assert!(answers(&cmds).is_empty(), "{cmds:?}");
    assert_eq!(m.challenge_url(), None);
    assert!(msg(&mut m, ToFrame::Challenge { request: 1 }).is_empty());
}

/// The client secret, the card number and the code never leave the frame:
/// not in a message to the widget, not in a `Debug`.
#[test]
fn secrets_stay_in_the_frame() {
    let mut m = typed("5454 5454 5454 5454", "987");
    let mut all = msg(&mut m, tokenize_msg(1));
    let (call, _) = sent(&all);
    let dbg = format!("{m:?} {all:?}");
    all.extend(answer(&mut m, call, Ok(needs_3ds(ACS))));
    all.extend(ev(
        &mut m,
        FrameEvent::ChallengeReturned {
            source_id: "src_3ds".into(),
        },
    ));
    let (call, _) = sent(&all[all.len() - 1..]);
    all.extend(answer(
        &mut m,
        call,
        Ok(with_state(needs_3ds(ACS), "chargeable")),
    ));
    let wire: String = posts(&all)
        .iter()
        .map(crate::card_frame::protocol::encode)
        .collect();
    let dbg = format!(
        "{dbg} {m:?} {all:?} {:?}",
        FrameEvent::Input(CardField::Number, "5454545454545454".into())
    );
    for secret in [SECRET, "5454545454545454", "5454 5454 5454 5454", "987"] {
        assert!(!wire.contains(secret), "{secret} posted: {wire}");
        assert!(!dbg.contains(secret), "{secret} in Debug: {dbg}");
    }
    assert!(wire.contains(r#""last4":"5454""#), "{wire}");
}

/// The widget's billing name fills an empty `Name on card`, never a typed one.
#[test]
fn prefill_fills_only_an_empty_name() {
    let mut m = started();
    msg(
        &mut m,
        ToFrame::Prefill {
            name: "Jane Doe".into(),
        },
    );
    assert_eq!(m.values[CardField::Name as usize], "Jane Doe");
    let mut m = typed("4444 2222 3333 1111", "123");
    msg(
        &mut m,
        ToFrame::Prefill {
            name: "Jane Doe".into(),
        },
    );
    assert_eq!(m.values[CardField::Name as usize], "Mary Ann Smith");
}

// --- saved sources ----------------------------------------------------------

const SAVED_SECRET: &str = "src_saved_s3cr3t_77";
const SAVED_ACS: &str = "http://localhost:8789/challenge?sourceId=src_saved&token=s1";

fn authenticate_msg(request: u32) -> ToFrame {
    ToFrame::Authenticate {
        request,
        session_id: "ses_1".into(),
        source_id: "src_saved".into(),
        client_secret: SAVED_SECRET.into(),
    }
}

fn authentication(v: Value) -> Authentication {
    serde_json::from_value(v).unwrap()
}

fn status(s: &str) -> Authentication {
    authentication(json!({ "status": s }))
}

fn saved_3ds(url: &str) -> Authentication {
    authentication(json!({"status": "requires_action",
        "nextAction": {"action": "three_d_secure", "data": {"challengeUrl": url}}}))
}

fn auth_answer(
    m: &mut FrameModel,
    call: u32,
    result: Result<Authentication, ApiError>,
) -> Vec<FrameCommand> {
    ev(m, FrameEvent::Authentication { call, result })
}

fn the_call() -> SourceCall {
    SourceCall::Authenticate {
        id: SourceId("src_saved".into()),
        session_id: SessionId("ses_1".into()),
        client_secret: ClientSecret(SAVED_SECRET.into()),
    }
}

/// A frame with a new card typed in (the shopper then picked a saved card)
/// whose authentication (request 1) is in flight; returns its call.
fn authenticating() -> (FrameModel, u32) {
    let mut m = typed("4444 2222 3333 1111", "123");
    let (call, request) = sent(&msg(&mut m, authenticate_msg(1)));
    assert_eq!(request, the_call());
    (m, call)
}

/// As [`authenticating`], with the saved card's challenge on screen.
fn saved_challenging() -> (FrameModel, Vec<FrameCommand>) {
    let (mut m, call) = authenticating();
    let cmds = auth_answer(&mut m, call, Ok(saved_3ds(SAVED_ACS)));
    (m, cmds)
}

/// As [`saved_challenging`], after the challenge was abandoned.
fn saved_abandoned() -> FrameModel {
    let (mut m, _) = saved_challenging();
    msg(&mut m, ToFrame::CancelChallenge { request: 1 });
    m
}

/// The return hint for the saved source: the authentication is asked again.
fn saved_returned(m: &mut FrameModel) -> u32 {
    let cmds = ev(
        m,
        FrameEvent::ChallengeReturned {
            source_id: "src_saved".into(),
        },
    );
    assert_eq!(cmds[0], FrameCommand::HideChallenge);
    let (call, request) = sent(&cmds);
    assert_eq!(request, the_call(), "asked again, not read");
    call
}

/// What the shopper typed into the new-card form, untouched.
fn assert_typed_card_kept(m: &FrameModel) {
    assert_eq!(m.value(CardField::Name), "Mary Ann Smith");
    assert_eq!(m.value(CardField::Number), "4444 2222 3333 1111");
    assert_eq!(m.value(CardField::Expiry), "12/30");
    assert_eq!(m.value(CardField::Cvc), "123");
}

/// The widget's message, as it writes it, reads as `Authenticate`.
#[test]
fn authenticate_reads_from_the_wire() {
    let text = r#"{"v":1,"type":"authenticate","request":3,"sessionId":"ses_1",
        "sourceId":"src_saved","clientSecret":"src_saved_s3cr3t_77"}"#;
    assert_eq!(
        crate::card_frame::protocol::decode::<ToFrame>(text),
        Some(authenticate_msg(3))
    );
    assert!(
        crate::card_frame::protocol::encode(&FromFrame::Authenticated { request: 3 })
            .contains(r#""type":"authenticated""#)
    );
}

/// The provider's answer decodes with unknown fields and without optional ones.
#[test]
fn the_authentication_answer_decodes() {
    let a: Authentication = crate::model::classify(
        200,
        r#"{"status":"requires_action","extra":1,
            "nextAction":{"action":"three_d_secure","data":{"challengeUrl":"https://acs/c"}}}"#,
        None,
    )
    .unwrap();
    assert_eq!(a.status, "requires_action");
    assert_eq!(a.next_action.unwrap().data["challengeUrl"], "https://acs/c");
    assert_eq!(
        crate::model::classify::<Authentication>(200, r#"{"status":"complete"}"#, None),
        Ok(status("complete"))
    );
    assert_eq!(
        crate::model::classify::<Authentication>(200, "<html>", None),
        Err(ApiError::Decode)
    );
}

/// `Authenticate` is one `POST /sources/{id}/authentications` with the
/// contract's body; the typed card is neither sent nor cleared.
#[test]
fn authenticate_posts_the_contract_call() {
    let (m, _) = authenticating();
    let body: Value = serde_json::from_str(&the_call().body().unwrap()).unwrap();
    assert_eq!(
        body,
        json!({"sessionId": "ses_1", "clientSecret": SAVED_SECRET})
    );
    assert_typed_card_kept(&m);
    assert!(m.state().errors.is_empty());
    // Also from an empty form: no card is needed.
    let mut m = started();
    assert_eq!(sent(&msg(&mut m, authenticate_msg(1))).1, the_call());
    assert!(answers(&msg(&mut m, authenticate_msg(2))).is_empty());
}

/// A message without a source or a secret is refused without a call.
#[test]
fn authenticate_without_a_source_or_secret_is_refused() {
    for (source_id, client_secret) in [("", SAVED_SECRET), ("src_saved", "")] {
        let mut m = started();
        let cmds = msg(
            &mut m,
            ToFrame::Authenticate {
                request: 1,
                session_id: "ses_1".into(),
                source_id: source_id.into(),
                client_secret: client_secret.into(),
            },
        );
        assert_eq!(
            answers(&cmds),
            [FromFrame::TokenizeFailed {
                request: 1,
                failure: TokenizeFailure::Refused,
                message: None
            }]
        );
        assert!(!cmds.iter().any(|c| matches!(c, FrameCommand::Send { .. })));
        assert_eq!(m.job, None);
    }
}

/// `complete` or `authentication_not_required`: `Authenticated`; the job
/// (and its secret) is gone, the typed card is still there.
#[test]
fn saved_source_authenticated() {
    for s in ["complete", "authentication_not_required"] {
        let (mut m, call) = authenticating();
        let cmds = auth_answer(&mut m, call, Ok(status(s)));
        assert_eq!(
            answers(&cmds),
            [FromFrame::Authenticated { request: 1 }],
            "{s}"
        );
        assert!(!cmds.iter().any(|c| matches!(c, FrameCommand::Send { .. })));
        assert_eq!(m.job, None, "{s}: the secret went with the job");
        assert_typed_card_kept(&m);
        // Not busy any more: the typed card may be tokenized after all.
        let (_, next) = sent(&msg(&mut m, tokenize_msg(2)));
        assert!(matches!(next, SourceCall::Create(_)));
    }
}

/// `failed`, a 4xx or a 409 (an expired card): refused, with the provider's
/// message; nothing is put next to the new-card inputs.
#[test]
fn saved_source_refused() {
    let (mut m, call) = authenticating();
    let cmds = auth_answer(&mut m, call, Ok(status("failed")));
    assert_eq!(
        answers(&cmds),
        [FromFrame::TokenizeFailed {
            request: 1,
            failure: TokenizeFailure::Refused,
            message: None
        }]
    );
    assert_eq!(m.job, None);

    for status in [409, 400, 403] {
        let (mut m, call) = authenticating();
        let e = refused(status, Some("creditCard.number"), "This card has expired.");
        let cmds = auth_answer(&mut m, call, Err(e));
        assert_eq!(
            answers(&cmds),
            [FromFrame::TokenizeFailed {
                request: 1,
                failure: TokenizeFailure::Refused,
                message: Some("This card has expired.".into())
            }],
            "{status}"
        );
        assert!(m.state().errors.is_empty(), "{status}");
        assert_typed_card_kept(&m);
        assert_eq!(m.job, None);
    }
    let (mut m, call) = authenticating();
    let cmds = auth_answer(&mut m, call, Err(ApiError::NotFound(vec![])));
    assert_eq!(
        answers(&cmds),
        [FromFrame::TokenizeFailed {
            request: 1,
            failure: TokenizeFailure::Refused,
            message: None
        }]
    );
}

/// No response, a timeout, a 5xx or an unreadable answer: that failure; the
/// widget may send `Authenticate` again.
#[test]
fn saved_source_failures_without_an_answer() {
    let server = ApiError::Server {
        status: 503,
        retry_after: Some(2),
    };
    let cases: [(Result<Authentication, ApiError>, TokenizeFailure); 8] = [
        (Err(server), TokenizeFailure::Server),
        (Err(ApiError::Network), TokenizeFailure::Network),
        (Err(ApiError::Timeout), TokenizeFailure::Timeout),
        (Err(ApiError::Decode), TokenizeFailure::Decode),
        (Ok(status("pending")), TokenizeFailure::Decode),
        (Ok(status("")), TokenizeFailure::Decode),
        (Ok(status("requires_action")), TokenizeFailure::Decode),
        (
            Ok(saved_3ds("javascript:alert(1)")),
            TokenizeFailure::Decode,
        ),
    ];
    for (result, failure) in cases {
        let (mut m, call) = authenticating();
        let cmds = auth_answer(&mut m, call, result);
        assert_eq!(
            answers(&cmds),
            [FromFrame::TokenizeFailed {
                request: 1,
                failure,
                message: None
            }],
            "{failure:?}"
        );
        assert_eq!(m.challenge_url(), None);
        assert_typed_card_kept(&m);
        assert_eq!(sent(&msg(&mut m, authenticate_msg(2))).1, the_call());
    }
}

/// `requires_action`: the challenge shows in the frame as for a new card;
/// the typed card stays (hidden) for `Use a new card`.
#[test]
fn saved_source_requires_action_shows_the_challenge() {
    let (m, cmds) = saved_challenging();
    assert_eq!(
        cmds[cmds.len() - 2..],
        [
            FrameCommand::ShowChallenge(SAVED_ACS.into()),
            FrameCommand::Post(FromFrame::ChallengeStarted { request: 1 })
        ]
    );
    assert_eq!(m.challenge_url(), Some(SAVED_ACS));
    assert_eq!(
        m.announcement(),
        text::challenge_note(&crate::i18n::Messages::default())
    );
    assert_typed_card_kept(&m);
}

/// The return hint (only for the saved source) asks the authentication
/// again; its answer decides: complete / not required → passed, failed or a
/// refusal → failed, still requires_action or no answer → abandoned.
#[test]
fn saved_source_challenge_outcomes() {
    let (mut m, _) = saved_challenging();
    let before = m.clone();
    assert!(ev(
        &mut m,
        FrameEvent::ChallengeReturned {
            source_id: "src_3ds".into()
        }
    )
    .is_empty());
    assert_eq!(m, before);

    let cases: [(Result<Authentication, ApiError>, ChallengeOutcome); 8] = [
        (Ok(status("complete")), ChallengeOutcome::Passed),
        (
            Ok(status("authentication_not_required")),
            ChallengeOutcome::Passed,
        ),
        (Ok(status("failed")), ChallengeOutcome::Failed),
        (
            Err(refused(409, None, "Expired.")),
            ChallengeOutcome::Failed,
        ),
        (Ok(saved_3ds(SAVED_ACS)), ChallengeOutcome::Abandoned),
        (Ok(status("requires_action")), ChallengeOutcome::Abandoned),
        (Err(ApiError::Network), ChallengeOutcome::Abandoned),
        (
            Err(ApiError::Server {
                status: 500,
                retry_after: None,
            }),
            ChallengeOutcome::Abandoned,
        ),
    ];
    for (result, outcome) in cases {
        let (mut m, _) = saved_challenging();
        let call = saved_returned(&mut m);
        assert_eq!(m.challenge_url(), None);
        assert!(
            ev(
                &mut m,
                FrameEvent::ChallengeReturned {
                    source_id: "src_saved".into()
                }
            )
            .is_empty(),
            "one re-ask per return"
        );
        let cmds = auth_answer(&mut m, call, result);
        assert_eq!(
            answers(&cmds),
            [FromFrame::ChallengeEnded {
                request: 1,
                outcome,
                source: None
            }],
            "{outcome:?}"
        );
        assert_typed_card_kept(&m);
        let abandoned = outcome == ChallengeOutcome::Abandoned;
        assert_eq!(m.job.is_none(), !abandoned, "{outcome:?}: the secret went");
        // Only an abandoned challenge may be shown again.
        let again = msg(&mut m, ToFrame::Challenge { request: 1 });
        assert_eq!(again.is_empty(), !abandoned, "{outcome:?}");
    }
}

/// `Verify again` asks the authentication again: passed meanwhile, or the
/// challenge with the fresh URL it returns (or the old one without an answer).
#[test]
fn saved_source_verify_again() {
    let fresh = "http://localhost:8789/challenge?sourceId=src_saved&token=s2";
    let cases: [(Result<Authentication, ApiError>, Option<&str>); 4] = [
        (Ok(saved_3ds(fresh)), Some(fresh)),
        (Ok(status("requires_action")), Some(SAVED_ACS)),
        (Err(ApiError::Timeout), Some(SAVED_ACS)),
        (Ok(status("complete")), None),
    ];
    for (result, shown) in cases {
        let mut m = saved_abandoned();
        let (call, request) = sent(&msg(&mut m, ToFrame::Challenge { request: 1 }));
        assert_eq!(request, the_call());
        assert!(msg(&mut m, ToFrame::Challenge { request: 1 }).is_empty());
        let cmds = auth_answer(&mut m, call, result);
        match shown {
            Some(url) => {
                assert_eq!(
                    cmds[cmds.len() - 2..],
                    [
                        FrameCommand::ShowChallenge(url.into()),
                        FrameCommand::Post(FromFrame::ChallengeStarted { request: 1 })
                    ]
                );
                assert_eq!(m.challenge_url(), Some(url));
                // The fresh challenge returns like the first.
                let call = saved_returned(&mut m);
                let cmds = auth_answer(&mut m, call, Ok(status("complete")));
                assert_eq!(
                    answers(&cmds),
                    [FromFrame::ChallengeEnded {
                        request: 1,
                        outcome: ChallengeOutcome::Passed,
                        source: None
                    }]
                );
            }
            None => assert_eq!(
                answers(&cmds),
                [FromFrame::ChallengeEnded {
                    request: 1,
                    outcome: ChallengeOutcome::Passed,
                    source: None
                }]
            ),
        }
    }
}

/// `CancelChallenge` closes the saved card's challenge (abandoned); a re-ask
/// in flight is then ignored.
#[test]
fn saved_source_cancel() {
    let (mut m, _) = saved_challenging();
    assert_eq!(
        msg(&mut m, ToFrame::CancelChallenge { request: 1 }),
        [
            FrameCommand::HideChallenge,
            FrameCommand::Post(FromFrame::ChallengeEnded {
                request: 1,
                outcome: ChallengeOutcome::Abandoned,
                source: None
            })
        ]
    );
    assert!(msg(&mut m, ToFrame::CancelChallenge { request: 1 }).is_empty());
    assert_typed_card_kept(&m);

    let (mut m, _) = saved_challenging();
    let call = saved_returned(&mut m);
    let cmds = msg(&mut m, ToFrame::CancelChallenge { request: 1 });
    assert_eq!(
        answers(&cmds),
        [FromFrame::ChallengeEnded {
            request: 1,
            outcome: ChallengeOutcome::Abandoned,
            source: None
        }]
    );
    let before = m.clone();
    assert!(auth_answer(&mut m, call, Ok(status("complete"))).is_empty());
    assert_eq!(m, before);
}

/// One job at a time: `Authenticate` or `Tokenize` while either runs changes
/// nothing; after an abandoned challenge, either may start afresh.
#[test]
fn one_job_at_a_time_with_saved_sources() {
    let busy: [fn() -> FrameModel; 4] = [
        || authenticating().0,
        || saved_challenging().0,
        || {
            let (mut m, _) = saved_challenging();
            saved_returned(&mut m);
            m
        },
        || {
            let mut m = typed("4444 2222 3333 1111", "123");
            sent(&msg(&mut m, tokenize_msg(1)));
            m
        },
    ];
    for setup in busy {
        for second in [authenticate_msg(2), tokenize_msg(2)] {
            let mut m = setup();
            let before = m.clone();
            assert!(msg(&mut m, second).is_empty(), "{before:?}");
            assert_eq!(m, before);
        }
    }
    let (mut m, _) = challenging();
    let before = m.clone();
    assert!(msg(&mut m, authenticate_msg(2)).is_empty());
    assert_eq!(m, before);

    // After an abandoned saved challenge: the new card instead...
    let mut m = saved_abandoned();
    let (call, request) = sent(&msg(&mut m, tokenize_msg(2)));
    assert!(matches!(request, SourceCall::Create(_)));
    assert!(msg(&mut m, ToFrame::Challenge { request: 1 }).is_empty());
    let cmds = answer(&mut m, call, Ok(chargeable("src_2")));
    assert!(matches!(
        answers(&cmds)[..],
        [FromFrame::Tokenized { request: 2, .. }]
    ));
    // ...or another saved card, after a new card's abandoned challenge.
    let mut m = abandoned();
    let (call, request) = sent(&msg(&mut m, authenticate_msg(2)));
    assert_eq!(request, the_call());
    let cmds = auth_answer(&mut m, call, Ok(status("complete")));
    assert_eq!(answers(&cmds), [FromFrame::Authenticated { request: 2 }]);
}

/// Stale request ids, late answers and answers of the other kind change
/// nothing and say nothing, during a saved source's job too.
#[test]
fn stale_ids_change_nothing_for_saved_sources() {
    let stale = [
        FrameEvent::Message(ToFrame::Challenge { request: 7 }),
        FrameEvent::Message(ToFrame::CancelChallenge { request: 7 }),
        FrameEvent::Authentication {
            call: 999,
            result: Ok(status("complete")),
        },
        FrameEvent::Answer {
            call: 999,
            result: Ok(chargeable("src_x")),
        },
        FrameEvent::ChallengeReturned {
            source_id: "src_x".into(),
        },
    ];
    let setups: [fn() -> FrameModel; 5] = [
        started,
        || authenticating().0,
        || saved_challenging().0,
        saved_abandoned,
        || challenging().0,
    ];
    for setup in setups {
        for e in stale.clone() {
            let mut m = setup();
            let before = m.clone();
            let label = format!("{e:?} on {before:?}");
            assert!(update(&mut m, e).is_empty(), "{label}");
            assert_eq!(m, before, "{label}");
        }
    }
    // An answer of the wrong kind for the current call number is not one.
    let (mut m, call) = authenticating();
    let before = m.clone();
    assert!(answer(&mut m, call, Ok(chargeable("src_saved"))).is_empty());
    assert_eq!(m, before);
    let mut m = typed("4444 2222 3333 1111", "123");
    let (call, _) = sent(&msg(&mut m, tokenize_msg(1)));
    let before = m.clone();
    assert!(auth_answer(&mut m, call, Ok(status("complete"))).is_empty());
    assert_eq!(m, before);
    // The first authentication's late answer after a second one.
    let (mut m, first) = authenticating();
    auth_answer(&mut m, first, Err(ApiError::Network));
    sent(&msg(&mut m, authenticate_msg(2)));
    let before = m.clone();
    assert!(auth_answer(&mut m, first, Ok(status("complete"))).is_empty());
    assert_eq!(m, before);
}

/// `Reset` during a saved card's challenge closes it and drops the job.
#[test]
fn reset_during_a_saved_challenge() {
    let (mut m, _) = saved_challenging();
    let cmds = msg(&mut m, ToFrame::Reset);
    assert!(cmds.contains(&FrameCommand::HideChallenge), "{cmds:?}");
    assert!(answers(&cmds).is_empty());
    assert_eq!(m.job, None);
    assert!(msg(&mut m, ToFrame::Challenge { request: 1 }).is_empty());
}

/// The saved source's client secret goes into its calls only: never into a
/// posted message (as the wire carries it), never into a `Debug`.
#[test]
fn the_saved_secret_stays_in_the_frame() {
    let mut all = Vec::new();
    let mut dbg = format!("{:?}", FrameEvent::Message(authenticate_msg(1)));
    let mut calls = 0;
    let mut run = |m: &mut FrameModel, cmds: Vec<FrameCommand>| {
        dbg.push_str(&format!("{m:?} {cmds:?}"));
        calls += cmds
            .iter()
            .filter(|c| matches!(c, FrameCommand::Send { .. }))
            .count();
        all.extend(cmds);
    };
    // Passed without a challenge, refused with a message, a 5xx.
    for result in [
        Ok(status("authentication_not_required")),
        Ok(status("failed")),
        Err(refused(409, None, "This card has expired.")),
        Err(ApiError::Server {
            status: 502,
            retry_after: None,
        }),
    ] {
        let mut m = started();
        let cmds = msg(&mut m, authenticate_msg(1));
        let (call, _) = sent(&cmds);
        run(&mut m, cmds);
        let cmds = auth_answer(&mut m, call, result);
        run(&mut m, cmds);
    }
    // A challenge: passed, failed, abandoned then verified again, cancelled.
    for result in [
        Ok(status("complete")),
        Ok(status("failed")),
        Ok(saved_3ds(SAVED_ACS)),
    ] {
        let mut m = started();
        let cmds = msg(&mut m, authenticate_msg(1));
        let (call, _) = sent(&cmds);
        run(&mut m, cmds);
        let cmds = auth_answer(&mut m, call, Ok(saved_3ds(SAVED_ACS)));
        run(&mut m, cmds);
        let cmds = ev(
            &mut m,
            FrameEvent::ChallengeReturned {
                source_id: "src_saved".into(),
            },
        );
        let (call, _) = sent(&cmds);
        run(&mut m, cmds);
        let cmds = auth_answer(&mut m, call, result);
        run(&mut m, cmds);
        let cmds = msg(&mut m, ToFrame::Challenge { request: 1 });
        if let Some(FrameCommand::Send { call, .. }) = cmds.first().cloned() {
            run(&mut m, cmds);
            let cmds = auth_answer(&mut m, call, Ok(saved_3ds(SAVED_ACS)));
            run(&mut m, cmds);
            let cmds = msg(&mut m, ToFrame::CancelChallenge { request: 1 });
            run(&mut m, cmds);
        }
    }
    assert_eq!(calls, 11, "every call was looked at");
    let wire: String = posts(&all)
        .iter()
        .map(crate::card_frame::protocol::encode)
        .collect();
    for kind in [
        "authenticated",
        "tokenizeFailed",
        "challengeStarted",
        "challengeEnded",
    ] {
        assert!(
            wire.contains(&format!(r#""type":"{kind}""#)),
            "{kind}: {wire}"
        );
    }
    assert!(!wire.contains(SAVED_SECRET), "posted: {wire}");
    assert!(!dbg.contains(SAVED_SECRET), "in Debug: {dbg}");
    assert!(dbg.contains("[redacted]"));
}

/// What the shopper types before the widget's init arrives is kept, and
/// reported (complete) once the frame starts.
#[test]
fn typing_before_the_init_is_kept_and_reported_at_start() {
    let mut m = FrameModel::default();
    for (f, v) in [
        (CardField::Name, "Jane Doe"),
        (CardField::Number, "4444 2222 3333 1111"),
        (CardField::Expiry, "0730"),
        (CardField::Cvc, "123"),
    ] {
        assert!(
            input(&mut m, f, v).is_empty(),
            "nothing is posted before the init"
        );
    }
    let out = ev(&mut m, FrameEvent::Started { today: TODAY });
    let complete = posts(&out)
        .iter()
        .any(|p| matches!(p, FromFrame::State(s) if s.complete));
    assert!(complete, "{out:?}");
}
