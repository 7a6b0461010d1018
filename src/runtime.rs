//! The shell: owns the state signal, runs the core's commands (HTTP, timers,
//! focus, DOM events) and feeds their results back as events. It decides nothing.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::json::Json;
use crate::reactive::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CustomEvent, CustomEventInit, HtmlElement};

use crate::api::Api;
use crate::flow::{self, Command, Event, Field, Notice, State};
use crate::i18n;

/// One mounted widget's machinery.
pub struct Shell {
    state: RwSignal<State>,
    api: Rc<Api>,
    host: HtmlElement,
    /// Prefix of this widget's element ids (several widgets may share a page).
    prefix: String,
    timers: RefCell<Vec<i32>>,
    alive: Cell<bool>,
}

impl Shell {
    /// A shell for `host`, driving `state` (created under the view's owner).
    pub fn new(
        state: RwSignal<State>,
        api: Rc<Api>,
        host: HtmlElement,
        prefix: String,
    ) -> Rc<Self> {
        Rc::new(Self {
            state,
            api,
            host,
            prefix,
            timers: RefCell::default(),
            alive: Cell::new(true),
        })
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
                any_spawner::Executor::spawn_local(async move {
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
        }
    }

    /// Runs `f` after `ms`, unless the widget is unmounted first.
    fn after(self: &Rc<Self>, ms: u64, f: impl FnOnce() + 'static) {
        let Some(w) = web_sys::window() else { return };
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
        if let Ok(id) =
            w.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), ms)
        {
            slot.set(id);
            self.timers.borrow_mut().push(id);
        }
    }

    fn emit(&self, notice: Notice) {
        let id = |id: &crate::model::CheckoutId| Json::str(id.as_str());
        let d = Json::obj();
        let (name, detail) = match notice {
            Notice::Ready(c) => ("checkout-ready", d.with("checkoutId", id(&c))),
            Notice::Step(step) => ("checkout-step", d.with("step", Json::str(step))),
            Notice::Declined {
                checkout_id,
                new_checkout_id,
                alert,
            } => (
                "checkout-declined",
                d.with("checkoutId", id(&checkout_id))
                    .with("newCheckoutId", id(&new_checkout_id))
                    .with("message", Json::str(i18n::alert_message(&alert))),
            ),
            Notice::NeedsInput {
                checkout_id,
                fields,
                alert,
            } => (
                "checkout-needs-input",
                d.with("checkoutId", id(&checkout_id))
                    .with(
                        "fields",
                        Json::Arr(fields.into_iter().map(Json::Str).collect()),
                    )
                    .with("message", Json::str(i18n::alert_message(&alert))),
            ),
            Notice::OrderCreated(order) => (
                "checkout-order-created",
                d.with("orderId", Json::str(order.id.as_str()))
                    .with("checkoutId", id(&order.checkout_id))
                    .with("state", Json::Str(order.state)),
            ),
            Notice::Error(f) => (
                "checkout-error",
                d.with("kind", Json::str(f.kind()))
                    .with("message", Json::str(i18n::failure_message(&f)))
                    .with("retryable", Json::Bool(f.retryable())),
            ),
        };
        dispatch_event(&self.host, name, &detail);
    }
}

/// The element id of a field in the widget with `prefix`.
pub fn field_id(prefix: &str, field: Field) -> String {
    format!("{prefix}-{}", field.slug())
}

/// Dispatches a bubbling `CustomEvent` with a JSON `detail`.
pub fn dispatch_event(target: &HtmlElement, name: &str, detail: &Json) {
    let detail = js_sys::JSON::parse(&detail.text()).unwrap_or(JsValue::NULL);
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_detail(&detail);
    if let Ok(ev) = CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = target.dispatch_event(&ev);
    }
}
