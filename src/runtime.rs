//! The shell: owns the state signal, runs the core's commands (HTTP, timers,
//! focus, DOM events) and feeds their results back as events. It decides nothing.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use serde::Serialize;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CustomEvent, CustomEventInit, HtmlElement};

use crate::api::Api;
use crate::card_frame::protocol::{FromFrame, ToFrame};
use crate::flow::{self, Command, Event, Field, Notice, State};
use crate::frame_host::FrameHost;
use crate::i18n::Messages;
use crate::model::{CheckoutId, OrderId};

/// One mounted widget's machinery.
pub struct Shell {
    state: RwSignal<State>,
    api: Rc<Api>,
    host: HtmlElement,
    /// Prefix of this widget's element ids (several widgets may share a page).
    prefix: String,
    timers: RefCell<Vec<i32>>,
    alive: Cell<bool>,
    /// The card frame.
    frame: FrameHost,
    /// How long a new card frame may take to say it is ready.
    frame_timeout_ms: u64,
    /// The timer waiting for the current frame to be ready.
    frame_timer: Cell<Option<i32>>,
    /// The shopper's text, for the events' `message`s.
    text: Memo<Messages>,
}

impl Shell {
    /// A shell for `host`, driving `state` (created under the view's owner).
    pub fn new(
        state: RwSignal<State>,
        api: Rc<Api>,
        host: HtmlElement,
        prefix: String,
        frame: FrameHost,
        frame_timeout_ms: u64,
        text: Memo<Messages>,
    ) -> Rc<Self> {
        let shell = Rc::new(Self {
            state,
            api,
            host,
            prefix,
            timers: RefCell::default(),
            alive: Cell::new(true),
            frame,
            frame_timeout_ms,
            frame_timer: Cell::new(None),
            text,
        });
        shell.await_frame();
        shell
    }

    /// The card frame's current `src` (a new one is a new frame).
    pub fn frame_src(&self) -> Signal<String> {
        self.frame.src.into()
    }

    /// The card frame's iframe loaded: connect it. Its messages go to the core.
    pub fn frame_loaded(self: &Rc<Self>, iframe: web_sys::HtmlIFrameElement) {
        let weak = Rc::downgrade(self);
        self.frame.connect(iframe, move |msg| {
            let Some(this) = weak.upgrade() else { return };
            if msg == FromFrame::Ready {
                if let (Some(id), Some(w)) = (this.frame_timer.take(), web_sys::window()) {
                    w.clear_timeout_with_handle(id);
                }
            }
            this.dispatch(Event::Frame(msg));
        });
    }

    /// A frame that has not said it is ready within the time limit failed.
    fn await_frame(self: &Rc<Self>) {
        let this = self.clone();
        let id = self.after(self.frame_timeout_ms, move || {
            this.frame_timer.set(None);
            this.dispatch(Event::FrameFailed);
        });
        if let Some(old) = self.frame_timer.replace(id) {
            if let Some(w) = web_sys::window() {
                w.clear_timeout_with_handle(old);
            }
        }
    }

    /// Feeds an event to the core and runs what it asks for.
    pub fn dispatch(self: &Rc<Self>, event: Event) {
        if !self.alive.get() {
            return;
        }
        let mut commands = Vec::new();
        self.state.try_update(|s| commands = flow::update(s, event));
        for c in commands {
            self.run(c);
        }
    }

    /// Stops everything: no request, timer or event survives unmount.
    pub fn shutdown(&self) {
        self.alive.set(false);
        self.api.abort_all();
        self.frame.close();
        if let Some(w) = web_sys::window() {
            for id in self.timers.borrow_mut().drain(..) {
                w.clear_timeout_with_handle(id);
            }
        }
    }

    fn run(self: &Rc<Self>, command: Command) {
        match command {
            Command::Send(call) => {
                let this = self.clone();
                leptos::task::spawn_local(async move {
                    let reply = this.api.run(call).await;
                    this.dispatch(Event::Reply(reply));
                });
            }
            Command::Schedule { generation, ms } => {
                let this = self.clone();
                self.after(ms, move || this.dispatch(Event::Timer(generation)));
            }
            Command::Focus(field) => {
                let id = field_id(&self.prefix, field);
                // After the view has rendered the step that holds the field.
                self.after(0, move || {
                    let el = web_sys::window()
                        .and_then(|w| w.document())
                        .and_then(|d| d.get_element_by_id(&id))
                        .and_then(|e| e.dyn_into::<HtmlElement>().ok());
                    if let Some(el) = el {
                        let _ = el.focus();
                    }
                });
            }
            Command::Emit(notice) => self.emit(notice),
            Command::ToFrame(msg @ ToFrame::Focus { .. }) => {
                // After the view has shown the frame (a hidden iframe takes no focus).
                let this = self.clone();
                self.after(0, move || this.frame.post(&msg));
            }
            Command::ToFrame(msg) => self.frame.post(&msg),
            Command::ReloadFrame => {
                self.frame.reload();
                self.await_frame();
            }
        }
    }

    /// Runs `f` after `ms`, unless the widget is unmounted first; the timer's id.
    fn after(self: &Rc<Self>, ms: u64, f: impl FnOnce() + 'static) -> Option<i32> {
        let w = web_sys::window()?;
        let weak = Rc::downgrade(self);
        let slot: Rc<Cell<i32>> = Rc::default();
        let id_slot = slot.clone();
        // A one-shot closure frees itself when called; a cleared timer's closure
        // is the only thing left behind, and only on unmount.
        let cb = Closure::once_into_js(move || {
            if let Some(this) = weak.upgrade() {
                this.timers.borrow_mut().retain(|id| *id != id_slot.get());
                if this.alive.get() {
                    f();
                }
            }
        });
        let ms = i32::try_from(ms).unwrap_or(i32::MAX);
        let id = w
            .set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), ms)
            .ok()?;
        slot.set(id);
        self.timers.borrow_mut().push(id);
        Some(id)
    }

    fn emit(&self, notice: Notice) {
        let host = &self.host;
        let text = self.text.try_get_untracked().unwrap_or_default();
        match notice {
            Notice::Ready(checkout_id) => {
                dispatch_event(host, "checkout-ready", &Ready { checkout_id })
            }
            Notice::Step(step) => dispatch_event(host, "checkout-step", &StepDetail { step }),
            Notice::Declined {
                checkout_id,
                new_checkout_id,
                alert,
            } => dispatch_event(
                host,
                "checkout-declined",
                &Declined {
                    checkout_id,
                    new_checkout_id,
                    message: text.alert(&alert),
                },
            ),
            Notice::NeedsInput {
                checkout_id,
                fields,
                alert,
            } => dispatch_event(
                host,
                "checkout-needs-input",
                &NeedsInput {
                    checkout_id,
                    fields,
                    message: text.alert(&alert),
                },
            ),
            Notice::OrderCreated(order) => dispatch_event(
                host,
                "checkout-order-created",
                &OrderCreated {
                    order_id: order.id,
                    checkout_id: order.checkout_id,
                    state: order.state,
                },
            ),
            Notice::Error(f) => dispatch_event(
                host,
                "checkout-error",
                &ErrorDetail {
                    kind: f.kind(),
                    message: text.failure(&f),
                    retryable: f.retryable(),
                },
            ),
        }
    }
}

// The `detail` of each event (embedding.md, "Events"). None holds card data.

/// `checkout-ready`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Ready {
    checkout_id: CheckoutId,
}

/// `checkout-step`.
#[derive(Serialize)]
struct StepDetail {
    step: &'static str,
}

/// `checkout-declined` (the 409 path).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Declined {
    checkout_id: CheckoutId,
    new_checkout_id: CheckoutId,
    message: String,
}

/// `checkout-needs-input` (the other-4xx path).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NeedsInput {
    checkout_id: CheckoutId,
    fields: Vec<String>,
    message: String,
}

/// `checkout-order-created`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrderCreated {
    order_id: OrderId,
    checkout_id: CheckoutId,
    state: String,
}

/// `checkout-error`.
#[derive(Serialize)]
pub struct ErrorDetail<'a> {
    /// `network`, `server`, `timeout`, `config`, `decode` or `not_found`.
    pub kind: &'a str,
    /// What the shopper (or the merchant, for `config`) should know.
    pub message: String,
    /// Whether trying again may help.
    pub retryable: bool,
}

/// The element id of a field in the widget with `prefix`.
pub fn field_id(prefix: &str, field: Field) -> String {
    format!("{prefix}-{}", field.slug())
}

/// Dispatches a bubbling `CustomEvent` whose `detail` is `detail` as JSON.
pub fn dispatch_event(target: &HtmlElement, name: &str, detail: &impl Serialize) {
    let detail = serde_json::to_string(detail)
        .ok()
        .and_then(|json| js_sys::JSON::parse(&json).ok())
        .unwrap_or(JsValue::NULL);
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_detail(&detail);
    if let Ok(ev) = CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = target.dispatch_event(&ev);
    }
}
