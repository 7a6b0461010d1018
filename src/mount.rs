//! The JavaScript face: `mount(element, options)`, `WidgetHandle.unmount()`, and
//! auto-mount of `[data-checkout-widget]` elements when the module initialises.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::mount::UnmountHandle;
use leptos::prelude::*;
use leptos::tachys::view::any_view::AnyViewState;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlElement, HtmlIFrameElement};

use crate::api::Api;
use crate::components::Widget;
use crate::flow::{Config, Event, State};
use crate::frame_host::FrameHost;
use crate::i18n::Messages;
use crate::options::Options;
use crate::runtime::{ErrorDetail, Shell};

/// Marks an element that currently hosts a widget.
const MOUNTED_ATTR: &str = "data-cw-mounted";

/// A mounted widget, returned by `mount`. Call `unmount()` to remove it.
#[wasm_bindgen]
pub struct WidgetHandle {
    inner: Option<Mounted>,
}

struct Mounted {
    shell: Rc<Shell>,
    host: HtmlElement,
    /// Leptos' handle: dropping it removes the view and disposes its owner
    /// (every signal, memo, effect and listener of this widget).
    view: UnmountHandle<AnyViewState>,
}

#[wasm_bindgen]
impl WidgetHandle {
    /// Removes the widget, aborts its requests and stops its timers. Idempotent.
    pub fn unmount(&mut self) {
        if let Some(m) = self.inner.take() {
            m.shell.shutdown();
            drop(m.view);
            let _ = m.host.remove_attribute(MOUNTED_ATTR);
        }
    }
}

/// Mounts a widget into `element`. Throws an `Error` with a clear message for
/// bad options (no `apiBase`, neither `checkoutId` nor `cart`, not an element).
#[wasm_bindgen]
pub fn mount(element: JsValue, options: JsValue) -> Result<WidgetHandle, JsError> {
    let host: HtmlElement = element.dyn_into().map_err(|_| {
        JsError::new(
            "checkout-widget: mount(element, options) needs an HTML element as its first argument",
        )
    })?;
    let json = if options.is_object() {
        js_sys::JSON::stringify(&options)
            .ok()
            .and_then(|s| s.as_string())
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or(Value::Null)
    } else {
        Value::Null
    };
    let options = Options::from_json(&json).map_err(|m| JsError::new(&m))?;
    mount_with(host, options).map_err(|m| JsError::new(&m))
}

fn mount_with(host: HtmlElement, options: Options) -> Result<WidgetHandle, String> {
    if host.has_attribute(MOUNTED_ATTR) {
        return Err(
            "checkout-widget: this element already hosts a widget; unmount() it first".into(),
        );
    }
    let _ = host.set_attribute(MOUNTED_ATTR, "");
    let api = Api::new(
        options.api_base.clone(),
        options
            .request_timeout_ms
            .unwrap_or(crate::api::REQUEST_TIMEOUT_MS),
    );
    let mut config = Config {
        review: options.review,
        ..Config::default()
    };
    if let Some(ms) = options.readiness_timeout_ms {
        config.readiness_timeout_ms = ms;
    }
    if let Some(ms) = options.challenge_timeout_ms {
        config.challenge_timeout_ms = ms;
    }
    let now = js_sys::Date::new_0();
    config.today = (now.get_full_year(), now.get_month() + 1);
    let frame_timeout_ms = options
        .request_timeout_ms
        .unwrap_or(crate::api::REQUEST_TIMEOUT_MS);
    // The locale: the option, else the checkout's (once it is read), else the
    // page's. The frame starts before the checkout is read: it takes the
    // option's or the page's.
    let page_locale = crate::i18n::intl::page_locale();
    let frame_locale =
        crate::i18n::choose_locale(options.locale.as_deref(), None, page_locale.as_deref());
    let frame_text = Messages::new(&frame_locale, &options.translations);
    for warning in &options.warnings {
        web_sys::console::warn_1(&JsValue::from_str(warning));
    }
    let appearance = options.appearance.clone();
    let prefix = next_prefix();
    let slot: Rc<RefCell<Option<Rc<Shell>>>> = Rc::default();
    let error: Rc<RefCell<Option<String>>> = Rc::default();
    let view = {
        let slot = slot.clone();
        let error = error.clone();
        let host = host.clone();
        let prefix = prefix.clone();
        leptos::mount::mount_to(host.clone(), move || {
            let state = RwSignal::new(State::new(options.start, config));
            let locale_option = options.locale;
            let locale = Memo::new(move |_| {
                let checkout = state.with(|s| s.checkout.as_ref().and_then(|c| c.locale.clone()));
                crate::i18n::choose_locale(
                    locale_option.as_deref(),
                    checkout.as_deref(),
                    page_locale.as_deref(),
                )
            });
            let overrides = options.translations;
            let text = Memo::new(move |_| Messages::new(&locale.get(), &overrides));
            let frame = match FrameHost::new(
                &options.payments_base,
                options.card_frame_url.as_deref(),
                options.public_key.clone(),
                frame_text.locale().to_owned(),
                options.appearance.frame_pairs(),
                frame_text.frame_overrides(),
            ) {
                Ok(frame) => frame,
                Err(message) => {
                    *error.borrow_mut() = Some(message);
                    return ().into_any();
                }
            };
            let shell = Shell::new(
                state,
                api,
                host,
                prefix.clone(),
                frame,
                frame_timeout_ms,
                text,
            );
            let frame_src = shell.frame_src();
            *slot.borrow_mut() = Some(shell.clone());
            // The shell is an `Rc` (not `Send`): kept in the view's reactive
            // owner as a local value, which a `Callback` may hold.
            let shell = StoredValue::new_local(shell);
            let on_event = Callback::new(move |ev: Event| {
                shell.try_with_value(|s| s.dispatch(ev));
            });
            let on_frame_load = Callback::new(move |iframe: HtmlIFrameElement| {
                shell.try_with_value(|s| s.frame_loaded(iframe));
            });
            view! {
                <Widget state=state on_event=on_event text=text prefix=prefix
                    frame_src=frame_src on_frame_load=on_frame_load />
            }
            .into_any()
        })
    };
    if let Some(message) = error.borrow_mut().take() {
        drop(view);
        let _ = host.remove_attribute(MOUNTED_ATTR);
        return Err(message);
    }
    // `mount_to` runs its closure before it returns.
    let shell = slot
        .borrow_mut()
        .take()
        .ok_or("checkout-widget: the view did not mount")?;
    apply_appearance(&host, &appearance);
    // Jitter only: Math.random is plenty.
    let seed = (js_sys::Math::random() * 9_007_199_254_740_991.0) as u64;
    shell.dispatch(Event::Mounted { seed });
    Ok(WidgetHandle {
        inner: Some(Mounted { shell, host, view }),
    })
}

/// The theme's class and the merchant's `--cw-*` variables on the widget's
/// root, through the CSSOM (the page's CSP allows no style attribute).
fn apply_appearance(host: &HtmlElement, appearance: &crate::options::Appearance) {
    let Some(root) = host
        .query_selector(".cw-root")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
    else {
        return;
    };
    if let Some(class) = appearance.theme.root_class() {
        let _ = root.class_list().add_1(class);
    }
    let style = root.style();
    for (name, value) in &appearance.variables {
        let _ = style.set_property(name, value);
    }
}

/// `cw1`, `cw2`, ...: unique element-id prefixes for widgets on one page.
fn next_prefix() -> String {
    thread_local! {
        static NEXT: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }
    NEXT.with(|n| {
        n.set(n.get() + 1);
        format!("cw{}", n.get())
    })
}

thread_local! {
    static AUTO_MOUNTED: RefCell<Vec<WidgetHandle>> = const { RefCell::new(Vec::new()) };
}

/// Runs when the module is initialised: mounts every `[data-checkout-widget]`.
#[wasm_bindgen(start)]
fn auto_mount() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(list) = doc.query_selector_all("[data-checkout-widget]") else {
        return;
    };
    for i in 0..list.length() {
        let Some(host) = list.item(i).and_then(|n| n.dyn_into::<HtmlElement>().ok()) else {
            continue;
        };
        let attrs = host.get_attribute_names();
        let pairs: Vec<(String, String)> = attrs
            .iter()
            .filter_map(|n| n.as_string())
            .map(|n| {
                let v = host.get_attribute(&n).unwrap_or_default();
                (n, v)
            })
            .collect();
        let result = Options::from_attributes(pairs.iter().map(|(n, v)| (n.as_str(), v.clone())))
            .and_then(|o| mount_with(host.clone(), o));
        match result {
            Ok(handle) => AUTO_MOUNTED.with(|m| m.borrow_mut().push(handle)),
            Err(message) => report_config_error(&host, &message),
        }
    }
}

/// Tells the page about a bad auto-mount configuration: a `checkout-error` event.
fn report_config_error(host: &HtmlElement, message: &str) {
    let detail = ErrorDetail {
        kind: "config",
        message: message.to_owned(),
        retryable: false,
    };
    crate::runtime::dispatch_event(host, "checkout-error", &detail);
}
