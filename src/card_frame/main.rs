//! The card frame's bundle (`card-frame.js`, `card-frame_bg.wasm`): the library
//! built with only the `card-frame` feature. Its entry point is the exported
//! `startCardFrame(early)`, called by `card-frame-boot.js` once the module has
//! loaded, with the `message` events that arrived meanwhile.

// Keeps the library, and its exported `startCardFrame`, in this binary.
#[cfg(target_arch = "wasm32")]
pub use checkout_widget::card_frame::start_card_frame;

/// Nothing to do at module start: the boot script calls `startCardFrame`.
fn main() {}
