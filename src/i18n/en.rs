//! English, the built-in locale. This table is also the key list: every other
//! locale has exactly these keys, with the same `{placeholders}`.

/// Message key → English text: the widget's keys.
pub static TABLE: &[(&str, &str)] = &[
    ("button.continue", "Continue"),
    ("button.pay", "Pay {amount}"),
    ("button.pay_no_amount", "Pay"),
    ("button.place_order", "Place order"),
    ("button.save_and_place_order", "Save and place order"),
    ("button.try_again", "Try again"),
    ("button.verify_again", "Verify again"),
    ("button.use_another_card", "Use another card"),
    ("button.remove", "Remove"),
    ("button.remove_confirm", "Yes, remove"),
    ("button.remove_cancel", "Keep it"),
    ("label.name", "Full name"),
    ("label.email", "Email"),
    ("label.line1", "Address"),
    ("label.city", "City"),
    ("label.postal_code", "Postal code"),
    ("label.country", "Country"),
    ("label.state", "State"),
    ("label.choose_country", "Choose…"),
    ("label.save_card", "Save this card for future purchases"),
    ("label.new_card", "Use a new card"),
    ("label.card_frame", "Card details"),
    ("label.order_summary", "Order summary"),
    ("label.confirm_removal", "Confirm removal"),
    ("legend.contact_billing", "Contact and billing"),
    ("legend.check_details", "Check your details"),
    ("legend.pay_with", "Pay with"),
    ("status.loading", "Loading your checkout…"),
    (
        "status.authenticating",
        "Verify this payment with your bank in the card form.",
    ),
    ("status.waiting", "Confirming your payment details…"),
    (
        "status.review",
        "Your payment details are confirmed. Review your order.",
    ),
    ("status.submitting", "Placing your order…"),
    ("status.complete", "Order placed."),
    (
        "status.declined",
        "Payment declined. Enter another card to continue.",
    ),
    (
        "status.fix",
        "Some of your details need attention before the order can be placed.",
    ),
    (
        "alert.declined_hard",
        "This payment was declined. Please use a different card.",
    ),
    (
        "alert.declined",
        "{message} Please enter your card details again.",
    ),
    ("alert.declined_default", "Your card was declined."),
    ("alert.needs_input", "Please check the highlighted details."),
    (
        "alert.card_failed",
        "This card can't be used. Please try another card.",
    ),
    (
        "alert.payment_again",
        "Please enter your card details again.",
    ),
    (
        "alert.still_waiting",
        "We're still confirming your payment details. This is taking longer than usual.",
    ),
    (
        "alert.not_placed",
        "We couldn't confirm your order. Please try again: you will not be charged twice.",
    ),
    ("alert.invalid", "Please correct the highlighted fields."),
    (
        "alert.card_not_verified",
        "We couldn't verify this card with your bank. Please try again or use another card.",
    ),
    (
        "alert.challenge_cancelled",
        "Card verification was cancelled. Verify again, or use another card.",
    ),
    (
        "alert.challenge_timed_out",
        "Card verification took too long. Verify again, or use another card.",
    ),
    (
        "alert.frame_loading",
        "The secure card form is still loading. One moment, please.",
    ),
    (
        "alert.remove_failed",
        "We couldn't remove this card. It is still saved.",
    ),
    (
        "alert.remove_failed_reason",
        "We couldn't remove this card. {message} It is still saved.",
    ),
    ("alert.retrying", "{message} Trying again automatically…"),
    (
        "failure.not_found",
        "This checkout is no longer available. Please refresh the page or return to your cart.",
    ),
    (
        "failure.network",
        "We couldn't reach the store. Check your connection and try again.",
    ),
    (
        "failure.timeout",
        "The store is taking too long to answer. Please try again.",
    ),
    (
        "failure.server",
        "Something went wrong on our side. Please try again.",
    ),
    (
        "failure.rejected",
        "The store could not process this request.",
    ),
    (
        "failure.order_not_placed",
        "Your order could not be completed. You have not been charged; please contact the store.",
    ),
    (
        "failure.frame_failed",
        "The secure card form couldn't load. Check your connection and try again.",
    ),
    ("problem.name_required", "Enter your full name."),
    ("problem.email_required", "Enter your email."),
    ("problem.line1_required", "Enter your address."),
    ("problem.city_required", "Enter your city."),
    ("problem.postal_code_required", "Enter your postal code."),
    ("problem.country_required", "Enter your country."),
    ("problem.state_required", "Enter your state."),
    (
        "problem.email_invalid",
        "Enter a valid email address, like name@example.com.",
    ),
    (
        "problem.postal_code_invalid",
        "This postal code is not valid for the country.",
    ),
    ("problem.country_invalid", "Choose a country."),
    ("review.heading", "Review your order"),
    (
        "review.paying_with",
        "Paying with {brand} ending in {last4}",
    ),
    (
        "review.save_refused",
        "We couldn't save this card for next time. This purchase uses it anyway.",
    ),
    (
        "review.save_refused_reason",
        "We couldn't save this card for next time. {message} This purchase uses it anyway.",
    ),
    ("review.receipt", "Receipt to {email}"),
    ("confirmation.heading", "Order placed"),
    ("confirmation.order_number", "Order number {id}"),
    ("confirmation.total", "Total charged: {total}"),
    (
        "confirmation.in_review",
        "We're reviewing your order and will email you when it ships.",
    ),
    (
        "confirmation.pending_payment",
        "We'll confirm your order once the payment completes.",
    ),
    (
        "confirmation.sent",
        "A confirmation is on its way to your inbox.",
    ),
    ("summary.subtotal", "Subtotal"),
    ("summary.tax", "Tax"),
    ("summary.shipping", "Shipping"),
    ("summary.discount", "Discount"),
    ("summary.total", "Total"),
    (
        "wallet.load_failed",
        "We couldn't load your saved cards. You can pay with a new card.",
    ),
    ("wallet.card_name", "{brand} ending in {last4}"),
    ("wallet.card", "Card"),
    ("wallet.expires", "Expires {month}/{year}"),
    ("wallet.expired", "Expired {month}/{year}"),
    ("wallet.declined_now", "Declined just now"),
    (
        "wallet.confirm_remove",
        "Remove {card} from your saved cards?",
    ),
];

/// Message key → English text: the card frame's keys (only these are in its bundle).
pub static FRAME: &[(&str, &str)] = &[
    (
        "problem.card_number_invalid",
        "This card number is not valid.",
    ),
    (
        "problem.expiry_invalid",
        "Enter the expiration date as MM/YY.",
    ),
    ("problem.expiry_past", "This card has expired."),
    (
        "problem.cvc_invalid",
        "The security code is not valid for this card.",
    ),
    ("problem.too_long", "This is too long."),
    ("card.name", "Name on card"),
    ("card.number", "Card number"),
    ("card.expiry", "Expiration date"),
    ("card.cvc", "Security code"),
    ("card.expiry_placeholder", "MM/YY"),
    ("card.name_required", "Enter the name on the card."),
    ("card.number_required", "Enter the card number."),
    ("card.expiry_required", "Enter the expiration date."),
    ("card.cvc_required", "Enter the security code."),
    ("card.challenge_title", "Card verification"),
    (
        "card.challenge_note",
        "Verify this payment with your card issuer.",
    ),
];
