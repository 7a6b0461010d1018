//! checkout-widget: an embeddable checkout that walks a shopper through payment
//! entry, waits for the payment session, places the order, and recovers from
//! rejected orders (409: fresh checkout; other 4xx: fix the same checkout).
//!
//! The decisions live in pure modules ([`flow`], [`model`], [`options`],
//! [`validation`]) that build and test on any target, with serde for the
//! contract's JSON. The browser shell (HTTP through gloo-net, timers, the
//! Leptos components and the JavaScript `mount` API) only exists on wasm32.

pub mod flow;
pub mod model;
pub mod options;
pub mod validation;

#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
mod components;
#[cfg(target_arch = "wasm32")]
mod i18n;
#[cfg(target_arch = "wasm32")]
mod mount;
#[cfg(target_arch = "wasm32")]
mod runtime;

#[cfg(target_arch = "wasm32")]
pub use mount::{mount, WidgetHandle};
