//! A property: no request a browser can send makes the backend call a provider
//! route, or send a provider field, outside the allowlist of what it builds.
//!
//! One rig (sandbox + backend) and one browser session serve every case; each
//! case is a short run of generated requests: real routes with ids the session
//! owns, someone else's ids, hostile strings and random paths, with bodies made
//! of known fields, unknown keys, values of the wrong type and garbage. After
//! each request, every new entry of the provider's request log is checked
//! against the allowlist, and the answer is checked for the secret.
//!
//! `PROPTEST_CASES` changes the number of cases, `PROPTEST_RNG_SEED` replays a run.

mod common;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};

use common::{catalogue, Browser, Resp, Rig, SECRET};
use hyper::Method;
use merchant_backend::Catalogue;
use proptest::prelude::*;
use proptest::test_runner::{Config as RunConfig, TestCaseError, TestRunner};
use sandbox::faults::{LogEntry, Origin};
use serde_json::{json, Map, Value};

// ---------------------------------------------------------------- generation

/// Where an id in a path or body comes from, resolved against the session's
/// state when the request is sent.
#[derive(Debug, Clone)]
enum Id {
    /// One of the checkouts this session created.
    Owned(usize),
    /// Another session's checkout, a checkout this session forgot, or another customer.
    Foreign(usize),
    /// The customer the session is signed in as (`cus_demo` when none).
    Customer,
    /// A real source of the sandbox.
    Source(usize),
    /// Well-formed but unknown.
    Safe(String),
    /// Anything else: traversal, encodings, unicode, very long.
    Hostile(String),
    /// An owned checkout with something hostile after it.
    OwnedWith(usize, String),
    /// An owned checkout, every byte percent-encoded.
    OwnedEncoded(usize),
}

/// A request path under `/api`.
#[derive(Debug, Clone)]
enum PathSpec {
    Checkouts,
    Checkout(Id),
    CheckoutSource(Id, Id),
    Orders,
    OrdersQuery(Id),
    OrdersRawQuery(String),
    Customer(Id),
    CustomerSource(Id, Id),
    SignIn,
    SignOut,
    /// A real route, bent: trailing slash, double slash, case, dot segments...
    Mangled(Box<PathSpec>, Mangle),
    /// Anything at all after `/`.
    Random(String),
}

#[derive(Debug, Clone)]
enum Mangle {
    TrailingSlash,
    DoubleSlash,
    Upper,
    DotDot,
    ApiAgain,
    Suffix(String),
    Query(String),
    Fragment(String),
}

/// A top-level body field: a fixed value, or an id resolved at send time.
#[derive(Debug, Clone)]
enum Field {
    V(Value),
    Id(Id),
}

#[derive(Debug, Clone)]
enum BodySpec {
    None,
    /// `{"email": "xxx..."}` over the body limit (64 KiB).
    Big,
    Text(String),
    Json(Vec<(String, Field)>),
    Raw(Value),
}

#[derive(Debug, Clone)]
struct Req {
    method: Method,
    path: PathSpec,
    body: BodySpec,
    /// Extra request headers (spoofed client IPs, an `Authorization` of the
    /// browser's own, request ids, content types...).
    headers: Vec<(String, String)>,
}

const HOSTILE: &[&str] = &[
    "..",
    ".",
    "%2E%2E",
    "%2F",
    "%252F",
    "a%2Fb",
    "..%2F..%2Fcustomers%2Fcus_demo",
    "%2E%2E%2Fcustomers%2Fcus_demo",
    "?",
    "#",
    "a?b=c",
    "a#b",
    "%3F",
    "%23",
    "%00",
    "%0A",
    "%ff",
    "%",
    "%zz",
    "é",
    "%C3%A9",
    "chk_💳",
    "\u{202e}kcehc",
    "%20",
    "+",
    ";x",
    "cus_demo%00",
    "cus_demo%2F..",
    "cus_demo%0D%0AX-Injected:%201",
    "chk_1&checkoutId=chk_2",
    "*",
    "~",
    "' OR 1=1 --",
    "<script>",
];

const SUFFIXES: &[&str] = &[
    "/..",
    "%2F..",
    "%2F..%2F..%2Fcustomers%2Fcus_demo",
    "?x=1",
    "#frag",
    "%3Fx=1",
    "%23",
    "%00",
    "%20",
    "é",
    ".",
    ";x",
    "&checkoutId=chk_other",
    "%26checkoutId%3Dchk_other",
    "/sources/src_1",
];

fn pick(list: &'static [&'static str]) -> impl Strategy<Value = String> {
    proptest::sample::select(list).prop_map(str::to_owned)
}

fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => pick(HOSTILE),
        1 => Just("a".repeat(129)),
        1 => Just("a".repeat(128)),
        1 => Just("x".repeat(5000)),
        2 => ".{0,24}",
    ]
}

fn id() -> impl Strategy<Value = Id> {
    prop_oneof![
        6 => any::<usize>().prop_map(Id::Owned),
        2 => any::<usize>().prop_map(Id::Foreign),
        2 => Just(Id::Customer),
        1 => any::<usize>().prop_map(Id::Source),
        1 => "[A-Za-z0-9_-]{1,24}".prop_map(Id::Safe),
        3 => hostile().prop_map(Id::Hostile),
        2 => (any::<usize>(), pick(SUFFIXES)).prop_map(|(i, s)| Id::OwnedWith(i, s)),
        1 => any::<usize>().prop_map(Id::OwnedEncoded),
    ]
}

fn customer_id() -> impl Strategy<Value = Id> {
    prop_oneof![
        3 => Just(Id::Safe("cus_demo".into())),
        2 => Just(Id::Customer),
        2 => id(),
    ]
}

fn source_id() -> impl Strategy<Value = Id> {
    prop_oneof![3 => any::<usize>().prop_map(Id::Source), 2 => id()]
}

fn mangle() -> impl Strategy<Value = Mangle> {
    prop_oneof![
        Just(Mangle::TrailingSlash),
        Just(Mangle::DoubleSlash),
        Just(Mangle::Upper),
        Just(Mangle::DotDot),
        Just(Mangle::ApiAgain),
        pick(SUFFIXES).prop_map(Mangle::Suffix),
        "[a-zA-Z]{1,10}=[a-zA-Z0-9%]{0,10}".prop_map(Mangle::Query),
        ".{0,10}".prop_map(Mangle::Fragment),
    ]
}

fn any_path() -> impl Strategy<Value = PathSpec> {
    let route = prop_oneof![
        Just(PathSpec::Checkouts),
        id().prop_map(PathSpec::Checkout),
        (id(), source_id()).prop_map(|(a, b)| PathSpec::CheckoutSource(a, b)),
        Just(PathSpec::Orders),
        id().prop_map(PathSpec::OrdersQuery),
        "[a-zA-Z&=%_0-9.-]{0,30}".prop_map(PathSpec::OrdersRawQuery),
        customer_id().prop_map(PathSpec::Customer),
        (customer_id(), source_id()).prop_map(|(a, b)| PathSpec::CustomerSource(a, b)),
        Just(PathSpec::SignIn),
        Just(PathSpec::SignOut),
    ];
    prop_oneof![
        6 => route.clone(),
        2 => (route, mangle()).prop_map(|(p, m)| PathSpec::Mangled(Box::new(p), m)),
        1 => ".{0,40}".prop_map(PathSpec::Random),
        1 => "(/[a-z]{1,10}){1,4}".prop_map(|p| PathSpec::Random(p[1..].to_owned())),
    ]
}

fn any_method() -> impl Strategy<Value = Method> {
    proptest::sample::select(vec![
        Method::GET,
        Method::POST,
        Method::DELETE,
        Method::PUT,
        Method::PATCH,
    ])
}

/// Any JSON value, a few levels deep.
fn any_json() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z_]{0,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

/// Keys the backend does not know, some of them close to ones it does.
fn unknown_key() -> impl Strategy<Value = String> {
    prop_oneof![
        pick(&[
            "price",
            "amount",
            "totalAmount",
            "customer_id",
            "CustomerId",
            "customerID",
            "browserIp",
            "id",
            "status",
            "payment",
            "sourceId",
            "__proto__",
            "constructor",
            "",
            "items ",
            "éé",
        ]),
        "[a-zA-Z_]{1,12}",
    ]
}

/// `valid`, or now and then (in wild mode) anything.
fn or_wild(valid: BoxedStrategy<Value>, wild: bool) -> BoxedStrategy<Value> {
    if wild {
        prop_oneof![4 => valid, 1 => any_json()].boxed()
    } else {
        valid
    }
}

fn string_of(list: &'static [&'static str]) -> BoxedStrategy<Value> {
    prop_oneof![3 => pick(list), 1 => ".{0,20}"]
        .prop_map(Value::from)
        .boxed()
}

/// `s` with probability `p` (0 and 1 included), else `None`.
fn maybe<T: std::fmt::Debug + 'static>(p: f64, s: BoxedStrategy<T>) -> BoxedStrategy<Option<T>> {
    if p <= 0.0 {
        Just(()).prop_map(|_| None).boxed()
    } else if p >= 1.0 {
        s.prop_map(Some).boxed()
    } else {
        proptest::option::weighted(p, s).boxed()
    }
}

/// An object of some of `fields` (each present with probability `p`), plus
/// (in wild mode) maybe an unknown key.
fn object(
    fields: Vec<(&'static str, BoxedStrategy<Value>)>,
    p: f64,
    wild: bool,
) -> BoxedStrategy<Value> {
    let parts: Vec<BoxedStrategy<Option<(String, Value)>>> = fields
        .into_iter()
        .map(|(k, s)| maybe(p, s.prop_map(move |v| (k.to_owned(), v)).boxed()))
        .collect();
    let extra = maybe(
        if wild { 0.15 } else { 0.0 },
        (unknown_key(), any_json()).boxed(),
    );
    (parts, extra)
        .prop_map(|(parts, extra)| {
            let mut m = Map::new();
            for (k, v) in parts.into_iter().flatten().chain(extra) {
                m.insert(k, v);
            }
            Value::Object(m)
        })
        .boxed()
}

fn address(wild: bool) -> BoxedStrategy<Value> {
    let s = |list: &'static [&'static str]| or_wild(string_of(list), wild);
    object(
        vec![
            ("line1", s(&["10380 Bren Rd W", "1 Infinite Loop"])),
            ("line2", s(&["Suite 5", ""])),
            ("city", s(&["Minnetonka", "Zürich"])),
            ("postalCode", s(&["55343", "8001"])),
            ("state", s(&["MN", ""])),
            ("country", s(&["US", "CH"])),
        ],
        0.6,
        wild,
    )
}

fn contact(wild: bool) -> BoxedStrategy<Value> {
    let s = |list: &'static [&'static str]| or_wild(string_of(list), wild);
    object(
        vec![
            ("name", s(&["Jane Doe", "Ω Ünïcødé"])),
            ("phone", s(&["+1 555 0100", ""])),
            ("email", s(&["jdoe@example.com"])),
            ("address", or_wild(address(wild), wild)),
        ],
        0.6,
        wild,
    )
}

fn shipping_choice(wild: bool) -> BoxedStrategy<Value> {
    let level = if wild {
        or_wild(string_of(&["standard", "express", "teleport"]), wild)
    } else {
        pick(&["standard", "express"]).prop_map(Value::from).boxed()
    };
    let number = prop_oneof![
        Just(json!(0)),
        Just(json!(0.01)),
        any::<f64>().prop_map(Value::from)
    ]
    .boxed();
    let obj = object(
        vec![
            ("amount", or_wild(number, wild)),
            (
                "description",
                or_wild(string_of(&["Free", "Express"]), wild),
            ),
        ],
        0.4,
        wild,
    );
    (level, obj)
        .prop_map(|(level, mut obj)| {
            obj.as_object_mut()
                .unwrap()
                .insert("serviceLevel".into(), level);
            obj
        })
        .boxed()
}

fn item(wild: bool) -> BoxedStrategy<Value> {
    let sku = if wild {
        or_wild(
            string_of(&["sku_poster", "sku_mug", "sku_poster", "sku_nope"]),
            wild,
        )
    } else {
        pick(&["sku_poster", "sku_mug"])
            .prop_map(Value::from)
            .boxed()
    };
    let quantity = if wild {
        prop_oneof![
            6 => (1i64..4).prop_map(Value::from),
            1 => Just(json!(0)),
            1 => Just(json!(1000)),
            1 => Just(json!(-1)),
            1 => Just(json!(2.5)),
        ]
        .boxed()
    } else {
        prop_oneof![(1i64..4).prop_map(Value::from), Just(json!(999))].boxed()
    };
    let price = prop_oneof![
        Just(json!(0.01)),
        Just(json!(0)),
        any::<f64>().prop_map(Value::from)
    ]
    .boxed();
    let details = object(
        vec![
            ("name", string_of(&["Free poster"])),
            ("image", string_of(&["https://evil.example/x.png"])),
        ],
        0.7,
        wild,
    );
    let rest = object(
        vec![
            ("quantity", or_wild(quantity, wild)),
            ("price", or_wild(price, wild)),
            ("productDetails", or_wild(details, wild)),
        ],
        0.5,
        wild,
    );
    (sku, rest)
        .prop_map(|(sku, mut obj)| {
            obj.as_object_mut().unwrap().insert("skuId".into(), sku);
            obj
        })
        .boxed()
}

fn items(wild: bool) -> BoxedStrategy<Value> {
    let n = if wild { 0..4 } else { 1..4 };
    or_wild(
        prop::collection::vec(item(wild), n)
            .prop_map(Value::Array)
            .boxed(),
        wild,
    )
}

fn metadata(wild: bool) -> BoxedStrategy<Value> {
    let flat = prop_oneof![
        ".{0,10}".prop_map(Value::from),
        any::<i32>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
    ];
    let n = if wild { 0..24 } else { 0..4 };
    or_wild(
        prop::collection::btree_map("[a-zA-Z_]{1,10}", flat, n)
            .prop_map(|m| Value::Object(m.into_iter().collect()))
            .boxed(),
        wild,
    )
}

/// A checkout body: `create` has the required `currency` and `items`. Tame
/// bodies are valid (prices and a customerId the server ignores included);
/// wild ones mix in wrong types and unknown keys.
fn checkout_body(create: bool, wild: bool) -> BoxedStrategy<BodySpec> {
    let p = if wild { 0.35 } else { 0.3 };
    let f = |s: BoxedStrategy<Value>| s.prop_map(Field::V).boxed();
    let mut fields: Vec<(&'static str, BoxedStrategy<Field>, f64)> = vec![
        (
            "email",
            f(or_wild(string_of(&["jdoe@example.com"]), wild)),
            p,
        ),
        (
            "locale",
            f(or_wild(string_of(&["en_US", "de_CH"]), wild)),
            p,
        ),
        ("billTo", f(or_wild(contact(wild), wild)), p),
        ("shipTo", f(or_wild(contact(wild), wild)), p),
        ("shippingChoice", f(or_wild(shipping_choice(wild), wild)), p),
        (
            "upstreamId",
            f(or_wild(
                prop_oneof![
                    4 => ".{0,20}",
                    1 => Just("u".repeat(if wild { 101 } else { 100 })),
                    1 => Just("ü".repeat(100)),
                ]
                .prop_map(Value::from)
                .boxed(),
                wild,
            )),
            p,
        ),
        ("metadata", f(metadata(wild)), p),
        ("customerId", customer_id().prop_map(Field::Id).boxed(), p),
    ];
    if create {
        let certain = if wild { 0.9 } else { 1.0 };
        // The store sells in USD (the catalogue's currency): another is a 400.
        let currency = if wild {
            or_wild(string_of(&["USD", "EUR"]), wild)
        } else {
            pick(&["USD", "usd"]).prop_map(Value::from).boxed()
        };
        fields.push(("currency", f(currency), if wild { certain } else { 0.9 }));
        fields.push(("items", f(items(wild)), certain));
    } else {
        fields.push(("items", f(items(wild)), p));
    }
    if wild {
        fields.push(("checkoutId", id().prop_map(Field::Id).boxed(), 0.1));
        fields.push(("browserIp", f(Just(json!("203.0.113.9")).boxed()), 0.05));
    }
    let parts: Vec<BoxedStrategy<Option<(String, Field)>>> = fields
        .into_iter()
        .map(|(k, s, p)| maybe(p, s.prop_map(move |v| (k.to_owned(), v)).boxed()))
        .collect();
    let extra = prop::collection::vec(
        (unknown_key(), any_json().prop_map(Field::V)),
        if wild { 0..2 } else { 0..1 },
    );
    (parts, extra)
        .prop_map(|(parts, extra)| {
            BodySpec::Json(parts.into_iter().flatten().chain(extra).collect())
        })
        .boxed()
}

fn id_body(key: &'static str, id: BoxedStrategy<Id>) -> BoxedStrategy<BodySpec> {
    prop_oneof![
        6 => id.clone().prop_map(move |i| BodySpec::Json(vec![(key.into(), Field::Id(i))])),
        1 => (id, unknown_key(), any_json()).prop_map(move |(i, k, v)| {
            BodySpec::Json(vec![(key.into(), Field::Id(i)), (k, Field::V(v))])
        }),
        1 => any_json().prop_map(move |v| BodySpec::Json(vec![(key.into(), Field::V(v))])),
    ]
    .boxed()
}

fn garbage() -> BoxedStrategy<BodySpec> {
    prop_oneof![
        Just(BodySpec::Text("{".into())),
        Just(BodySpec::Text("null".into())),
        Just(BodySpec::Text("[]".into())),
        Just(BodySpec::Text("\"x\"".into())),
        Just(BodySpec::Text("{\"currency\":\"USD\",}".into())),
        Just(BodySpec::Text("currency=USD&items=1".into())),
        Just(BodySpec::Big),
        ".{0,64}".prop_map(BodySpec::Text),
        any_json().prop_map(BodySpec::Raw),
    ]
    .boxed()
}

fn empty_body() -> BoxedStrategy<BodySpec> {
    prop_oneof![
        4 => Just(BodySpec::None),
        2 => Just(BodySpec::Text("{}".into())),
        1 => Just(BodySpec::Text("  ".into())),
        1 => garbage(),
        1 => checkout_body(false, true),
    ]
    .boxed()
}

fn any_body() -> BoxedStrategy<BodySpec> {
    prop_oneof![
        3 => checkout_body(true, false),
        3 => checkout_body(true, true),
        2 => checkout_body(false, true),
        1 => id_body("checkoutId", id().boxed()),
        1 => id_body("customerId", customer_id().boxed()),
        2 => empty_body(),
        2 => garbage(),
    ]
    .boxed()
}

/// A request that makes sense for one route (with ids and bodies drawn as above).
fn coherent() -> BoxedStrategy<Req> {
    let req = |m: Method, p: BoxedStrategy<PathSpec>, b: BoxedStrategy<BodySpec>| {
        (p, b)
            .prop_map(move |(path, body)| Req {
                method: m.clone(),
                path,
                body,
                headers: vec![],
            })
            .boxed()
    };
    let c = |p: PathSpec| Just(p).boxed();
    prop_oneof![
        8 => req(Method::POST, c(PathSpec::Checkouts), checkout_body(true, false)),
        4 => req(Method::POST, c(PathSpec::Checkouts), checkout_body(true, true)),
        6 => req(Method::GET, id().prop_map(PathSpec::Checkout).boxed(), empty_body()),
        4 => req(Method::POST, id().prop_map(PathSpec::Checkout).boxed(), checkout_body(false, false)),
        4 => req(Method::POST, id().prop_map(PathSpec::Checkout).boxed(), checkout_body(false, true)),
        4 => req(
            Method::POST,
            (id(), source_id()).prop_map(|(a, b)| PathSpec::CheckoutSource(a, b)).boxed(),
            empty_body()
        ),
        5 => req(Method::POST, c(PathSpec::Orders), id_body("checkoutId", id().boxed())),
        4 => req(Method::GET, id().prop_map(PathSpec::OrdersQuery).boxed(), empty_body()),
        1 => req(
            Method::GET,
            "[a-zA-Z&=%_0-9.-]{0,30}".prop_map(PathSpec::OrdersRawQuery).boxed(),
            empty_body()
        ),
        4 => req(Method::GET, customer_id().prop_map(PathSpec::Customer).boxed(), empty_body()),
        2 => req(
            Method::POST,
            (customer_id(), source_id()).prop_map(|(a, b)| PathSpec::CustomerSource(a, b)).boxed(),
            empty_body()
        ),
        2 => req(
            Method::DELETE,
            (customer_id(), source_id()).prop_map(|(a, b)| PathSpec::CustomerSource(a, b)).boxed(),
            empty_body()
        ),
        3 => req(Method::POST, c(PathSpec::SignIn), id_body("customerId", customer_id().boxed())),
        1 => req(Method::POST, c(PathSpec::SignOut), empty_body()),
    ]
    .boxed()
}

fn request() -> BoxedStrategy<Req> {
    let bent = (coherent(), mangle()).prop_map(|(r, m)| Req {
        path: PathSpec::Mangled(Box::new(r.path), m),
        ..r
    });
    let random = (any_method(), any_path(), any_body()).prop_map(|(method, path, body)| Req {
        method,
        path,
        body,
        headers: vec![],
    });
    let req = prop_oneof![6 => coherent(), 1 => bent, 3 => random];
    let headers = prop_oneof![
        5 => Just(vec![]),
        1 => prop::collection::vec(header(), 1..3),
    ];
    (req, headers)
        .prop_map(|(r, headers)| Req { headers, ..r })
        .boxed()
}

fn header() -> impl Strategy<Value = (String, String)> {
    let h = |name: &'static str, values: BoxedStrategy<String>| {
        values.prop_map(move |v| (name.to_owned(), v)).boxed()
    };
    prop_oneof![
        h(
            "x-forwarded-for",
            pick(&[
                "203.0.113.9",
                "198.51.100.1, 203.0.113.9",
                "garbage",
                "::1",
                "127.0.0.1"
            ])
            .boxed()
        ),
        h("x-real-ip", Just("203.0.113.9".to_owned()).boxed()),
        h("forwarded", Just("for=203.0.113.9".to_owned()).boxed()),
        h(
            "authorization",
            pick(&["Bearer sk_live_browsers_own", "Basic YTpi", ""]).boxed()
        ),
        h("x-request-id", "[a-zA-Z0-9._/-]{0,40}".boxed()),
        h("idempotency-key", "[a-z0-9]{1,20}".boxed()),
        h(
            "content-type",
            pick(&[
                "text/plain",
                "application/x-www-form-urlencoded",
                "application/json; charset=utf-16"
            ])
            .boxed()
        ),
        h(
            "x-http-method-override",
            pick(&["DELETE", "PUT", "GET"]).boxed()
        ),
        h("x-customer-id", Just("cus_other".to_owned()).boxed()),
    ]
}

// ---------------------------------------------------------------- the session model

/// What the backend should let this session touch, mirrored from the answers.
#[derive(Debug, Default)]
struct Model {
    /// Checkouts the session created, oldest first (the backend keeps 50).
    owned: Vec<String>,
    /// Ids the session may not touch (another session's, forgotten ones, other customers).
    foreign: Vec<String>,
    /// The customer the session signed in as.
    customer: Option<String>,
    /// Real sources in the sandbox.
    sources: Vec<String>,
}

fn at(list: &[String], i: usize, none: &str) -> String {
    if list.is_empty() {
        none.to_owned()
    } else {
        list[i % list.len()].clone()
    }
}

fn encode_all(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

impl Model {
    fn id(&self, id: &Id) -> String {
        match id {
            Id::Owned(i) => at(&self.owned, *i, "chk_none"),
            Id::Foreign(i) => at(&self.foreign, *i, "chk_none"),
            Id::Customer => self.customer.clone().unwrap_or_else(|| "cus_demo".into()),
            Id::Source(i) => at(&self.sources, *i, "src_none"),
            Id::Safe(s) | Id::Hostile(s) => s.clone(),
            Id::OwnedWith(i, suffix) => format!("{}{suffix}", at(&self.owned, *i, "chk_none")),
            Id::OwnedEncoded(i) => encode_all(&at(&self.owned, *i, "chk_none")),
        }
    }

    fn path(&self, p: &PathSpec) -> String {
        match p {
            PathSpec::Checkouts => "/checkouts".into(),
            PathSpec::Checkout(a) => format!("/checkouts/{}", self.id(a)),
            PathSpec::CheckoutSource(a, b) => {
                format!("/checkouts/{}/sources/{}", self.id(a), self.id(b))
            }
            PathSpec::Orders => "/orders".into(),
            PathSpec::OrdersQuery(a) => format!("/orders?checkoutId={}", self.id(a)),
            PathSpec::OrdersRawQuery(q) => format!("/orders?{q}"),
            PathSpec::Customer(a) => format!("/customers/{}", self.id(a)),
            PathSpec::CustomerSource(a, b) => {
                format!("/customers/{}/sources/{}", self.id(a), self.id(b))
            }
            PathSpec::SignIn => "/demo/sign-in".into(),
            PathSpec::SignOut => "/demo/sign-out".into(),
            PathSpec::Random(s) => format!("/{s}"),
            PathSpec::Mangled(inner, m) => {
                let p = self.path(inner);
                match m {
                    Mangle::TrailingSlash => format!("{p}/"),
                    Mangle::DoubleSlash => p.replacen('/', "//", 2),
                    Mangle::Upper => p.to_uppercase(),
                    Mangle::DotDot => format!("/x/..{p}"),
                    Mangle::ApiAgain => format!("/api{p}"),
                    Mangle::Suffix(s) => format!("{p}{s}"),
                    Mangle::Query(q) => {
                        let sep = if p.contains('?') { '&' } else { '?' };
                        format!("{p}{sep}{q}")
                    }
                    Mangle::Fragment(f) => format!("{p}#{f}"),
                }
            }
        }
    }

    fn body(&self, b: &BodySpec) -> Option<String> {
        match b {
            BodySpec::None => None,
            BodySpec::Big => Some(json!({"email": "x".repeat(70 * 1024)}).to_string()),
            BodySpec::Text(t) => Some(t.clone()),
            BodySpec::Raw(v) => Some(v.to_string()),
            BodySpec::Json(fields) => {
                let mut m = Map::new();
                for (k, f) in fields {
                    let v = match f {
                        Field::V(v) => v.clone(),
                        Field::Id(i) => Value::from(self.id(i)),
                    };
                    m.insert(k.clone(), v);
                }
                Some(Value::Object(m).to_string())
            }
        }
    }

    fn add_checkout(&mut self, id: String) {
        self.owned.push(id);
        let max = merchant_backend::session::MAX_CHECKOUTS;
        if self.owned.len() > max {
            let gone: Vec<String> = self.owned.drain(..self.owned.len() - max).collect();
            self.foreign.extend(gone);
        }
    }
}

/// A path the client library can send: characters a URI may not hold are
/// percent-encoded (hostile ones that it may hold are sent raw).
fn sendable(api: &str, path: &str) -> String {
    let ok = |p: &str| format!("{api}{p}").parse::<hyper::Uri>().is_ok();
    if ok(path) {
        return path.to_owned();
    }
    let mut out = String::new();
    for c in path.chars() {
        if c.is_ascii_graphic()
            && !matches!(c, '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}')
        {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            out.push_str(&encode_all(c.encode_utf8(&mut buf)));
        }
    }
    if ok(&out) {
        out
    } else {
        // Last resort: everything but letters, digits and `/` encoded.
        path.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '/' {
                    c.to_string()
                } else {
                    let mut buf = [0u8; 4];
                    encode_all(c.encode_utf8(&mut buf))
                }
            })
            .collect()
    }
}

// ---------------------------------------------------------------- the allowlist

fn safe(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The allowlisted routes by (method, template).
const ALLOWED: &[(&str, &str)] = &[
    ("POST", "/checkouts"),
    ("GET", "/checkouts/{id}"),
    ("POST", "/checkouts/{id}"),
    ("POST", "/checkouts/{id}/sources/{id}"),
    ("POST", "/orders"),
    ("GET", "/orders"),
    ("GET", "/customers/{id}"),
    ("POST", "/customers/{id}/sources/{id}"),
    ("DELETE", "/customers/{id}/sources/{id}"),
];

/// The template of an upstream path and its ids.
fn template(path: &str) -> Option<(&'static str, Vec<&str>)> {
    let segs: Vec<&str> = path.strip_prefix('/')?.split('/').collect();
    Some(match segs.as_slice() {
        ["checkouts"] => ("/checkouts", vec![]),
        ["checkouts", a] => ("/checkouts/{id}", vec![*a]),
        ["checkouts", a, "sources", b] => ("/checkouts/{id}/sources/{id}", vec![*a, *b]),
        ["orders"] => ("/orders", vec![]),
        ["customers", a] => ("/customers/{id}", vec![*a]),
        ["customers", a, "sources", b] => ("/customers/{id}/sources/{id}", vec![*a, *b]),
        _ => return None,
    })
}

fn keys_within(v: &Value, allowed: &[&str], what: &str) -> Result<(), String> {
    let obj = v
        .as_object()
        .ok_or_else(|| format!("{what}: not an object: {v}"))?;
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(format!("{what}: field {k:?} is outside the allowlist")),
        None => Ok(()),
    }
}

fn strings_only(v: &Value, what: &str) -> Result<(), String> {
    for (k, x) in v.as_object().into_iter().flatten() {
        if !x.is_string() {
            return Err(format!("{what}.{k}: not a string: {x}"));
        }
    }
    Ok(())
}

fn check_contact(v: &Value, what: &str) -> Result<(), String> {
    keys_within(v, &["name", "phone", "email", "address"], what)?;
    for k in ["name", "phone", "email"] {
        if let Some(x) = v.get(k) {
            if !x.is_string() {
                return Err(format!("{what}.{k}: not a string: {x}"));
            }
        }
    }
    if let Some(a) = v.get("address") {
        let w = format!("{what}.address");
        keys_within(
            a,
            &["line1", "line2", "city", "postalCode", "state", "country"],
            &w,
        )?;
        strings_only(a, &w)?;
    }
    Ok(())
}

fn money(cents: u64) -> f64 {
    cents as f64 / 100.0
}

fn check_checkout_body(
    v: &Value,
    create: bool,
    model: &Model,
    cat: &Catalogue,
) -> Result<(), String> {
    let allowed: &[&str] = if create {
        &[
            "currency",
            "email",
            "locale",
            "billTo",
            "shipTo",
            "shippingChoice",
            "upstreamId",
            "metadata",
            "items",
            "customerId",
            "browserIp",
        ]
    } else {
        &[
            "email",
            "locale",
            "billTo",
            "shipTo",
            "shippingChoice",
            "upstreamId",
            "metadata",
            "items",
        ]
    };
    keys_within(v, allowed, "body")?;
    for k in ["currency", "email", "locale", "upstreamId"] {
        if let Some(x) = v.get(k) {
            if !x.is_string() {
                return Err(format!("{k}: not a string: {x}"));
            }
        }
    }
    if create && (v.get("currency").is_none() || v.get("items").is_none()) {
        return Err("a create without currency or items".into());
    }
    if let Some(id) = v.get("upstreamId").and_then(Value::as_str) {
        if id.chars().count() > 100 {
            return Err("upstreamId longer than 100".into());
        }
    }
    for k in ["billTo", "shipTo"] {
        if let Some(c) = v.get(k) {
            check_contact(c, k)?;
        }
    }
    if let Some(c) = v.get("shippingChoice") {
        keys_within(
            c,
            &["serviceLevel", "amount", "description"],
            "shippingChoice",
        )?;
        let level = c["serviceLevel"].as_str().unwrap_or_default();
        let option = cat
            .shipping(level)
            .ok_or_else(|| format!("shippingChoice: unknown service level {level:?}"))?;
        if c["amount"].as_f64() != Some(money(option.amount))
            || c["description"].as_str() != Some(option.description.as_str())
        {
            return Err(format!("shippingChoice not priced by the catalogue: {c}"));
        }
    }
    if let Some(m) = v.get("metadata") {
        let m = m.as_object().ok_or("metadata: not an object")?;
        if m.len() > 20 {
            return Err("metadata: more than 20 entries".into());
        }
        if let Some((k, x)) = m
            .iter()
            .find(|(_, x)| !(x.is_string() || x.is_number() || x.is_boolean()))
        {
            return Err(format!("metadata.{k}: not flat: {x}"));
        }
    }
    if let Some(items) = v.get("items") {
        let items = items.as_array().ok_or("items: not an array")?;
        if items.is_empty() || items.len() > 100 {
            return Err(format!("items: {} of them", items.len()));
        }
        for (i, it) in items.iter().enumerate() {
            let w = format!("items[{i}]");
            keys_within(it, &["skuId", "quantity", "price", "productDetails"], &w)?;
            let sku = it["skuId"].as_str().unwrap_or_default();
            let p = cat
                .get(sku)
                .ok_or_else(|| format!("{w}: unknown sku {sku:?}"))?;
            if it["price"].as_f64() != Some(money(p.price)) {
                return Err(format!("{w}: price {} is not the catalogue's", it["price"]));
            }
            if !it["quantity"]
                .as_u64()
                .is_some_and(|q| (1..=999).contains(&q))
            {
                return Err(format!("{w}: quantity {}", it["quantity"]));
            }
            let d = &it["productDetails"];
            keys_within(d, &["name", "image"], &format!("{w}.productDetails"))?;
            if d["name"].as_str() != Some(p.name.as_str())
                || d.get("image").and_then(Value::as_str) != p.image.as_deref()
            {
                return Err(format!("{w}.productDetails are not the catalogue's: {d}"));
            }
        }
    }
    if create {
        let sent = v
            .get("customerId")
            .map(|c| c.as_str().unwrap_or("<not a string>"));
        if sent != model.customer.as_deref() {
            return Err(format!(
                "customerId {sent:?} upstream, but the session is signed in as {:?}",
                model.customer
            ));
        }
        if v.get("browserIp").and_then(Value::as_str) != Some("127.0.0.1") {
            return Err(format!(
                "browserIp {:?} is not the peer's",
                v.get("browserIp")
            ));
        }
    }
    Ok(())
}

/// One provider request against the allowlist, for a session in state `model`.
fn check_entry(e: &LogEntry, model: &Model, cat: &Catalogue) -> Result<(), String> {
    if e.authorization.as_deref() != Some(format!("Bearer {SECRET}").as_str()) {
        return Err(format!("authorization {:?}", e.authorization));
    }
    if e.origin != Origin::Merchant {
        return Err(format!("reached the {} origin", e.origin.as_str()));
    }
    let (tpl, ids) = template(&e.path)
        .ok_or_else(|| format!("route {} {} is not allowlisted", e.method, e.path))?;
    if !ALLOWED.contains(&(e.method.as_str(), tpl)) {
        return Err(format!("route {} {tpl} is not allowlisted", e.method));
    }
    if let Some(bad) = ids.iter().find(|id| !safe(id)) {
        return Err(format!("unsafe id {bad:?} in the path"));
    }
    let owned = |id: &str| model.owned.iter().any(|c| c == id);
    let me = |id: &str| model.customer.as_deref() == Some(id);
    let empty_body = || {
        if e.body.is_empty() {
            Ok(())
        } else {
            Err(format!("a body on {} {tpl}: {}", e.method, e.body))
        }
    };
    if tpl == "/orders" && e.method == "GET" {
        let id = e
            .query
            .as_deref()
            .and_then(|q| q.strip_prefix("checkoutId="))
            .filter(|id| safe(id))
            .ok_or_else(|| format!("query {:?} is not checkoutId=<safe id>", e.query))?;
        if !owned(id) {
            return Err(format!("orders of {id}, not this session's checkout"));
        }
        return empty_body();
    }
    if e.query.is_some() {
        return Err(format!("query {:?} on {tpl}", e.query));
    }
    match (e.method.as_str(), tpl) {
        ("POST", "/checkouts") => {
            let v = e.json.as_ref().ok_or("a create without a JSON body")?;
            check_checkout_body(v, true, model, cat)
        }
        ("POST", "/checkouts/{id}") => {
            if !owned(ids[0]) {
                return Err(format!("checkout {} is not this session's", ids[0]));
            }
            let v = e.json.as_ref().ok_or("an update without a JSON body")?;
            check_checkout_body(v, false, model, cat)
        }
        ("GET", "/checkouts/{id}") | ("POST", "/checkouts/{id}/sources/{id}") => {
            if !owned(ids[0]) {
                return Err(format!("checkout {} is not this session's", ids[0]));
            }
            empty_body()
        }
        ("POST", "/orders") => {
            let v = e.json.as_ref().ok_or("an order without a JSON body")?;
            keys_within(v, &["checkoutId"], "body")?;
            match v["checkoutId"].as_str() {
                Some(id) if safe(id) && owned(id) => Ok(()),
                _ => Err(format!(
                    "an order for {}, not this session's checkout",
                    v["checkoutId"]
                )),
            }
        }
        (_, "/customers/{id}") | (_, "/customers/{id}/sources/{id}") => {
            if !me(ids[0]) {
                return Err(format!(
                    "customer {} while signed in as {:?}",
                    ids[0], model.customer
                ));
            }
            empty_body()
        }
        _ => unreachable!("allowlisted above"),
    }
}

/// The answer must carry neither the secret nor the `Authorization` value.
fn check_answer(r: &Resp) -> Result<(), String> {
    if r.text.contains(SECRET) || r.text.contains("Bearer ") {
        return Err("the secret in the answer's body".into());
    }
    for (k, v) in &r.headers {
        let v = String::from_utf8_lossy(v.as_bytes());
        if v.contains(SECRET) || v.contains("Bearer ") {
            return Err(format!("the secret in the answer's header {k}"));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- the run

struct World {
    rt: tokio::runtime::Runtime,
    rig: Rig,
    browser: Browser,
    model: Model,
    cat: Catalogue,
    stats: BTreeMap<String, usize>,
    answers: BTreeMap<u16, usize>,
    requests: usize,
}

fn clip(s: &str) -> String {
    if s.len() > 600 {
        let mut end = 600;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}... ({} bytes)", &s[..end], s.len())
    } else {
        s.to_owned()
    }
}

impl World {
    /// One call of the browser's. A server may answer before it has read the
    /// whole body (a 404 or 413 to an oversized body) and close, which the
    /// client can report as a failed body write: that is an "answer" of 599.
    fn call(
        &mut self,
        method: Method,
        path: &str,
        body: Option<&str>,
        headers: &[(String, String)],
    ) -> Resp {
        let api = self.browser.api.clone();
        let cookie = self.browser.cookie.clone();
        let mut b = std::mem::replace(&mut self.browser, Browser::new(api.clone()));
        let (path, body, headers) = (path.to_owned(), body.map(str::to_owned), headers.to_vec());
        let task = self.rt.spawn(async move {
            let headers: Vec<(&str, &str)> = headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let r = b.call_with(method, &path, body.as_deref(), &headers).await;
            (b, r)
        });
        match self.rt.block_on(task) {
            Ok((b, r)) => {
                self.browser = b;
                r
            }
            Err(_) => {
                self.browser.cookie = cookie;
                Resp {
                    status: hyper::StatusCode::from_u16(599).unwrap(),
                    headers: hyper::HeaderMap::new(),
                    text: String::new(),
                    json: Value::Null,
                }
            }
        }
    }

    /// Sends one request and checks what reached the provider.
    fn send(
        &mut self,
        method: Method,
        path: &str,
        body: Option<&str>,
        headers: &[(String, String)],
    ) -> Result<Resp, String> {
        let path = sendable(&self.browser.api, path);
        let before = self.rig.sandbox.shared.log().len();
        let r = self.call(method.clone(), &path, body, headers);
        self.requests += 1;
        *self.answers.entry(r.status.as_u16()).or_default() += 1;
        let new: Vec<LogEntry> = self.rig.sandbox.shared.log()[before..].to_vec();
        let shown = format!(
            "request: {method} /api{path}\n  headers: {headers:?}\n  body: {}\nanswer: {} {}\nsession: {:?}",
            body.map(clip).unwrap_or_else(|| "<none>".into()),
            r.status,
            clip(&r.text),
            self.model
        );
        let oversized = body.is_some_and(|b| b.len() > merchant_backend::MAX_BODY);
        if oversized {
            // The backend answers an oversized body (413, or 404 off the
            // routes) before reading it and closes the connection without
            // `Connection: close`: the client's pool would hand the dead
            // connection to the next request. A fresh client, same cookie.
            let cookie = self.browser.cookie.take();
            self.browser = Browser::new(self.browser.api.clone());
            self.browser.cookie = cookie;
        } else if r.status == 599 {
            return Err(format!("no answer (connection closed)\n{shown}"));
        }
        check_answer(&r).map_err(|e| format!("{e}\n{}", shown))?;
        for e in &new {
            check_entry(e, &self.model, &self.cat)
                .map_err(|msg| format!("upstream {msg}\n  entry: {e:?}\n{}", shown))?;
            let tpl = template(&e.path).map(|t| t.0).unwrap_or("?");
            *self.stats.entry(format!("{} {tpl}", e.method)).or_default() += 1;
        }
        // Mirror what the session may now touch.
        let created = new
            .iter()
            .any(|e| e.method == "POST" && e.path == "/checkouts");
        if created && r.status == 201 {
            let id = r.json["id"]
                .as_str()
                .ok_or_else(|| format!("201 without an id\n{}", shown))?;
            self.model.add_checkout(id.to_owned());
        }
        let one_key = r.json.as_object().is_some_and(|o| o.len() == 1);
        if new.is_empty() && r.status == 200 && one_key {
            if let Some(c) = r.json["customerId"].as_str() {
                if !safe(c) {
                    return Err(format!("signed in as an unsafe id {c:?}\n{}", shown));
                }
                self.model.customer = Some(c.to_owned());
            }
        }
        if new.is_empty() && r.status == 204 {
            // Signed out: the session is gone, its checkouts too.
            let gone = std::mem::take(&mut self.model.owned);
            self.model.foreign.extend(gone);
            self.model.customer = None;
        }
        Ok(r)
    }

    fn run(&mut self, reqs: &[Req]) -> Result<(), String> {
        if self.model.owned.is_empty() {
            let body = common::cart().to_string();
            let r = self.send(Method::POST, "/checkouts", Some(&body), &[])?;
            if r.status != 201 {
                return Err(format!(
                    "the prelude's checkout failed: {} {}",
                    r.status, r.text
                ));
            }
        }
        for q in reqs {
            let path = self.model.path(&q.path);
            let body = self.model.body(&q.body);
            self.send(q.method.clone(), &path, body.as_deref(), &q.headers)?;
        }
        Ok(())
    }
}

/// A real source for one checkout of `b`'s, made the way the card frame would.
fn source_for(rig: &Rig, checkout: &Value) -> String {
    let session = checkout["payment"]["session"]["id"].as_str().unwrap();
    let s = rig
        .sandbox
        .shared
        .store()
        .create_source(&json!({"type": "creditCard", "sessionId": session,
            "creditCard": {"number": "4444222233331111", "expirationMonth": 7, "expirationYear": 2030, "cvv": "123"}}))
        .unwrap();
    s["id"].as_str().unwrap().to_owned()
}

#[test]
fn no_browser_request_reaches_the_provider_outside_the_allowlist() {
    // The nested strategies (and their shrinking) want more than a test
    // thread's default stack in a debug build.
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(property)
        .unwrap()
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
}

fn property() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let rig = rt.block_on(common::start(|_| {}));
    let mut model = Model::default();
    // Someone else: a signed-in session with checkouts of its own.
    let mut other = rig.browser();
    rt.block_on(async {
        other
            .call(
                Method::POST,
                "/demo/sign-in",
                Some(r#"{"customerId":"cus_other"}"#),
            )
            .await;
        for _ in 0..2 {
            let r = other.create(json!({})).await;
            assert_eq!(r.status, 201, "{}", r.text);
            model.sources.push(source_for(&rig, &r.json));
            model
                .foreign
                .push(r.json["id"].as_str().unwrap().to_owned());
        }
    });
    model
        .foreign
        .extend(["cus_other".into(), "chk_0000".into()]);
    let mut browser = rig.browser();
    rt.block_on(async {
        let r = browser.create(json!({})).await;
        assert_eq!(r.status, 201, "{}", r.text);
        model.sources.push(source_for(&rig, &r.json));
        model.owned.push(r.json["id"].as_str().unwrap().to_owned());
    });
    let world = RefCell::new(World {
        rt,
        rig,
        browser,
        model,
        cat: catalogue(),
        stats: BTreeMap::new(),
        answers: BTreeMap::new(),
        requests: 0,
    });

    let defaults = RunConfig::default();
    let config = RunConfig {
        cases: if std::env::var_os("PROPTEST_CASES").is_some() {
            defaults.cases
        } else {
            500
        },
        failure_persistence: None,
        max_shrink_iters: 200,
        max_shrink_time: 20_000,
        ..defaults
    };
    let started = std::time::Instant::now();
    let mut runner = TestRunner::new(config.clone());
    let out = runner.run(&prop::collection::vec(request(), 1..4), |reqs| {
        world.borrow_mut().run(&reqs).map_err(TestCaseError::fail)
    });
    let w = world.borrow();
    eprintln!(
        "{} cases, {} requests in {:.1?}\nanswers by status: {:?}\nprovider calls by route: {:?}",
        config.cases,
        w.requests,
        started.elapsed(),
        w.answers,
        w.stats
    );
    if let Err(e) = out {
        panic!("{e}");
    }
    // Guard against a generator that never gets past the backend's checks.
    let routes: HashSet<&String> = w.stats.keys().collect();
    assert!(
        routes.len() >= 6 && w.stats.values().sum::<usize>() * 10 >= w.requests,
        "too few requests reached the provider: {:?}",
        w.stats
    );
}

/// The checks themselves: each of these provider requests breaks the allowlist.
#[test]
fn the_checks_refuse_what_is_outside_the_allowlist() {
    let model = Model {
        owned: vec!["chk_mine".into()],
        customer: Some("cus_demo".into()),
        ..Model::default()
    };
    let cat = catalogue();
    let entry = |method: &str, path: &str, query: Option<&str>, body: Value| LogEntry {
        seq: 1,
        at_ms: 0,
        origin: Origin::Merchant,
        method: method.into(),
        path: path.into(),
        query: query.map(str::to_owned),
        authorization: Some(format!("Bearer {SECRET}")),
        body: if body.is_null() {
            String::new()
        } else {
            body.to_string()
        },
        json: (!body.is_null()).then_some(body),
        status: 200,
        fault: None,
    };
    let good = json!({"currency": "USD", "customerId": "cus_demo", "browserIp": "127.0.0.1",
        "items": [{"skuId": "sku_poster", "quantity": 2, "price": 12.5,
                   "productDetails": {"name": "Poster", "image": "https://example.com/poster.png"}}]});
    assert_eq!(
        check_entry(
            &entry("POST", "/checkouts", None, good.clone()),
            &model,
            &cat
        ),
        Ok(())
    );
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        f(&mut v);
        entry("POST", "/checkouts", None, v)
    };
    let bad = [
        with(&|v| v["items"][0]["price"] = json!(0.01)),
        with(&|v| v["items"][0]["productDetails"]["name"] = json!("Free")),
        with(&|v| v["items"][0]["id"] = json!("itm_1")),
        with(&|v| v["customerId"] = json!("cus_other")),
        with(&|v| v["totalAmount"] = json!(0)),
        with(&|v| v["billTo"] = json!({"name": "x", "address": {"zip": "1"}})),
        with(&|v| {
            v["shippingChoice"] =
                json!({"serviceLevel": "express", "amount": 0, "description": "Express"})
        }),
        with(&|v| v["metadata"] = json!({"deep": {"x": 1}})),
        with(&|v| v["browserIp"] = json!("203.0.113.9")),
        with(&|v| {
            v.as_object_mut().unwrap().remove("customerId");
        }),
        entry("GET", "/checkouts/chk_other", None, Value::Null),
        entry(
            "GET",
            "/checkouts/chk_mine",
            Some("expand=all"),
            Value::Null,
        ),
        entry("GET", "/checkouts/chk%2F..", None, Value::Null),
        entry("GET", "/orders", Some("checkoutId=chk_other"), Value::Null),
        entry(
            "GET",
            "/orders",
            Some("checkoutId=chk_mine&limit=100"),
            Value::Null,
        ),
        entry("GET", "/orders", None, Value::Null),
        entry(
            "POST",
            "/orders",
            None,
            json!({"checkoutId": "chk_mine", "amount": 1}),
        ),
        entry("POST", "/orders", None, json!({"checkoutId": "chk_other"})),
        entry(
            "POST",
            "/checkouts/chk_mine",
            None,
            json!({"currency": "EUR"}),
        ),
        entry("POST", "/checkouts/chk_mine/sources/src_1", None, json!({})),
        entry("GET", "/customers/cus_other", None, Value::Null),
        entry("DELETE", "/checkouts/chk_mine", None, Value::Null),
        entry("GET", "/sources/src_1", None, Value::Null),
        entry("POST", "/customers", None, json!({})),
        LogEntry {
            authorization: None,
            ..entry("GET", "/checkouts/chk_mine", None, Value::Null)
        },
    ];
    for e in &bad {
        assert!(check_entry(e, &model, &cat).is_err(), "let through: {e:?}");
    }
}
