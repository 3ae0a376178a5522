"""Constants of helpdesk_stripe."""

DASHBOARD_URL = "https://dashboard.stripe.com"

LINK_STATES = [
    ("none", "Not linked"),
    ("pending", "Linking"),
    ("linked", "Linked"),
    ("ambiguous", "Several customers"),
    ("not_found", "No Stripe customer"),
    ("no_email", "No email"),
    ("unlinked", "Unlinked by an agent"),
]

LINK_METHODS = [
    ("manual", "By hand"),
    ("partner", "From the contact"),
    ("email_exact", "Exact email"),
    ("email_ci", "Case-insensitive email"),
    ("stripe_event", "From a Stripe event"),
]
# Links a change of the ticket's contact or email does not undo.
STICKY_LINK_METHODS = ("manual", "stripe_event")

# Retry of auto-link while Stripe is unreachable: 1, 2, 4 ... minutes, capped.
AUTOLINK_BACKOFF_BASE_SECONDS = 60
AUTOLINK_BACKOFF_MAX_SECONDS = 6 * 3600
AUTOLINK_BATCH_SIZE = 200
# Queued tickets sharing a batch's emails, linked with it.
AUTOLINK_SIBLINGS_LIMIT = 2000

# A Stripe event about an object a refund or cancel dialog acted on this
# recently is that action's echo (its note is already on the ticket).
ODOO_ACTION_WINDOW_MINUTES = 10

PANEL_PAGE_SIZE = 10
# Reads an agent waits for (the panel, its lookups): a hanging Stripe shows an
# error with Retry after at most about 2 x 5 s, not 3 x 15 s.
INTERACTIVE_TIMEOUT = 5.0
INTERACTIVE_READ_RETRIES = 1
INTERACTIVE_OPTIONS = {
    "timeout": INTERACTIVE_TIMEOUT,
    "read_retries": INTERACTIVE_READ_RETRIES,
}
# Canceled subscriptions the panel lists on demand (newest first).
CANCELED_SUBSCRIPTIONS_SHOWN = 20

# Search and link: results shown (each costs one subscriptions call), candidates
# described in the panel when several customers share the ticket's email.
CUSTOMER_SEARCH_LIMIT = 10
CANDIDATES_SHOWN = 10
# Subscription statuses that count as "active" in search results.
ACTIVE_SUBSCRIPTION_STATUSES = ("active", "trialing", "past_due", "unpaid")

# === STRIPE EVENTS (webhook) === #

WEBHOOK_ROUTE = "/helpdesk_stripe/webhook/<int:company_id>"
WEBHOOK_PATH = "/helpdesk_stripe/webhook/%s"

# The events to enable on the Stripe webhook endpoint, each noted on tickets.
HANDLED_WEBHOOK_EVENTS = [
    "charge.refunded",
    "refund.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.payment_failed",
    "invoice.paid",
    "charge.dispute.created",
]
# Understood too, not to enable: Stripe sends it with invoice.paid (one note for
# both); older servers, localstripe among them, send only this one.
EXTRA_WEBHOOK_EVENTS = ["invoice.payment_succeeded"]

# Contract with the addon's own Stripe writes (refunds, cancellations...): they
# put the ticket's id under this key in the Stripe object's ``metadata`` (and
# every write carries an ``hd-`` idempotency key, which Stripe echoes in the
# event). Events reporting such a write are not noted again: see
# ``stripe_gateway.webhooks.made_by_odoo``.
METADATA_TICKET_KEY = "helpdesk_ticket_id"

EVENT_STATES = [
    ("pending", "To process"),
    ("done", "Processed"),
    ("ignored", "Ignored"),
    ("failed", "Failed"),
]
EVENT_TICKET_LIMIT_DEFAULT = 3
EVENT_BATCH_SIZE = 50
EVENT_MAX_ATTEMPTS = 6
EVENT_KEEP_DAYS = 30
# A 429 without Retry-After: 10, 20, 40 ... seconds.
RATE_LIMIT_BACKOFF_BASE_SECONDS = 10
# Give up a batch on these failures: they concern the account, not one email.
AUTOLINK_ACCOUNT_FAILURES = (
    "network",
    "api",
    "rate_limit",
    "authentication",
    "permission",
    "invalid_key",
    "bad_address",
)
# Tickets a backfill (re)tries.
BACKFILL_LINK_STATES = ("none", "not_found")

STRIPE_CACHE_TTL_DEFAULT = 60
STRIPE_CACHE_TTL_MAX = 3600
STRIPE_BACKFILL_RATE_DEFAULT = 10.0
