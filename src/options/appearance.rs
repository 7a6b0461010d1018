//! PURE: the `appearance` option: a theme (`light`, `dark`, `auto`) and
//! merchant variables (`colorPrimary`, `radius`, ...), each mapped onto one
//! `--cw-*` custom property. Every value is checked here so that it can only
//! be a CSS value: nothing that loads a resource or leaves its declaration.
//! The widget sets them with the CSSOM on its root (no style attribute under
//! the page's CSP) and hands the same pairs, plus `--cw-theme`, to the card
//! frame, which checks them again against its own allow-list.

use serde_json::{Map, Value};

use crate::card_frame::handshake::appearance_allowed;

/// `appearance.theme`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    /// The default look.
    #[default]
    Light,
    /// Dark colours (defined in the style sheets).
    Dark,
    /// Follows the shopper's `prefers-color-scheme`.
    Auto,
}

impl Theme {
    /// The name, as the option and the frame's `--cw-theme` spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::Auto => "auto",
        }
    }

    /// The class on the widget's root (`None` for light, the default).
    pub fn root_class(self) -> Option<&'static str> {
        match self {
            Theme::Light => None,
            Theme::Dark => Some("cw-root--dark"),
            Theme::Auto => Some("cw-root--auto"),
        }
    }
}

/// Every merchant variable: (option name, custom property, its default as the
/// README documents it). The order is the README's.
pub const VARIABLES: [(&str, &str, &str); 12] = [
    ("colorPrimary", "--cw-color-primary", "#1f5f99"),
    ("colorPrimaryText", "--cw-color-primary-text", "#ffffff"),
    ("colorText", "--cw-color-text", "#1b1f24"),
    ("colorMuted", "--cw-color-muted", "#56606b"),
    ("colorDanger", "--cw-color-danger", "#b3261e"),
    ("colorBg", "--cw-color-bg", "#ffffff"),
    ("colorInputBg", "--cw-color-input-bg", "#ffffff"),
    ("colorBorder", "--cw-color-border", "#7b8591"),
    ("focusRing", "--cw-focus-ring", "#1f5f99"),
    ("radius", "--cw-radius", "8px"),
    ("spacing", "--cw-spacing", "16px"),
    ("fontFamily", "--cw-font-family", "system-ui, sans-serif"),
];

/// The validated `appearance` option.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Appearance {
    /// `appearance.theme` (default `light`).
    pub theme: Theme,
    /// `(custom property, value)` pairs, by option name.
    pub variables: Vec<(String, String)>,
}

impl Appearance {
    /// What the card frame gets: the variables and `--cw-theme`.
    pub fn frame_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = self.variables.clone();
        if self.theme != Theme::Light {
            pairs.push(("--cw-theme".into(), self.theme.as_str().into()));
        }
        pairs
    }

    /// Validates `appearance` (absent or `null`: the defaults).
    pub fn from_json(v: Option<&Value>) -> Result<Self, String> {
        let obj = match v {
            None | Some(Value::Null) => return Ok(Self::default()),
            Some(Value::Object(o)) => o,
            Some(_) => return Err(
                "checkout-widget: option `appearance` must be an object, e.g. { theme: \"dark\" }"
                    .into(),
            ),
        };
        if let Some(key) = obj
            .keys()
            .find(|k| !["theme", "variables"].contains(&k.as_str()))
        {
            return Err(format!(
                "checkout-widget: option `appearance.{key}` is not known (use `theme` and `variables`)"
            ));
        }
        let theme = match obj.get("theme") {
            None | Some(Value::Null) => Theme::Light,
            Some(Value::String(s)) => match s.trim() {
                "light" => Theme::Light,
                "dark" => Theme::Dark,
                "auto" => Theme::Auto,
                other => {
                    return Err(format!(
                        "checkout-widget: option `appearance.theme` must be \"light\", \"dark\" or \"auto\", not {other:?}"
                    ))
                }
            },
            Some(_) => {
                return Err(
                    "checkout-widget: option `appearance.theme` must be \"light\", \"dark\" or \"auto\""
                        .into(),
                )
            }
        };
        let variables = match obj.get("variables") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Object(vars)) => variables(vars)?,
            Some(_) => {
                return Err(
                    "checkout-widget: option `appearance.variables` must be an object, e.g. { colorPrimary: \"#0a7\" }"
                        .into(),
                )
            }
        };
        Ok(Self { theme, variables })
    }
}

fn variables(vars: &Map<String, Value>) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (key, value) in vars {
        let Some((_, property, _)) = VARIABLES.iter().find(|(name, _, _)| name == key) else {
            let known: Vec<&str> = VARIABLES.iter().map(|(n, _, _)| *n).collect();
            return Err(format!(
                "checkout-widget: option `appearance.variables.{key}` is not known (known: {})",
                known.join(", ")
            ));
        };
        let value = match value {
            Value::Null => continue,
            Value::String(s) => s.trim(),
            _ => {
                return Err(format!(
                    "checkout-widget: option `appearance.variables.{key}` must be a string"
                ))
            }
        };
        // Quotes only where names need them: font families.
        let quotes = value.contains(['"', '\'']) && *key != "fontFamily";
        let balanced = value.matches('"').count() % 2 == 0 && value.matches('\'').count() % 2 == 0;
        if value.is_empty() || quotes || !balanced || !appearance_allowed(property, value) {
            return Err(format!(
                "checkout-widget: option `appearance.variables.{key}` is not a safe CSS value \
                 (no `;`, braces, `<`, `url(`, `expression(`, escapes or quotes beyond font names): {value:?}"
            ));
        }
        out.push(((*property).to_owned(), value.to_owned()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<Appearance, String> {
        Appearance::from_json(Some(&v))
    }

    #[test]
    fn themes_and_variables_map_to_custom_properties() {
        assert_eq!(Appearance::from_json(None).unwrap(), Appearance::default());
        let a = parse(json!({"theme": "dark", "variables": {
            "colorPrimary": "#0a7", "radius": "4px",
            "fontFamily": "\"Segoe UI\", 'Inter', sans-serif",
            "focusRing": "color-mix(in srgb, #0a7 60%, white)", "colorMuted": null
        }}))
        .unwrap();
        assert_eq!(a.theme, Theme::Dark);
        assert_eq!(a.theme.root_class(), Some("cw-root--dark"));
        assert_eq!(
            a.variables,
            vec![
                ("--cw-color-primary".into(), "#0a7".into()),
                (
                    "--cw-focus-ring".into(),
                    "color-mix(in srgb, #0a7 60%, white)".into()
                ),
                (
                    "--cw-font-family".into(),
                    "\"Segoe UI\", 'Inter', sans-serif".into()
                ),
                ("--cw-radius".into(), "4px".into()),
            ]
        );
        assert_eq!(
            a.frame_pairs().last(),
            Some(&("--cw-theme".to_owned(), "dark".to_owned()))
        );
        assert_eq!(parse(json!({"theme": "auto"})).unwrap().theme, Theme::Auto);
        assert!(parse(json!({"theme": "light"}))
            .unwrap()
            .frame_pairs()
            .is_empty());
    }

    /// Every variable the widget accepts, the card frame accepts too.
    #[test]
    fn the_frame_allows_every_variable() {
        for (_, property, default) in VARIABLES {
            assert!(appearance_allowed(property, default), "{property}");
        }
        for theme in ["light", "dark", "auto"] {
            assert!(appearance_allowed("--cw-theme", theme));
        }
        assert!(!appearance_allowed("--cw-theme", "red"));
    }

    /// Each mistake gets a message naming the option.
    #[test]
    fn bad_appearance_is_explained() {
        let err = |v: Value| parse(v).unwrap_err();
        assert!(err(json!("dark")).contains("`appearance`"));
        assert!(err(json!({"theme": "blue"})).contains("`appearance.theme`"));
        assert!(err(json!({"theme": 1})).contains("`appearance.theme`"));
        assert!(err(json!({"colours": {}})).contains("`appearance.colours`"));
        assert!(err(json!({"variables": []})).contains("`appearance.variables`"));
        assert!(err(json!({"variables": {"colorPrimay": "#000"}}))
            .contains("`appearance.variables.colorPrimay`"));
        assert!(err(json!({"variables": {"radius": 4}})).contains("`appearance.variables.radius`"));
        for bad in [
            "red; background: blue",
            "red}body{display:none",
            "{",
            "url(https://evil.example/x.png)",
            "URL(x)",
            "expression(alert(1))",
            "<script>",
            "\"red\"",
            "'red'",
            "image-set(\"x.png\" 1x)",
            "u\\72l(x)",
            "",
            "  ",
        ] {
            let e = err(json!({"variables": {"colorPrimary": bad}}));
            assert!(
                e.contains("`appearance.variables.colorPrimary`"),
                "{bad}: {e}"
            );
        }
        let mount = crate::options::Options::from_json(
            &json!({"apiBase": "/a", "checkoutId": "c", "appearance": {"theme": "sepia"}}),
        );
        assert!(mount.unwrap_err().contains("`appearance.theme`"));
        for bad in ["\"Inter", "Inter; color: red", "url(x)"] {
            let e = err(json!({"variables": {"fontFamily": bad}}));
            assert!(
                e.contains("`appearance.variables.fontFamily`"),
                "{bad}: {e}"
            );
        }
    }
}
