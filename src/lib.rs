//! checkout-widget: an embeddable checkout that walks a shopper through payment
//! entry, waits for the payment session, places the order, and recovers from
//! rejected orders (409: fresh checkout; other 4xx: fix the same checkout).
//!
//! The decisions live in pure modules ([`flow`], [`model`], [`json`],
//! [`options`], [`validation`]), beside the allocator ([`heap`]), that
//! build and test on any target. The browser shell (HTTP, timers, the views on
//! Leptos' reactive graph and the JavaScript `mount` API) only exists on wasm32.

/// Test shorthand: `json!({...})` as a [`json::Json`], via serde_json's macro.
#[cfg(test)]
macro_rules! json {
    ($($t:tt)+) => {
        $crate::json::Json::parse(&serde_json::json!($($t)+).to_string()).unwrap()
    };
}

pub mod flow;
pub mod heap;
pub mod json;
pub mod model;
pub mod options;
pub mod validation;

/// What the shell and the views use of Leptos' reactive system
/// (`reactive_graph`, which `leptos::prelude` re-exports), in one place.
#[cfg(target_arch = "wasm32")]
mod reactive {
    pub use reactive_graph::callback::{Callable, Callback};
    pub use reactive_graph::computed::Memo;
    pub use reactive_graph::effect::RenderEffect;
    pub use reactive_graph::owner::Owner;
    pub use reactive_graph::prelude::*;
    pub use reactive_graph::signal::RwSignal;
}
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

/// Every allocation of the wasm build (see [`heap`] for why not dlmalloc).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: heap::Global = heap::Global::new();
