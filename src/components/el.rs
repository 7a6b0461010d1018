//! The views' DOM layer: Leptos' reactive graph drives the page directly.
//!
//! Every element is built at once with `document.createElement`, and every live
//! value is one [`RenderEffect`] that re-runs when a signal or memo it reads
//! changes and touches the DOM only when its value changed. A region
//! ([`dynamic`]) is one more render effect that swaps the nodes between two
//! markers. Event handlers are plain listeners.
//!
//! Why not `view!` and tachys: tachys compiles build, rebuild, mount and
//! unmount code for every element, attribute and closure type it meets, and its
//! type-erased views (`AnyView`, `AnyAttribute`) add shims on top. Here there is
//! one element type, one live-value type (`Option<String>`: an attribute that
//! comes and goes, a property, or text) and one listener type, so that code
//! exists once. Signals, memos, callbacks, owners and render effects are
//! Leptos' own.

use std::cell::RefCell;
use std::rc::Rc;

use crate::reactive::{Get, Memo, RenderEffect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, Node};

/// A reactive value: re-read whenever a signal it reads changes.
type Live = Box<dyn FnMut() -> Option<String>>;

/// What keeps a view working: its render effects and listeners. Dropping it
/// stops them.
// Held only for their lifetimes: nothing reads them.
#[allow(dead_code)]
enum Keep {
    Effect(RenderEffect<Option<String>>),
    Listener(Closure<dyn FnMut(web_sys::Event)>),
}

/// Built DOM nodes, not yet placed, and what keeps them live.
#[derive(Default)]
pub struct View {
    nodes: Vec<Node>,
    keep: Vec<Keep>,
}

impl View {
    /// The nodes to insert into a parent, in order.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }
}

impl FromIterator<View> for View {
    fn from_iter<I: IntoIterator<Item = View>>(iter: I) -> Self {
        let mut all = View::default();
        for v in iter {
            all.nodes.extend(v.nodes);
            all.keep.extend(v.keep);
        }
        all
    }
}

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a browser document")
}

/// Where a live value goes.
enum Sink {
    Attr(Element, &'static str),
    Prop(Element, &'static str),
    Text(Node),
}

impl Sink {
    fn apply(&self, value: Option<&str>) {
        match (self, value) {
            (Self::Attr(el, key), Some(v)) => {
                let _ = el.set_attribute(key, v);
            }
            (Self::Attr(el, key), None) => {
                let _ = el.remove_attribute(key);
            }
            (Self::Prop(el, key), v) => {
                let key = JsValue::from_str(key);
                let v = JsValue::from_str(v.unwrap_or_default());
                // Only when it differs: re-setting an input's value would move
                // the caret while the shopper types.
                if js_sys::Reflect::get(el, &key).ok().as_ref() != Some(&v) {
                    let _ = js_sys::Reflect::set(el, &key, &v);
                }
            }
            (Self::Text(node), v) => node.set_text_content(v),
        }
    }
}

/// A render effect that writes `f`'s value to `sink` whenever it changes.
fn live(mut f: Live, sink: Sink) -> Keep {
    Keep::Effect(RenderEffect::new(move |prev: Option<Option<String>>| {
        let value = f();
        if prev.as_ref() != Some(&value) {
            sink.apply(value.as_deref());
        }
        value
    }))
}

/// An element under construction.
pub struct El {
    el: Element,
    keep: Vec<Keep>,
}

/// A new `<tag>` element.
pub fn el(tag: &'static str) -> El {
    El {
        el: document().create_element(tag).expect("a valid tag name"),
        keep: Vec::new(),
    }
}

/// A new `<tag class="...">` element.
pub fn el_class(tag: &'static str, class: &'static str) -> El {
    el(tag).attr("class", class)
}

/// A reactive region: `f` builds a view, and builds it again (replacing the
/// old one) whenever a signal it reads changes. Read memos in `f`, not the
/// whole state, so typing does not rebuild a form. Memos created in `f` live
/// until its next run.
pub fn dynamic(f: impl Fn() -> View + 'static) -> View {
    region(Box::new(f))
}

/// A region that holds `f`'s view while `when` is true and nothing otherwise
/// (Leptos' `<Show>`). `f` runs again only when `when` turns true.
pub fn show(when: Memo<bool>, f: impl Fn() -> View + 'static) -> View {
    let f: Box<dyn Fn() -> View> = Box::new(f);
    region(Box::new(move || if when.get() { f() } else { nothing() }))
}

/// [`dynamic`], once for every region: the content lives between two empty
/// comments, so a region inside it may change its own nodes meanwhile.
fn region(f: Box<dyn Fn() -> View>) -> View {
    let doc = document();
    let start: Node = doc.create_comment("").into();
    let end: Node = doc.create_comment("").into();
    let first: Rc<RefCell<Vec<Node>>> = Rc::default();
    let effect = {
        let (start, end, first) = (start.clone(), end.clone(), first.clone());
        let mut held: Vec<Keep> = Vec::new();
        RenderEffect::new(move |prev: Option<Option<String>>| {
            // The old view stops before the new one is built.
            held.clear();
            let view = f();
            if prev.is_none() {
                // The first run, inside `region`: the caller places the nodes.
                *first.borrow_mut() = view.nodes;
            } else if let Some(parent) = end.parent_node() {
                while let Some(n) = start.next_sibling().filter(|n| *n != end) {
                    let _ = parent.remove_child(&n);
                }
                for n in &view.nodes {
                    let _ = parent.insert_before(n, Some(&end));
                }
            }
            held = view.keep;
            None
        })
    };
    let mut nodes = vec![start];
    nodes.append(&mut first.borrow_mut());
    nodes.push(end);
    View {
        nodes,
        keep: vec![Keep::Effect(effect)],
    }
}

/// Text that follows the signals `f` reads. Rendered as text, never as HTML.
pub fn live_text(mut f: impl FnMut() -> String + 'static) -> View {
    let node: Node = document().create_text_node("").into();
    View {
        keep: vec![live(Box::new(move || Some(f())), Sink::Text(node.clone()))],
        nodes: vec![node],
    }
}

/// Static text. Rendered as text, never as HTML.
fn text(s: &str) -> View {
    View {
        nodes: vec![document().create_text_node(s).into()],
        keep: Vec::new(),
    }
}

/// Nothing (an empty region).
pub fn nothing() -> View {
    View::default()
}

impl El {
    /// A static attribute.
    pub fn attr(self, key: &'static str, value: impl AsRef<str>) -> Self {
        let _ = self.el.set_attribute(key, value.as_ref());
        self
    }

    /// A reactive attribute: present with the value `f` returns, absent while it
    /// returns `None`.
    pub fn attr_live(
        mut self,
        key: &'static str,
        f: impl FnMut() -> Option<String> + 'static,
    ) -> Self {
        let sink = Sink::Attr(self.el.clone(), key);
        self.keep.push(live(Box::new(f), sink));
        self
    }

    /// A `class` of `base`, plus ` modifier` while `on` returns true (what
    /// `class:modifier=on` is in `view!`).
    pub fn class_when(
        self,
        base: &'static str,
        modifier: &'static str,
        on: impl Fn() -> bool + 'static,
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
    pub fn prop_live(mut self, key: &'static str, mut f: impl FnMut() -> String + 'static) -> Self {
        let sink = Sink::Prop(self.el.clone(), key);
        self.keep.push(live(Box::new(move || Some(f())), sink));
        self
    }

    /// An event listener (`"click"`, `"input"`, `"submit"`, ...).
    pub fn on(mut self, event: &'static str, f: impl FnMut(web_sys::Event) + 'static) -> Self {
        let f: Box<dyn FnMut(web_sys::Event)> = Box::new(f);
        let cb = Closure::wrap(f);
        let _ = self
            .el
            .add_event_listener_with_callback(event, cb.as_ref().unchecked_ref());
        self.keep.push(Keep::Listener(cb));
        self
    }

    /// Appends a child view.
    pub fn child(mut self, child: View) -> Self {
        for n in &child.nodes {
            let _ = self.el.append_child(n);
        }
        self.keep.extend(child.keep);
        self
    }

    /// Appends static text.
    pub fn text(self, s: impl AsRef<str>) -> Self {
        self.child(text(s.as_ref()))
    }

    /// Appends child views.
    pub fn children(self, kids: impl IntoIterator<Item = View>) -> Self {
        self.child(kids.into_iter().collect())
    }

    /// The finished element.
    pub fn view(self) -> View {
        View {
            nodes: vec![self.el.into()],
            keep: self.keep,
        }
    }
}
