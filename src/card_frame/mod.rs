//! The payments-origin side: the card frame. Its protocol module is shared with
//! the widget; the frame's own code reads the card, creates the source and runs
//! 3-D Secure, so card data never reaches the merchant page.
//!
//! Pure and tested on the host: [`protocol`] (the messages), [`core`] (the
//! frame's state machine), [`handshake`] (what it accepts from outside) and
//! [`text`]. The browser shell (`shell`, `http`, `components`) only exists in
//! the frame's own bundle: wasm32 with the `card-frame` feature.

pub mod core;
pub mod handshake;
pub mod protocol;
pub mod text;

#[cfg(all(target_arch = "wasm32", feature = "card-frame"))]
mod components;
#[cfg(all(target_arch = "wasm32", feature = "card-frame"))]
mod http;
#[cfg(all(target_arch = "wasm32", feature = "card-frame"))]
mod shell;

#[cfg(all(target_arch = "wasm32", feature = "card-frame"))]
pub use shell::start_card_frame;
