"""Constants of helpdesk_stripe."""

DASHBOARD_URL = "https://dashboard.stripe.com"

LINK_STATES = [
    ("none", "Not linked"),
    ("pending", "Linking"),
    ("linked", "Linked"),
    ("ambiguous", "Several customers"),
    ("not_found", "No Stripe customer"),
    ("no_email", "No email"),
]

LINK_METHODS = [
    ("manual", "By hand"),
    ("partner", "From the contact"),
    ("email_exact", "Exact email"),
    ("email_ci", "Case-insensitive email"),
]

# Retry of auto-link while Stripe is unreachable: 1, 2, 4 ... minutes, capped.
AUTOLINK_BACKOFF_BASE_SECONDS = 60
AUTOLINK_BACKOFF_MAX_SECONDS = 6 * 3600
AUTOLINK_BATCH_SIZE = 200

PANEL_PAGE_SIZE = 10

# Search and link: results shown (each costs one subscriptions call), candidates
# described in the panel when several customers share the ticket's email.
CUSTOMER_SEARCH_LIMIT = 10
CANDIDATES_SHOWN = 10
# Subscription statuses that count as "active" in search results.
ACTIVE_SUBSCRIPTION_STATUSES = ("active", "trialing", "past_due", "unpaid")
