//! One component per file. Components render the state and send events up;
//! they decide nothing about the journey.

mod error_panel;
mod order_summary;
mod widget;

pub use error_panel::ErrorPanel;
pub use order_summary::OrderSummary;
pub use widget::Widget;
