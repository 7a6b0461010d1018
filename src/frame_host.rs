//! The widget's side of the card frame: the iframe's URL (with a fresh nonce
//! each time), the handshake over a `MessageChannel`, and the port. It decides
//! nothing: what the frame says reaches the core as events (through the
//! shell), and what the core asks for is posted to the frame.
//!
//! The handshake (embedding.md): the frame's URL carries this page's origin
//! (`?origin=`) and a random nonce (the fragment); on the iframe's `load` one
//! `init` with that nonce and a port goes to the frame's exact origin, never
//! `*`. Only the port is listened to afterwards, so a message from any other
//! window never reaches the widget.

use std::cell::RefCell;

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlIFrameElement, MessageChannel, MessageEvent, MessagePort, Url};

use crate::card_frame::protocol::{self, FromFrame, Handshake, ToFrame};

/// The card frame of one widget.
pub struct FrameHost {
    /// The iframe's current `src`: a new value is a new frame (a new nonce).
    pub src: RwSignal<String>,
    /// The frame page's URL with `?origin=` (no fragment).
    page: String,
    /// The frame's origin: the only target of the init.
    origin: String,
    /// The nonce of the current frame.
    nonce: RefCell<String>,
    /// What the init tells the frame (its nonce is set per frame).
    init: Handshake,
    link: RefCell<Option<Link>>,
}

/// A connected frame.
struct Link {
    port: MessagePort,
    iframe: HtmlIFrameElement,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

impl FrameHost {
    /// The frame for `payments_base` (or `card_frame_url`), from this page,
    /// themed by `appearance` (allow-listed `--cw-*` pairs, `--cw-theme` too).
    /// Warns once on the console when the payments origin is this page's own:
    /// the card is then not isolated from the page.
    pub fn new(
        payments_base: &str,
        card_frame_url: Option<&str>,
        public_key: Option<String>,
        locale: String,
        appearance: Vec<(String, String)>,
        translations: Vec<(String, String)>,
    ) -> Result<Self, String> {
        let location = web_sys::window()
            .map(|w| w.location())
            .ok_or("checkout-widget: no window")?;
        let here = location
            .href()
            .map_err(|_| "checkout-widget: no page URL")?;
        let page_origin = location
            .origin()
            .map_err(|_| "checkout-widget: no page origin")?;
        let bad = |what: &str| format!("checkout-widget: option `{what}` is not a usable URL");
        let payments = Url::new_with_base(payments_base, &here).map_err(|_| bad("paymentsBase"))?;
        let page = match card_frame_url {
            Some(u) => Url::new_with_base(u, &here).map_err(|_| bad("cardFrameUrl"))?,
            None => Url::new_with_base("/card-frame.html", &payments.origin())
                .map_err(|_| bad("paymentsBase"))?,
        };
        page.search_params().set("origin", &page_origin);
        page.set_hash("");
        let origin = page.origin();
        if origin == page_origin {
            web_sys::console::warn_1(&JsValue::from_str(
                "checkout-widget: the card frame is served from this page's own origin, so card \
                 data is not isolated from this page. Use a separate payments origin in production.",
            ));
        }
        let init = Handshake::Init {
            nonce: String::new(),
            payments_base: payments.href().trim_end_matches('/').to_owned(),
            public_key,
            locale,
            appearance,
            translations,
        };
        let nonce = new_nonce();
        let page = page.href();
        Ok(Self {
            src: RwSignal::new(format!("{page}#{nonce}")),
            page,
            origin,
            nonce: RefCell::new(nonce),
            init,
            link: RefCell::default(),
        })
    }

    /// Replaces the frame with a fresh one (a new nonce, a new handshake).
    pub fn reload(&self) {
        self.close();
        let nonce = new_nonce();
        self.src.set(format!("{}#{nonce}", self.page));
        *self.nonce.borrow_mut() = nonce;
    }

    /// The iframe loaded: hands it the port and the init, once per frame.
    /// `on_message` gets every message of the port that decodes; the rest is
    /// dropped.
    pub fn connect(&self, iframe: HtmlIFrameElement, on_message: impl Fn(FromFrame) + 'static) {
        let nonce = self.nonce.borrow().clone();
        // A load of another frame than the current one (or a second load of
        // this one, e.g. if something navigated it) gets nothing.
        let current = iframe.src().ends_with(&format!("#{nonce}"));
        if !current || self.link.borrow().is_some() {
            return;
        }
        let (Ok(channel), Some(target)) = (MessageChannel::new(), iframe.content_window()) else {
            return;
        };
        let Handshake::Init {
            payments_base,
            public_key,
            locale,
            appearance,
            translations,
            ..
        } = self.init.clone();
        let init = Handshake::Init {
            nonce,
            payments_base,
            public_key,
            locale,
            appearance,
            translations,
        };
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let text = js_sys::JSON::stringify(&ev.data())
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_default();
            if let Some(msg) = protocol::decode::<FromFrame>(&text) {
                on_message(msg);
            }
        });
        let port = channel.port1();
        port.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let transfer = js_sys::Array::of1(&channel.port2());
        let sent = target.post_message_with_transfer(&to_js(&init), &self.origin, &transfer);
        if sent.is_err() {
            port.close();
            return;
        }
        *self.link.borrow_mut() = Some(Link {
            port,
            iframe,
            _on_message: on_message,
        });
    }

    /// Posts `msg` to the frame (dropped when no frame is connected). For
    /// [`ToFrame::Focus`] the iframe takes focus first, so the frame may move
    /// it to the field.
    pub fn post(&self, msg: &ToFrame) {
        let link = self.link.borrow();
        let Some(link) = link.as_ref() else { return };
        if matches!(msg, ToFrame::Focus { .. }) {
            let _ = link.iframe.focus();
        }
        let _ = link.port.post_message(&to_js(msg));
    }

    /// Closes the port (unmount, reload): nothing the old frame says arrives.
    pub fn close(&self) {
        if let Some(link) = self.link.borrow_mut().take() {
            link.port.set_onmessage(None);
            link.port.close();
        }
    }
}

/// A message as the JavaScript object the other side reads.
fn to_js<T: serde::Serialize>(msg: &T) -> JsValue {
    js_sys::JSON::parse(&protocol::encode(msg)).unwrap_or(JsValue::NULL)
}

/// 128 random bits from the browser's CSPRNG, as hex.
fn new_nonce() -> String {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        // No Web Crypto (never in a browser that runs this bundle): still unguessable enough
        // for a handshake that also checks the window and the origin.
        for b in &mut bytes {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
