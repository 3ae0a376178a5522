"""Make localstripe deliver its signed webhook events to an Odoo company.

localstripe posts every event it emits (``customer.subscription.deleted``,
``invoice.payment_failed``, ``invoice.payment_succeeded``...) to the URLs
registered with ``POST /_config/webhooks/<id>``, signed like Stripe's
(``Stripe-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")``), about a second
after the change. Pure Python: used by ``make demo`` and the Odoo tests.

Usage::

    python3 tools/localstripe_webhooks.py --localstripe http://127.0.0.1:8420 \\
        --odoo http://127.0.0.1:8069 --company 1 --secret whsec_demo...
"""

import argparse
import json
import secrets
import urllib.request

WEBHOOK_PATH = "/helpdesk_stripe/webhook/%s"


def company_webhook_id(company_id):
    return f"helpdesk_stripe_company_{company_id}"


def new_signing_secret():
    """A signing secret shaped like Stripe's (``whsec_`` + 32 hex digits)."""
    return "whsec_" + secrets.token_hex(16)


def _configure(localstripe_url, hook_id, url, secret, events):
    body = {"url": url, "secret": secret}
    if events is not None:
        body["events"] = list(events)
    request = urllib.request.Request(
        f"{localstripe_url.rstrip('/')}/_config/webhooks/{hook_id}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        if response.status != 200:
            raise RuntimeError(f"localstripe answered {response.status}")


def register_company_webhook(
    localstripe_url, odoo_url, company_id, secret, events=None
):
    """Have localstripe send its events to a company's webhook in Odoo.

    The company must hold the same ``secret`` as its Stripe signing secret
    (``res.company.stripe_webhook_secret``).

    :param str localstripe_url: e.g. ``http://127.0.0.1:8420``
    :param str odoo_url: Odoo's address as localstripe reaches it
    :param int company_id: the company's id (the webhook URL names it)
    :param str secret: the signing secret, ``whsec_…``
    :param events: event types to send; ``None`` for all of them
    :return: the webhook URL registered
    """
    url = odoo_url.rstrip("/") + WEBHOOK_PATH % company_id
    _configure(localstripe_url, company_webhook_id(company_id), url, secret, events)
    return url


def unregister_company_webhook(localstripe_url, company_id):
    """Stop the deliveries (localstripe has no delete: the hook sends nothing)."""
    _configure(
        localstripe_url,
        company_webhook_id(company_id),
        "http://127.0.0.1:9/disabled",
        "whsec_disabled",
        [],
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--localstripe", default="http://127.0.0.1:8420")
    parser.add_argument("--odoo", default="http://127.0.0.1:8069")
    parser.add_argument("--company", type=int, default=1)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()
    print(
        register_company_webhook(args.localstripe, args.odoo, args.company, args.secret)
    )
