//! checkout-widget: an embeddable checkout that walks a shopper through payment
//! entry, waits for the payment session, places the order, and recovers from
//! rejected orders (409: fresh checkout; other 4xx: fix the same checkout).
//!
//! The decisions live in pure modules ([`flow`], [`i18n`], [`model`], [`options`],
//! [`validation`]) that build and test on any target, with serde for the
//! contract's JSON. The browser shells only exist on wasm32, each behind its
//! Cargo feature: the widget's (HTTP through gloo-net, timers, the Leptos
//! components and the JavaScript `mount` API; feature `widget`, the default)
//! and the card frame's (feature `card-frame`, its own smaller bundle: see
//! [`card_frame`]).

pub mod card_frame;
pub mod flow;
pub mod i18n;
pub mod model;
pub mod options;
pub mod validation;

#[cfg(all(target_arch = "wasm32", feature = "widget"))]
mod api;
#[cfg(all(target_arch = "wasm32", feature = "widget"))]
mod components;
#[cfg(all(target_arch = "wasm32", feature = "widget"))]
mod frame_host;
/// The one HTTP exchange both bundles use.
#[cfg(all(
    target_arch = "wasm32",
    any(feature = "widget", feature = "card-frame")
))]
mod http;
#[cfg(all(target_arch = "wasm32", feature = "widget"))]
mod mount;
#[cfg(all(target_arch = "wasm32", feature = "widget"))]
mod runtime;

#[cfg(all(target_arch = "wasm32", feature = "widget"))]
pub use mount::{mount, WidgetHandle};
