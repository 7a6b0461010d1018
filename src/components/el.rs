//! One element type for every view. `view!` gives each element, attribute and
//! closure its own Rust type, and tachys then compiles build, rebuild, mount and
//! unmount code for each of them: that was a third of the bundle. Here every
//! element is the same `HtmlElement<Custom<&str>, Vec<AnyAttribute>,
//! Vec<AnyView>>`, every live value one boxed closure type per value type
//! (`String`, `Option<String>`, `AnyView`), and every event handler one boxed
//! `FnMut`, so tachys' code exists once. The views still run
//! on Leptos: fine-grained render effects update text, attributes and
//! properties in place, and a `dynamic` region rebuilds only when what it reads
//! changes.

use leptos::html::custom;
use leptos::prelude::*;
use leptos::tachys::html::attribute::any_attribute::{AnyAttribute, IntoAnyAttribute};
use leptos::tachys::html::attribute::custom::custom_attribute;
use leptos::tachys::html::event::{on, Custom};
use leptos::tachys::html::property::prop;

/// A reactive value: re-read whenever a signal it reads changes.
type Live<T> = Box<dyn FnMut() -> T + Send>;

/// An element under construction.
pub struct El {
    tag: &'static str,
    attrs: Vec<AnyAttribute>,
    kids: Vec<AnyView>,
}

/// A new `<tag>` element.
pub fn el(tag: &'static str) -> El {
    El {
        tag,
        attrs: Vec::new(),
        kids: Vec::new(),
    }
}

/// A new `<tag class="...">` element.
pub fn el_class(tag: &'static str, class: &'static str) -> El {
    el(tag).attr("class", class)
}

/// A reactive region: `f` builds a view, and builds it again (replacing the
/// old one) whenever a signal it reads changes. Read memos in `f`, not the
/// whole state, so typing does not rebuild a form.
pub fn dynamic(f: impl Fn() -> AnyView + Send + 'static) -> AnyView {
    let f: Live<AnyView> = Box::new(f);
    f.into_any()
}

/// A region that holds `f`'s view while `when` is true and nothing otherwise
/// (Leptos' `<Show>`, on the one region type). `f` runs again only when `when`
/// turns true.
pub fn show(when: Memo<bool>, f: impl Fn() -> AnyView + Send + 'static) -> AnyView {
    dynamic(move || if when.get() { f() } else { nothing() })
}

/// Text that follows the signals `f` reads. Rendered as text, never as HTML.
pub fn live_text(f: impl Fn() -> String + Send + 'static) -> AnyView {
    let f: Live<String> = Box::new(f);
    f.into_any()
}

/// Static text. Rendered as text, never as HTML.
pub fn text(s: impl Into<String>) -> AnyView {
    s.into().into_any()
}

/// Nothing (an empty region).
pub fn nothing() -> AnyView {
    ().into_any()
}

impl El {
    /// A static attribute.
    pub fn attr(mut self, key: &'static str, value: impl Into<String>) -> Self {
        let value: String = value.into();
        self.attrs
            .push(custom_attribute(key, value).into_any_attr());
        self
    }

    /// A reactive attribute: present with the value `f` returns, absent while it
    /// returns `None`.
    pub fn attr_live(
        mut self,
        key: &'static str,
        f: impl Fn() -> Option<String> + Send + 'static,
    ) -> Self {
        let f: Live<Option<String>> = Box::new(f);
        self.attrs.push(custom_attribute(key, f).into_any_attr());
        self
    }

    /// A `class` of `base`, plus ` modifier` while `on` returns true (what
    /// `class:modifier=on` is in `view!`).
    pub fn class_when(
        self,
        base: &'static str,
        modifier: &'static str,
        on: impl Fn() -> bool + Send + 'static,
    ) -> Self {
        self.attr_live("class", move || {
            Some(if on() {
                format!("{base} {modifier}")
            } else {
                base.to_owned()
            })
        })
    }

    /// A reactive DOM property (e.g. an input's `value`).
    pub fn prop_live(mut self, key: &'static str, f: impl Fn() -> String + Send + 'static) -> Self {
        let f: Live<String> = Box::new(f);
        self.attrs.push(prop(key, f).into_any_attr());
        self
    }

    /// An event listener (`"click"`, `"input"`, `"submit"`, ...).
    pub fn on(mut self, event: &'static str, f: impl FnMut(web_sys::Event) + 'static) -> Self {
        let f: Box<dyn FnMut(web_sys::Event)> = Box::new(f);
        self.attrs
            .push(on(Custom::<web_sys::Event>::new(event), f).into_any_attr());
        self
    }

    /// Appends a child view.
    pub fn child(mut self, child: AnyView) -> Self {
        self.kids.push(child);
        self
    }

    /// Appends static text.
    pub fn text(self, s: impl Into<String>) -> Self {
        self.child(text(s))
    }

    /// Appends child views.
    pub fn children(mut self, kids: impl IntoIterator<Item = AnyView>) -> Self {
        self.kids.extend(kids);
        self
    }

    /// The finished element.
    pub fn view(self) -> AnyView {
        custom(self.tag)
            .add_any_attr(self.attrs)
            .child(self.kids)
            .into_any()
    }
}
