//! The shell: owns the state signal, runs the core's commands (HTTP, DOM events)
//! and feeds their results back as events. It decides nothing itself.

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use serde_json::{json, Value};
use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, HtmlElement};

use crate::api::Api;
use crate::flow::{self, Command, Event, Notice, State};
use crate::i18n;

/// One mounted widget's machinery.
pub struct Shell {
    state: RwSignal<State>,
    api: Rc<Api>,
    host: HtmlElement,
    alive: Cell<bool>,
}

impl Shell {
    /// A shell for `host`, driving `state` (created under the view's owner).
    pub fn new(state: RwSignal<State>, api: Rc<Api>, host: HtmlElement) -> Rc<Self> {
        Rc::new(Self {
            state,
            api,
            host,
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
    }

    fn run(self: &Rc<Self>, command: Command) {
        match command {
            Command::FetchCheckout(id) => {
                let this = self.clone();
                leptos::task::spawn_local(async move {
                    let result = this.api.get_checkout(&id).await;
                    this.dispatch(Event::CheckoutLoaded(result));
                });
            }
            Command::CreateCheckout(body) => {
                let this = self.clone();
                leptos::task::spawn_local(async move {
                    let result = this.api.create_checkout(&body).await;
                    this.dispatch(Event::CheckoutLoaded(result));
                });
            }
            Command::Emit(notice) => self.emit(notice),
        }
    }

    fn emit(&self, notice: Notice) {
        let (name, detail): (&str, Value) = match notice {
            Notice::Ready(id) => ("checkout-ready", json!({"checkoutId": id})),
            Notice::Step(step) => ("checkout-step", json!({"step": step})),
            Notice::Error(f) => (
                "checkout-error",
                json!({"kind": f.kind(), "message": i18n::failure_message(&f),
                       "retryable": f.retryable()}),
            ),
        };
        let detail = js_sys::JSON::parse(&detail.to_string()).unwrap_or(JsValue::NULL);
        let init = CustomEventInit::new();
        init.set_bubbles(true);
        init.set_detail(&detail);
        if let Ok(ev) = CustomEvent::new_with_event_init_dict(name, &init) {
            let _ = self.host.dispatch_event(&ev);
        }
    }
}
