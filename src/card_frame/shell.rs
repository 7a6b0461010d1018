//! The card frame's shell: accepts the widget's one init, then owns the model
//! signal, runs the core's commands (port messages, HTTP, focus) and feeds
//! their results back as events. It decides nothing; what it accepts is
//! checked by [`handshake`], what happens next by [`core`].

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Object, JSON};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    HtmlElement, HtmlIFrameElement, MessageEvent, MessagePort, ResizeObserver, UrlSearchParams,
};

use crate::card_frame::components::{input_id, CardFrame, CHALLENGE_ID, ROOT_ID};
use crate::card_frame::core::{self, FrameCommand, FrameEvent, FrameModel};
use crate::card_frame::handshake::{self, Expected, FrameConfig};
use crate::card_frame::http::Client;
use crate::card_frame::protocol::{self, FromFrame, ToFrame};
use crate::card_frame::text;
use crate::i18n::Messages;

/// Starts the card frame. `early` holds the `message` events that arrived
/// while the module loaded (card-frame-boot.js keeps them: the widget posts
/// its init on the iframe's `load`, which does not wait for the wasm).
#[wasm_bindgen(js_name = startCardFrame)]
pub fn start_card_frame(early: js_sys::Array) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let origin = location
        .search()
        .ok()
        .and_then(|s| UrlSearchParams::new_with_str(&s).ok())
        .and_then(|p| p.get("origin"))
        .unwrap_or_default();
    let nonce = location.hash().unwrap_or_default();
    let gate = Rc::new(Gate {
        origin,
        nonce: nonce.trim_start_matches('#').to_owned(),
        own_origin: location.origin().unwrap_or_default(),
        frame: RefCell::default(),
    });
    let listener = {
        let gate = gate.clone();
        Closure::<dyn Fn(MessageEvent)>::new(move |ev: MessageEvent| gate.on_message(&ev))
    };
    let _ = window.add_event_listener_with_callback("message", listener.as_ref().unchecked_ref());
    // The frame lives as long as its page.
    listener.forget();
    for ev in early.iter() {
        if let Ok(ev) = ev.dyn_into::<MessageEvent>() {
            gate.on_message(&ev);
        }
    }
}

/// The window's `message` listener: the one init, then challenge returns.
struct Gate {
    /// The `origin` query parameter of the frame's URL.
    origin: String,
    /// The frame URL's fragment.
    nonce: String,
    /// `location.origin`.
    own_origin: String,
    frame: RefCell<Option<Rc<Frame>>>,
}

impl Gate {
    fn on_message(&self, ev: &MessageEvent) {
        let frame = self.frame.borrow().clone();
        match frame {
            Some(frame) => frame.on_window_message(ev, &self.own_origin),
            None => {
                if let Some(frame) = self.accept(ev) {
                    *self.frame.borrow_mut() = Some(frame);
                }
            }
        }
    }

    /// The init, if it is one: from `window.parent` (and the frame is framed),
    /// from the origin, with the nonce, of the right shape, with a port.
    fn accept(&self, ev: &MessageEvent) -> Option<Rc<Frame>> {
        let window = web_sys::window()?;
        let parent = window.parent().ok().flatten()?;
        let source = ev.source()?;
        if Object::is(&parent, &window) || !Object::is(&source, &parent) {
            return None;
        }
        let expected = Expected {
            origin: &self.origin,
            nonce: &self.nonce,
            own_origin: &self.own_origin,
        };
        let config = handshake::accept_init(&expected, &ev.origin(), &json_text(&ev.data()))?;
        let port: MessagePort = ev.ports().get(0).dyn_into().ok()?;
        Frame::start(config, port)
    }
}

/// The running frame, after its init.
struct Frame {
    model: RwSignal<FrameModel>,
    port: MessagePort,
    client: Client,
    /// Kept so it keeps observing the root for the frame's lifetime.
    resize: RefCell<Option<ResizeObserver>>,
}

impl Frame {
    /// Applies the init to the document, renders the form, listens to the
    /// port alone, and tells the widget it is ready.
    fn start(config: FrameConfig, port: MessagePort) -> Option<Rc<Self>> {
        let document = web_sys::window()?.document()?;
        if let Some(html) = document
            .document_element()
            .and_then(|e| e.dyn_into::<HtmlElement>().ok())
        {
            // The text and the direction follow the shopper's locale, as in
            // the widget (card-frame.html says `lang="en"` until the init).
            let _ = html.set_attribute("lang", &config.locale);
            let _ = html.set_attribute("dir", text::direction(&config.locale));
            // CSSOM, not a style attribute: the frame's CSP allows only this.
            let style = html.style();
            for (name, value) in &config.appearance {
                let _ = style.set_property(name, value);
                // The theme is a class: its colours live in card-frame.css.
                if name == "--cw-theme" {
                    let _ = html.class_list().add_1(&format!("cw-theme-{value}"));
                }
            }
        }
        let client = Client::new(config.payments_base, config.public_key);
        let slot: Rc<RefCell<Option<Rc<Frame>>>> = Rc::default();
        {
            let slot = slot.clone();
            leptos::mount::mount_to_body(move || {
                let model = RwSignal::new(FrameModel::with_text(Messages::with_resolved(
                    &config.locale,
                    config.translations,
                )));
                let frame = Rc::new(Frame {
                    model,
                    port,
                    client,
                    resize: RefCell::default(),
                });
                *slot.borrow_mut() = Some(frame.clone());
                // The frame is an `Rc` (not `Send`): kept in the view's owner
                // as a local value, which a `Callback` may hold.
                let frame = StoredValue::new_local(frame);
                let on_event = Callback::new(move |ev: FrameEvent| {
                    frame.try_with_value(|f| f.dispatch(ev));
                });
                view! { <CardFrame model=model on_event=on_event /> }
            });
        }
        // `mount_to_body` runs its closure before it returns.
        let frame = slot.borrow_mut().take()?;
        let on_port = {
            let frame = frame.clone();
            Closure::<dyn Fn(MessageEvent)>::new(move |ev: MessageEvent| {
                // Anything off the schema is not an event.
                if let Some(msg) = protocol::decode::<ToFrame>(&json_text(&ev.data())) {
                    frame.dispatch(FrameEvent::Message(msg));
                }
            })
        };
        frame
            .port
            .set_onmessage(Some(on_port.as_ref().unchecked_ref()));
        on_port.forget();
        frame.observe_height(&document);
        let now = js_sys::Date::new_0();
        let today = (now.get_full_year(), now.get_month() + 1);
        frame.dispatch(FrameEvent::Started { today });
        Some(frame)
    }

    /// Reports the root's height whenever it changes (typing an error, the
    /// challenge opening, the widget resizing the iframe's width).
    fn observe_height(self: &Rc<Self>, document: &web_sys::Document) {
        let Some(root) = document.get_element_by_id(ROOT_ID) else {
            return;
        };
        let on_resize = {
            let frame = self.clone();
            let root = root.clone();
            Closure::<dyn Fn()>::new(move || {
                let height = root.get_bounding_client_rect().height().ceil();
                frame.dispatch(FrameEvent::Resized(height as u32));
            })
        };
        if let Ok(observer) = ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
            observer.observe(&root);
            *self.resize.borrow_mut() = Some(observer);
        }
        on_resize.forget();
    }

    /// Feeds an event to the core and runs what it asks for.
    fn dispatch(self: &Rc<Self>, event: FrameEvent) {
        let mut commands = Vec::new();
        self.model.try_update(|m| commands = core::update(m, event));
        for c in commands {
            self.run(c);
        }
    }

    fn run(self: &Rc<Self>, command: FrameCommand) {
        match command {
            FrameCommand::Post(msg) => self.post(&msg),
            FrameCommand::Send { call, request } => {
                let this = self.clone();
                leptos::task::spawn_local(async move {
                    let answer = this.client.run(call, request).await;
                    this.dispatch(answer);
                });
            }
            FrameCommand::ShowChallenge(_) => focus_after_render(CHALLENGE_ID),
            // The view drops the iframe with the model's challenge.
            FrameCommand::HideChallenge => {}
            FrameCommand::Focus(field) => focus_after_render(input_id(field)),
        }
    }

    /// Posts `msg` to the widget as a plain object.
    fn post(&self, msg: &FromFrame) {
        if let Ok(value) = JSON::parse(&protocol::encode(msg)) {
            let _ = self.port.post_message(&value);
        }
    }

    /// A window message after the init: only the challenge's return page, from
    /// the challenge iframe's window and the frame's own origin.
    fn on_window_message(self: &Rc<Self>, ev: &MessageEvent, own_origin: &str) {
        if ev.origin() != own_origin {
            return;
        }
        let challenge = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(CHALLENGE_ID))
            .and_then(|e| e.dyn_into::<HtmlIFrameElement>().ok())
            .and_then(|f| f.content_window());
        let from_challenge = match (ev.source(), challenge) {
            (Some(source), Some(window)) => Object::is(&source, &window),
            _ => false,
        };
        if !from_challenge {
            return;
        }
        if let Some(source_id) = handshake::challenge_return(&json_text(&ev.data())) {
            self.dispatch(FrameEvent::ChallengeReturned { source_id });
        }
    }
}

/// `JSON.stringify(value)`, or empty text for what cannot be stringified.
fn json_text(value: &JsValue) -> String {
    JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// Focuses the element `id` once the view has rendered what the model says.
fn focus_after_render(id: &'static str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let focus = Closure::once_into_js(move || {
        let el = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
            .and_then(|e| e.dyn_into::<HtmlElement>().ok());
        if let Some(el) = el {
            let _ = el.focus();
        }
    });
    let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(focus.unchecked_ref(), 0);
}
