//! PURE: the card frame's state machine. `update(model, event)` returns what
//! the shell must do, as data ([`FrameCommand`]): post a message to the widget,
//! make one HTTP call, show or close the 3-D Secure challenge, move focus. No
//! Leptos, no web-sys: every transition is tested on the host.
//!
//! One job at a time: a tokenization (`POST /sources`) or a saved source's
//! authentication (`POST /sources/{id}/authentications`), then, for a card
//! that needs 3-D Secure, the challenge in a nested iframe; its return page's
//! message is only a hint, after which the frame trusts
//! `GET /sources/{id}?clientSecret=` (or the authentication asked again)
//! alone. The card number and security code are dropped as soon as a source
//! exists, and on `Reset`; a saved source's authentication leaves the typed
//! card alone. Client secrets never leave the frame, and go with their job.

use std::fmt;

use serde::Deserialize;

use crate::card_frame::protocol::{
    CardField, CardSource, ChallengeOutcome, FieldError, FrameState, FromFrame, Owner, ToFrame,
    TokenizeFailure,
};
use crate::card_frame::text;
use crate::model::{
    Address, ApiError, ClientSecret, NextAction, SessionId, Source, SourceId, SourceRequest,
};
use crate::validation::{self as v, Problem};

/// Longest name on card accepted.
const MAX_NAME: usize = 200;

/// What happened, as the shell tells it.
#[derive(Clone, PartialEq)]
pub enum FrameEvent {
    /// The widget's init was accepted; `today` is (year, month), for expiry.
    Started {
        /// (year, month).
        today: (u32, u32),
    },
    /// The shopper typed (or autofill filled) a field.
    Input(CardField, String),
    /// A field got keyboard focus.
    Focused(CardField),
    /// A field lost keyboard focus (its problem shows from now on).
    Blurred(CardField),
    /// The frame's content is now this many CSS pixels high.
    Resized(u32),
    /// A message from the widget, over the port.
    Message(ToFrame),
    /// The answer to [`FrameCommand::Send`] number `call` (`POST /sources`,
    /// `GET /sources/{id}`).
    Answer {
        /// Which call.
        call: u32,
        /// The source, or why there is none.
        result: Result<Source, ApiError>,
    },
    /// The answer to [`FrameCommand::Send`] number `call` when it was a
    /// [`SourceCall::Authenticate`].
    Authentication {
        /// Which call.
        call: u32,
        /// The provider's answer, or why there is none.
        result: Result<Authentication, ApiError>,
    },
    /// The challenge's return page said it is done with `source_id` (a hint).
    ChallengeReturned {
        /// The source the challenge was for.
        source_id: String,
    },
}

impl fmt::Debug for FrameEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Started { today } => f.debug_struct("Started").field("today", today).finish(),
            // What the shopper types is card data: never printed.
            Self::Input(field, _) => write!(f, "Input({field:?}, [redacted])"),
            Self::Focused(field) => write!(f, "Focused({field:?})"),
            Self::Blurred(field) => write!(f, "Blurred({field:?})"),
            Self::Resized(h) => write!(f, "Resized({h})"),
            // The saved source's client secret: never printed.
            Self::Message(ToFrame::Authenticate {
                request,
                session_id,
                source_id,
                ..
            }) => write!(
                f,
                "Message(Authenticate {{ request: {request}, session_id: {session_id:?}, \
                 source_id: {source_id:?}, client_secret: [redacted] }})"
            ),
            Self::Message(m) => write!(f, "Message({m:?})"),
            Self::Answer { call, result } => f
                .debug_struct("Answer")
                .field("call", call)
                .field("result", result)
                .finish(),
            Self::Authentication { call, result } => f
                .debug_struct("Authentication")
                .field("call", call)
                .field("result", result)
                .finish(),
            Self::ChallengeReturned { source_id } => f
                .debug_struct("ChallengeReturned")
                .field("source_id", source_id)
                .finish(),
        }
    }
}

/// One call to the payments base (the shell adds the base URL, the public key
/// and the timeout).
#[derive(Debug, Clone, PartialEq)]
pub enum SourceCall {
    /// `POST /sources` with this body (its `Debug` hides the card data).
    Create(Box<SourceRequest>),
    /// `GET /sources/{id}?clientSecret={secret}`.
    Read {
        /// The source.
        id: SourceId,
        /// Its client secret.
        client_secret: ClientSecret,
    },
    /// `POST /sources/{id}/authentications` with `{"sessionId", "clientSecret"}`;
    /// answered with [`FrameEvent::Authentication`].
    Authenticate {
        /// The saved source.
        id: SourceId,
        /// The checkout's payment session.
        session_id: SessionId,
        /// The saved source's client secret.
        client_secret: ClientSecret,
    },
}

impl SourceCall {
    /// The call's JSON body, if it has one (card data or a client secret:
    /// for fetch only).
    pub fn body(&self) -> Option<String> {
        match self {
            Self::Create(request) => Some(request.body()),
            Self::Read { .. } => None,
            Self::Authenticate {
                session_id,
                client_secret,
                ..
            } => Some(
                serde_json::json!({
                    "sessionId": session_id.as_str(),
                    "clientSecret": client_secret.expose(),
                })
                .to_string(),
            ),
        }
    }
}

/// The answer of `POST /sources/{id}/authentications`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Authentication {
    /// `complete`, `authentication_not_required`, `requires_action` or `failed`.
    pub status: String,
    /// With `requires_action`: `{"action": "three_d_secure", "data":
    /// {"challengeUrl": "..."}}`.
    pub next_action: Option<NextAction>,
}

impl Authentication {
    /// The saved source may be attached.
    fn passed(&self) -> bool {
        matches!(
            self.status.as_str(),
            "complete" | "authentication_not_required"
        )
    }
}

/// What the shell must do.
#[derive(Debug, Clone, PartialEq)]
pub enum FrameCommand {
    /// Post this to the widget, over the port.
    Post(FromFrame),
    /// Make this call; answer with [`FrameEvent::Answer`] and the same `call`.
    Send {
        /// Ties the answer to the call; a late answer is ignored.
        call: u32,
        /// The call.
        request: SourceCall,
    },
    /// The challenge iframe (the view renders it from the model) shows this
    /// URL now: move focus into it.
    ShowChallenge(String),
    /// The challenge iframe is gone.
    HideChallenge,
    /// Move keyboard focus to this input.
    Focus(CardField),
}

/// The frame's state: the four inputs, what the shopper has left, and the
/// job (tokenization or authentication) in progress.
#[derive(Clone, Default, PartialEq)]
pub struct FrameModel {
    values: [String; 4],
    touched: [bool; 4],
    /// The provider's message for a field it rejected, until the field changes.
    server_errors: [Option<String>; 4],
    focused: Option<CardField>,
    height: u32,
    today: (u32, u32),
    started: bool,
    job: Option<Job>,
    /// The last call number handed out.
    calls: u32,
    /// The last state posted to the widget (only changes are posted).
    reported: Option<FrameState>,
    announcement: String,
    /// The frame's text, in its locale (English by default).
    text: crate::i18n::Messages,
}

impl fmt::Debug for FrameModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrameModel")
            .field("state", &self.state())
            .field("job", &self.job)
            .finish_non_exhaustive()
    }
}

/// A tokenization or an authentication, from `Tokenize` or `Authenticate`
/// to its last answer.
#[derive(Debug, Clone, PartialEq)]
struct Job {
    request: u32,
    kind: Kind,
    stage: Stage,
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    /// A new card: what the widget may know of it (never the number or the
    /// code), in case the provider's answer leaves it out.
    Tokenize(CardSource),
    /// A saved source.
    Authenticate(Saved),
}

/// What `POST /sources/{id}/authentications` takes, first and again after a
/// challenge.
#[derive(Debug, Clone, PartialEq)]
struct Saved {
    id: SourceId,
    session_id: SessionId,
    client_secret: ClientSecret,
}

impl Saved {
    fn call(&self) -> SourceCall {
        SourceCall::Authenticate {
            id: self.id.clone(),
            session_id: self.session_id.clone(),
            client_secret: self.client_secret.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Stage {
    /// The first call (`POST /sources`, or the authentication) is in flight.
    Asking { call: u32 },
    /// The challenge is on screen.
    Challenging(Challenge),
    /// `GET /sources/{id}` (or the authentication again) is in flight, after
    /// the return hint or before showing the challenge again.
    Verifying {
        call: u32,
        challenge: Challenge,
        again: bool,
    },
    /// Cancelled, abandoned or timed out: the widget may ask to show it again.
    Abandoned(Challenge),
}

/// A source that needs 3-D Secure.
#[derive(Debug, Clone, PartialEq)]
struct Challenge {
    id: SourceId,
    client_secret: ClientSecret,
    url: String,
}

impl FrameModel {
    /// A model that speaks `text` (the init's locale and overrides).
    pub fn with_text(text: crate::i18n::Messages) -> Self {
        Self {
            text,
            ..Self::default()
        }
    }

    /// The frame's text.
    pub fn text(&self) -> &crate::i18n::Messages {
        &self.text
    }

    /// A field's value, normalised the way it is displayed.
    pub fn value(&self, field: CardField) -> &str {
        &self.values[field as usize]
    }

    /// The problem with a field, shown or not.
    pub fn problem(&self, field: CardField) -> Option<Problem> {
        let value = self.value(field);
        match field {
            CardField::Name => v::check_text(value, MAX_NAME),
            CardField::Number => v::check_card_number(value).map(drop),
            CardField::Expiry => v::check_expiry(value, self.today).map(drop),
            CardField::Cvc => v::check_cvc(value, v::brand(self.value(CardField::Number))),
        }
        .err()
    }

    /// The message shown next to a field: the provider's, or its problem once
    /// the shopper has left it (or pressed `Continue`).
    pub fn visible_error(&self, field: CardField) -> Option<String> {
        let i = field as usize;
        self.server_errors[i].clone().or_else(|| {
            self.touched[i]
                .then(|| self.problem(field))
                .flatten()
                .map(|p| text::problem_message(&self.text, field, p))
        })
    }

    /// The brand the number's prefix shows, e.g. `Visa`.
    pub fn brand(&self) -> Option<&'static str> {
        v::brand(self.value(CardField::Number)).map(v::Brand::name)
    }

    /// Digits the security code takes for the number's brand.
    pub fn cvc_len(&self) -> usize {
        v::brand(self.value(CardField::Number)).map_or(4, v::Brand::cvc_len)
    }

    /// The challenge URL while the challenge is on screen.
    pub fn challenge_url(&self) -> Option<&str> {
        match &self.job {
            Some(Job {
                stage: Stage::Challenging(c),
                ..
            }) => Some(&c.url),
            _ => None,
        }
    }

    /// The text of the frame's polite live region.
    pub fn announcement(&self) -> &str {
        &self.announcement
    }

    /// The form as the widget sees it.
    pub fn state(&self) -> FrameState {
        FrameState {
            empty: self.values.iter().all(String::is_empty),
            complete: CardField::ALL.iter().all(|f| self.problem(*f).is_none()),
            errors: CardField::ALL
                .iter()
                .filter_map(|&field| {
                    self.visible_error(field)
                        .map(|message| FieldError { field, message })
                })
                .collect(),
            invalid: CardField::ALL
                .into_iter()
                .filter(|f| self.problem(*f).is_some())
                .collect(),
            brand: self.brand().map(str::to_owned),
            focused: self.focused,
            height: self.height,
        }
    }

    fn set(&mut self, field: CardField, raw: &str) {
        let value = match field {
            CardField::Name => raw.chars().take(MAX_NAME).collect(),
            CardField::Number => v::format_card_number(raw),
            CardField::Expiry => v::format_expiry(raw),
            CardField::Cvc => v::digits(raw).chars().take(self.cvc_len()).collect(),
        };
        self.values[field as usize] = value;
        self.server_errors[field as usize] = None;
    }

    /// Shows every field's problem and announces them.
    fn touch_all(&mut self) {
        self.touched = [true; 4];
        let messages: Vec<String> = CardField::ALL
            .iter()
            .filter_map(|f| self.visible_error(*f))
            .collect();
        if !messages.is_empty() {
            self.announcement = messages.join(" ");
        }
    }

    /// Forgets the card number and security code (a source exists, or Reset).
    fn drop_card(&mut self) {
        for f in [CardField::Number, CardField::Cvc] {
            self.values[f as usize] = String::new();
            self.touched[f as usize] = false;
            self.server_errors[f as usize] = None;
        }
    }

    fn next_call(&mut self) -> u32 {
        self.calls = self.calls.wrapping_add(1);
        self.calls
    }

    /// The state, if it differs from the one last posted.
    fn fresh_state(&mut self) -> Option<FrameCommand> {
        let state = self.state();
        if self.reported.as_ref() == Some(&state) {
            return None;
        }
        self.reported = Some(state.clone());
        Some(FrameCommand::Post(FromFrame::State(state)))
    }

    /// A job is under way (an abandoned challenge is not: the shopper may
    /// use another card instead).
    fn busy(&self) -> bool {
        self.job
            .as_ref()
            .is_some_and(|j| !matches!(j.stage, Stage::Abandoned(_)))
    }
}

/// The frame's one transition function.
pub fn update(m: &mut FrameModel, event: FrameEvent) -> Vec<FrameCommand> {
    let mut out = match event {
        FrameEvent::Started { today } => {
            if m.started {
                return vec![];
            }
            m.started = true;
            m.today = today;
            let mut out = vec![FrameCommand::Post(FromFrame::Ready)];
            out.extend(m.fresh_state());
            return out;
        }
        // A message needs the port, which only the init brings.
        FrameEvent::Message(_) if !m.started => return vec![],
        FrameEvent::Input(field, raw) => {
            m.set(field, &raw);
            vec![]
        }
        FrameEvent::Focused(field) => {
            m.focused = Some(field);
            vec![]
        }
        FrameEvent::Blurred(field) => {
            if m.focused == Some(field) {
                m.focused = None;
            }
            // Leaving an empty field is not a mistake yet (Tab through the form).
            let i = field as usize;
            if !m.values[i].is_empty() && !m.touched[i] {
                m.touched[i] = true;
                if let Some(message) = m.visible_error(field) {
                    m.announcement = message;
                }
            }
            vec![]
        }
        FrameEvent::Resized(height) => {
            m.height = height;
            vec![]
        }
        FrameEvent::Message(msg) => on_message(m, msg),
        FrameEvent::Answer { call, result } => on_answer(m, call, result),
        FrameEvent::Authentication { call, result } => on_authentication(m, call, result),
        FrameEvent::ChallengeReturned { source_id } => on_return(m, &source_id),
    };
    // What the shopper types before the widget's init was accepted is kept,
    // but nothing is reported until then (there is no port yet); `Started`
    // reports it all at once.
    if !m.started {
        return vec![];
    }
    // The state first: a failure for an incomplete form arrives with its errors.
    if let Some(state) = m.fresh_state() {
        out.insert(0, state);
    }
    out
}

fn on_message(m: &mut FrameModel, msg: ToFrame) -> Vec<FrameCommand> {
    match msg {
        ToFrame::Tokenize {
            request,
            session_id,
            owner,
        } => tokenize(m, request, session_id, owner),
        ToFrame::Challenge { request } => show_again(m, request),
        ToFrame::CancelChallenge { request } => cancel(m, request),
        ToFrame::Validate => {
            m.touch_all();
            vec![]
        }
        ToFrame::Focus { field } if m.challenge_url().is_none() => vec![FrameCommand::Focus(field)],
        ToFrame::Focus { .. } => vec![],
        ToFrame::Authenticate {
            request,
            session_id,
            source_id,
            client_secret,
        } => authenticate(
            m,
            request,
            Saved {
                id: SourceId(source_id),
                session_id: SessionId(session_id),
                client_secret,
            },
        ),
        ToFrame::Prefill { name } => {
            if m.values[CardField::Name as usize].is_empty() {
                m.set(CardField::Name, &name);
            }
            vec![]
        }
        ToFrame::Reset => {
            let showing = m.challenge_url().is_some();
            m.job = None;
            m.drop_card();
            let expiry = CardField::Expiry as usize;
            m.values[expiry] = String::new();
            m.touched[expiry] = false;
            m.server_errors = Default::default();
            m.announcement = String::new();
            if showing {
                vec![FrameCommand::HideChallenge]
            } else {
                vec![]
            }
        }
    }
}

fn tokenize(m: &mut FrameModel, request: u32, session: String, owner: Owner) -> Vec<FrameCommand> {
    if m.busy() {
        return vec![];
    }
    let expiry = v::check_expiry(m.value(CardField::Expiry), m.today);
    let (Ok((month, year)), None) = (
        expiry,
        CardField::ALL.iter().find(|f| m.problem(**f).is_some()),
    ) else {
        m.touch_all();
        return vec![FrameCommand::Post(FromFrame::TokenizeFailed {
            request,
            failure: TokenizeFailure::Incomplete,
            message: None,
        })];
    };
    let name = m.value(CardField::Name).trim().to_owned();
    let (first, last) = name.rsplit_once(' ').unwrap_or((&name, ""));
    let number = v::digits(m.value(CardField::Number));
    let source = SourceRequest {
        session_id: SessionId(session),
        first_name: first.trim().to_owned(),
        last_name: last.trim().to_owned(),
        email: owner.email.trim().to_owned(),
        address: serde_json::from_value::<Address>(owner.address).unwrap_or_default(),
        number: number.clone(),
        expiration_month: month,
        expiration_year: year,
        cvv: m.value(CardField::Cvc).to_owned(),
    };
    let card = CardSource {
        source_id: String::new(),
        brand: m.brand().unwrap_or_default().to_owned(),
        last4: number[number.len().saturating_sub(4)..].to_owned(),
        expiration_month: month,
        expiration_year: year,
        name: name.clone(),
    };
    let call = m.next_call();
    m.job = Some(Job {
        request,
        kind: Kind::Tokenize(card),
        stage: Stage::Asking { call },
    });
    vec![FrameCommand::Send {
        call,
        request: SourceCall::Create(Box::new(source)),
    }]
}

/// A saved source: ask the provider to make it usable on the session. The
/// typed card (if any) is not needed, not sent, and kept as it is.
fn authenticate(m: &mut FrameModel, request: u32, saved: Saved) -> Vec<FrameCommand> {
    if m.busy() {
        return vec![];
    }
    if saved.id.as_str().is_empty() || saved.client_secret.expose().is_empty() {
        return vec![FrameCommand::Post(FromFrame::TokenizeFailed {
            request,
            failure: TokenizeFailure::Refused,
            message: None,
        })];
    }
    let call = m.next_call();
    let send = FrameCommand::Send {
        call,
        request: saved.call(),
    };
    m.job = Some(Job {
        request,
        kind: Kind::Authenticate(saved),
        stage: Stage::Asking { call },
    });
    vec![send]
}

/// The job, if `call` is the one it waits for (and of the answer's kind).
fn waiting_for(m: &mut FrameModel, call: u32, authentication: bool) -> Option<(Job, Stage)> {
    let job = m.job.take()?;
    let current = match job.stage {
        Stage::Asking { call: c } | Stage::Verifying { call: c, .. } => c == call,
        _ => false,
    };
    if current && matches!(job.kind, Kind::Authenticate(_)) == authentication {
        let stage = job.stage.clone();
        Some((job, stage))
    } else {
        // A late answer to a call that no longer matters (cancelled, reset).
        m.job = Some(job);
        None
    }
}

fn on_answer(m: &mut FrameModel, call: u32, result: Result<Source, ApiError>) -> Vec<FrameCommand> {
    match waiting_for(m, call, false) {
        Some((
            job,
            Stage::Verifying {
                challenge, again, ..
            },
        )) => verified(m, job, challenge, again, result),
        Some((job, _)) => created(m, job, result),
        None => vec![],
    }
}

fn on_authentication(
    m: &mut FrameModel,
    call: u32,
    result: Result<Authentication, ApiError>,
) -> Vec<FrameCommand> {
    match waiting_for(m, call, true) {
        Some((
            job,
            Stage::Verifying {
                challenge, again, ..
            },
        )) => reauthenticated(m, job, challenge, again, result),
        Some((job, _)) => authenticated(m, job, result),
        None => vec![],
    }
}

/// The first answer of `POST /sources/{id}/authentications`.
fn authenticated(
    m: &mut FrameModel,
    job: Job,
    result: Result<Authentication, ApiError>,
) -> Vec<FrameCommand> {
    let request = job.request;
    let failed = |failure, message| {
        vec![FrameCommand::Post(FromFrame::TokenizeFailed {
            request,
            failure,
            message,
        })]
    };
    let answer = match result {
        Ok(answer) => answer,
        // An expired card answers 409: the provider's words, next to nothing
        // in the new-card form (that card is not the one refused).
        Err(e) => return failed(failure_of(&e), first_message(&e)),
    };
    if answer.passed() {
        return vec![FrameCommand::Post(FromFrame::Authenticated { request })];
    }
    let url = challenge_url(answer.next_action.as_ref());
    match (answer.status.as_str(), url, &job.kind) {
        ("failed", ..) => failed(TokenizeFailure::Refused, None),
        ("requires_action", Some(url), Kind::Authenticate(saved)) => {
            let challenge = Challenge {
                id: saved.id.clone(),
                client_secret: saved.client_secret.clone(),
                url,
            };
            start_challenge(m, job, challenge)
        }
        // No usable challenge, or a status outside the contract.
        _ => failed(TokenizeFailure::Decode, None),
    }
}

/// The authentication asked again: after the return hint (`again` false), or
/// before showing the challenge again (`again` true).
fn reauthenticated(
    m: &mut FrameModel,
    job: Job,
    challenge: Challenge,
    again: bool,
    result: Result<Authentication, ApiError>,
) -> Vec<FrameCommand> {
    let outcome = match &result {
        Ok(a) if a.passed() => Some(ChallengeOutcome::Passed),
        Ok(a) if a.status == "failed" => Some(ChallengeOutcome::Failed),
        // The provider refuses this source now (gone, expired, wrong secret).
        Err(ApiError::Conflict(_) | ApiError::NotFound(_) | ApiError::Rejected { .. }) => {
            Some(ChallengeOutcome::Failed)
        }
        _ => None,
    };
    if let Some(outcome) = outcome {
        return vec![FrameCommand::Post(FromFrame::ChallengeEnded {
            request: job.request,
            outcome,
            source: None,
        })];
    }
    let fresh = result
        .ok()
        .and_then(|a| challenge_url(a.next_action.as_ref()));
    not_yet(m, job, challenge, again, fresh)
}

/// The answer to `POST /sources`.
fn created(m: &mut FrameModel, job: Job, result: Result<Source, ApiError>) -> Vec<FrameCommand> {
    let request = job.request;
    let failed = |failure, message| {
        vec![FrameCommand::Post(FromFrame::TokenizeFailed {
            request,
            failure,
            message,
        })]
    };
    let source = match result {
        Ok(source) if !source.id.as_str().is_empty() => source,
        Ok(_) => return failed(TokenizeFailure::Decode, None),
        Err(e) => {
            show_server_errors(m, &e);
            return failed(failure_of(&e), first_message(&e));
        }
    };
    // A source exists: the card is not needed any more.
    m.drop_card();
    match source.state.as_str() {
        "chargeable" => vec![FrameCommand::Post(FromFrame::Tokenized {
            request,
            source: card_source(&job.kind, &source),
        })],
        "failed" => failed(TokenizeFailure::Refused, None),
        "requires_action" => match challenge_of(&source) {
            Some(challenge) => start_challenge(m, job, challenge),
            None => failed(TokenizeFailure::Decode, None),
        },
        // Outside the contract for a card just created.
        _ => failed(TokenizeFailure::Decode, None),
    }
}

/// The answer to `GET /sources/{id}`: after the return hint (`again` false),
/// or before showing the challenge again (`again` true).
fn verified(
    m: &mut FrameModel,
    job: Job,
    challenge: Challenge,
    again: bool,
    result: Result<Source, ApiError>,
) -> Vec<FrameCommand> {
    let request = job.request;
    let ended = |outcome, source| {
        vec![FrameCommand::Post(FromFrame::ChallengeEnded {
            request,
            outcome,
            source,
        })]
    };
    match &result {
        Ok(s) if s.state == "chargeable" => {
            return ended(ChallengeOutcome::Passed, Some(card_source(&job.kind, s)))
        }
        Ok(s) if s.state == "failed" => return ended(ChallengeOutcome::Failed, None),
        // The provider refuses to show this source (gone, wrong secret).
        Err(ApiError::Conflict(_) | ApiError::NotFound(_) | ApiError::Rejected { .. }) => {
            return ended(ChallengeOutcome::Failed, None)
        }
        _ => {}
    }
    let fresh = result.ok().as_ref().and_then(challenge_of).map(|c| c.url);
    not_yet(m, job, challenge, again, fresh)
}

/// Not authenticated yet after a challenge (still `requires_action`, or no
/// readable answer).
fn not_yet(
    m: &mut FrameModel,
    job: Job,
    challenge: Challenge,
    again: bool,
    fresh: Option<String>,
) -> Vec<FrameCommand> {
    if again {
        // Show the challenge, with a fresh URL if the provider issued one
        // (its token may be single-use).
        let challenge = Challenge {
            url: fresh.unwrap_or(challenge.url.clone()),
            ..challenge
        };
        start_challenge(m, job, challenge)
    } else {
        // Cancelled: the widget offers `Verify again`, which asks once more.
        let request = job.request;
        m.job = Some(Job {
            stage: Stage::Abandoned(challenge),
            ..job
        });
        vec![FrameCommand::Post(FromFrame::ChallengeEnded {
            request,
            outcome: ChallengeOutcome::Abandoned,
            source: None,
        })]
    }
}

fn start_challenge(m: &mut FrameModel, job: Job, challenge: Challenge) -> Vec<FrameCommand> {
    let request = job.request;
    let url = challenge.url.clone();
    m.job = Some(Job {
        stage: Stage::Challenging(challenge),
        ..job
    });
    m.announcement = text::challenge_note(&m.text).to_owned();
    // The inputs give way to the challenge.
    m.focused = None;
    vec![
        FrameCommand::ShowChallenge(url),
        FrameCommand::Post(FromFrame::ChallengeStarted { request }),
    ]
}

/// The return page's hint: read the source (or ask the authentication
/// again), and trust only that.
fn on_return(m: &mut FrameModel, source_id: &str) -> Vec<FrameCommand> {
    let Some(job) = m.job.take() else {
        return vec![];
    };
    let Stage::Challenging(challenge) = job.stage.clone() else {
        m.job = Some(job);
        return vec![];
    };
    if challenge.id.as_str() != source_id {
        m.job = Some(job);
        return vec![];
    }
    let call = m.next_call();
    let read = check_call(call, &job.kind, &challenge);
    m.job = Some(Job {
        stage: Stage::Verifying {
            call,
            challenge,
            again: false,
        },
        ..job
    });
    vec![FrameCommand::HideChallenge, read]
}

/// `Verify again`: read the source (or ask the authentication) first, as it
/// may have passed meanwhile, then show the challenge.
fn show_again(m: &mut FrameModel, request: u32) -> Vec<FrameCommand> {
    let Some(job) = m.job.take() else {
        return vec![];
    };
    match job.stage.clone() {
        Stage::Abandoned(challenge) if job.request == request => {
            let call = m.next_call();
            let read = check_call(call, &job.kind, &challenge);
            m.job = Some(Job {
                stage: Stage::Verifying {
                    call,
                    challenge,
                    again: true,
                },
                ..job
            });
            vec![read]
        }
        _ => {
            m.job = Some(job);
            vec![]
        }
    }
}

/// The widget's time limit ran out: close the challenge, ignore a read in flight.
fn cancel(m: &mut FrameModel, request: u32) -> Vec<FrameCommand> {
    let Some(job) = m.job.take() else {
        return vec![];
    };
    let (challenge, showing) = match job.stage.clone() {
        Stage::Challenging(c) if job.request == request => (c, true),
        Stage::Verifying { challenge, .. } if job.request == request => (challenge, false),
        _ => {
            m.job = Some(job);
            return vec![];
        }
    };
    m.job = Some(Job {
        stage: Stage::Abandoned(challenge),
        ..job
    });
    let mut out = Vec::with_capacity(2);
    if showing {
        out.push(FrameCommand::HideChallenge);
    }
    out.push(FrameCommand::Post(FromFrame::ChallengeEnded {
        request,
        outcome: ChallengeOutcome::Abandoned,
        source: None,
    }));
    out
}

/// The call that says where a challenge left the job: the source read with
/// its secret, or the saved source's authentication asked again.
fn check_call(call: u32, kind: &Kind, c: &Challenge) -> FrameCommand {
    let request = match kind {
        Kind::Tokenize(_) => SourceCall::Read {
            id: c.id.clone(),
            client_secret: c.client_secret.clone(),
        },
        Kind::Authenticate(saved) => saved.call(),
    };
    FrameCommand::Send { call, request }
}

/// The challenge page a `nextAction` names, if it is an http(s) URL.
fn challenge_url(next: Option<&NextAction>) -> Option<String> {
    let url = next?.data.get("challengeUrl")?.as_str()?;
    (url.starts_with("https://") || url.starts_with("http://")).then(|| url.to_owned())
}

/// The challenge a `requires_action` source asks for: an http(s) URL and a
/// client secret to read the source with afterwards.
fn challenge_of(source: &Source) -> Option<Challenge> {
    let url = challenge_url(source.next_action.as_ref())?;
    let client_secret = source.client_secret.clone()?;
    (!client_secret.expose().is_empty() && !source.id.as_str().is_empty()).then(|| Challenge {
        id: source.id.clone(),
        client_secret,
        url,
    })
}

/// What the widget may know of the card: the provider's summary, else what
/// was typed (brand, last four, expiry, name).
fn card_source(kind: &Kind, source: &Source) -> CardSource {
    let typed = match kind {
        Kind::Tokenize(card) => card.clone(),
        Kind::Authenticate(_) => CardSource::default(),
    };
    let card = source.credit_card.clone().unwrap_or_default();
    let or = |s: String, typed: &str| if s.is_empty() { typed.to_owned() } else { s };
    let or_n = |n: u32, typed: u32| if n == 0 { typed } else { n };
    CardSource {
        source_id: source.id.as_str().to_owned(),
        brand: or(card.brand, &typed.brand),
        last4: or(card.last_four_digits, &typed.last4),
        expiration_month: or_n(card.expiration_month, typed.expiration_month),
        expiration_year: or_n(card.expiration_year, typed.expiration_year),
        name: typed.name.clone(),
    }
}

fn failure_of(e: &ApiError) -> TokenizeFailure {
    match e {
        ApiError::Conflict(_) | ApiError::NotFound(_) | ApiError::Rejected { .. } => {
            TokenizeFailure::Refused
        }
        ApiError::Server { .. } => TokenizeFailure::Server,
        ApiError::Network => TokenizeFailure::Network,
        ApiError::Timeout => TokenizeFailure::Timeout,
        ApiError::Decode => TokenizeFailure::Decode,
    }
}

/// The provider's first shopper-presentable message (never its `code`).
fn first_message(e: &ApiError) -> Option<String> {
    e.errors()
        .iter()
        .map(|e| e.message.trim())
        .find(|m| !m.is_empty())
        .map(str::to_owned)
}

/// Puts the provider's messages next to the card fields its errors name.
fn show_server_errors(m: &mut FrameModel, e: &ApiError) {
    for entry in e.errors() {
        let field = match entry.parameter.as_deref() {
            Some("creditCard.number") => CardField::Number,
            Some("creditCard.cvv") => CardField::Cvc,
            Some("creditCard.expirationMonth" | "creditCard.expirationYear") => CardField::Expiry,
            Some("owner.firstName" | "owner.lastName") => CardField::Name,
            _ => continue,
        };
        let message = entry.message.trim();
        if !message.is_empty() && m.server_errors[field as usize].is_none() {
            m.server_errors[field as usize] = Some(message.to_owned());
        }
    }
}

#[cfg(test)]
mod tests;
