"""Odoo-side helpers: translated Stripe errors, dates and dashboard links."""

from contextlib import contextmanager
from datetime import datetime, timezone

from odoo.exceptions import UserError
from odoo.tools.misc import format_date

from .const import DASHBOARD_URL
from .stripe_gateway import StripeGatewayError


def stripe_error_message(env, err):
    """The translated message an agent reads for a failed Stripe call.

    :param env: an Odoo environment (for the user's language)
    :param StripeGatewayError err: the classified failure
    :return: a sentence saying what happened and what to do
    """
    detail = err.message
    kind = err.kind
    if kind == "invalid_key":
        return env._(
            "This is not a Stripe secret key. Paste a key that starts with "
            "sk_test_, sk_live_, rk_test_ or rk_live_."
        )
    if kind == "authentication":
        return env._(
            "Stripe refused the API key: it is wrong, revoked or expired. "
            "Check it in the Stripe dashboard under Developers > API keys."
        )
    if kind == "permission":
        return env._(
            "The Stripe key is not allowed to do this. If it is a restricted key, "
            "grant it the permission in the Stripe dashboard."
        )
    if kind == "not_found":
        return env._("Stripe has no such object: it may have been deleted in Stripe.")
    if kind == "bad_address":
        return env._(
            "The Stripe API address does not answer like Stripe (HTTP 404). Check "
            "it in Settings > Helpdesk > Stripe."
        )
    if kind == "card":
        return env._("Stripe declined the operation: %(detail)s", detail=detail)
    if kind == "invalid_request":
        return env._("Stripe refused the request: %(detail)s", detail=detail)
    if kind == "idempotency":
        return env._(
            "This action was already sent to Stripe with other details. "
            "Reload the ticket and try again."
        )
    if kind == "rate_limit":
        return env._("Stripe is receiving too many requests. Try again in a moment.")
    if kind == "network":
        return env._(
            "Stripe could not be reached or did not answer in time. "
            "Try again in a moment."
        )
    return env._("Stripe could not process the request (%(detail)s).", detail=detail)


@contextmanager
def stripe_user_errors(env):
    """Turn any :class:`StripeGatewayError` raised inside into a ``UserError``."""
    try:
        yield
    except StripeGatewayError as err:
        raise UserError(stripe_error_message(env, err)) from err


def ts_to_datetime(timestamp):
    """A Stripe Unix timestamp as a naive UTC datetime (Odoo's convention)."""
    if not timestamp:
        return None
    return datetime.fromtimestamp(int(timestamp), tz=timezone.utc).replace(tzinfo=None)


def format_ts_date(env, timestamp):
    """A Stripe timestamp as a date in the user's language; '' when absent."""
    value = ts_to_datetime(timestamp)
    return format_date(env, value) if value else ""


def dashboard_url(mode, path):
    """Link into the Stripe dashboard, in test or live mode."""
    prefix = "/test" if mode != "live" else ""
    return f"{DASHBOARD_URL}{prefix}/{path.lstrip('/')}"
