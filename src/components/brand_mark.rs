use leptos::prelude::*;

/// The card brands with a mark of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Brand {
    Visa,
    Mastercard,
    Amex,
    Discover,
    Jcb,
    Generic,
}

impl Brand {
    /// The brand as the provider spells it (`Visa`, `MasterCard`, `American Express`, ...).
    fn of(name: &str) -> Self {
        let key: String = name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        match key.as_str() {
            "visa" => Brand::Visa,
            "mastercard" | "mc" => Brand::Mastercard,
            "amex" | "americanexpress" => Brand::Amex,
            "discover" => Brand::Discover,
            "jcb" => Brand::Jcb,
            _ => Brand::Generic,
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Brand::Visa => "visa",
            Brand::Mastercard => "mastercard",
            Brand::Amex => "amex",
            Brand::Discover => "discover",
            Brand::Jcb => "jcb",
            Brand::Generic => "generic",
        }
    }
}

/// A card brand's mark: a small inline SVG (no image request, nothing the
/// CSP refuses), decorative (`aria-hidden`): the brand is always named in the
/// text beside it. Simplified marks, not the networks' artwork.
#[component]
pub fn BrandMark(
    /// The brand as the provider names it; unknown or empty: a generic card.
    #[prop(into)]
    brand: String,
) -> impl IntoView {
    let kind = Brand::of(&brand);
    let body = match kind {
        Brand::Visa => view! {
            <g>
                <rect width="38" height="24" rx="3" fill="#1a1f71" />
                <text x="19" y="16.5" text-anchor="middle" font-family="Arial, sans-serif"
                    font-size="11" font-weight="700" font-style="italic" fill="#ffffff">"VISA"</text>
            </g>
        }
        .into_any(),
        Brand::Mastercard => view! {
            <g>
                <rect width="38" height="24" rx="3" fill="#231f20" />
                <circle cx="15" cy="12" r="7" fill="#eb001b" />
                <circle cx="23" cy="12" r="7" fill="#f79e1b" />
                <path d="M19 6.2a7 7 0 0 1 0 11.6a7 7 0 0 1 0-11.6z" fill="#ff5f00" />
            </g>
        }
        .into_any(),
        Brand::Amex => view! {
            <g>
                <rect width="38" height="24" rx="3" fill="#1f72cd" />
                <text x="19" y="15.5" text-anchor="middle" font-family="Arial, sans-serif"
                    font-size="8.5" font-weight="700" fill="#ffffff">"AMEX"</text>
            </g>
        }
        .into_any(),
        Brand::Discover => view! {
            <g>
                <rect x="0.5" y="0.5" width="37" height="23" rx="3" fill="#ffffff" stroke="#c9ced4" />
                <path d="M22 23.5h12.5a3 3 0 0 0 3-3v-8C33 18 28 21.5 22 23.5z" fill="#f76f20" />
                <text x="16" y="13.5" text-anchor="middle" font-family="Arial, sans-serif"
                    font-size="6" font-weight="700" fill="#231f20">"DISCOVER"</text>
            </g>
        }
        .into_any(),
        Brand::Jcb => view! {
            <g>
                <rect x="0.5" y="0.5" width="37" height="23" rx="3" fill="#ffffff" stroke="#c9ced4" />
                <rect x="6" y="4" width="8" height="16" rx="2" fill="#0e4c96" />
                <rect x="15" y="4" width="8" height="16" rx="2" fill="#e21836" />
                <rect x="24" y="4" width="8" height="16" rx="2" fill="#007b40" />
                <text x="19" y="14.5" text-anchor="middle" font-family="Arial, sans-serif"
                    font-size="6.5" font-weight="700" fill="#ffffff">"JCB"</text>
            </g>
        }
        .into_any(),
        Brand::Generic => view! {
            <g>
                <rect x="0.5" y="0.5" width="37" height="23" rx="3" fill="#eef1f4" stroke="#8a949e" />
                <rect x="0.5" y="5" width="37" height="4" fill="#8a949e" />
                <rect x="5" y="14" width="12" height="3" rx="1" fill="#8a949e" />
            </g>
        }
        .into_any(),
    };
    view! {
        <svg class=format!("cw-brand-mark cw-brand-mark--{}", kind.slug()) viewBox="0 0 38 24"
            width="38" height="24" aria-hidden="true" focusable="false">
            {body}
        </svg>
    }
}
