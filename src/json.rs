//! PURE: a small JSON value, parser and writer, just enough for the contract.
//!
//! Why not serde_json: in the browser bundle its generic deserializers (one copy
//! per type) and float formatting cost more than the rest of the widget's own
//! code. This module is one non-generic parser and one writer. Numbers keep the
//! exact text they arrived with, so amounts the widget carries over (prices,
//! metadata) are sent back byte for byte, and no float is ever formatted.

/// Deepest nesting the parser accepts (serde_json's default is 128).
const MAX_DEPTH: usize = 128;

/// A JSON value. Objects keep their keys in arrival order; equality is JSON's
/// meaning (key order aside, numbers by value).
#[derive(Debug, Clone, Default)]
pub enum Json {
    /// `null` (and the value of every missing key).
    #[default]
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, as its JSON text (always valid JSON number syntax).
    Num(String),
    /// A string.
    Str(String),
    /// An array.
    Arr(Vec<Json>),
    /// An object.
    Obj(Vec<(String, Json)>),
}

static NULL: Json = Json::Null;

impl PartialEq for Json {
    fn eq(&self, other: &Json) -> bool {
        match (self, other) {
            (Json::Null, Json::Null) => true,
            (Json::Bool(a), Json::Bool(b)) => a == b,
            (Json::Num(a), Json::Num(b)) => a == b || self.as_f64() == other.as_f64(),
            (Json::Str(a), Json::Str(b)) => a == b,
            (Json::Arr(a), Json::Arr(b)) => a == b,
            (Json::Obj(a), Json::Obj(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| other.get(k) == v && b.iter().any(|(bk, _)| bk == k))
            }
            _ => false,
        }
    }
}

impl Json {
    /// Parses a complete JSON text (surrounding whitespace allowed), or `None`.
    pub fn parse(text: &str) -> Option<Json> {
        let mut p = Parser {
            s: text.as_bytes(),
            i: 0,
        };
        let v = p.value(0)?;
        p.ws();
        (p.i == p.s.len()).then_some(v)
    }

    /// An empty object.
    pub fn obj() -> Json {
        Json::Obj(Vec::new())
    }

    /// A string value.
    pub fn str(s: impl Into<String>) -> Json {
        Json::Str(s.into())
    }

    /// An integer value.
    pub fn int(n: i64) -> Json {
        Json::Num(n.to_string())
    }

    /// A money amount from whole cents, e.g. `1050` → `10.50`.
    pub fn cents(cents: i64) -> Json {
        let sign = if cents < 0 { "-" } else { "" };
        let c = cents.unsigned_abs();
        Json::Num(format!("{sign}{}.{:02}", c / 100, c % 100))
    }

    /// `value` under `key` of an object (anything else, or a missing key: `Null`).
    pub fn get(&self, key: &str) -> &Json {
        match self {
            Json::Obj(fields) => fields
                .iter()
                .find(|(k, _)| k == key)
                .map_or(&NULL, |(_, v)| v),
            _ => &NULL,
        }
    }

    /// Sets `key` (replacing an earlier value) on an object; no-op otherwise.
    pub fn set(&mut self, key: &str, value: Json) {
        if let Json::Obj(fields) = self {
            match fields.iter_mut().find(|(k, _)| k == key) {
                Some((_, v)) => *v = value,
                None => fields.push((key.to_owned(), value)),
            }
        }
    }

    /// Builder form of [`Json::set`].
    pub fn with(mut self, key: &str, value: Json) -> Json {
        self.set(key, value);
        self
    }

    /// Is this `null`?
    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Num(n) => number_value(n),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The elements, if this is an array (else empty).
    pub fn items(&self) -> &[Json] {
        match self {
            Json::Arr(a) => a,
            _ => &[],
        }
    }

    /// Is this an object?
    pub fn is_obj(&self) -> bool {
        matches!(self, Json::Obj(_))
    }

    /// Is this an object with no keys?
    pub fn is_empty_obj(&self) -> bool {
        matches!(self, Json::Obj(f) if f.is_empty())
    }

    /// The compact JSON text.
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Num(n) => out.push_str(n),
            Json::Str(s) => quote(s, out),
            Json::Arr(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write(out);
                }
                out.push(']');
            }
            Json::Obj(fields) => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    quote(k, out);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

impl std::ops::Index<&str> for Json {
    type Output = Json;

    /// `json["key"]`: the same as [`Json::get`].
    fn index(&self, key: &str) -> &Json {
        self.get(key)
    }
}

impl PartialEq<&str> for Json {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl From<Option<String>> for Json {
    fn from(s: Option<String>) -> Json {
        s.map_or(Json::Null, Json::Str)
    }
}

fn quote(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let b = c as usize;
                out.push_str("\\u00");
                out.push(HEX[b >> 4] as char);
                out.push(HEX[b & 15] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The value of a JSON number text, or `None` if it is not one or no finite
/// f64 holds it. Exact (correctly rounded) whenever the digits fit in 2^53 and
/// the decimal exponent is within ±22, which covers every amount, count and id
/// of the contract; otherwise within a few ulps (so a number a hair below
/// f64::MAX may read as too large, and its document as invalid). Written out rather than
/// `str::parse::<f64>`, whose exact algorithm costs kilobytes in the bundle.
fn number_value(text: &str) -> Option<f64> {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let b = text.as_bytes();
    let (negative, mut i) = match b.first() {
        Some(b'-') => (true, 1),
        _ => (false, 0),
    };
    let mut mantissa: u64 = 0;
    let mut exp10: i64 = 0;
    let mut digits = 0;
    let mut in_fraction = false;
    while let Some(&c) = b.get(i) {
        match c {
            b'0'..=b'9' => {
                digits += 1;
                if mantissa < 1_000_000_000_000_000_000 {
                    mantissa = mantissa * 10 + u64::from(c - b'0');
                    exp10 -= i64::from(in_fraction);
                } else {
                    // Digits past the 19th only scale the value.
                    exp10 += i64::from(!in_fraction);
                }
            }
            b'.' if !in_fraction => in_fraction = true,
            _ => break,
        }
        i += 1;
    }
    if digits == 0 {
        return None;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        let rest = &text[i + 1..];
        let e: i64 = rest.strip_prefix('+').unwrap_or(rest).parse().ok()?;
        exp10 = exp10.saturating_add(e);
    } else if i != b.len() {
        return None;
    }
    let m = mantissa as f64;
    let v = if mantissa == 0 {
        0.0
    } else if mantissa < (1 << 53) && (-22..=22).contains(&exp10) {
        let p = POW10[exp10.unsigned_abs() as usize];
        if exp10 < 0 {
            m / p
        } else {
            m * p
        }
    } else {
        let e = exp10.clamp(-400, 400) as i32;
        // Split the scaling so neither factor overflows on its own.
        m * 10f64.powi(e / 2) * 10f64.powi(e - e / 2)
    };
    v.is_finite().then_some(if negative { -v } else { v })
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, word: &[u8]) -> Option<()> {
        let end = self.i + word.len();
        (self.s.get(self.i..end) == Some(word)).then(|| self.i = end)
    }

    fn value(&mut self, depth: usize) -> Option<Json> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        match self.peek()? {
            b'n' => self.eat(b"null").map(|_| Json::Null),
            b't' => self.eat(b"true").map(|_| Json::Bool(true)),
            b'f' => self.eat(b"false").map(|_| Json::Bool(false)),
            b'"' => self.string().map(Json::Str),
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Some(Json::Arr(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.peek()? {
                        b',' => self.i += 1,
                        b']' => {
                            self.i += 1;
                            return Some(Json::Arr(items));
                        }
                        _ => return None,
                    }
                }
            }
            b'{' => {
                self.i += 1;
                let mut fields = Vec::new();
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                    return Some(Json::Obj(fields));
                }
                loop {
                    self.ws();
                    if self.peek()? != b'"' {
                        return None;
                    }
                    let key = self.string()?;
                    self.ws();
                    self.eat(b":")?;
                    let v = self.value(depth + 1)?;
                    // A repeated key: the last one wins, as in JavaScript.
                    match fields
                        .iter_mut()
                        .find(|(k, _): &&mut (String, Json)| *k == key)
                    {
                        Some((_, old)) => *old = v,
                        None => fields.push((key, v)),
                    }
                    self.ws();
                    match self.peek()? {
                        b',' => self.i += 1,
                        b'}' => {
                            self.i += 1;
                            return Some(Json::Obj(fields));
                        }
                        _ => return None,
                    }
                }
            }
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Option<Json> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let first = self.peek()?;
        let n = self.digits();
        if n == 0 || (first == b'0' && n > 1) {
            return None;
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        // Only ASCII was consumed, so this slice is valid UTF-8. A number no
        // f64 can hold (1e999) makes the text invalid, as in serde_json.
        let text = std::str::from_utf8(&self.s[start..self.i]).ok()?;
        number_value(text).map(|_| Json::Num(text.to_owned()))
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut n = 0;
        for _ in 0..4 {
            let d = (self.peek()? as char).to_digit(16)?;
            n = n * 16 + d;
            self.i += 1;
        }
        Some(n)
    }

    fn string(&mut self) -> Option<String> {
        self.i += 1; // the opening quote
        let mut out = Vec::new();
        loop {
            let b = self.peek()?;
            self.i += 1;
            match b {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let e = self.peek()?;
                    self.i += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                self.eat(b"\\u")?;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return None;
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            char::from_u32(code)?
                        }
                        _ => return None,
                    };
                    let mut buf = [0; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                0..=0x1f => return None,
                _ => out.push(b),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_writes_the_basics() {
        let v = Json::parse(r#" {"a": [1, -2.5e3, true, false, null], "b": {"c": "d"}} "#).unwrap();
        assert_eq!(v.get("a").items()[1].as_f64(), Some(-2500.0));
        assert_eq!(v.get("b").get("c").as_str(), Some("d"));
        assert!(v.get("missing").is_null());
        assert_eq!(
            v.text(),
            r#"{"a":[1,-2.5e3,true,false,null],"b":{"c":"d"}}"#
        );
    }

    #[test]
    fn strings_escape_both_ways() {
        let v = Json::parse(r#""a\"b\\c\/d\n\u00e9\ud83d\ude00\u0001""#).unwrap();
        assert_eq!(v.as_str(), Some("a\"b\\c/d\né😀\u{1}"));
        assert_eq!(v.text(), "\"a\\\"b\\\\c/d\\né😀\\u0001\"");
    }

    #[test]
    fn rejects_what_is_not_json() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\":}",
            "01",
            "1.",
            "-",
            "1e",
            "\"\\x\"",
            "\"a",
            "nul",
            "{a:1}",
            "[1] 2",
            "1e999",
            "\"\\ud800\"",
            "\"\u{1}\"",
            "<html>",
            "{\"a\" 1}",
            "[1 2]",
        ] {
            assert_eq!(Json::parse(bad), None, "{bad:?}");
        }
        let deep = "[".repeat(MAX_DEPTH + 2) + &"]".repeat(MAX_DEPTH + 2);
        assert_eq!(Json::parse(&deep), None, "nesting is bounded");
    }

    #[test]
    fn repeated_keys_keep_the_last_and_set_replaces() {
        let mut v = Json::parse(r#"{"a":1,"b":2,"a":3}"#).unwrap();
        assert_eq!(v.text(), r#"{"a":3,"b":2}"#);
        v.set("b", Json::str("x"));
        v.set("c", Json::Null);
        assert_eq!(v.text(), r#"{"a":3,"b":"x","c":null}"#);
    }

    #[test]
    fn numbers_read_exactly_where_amounts_live() {
        for (text, v) in [
            ("0", 0.0),
            ("-0", 0.0),
            ("26.51", 26.51),
            ("-2.5e3", -2500.0),
            ("1E2", 100.0),
            ("1e+2", 100.0),
            ("0.000001", 1e-6),
            ("12345678901234567890123", 1.2345678901234568e22),
            ("1e308", 1e308),
            ("5e-324", 5e-324),
        ] {
            let got = number_value(text).unwrap();
            let rel = ((got - v) / v).abs();
            assert!(got == v || rel < 1e-14, "{text}: {got} vs {v}");
        }
        assert_eq!(number_value("1e999"), None);
        assert_eq!(number_value("1.5x"), None);
        assert_eq!(number_value("-"), None);
    }

    proptest! {
        /// Exact on the fast path: any amount with up to 15 significant digits.
        #[test]
        fn amounts_read_exactly(cents in -10_i64.pow(15)..10_i64.pow(15), scale in 0u32..8) {
            let v = cents as f64 / 10f64.powi(scale as i32);
            let text = format!("{v}");
            prop_assert_eq!(number_value(&text), text.parse::<f64>().ok(), "{}", text);
        }
    }

    #[test]
    fn cents_are_exact() {
        for (c, s) in [(0, "0.00"), (5, "0.05"), (1050, "10.50"), (-199, "-1.99")] {
            assert_eq!(Json::cents(c).text(), s);
        }
    }

    /// Agrees with serde_json on what is JSON and on what it means.
    fn same_as_serde(text: &str) -> Result<(), TestCaseError> {
        let ours = Json::parse(text);
        let theirs = serde_json::from_str::<serde_json::Value>(text);
        prop_assert_eq!(ours.is_some(), theirs.is_ok(), "{:?}", text);
        if let (Some(ours), Ok(theirs)) = (ours, theirs) {
            let back: serde_json::Value = serde_json::from_str(&ours.text()).unwrap();
            prop_assert_eq!(back, theirs);
        }
        Ok(())
    }

    fn arb_json() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            (-1e12f64..1e12).prop_map(Value::from),
            ".{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 40, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map("[a-z\"\\\\é]{0,4}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn round_trips_whatever_serde_writes(v in arb_json()) {
            same_as_serde(&v.to_string())?;
            same_as_serde(&serde_json::to_string_pretty(&v).unwrap())?;
        }

        #[test]
        fn mutated_json_is_judged_like_serde(v in arb_json(), at in any::<prop::sample::Index>(), byte in 0x20u8..0x7f) {
            let mut bytes = v.to_string().into_bytes();
            let i = at.index(bytes.len());
            bytes[i] = byte;
            if let Ok(text) = String::from_utf8(bytes) {
                same_as_serde(&text)?;
            }
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,64}") {
            same_as_serde(&text)?;
        }
    }
}
