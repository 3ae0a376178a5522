"""The gateway's billing actions: refunds and subscription cancellation.

Mixed into :class:`~.client.StripeGateway`. Every write goes through ``_write`` (an
idempotency key, no automatic retry, the gateway's timeout) and every answer
through :mod:`.shapes`, so both the current API and local servers' older shapes
are read.

Local servers (localstripe, used by the demo and the tests) lack parts of the
API: refunds refuse ``reason`` (400) and subscription updates fail on
``cancellation_details`` (500). Against a server on the loopback those values go
in the metadata instead of being dropped silently.
"""

from urllib.parse import urlsplit

from . import shapes

REFUND_REASONS = ("duplicate", "fraudulent", "requested_by_customer")
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
# Stripe's limits: 50 metadata keys of 40 characters, values of 500.
METADATA_KEY_MAX = 40
METADATA_VALUE_MAX = 500
COMMENT_MAX = 5000


def clean_metadata(metadata):
    """Metadata as Stripe accepts it: short string keys and values."""
    return {
        str(key)[:METADATA_KEY_MAX]: ("" if value is None else str(value))[
            :METADATA_VALUE_MAX
        ]
        for key, value in (metadata or {}).items()
    }


class BillingMixin:
    """Reads and writes behind the refund and cancel dialogs."""

    @property
    def is_local(self):
        """True for a Stripe stand-in on the loopback (demo, tests)."""
        return urlsplit(self.api_base).hostname in LOCAL_HOSTS

    # === READS === #

    def list_refunds(self, charge_id, limit=100):
        data = self._read(
            self._client.v1.refunds.list,
            params={"charge": charge_id, "limit": limit},
        )
        return [shapes.normalize_refund(r) for r in shapes._list_data(data)]

    def find_refund(self, charge_id, metadata_key, value):
        """The refund of ``charge_id`` whose metadata ``metadata_key`` is ``value``.

        Finds the refund an earlier attempt of the same action made (its answer
        lost, or its transaction rolled back), so a retry does not refund twice.
        """
        for refund in self.list_refunds(charge_id):
            if refund["metadata"].get(metadata_key) == value:
                return refund
        return None

    def list_subscription_invoices(self, subscription_id, limit=24):
        """The subscription's invoices, newest first."""
        data = self._read(
            self._client.v1.invoices.list,
            params={"subscription": subscription_id, "limit": limit},
        )
        invoices = [shapes.normalize_invoice(i) for i in shapes._list_data(data)]
        return sorted(invoices, key=lambda inv: inv["created"] or 0, reverse=True)

    def last_paid_invoice(self, subscription_id):
        """The newest invoice of the subscription that was paid, or ``None``."""
        for invoice in self.list_subscription_invoices(subscription_id):
            if invoice["status"] == "paid" and invoice["amount_paid"] > 0:
                return invoice
        return None

    def invoice_charge_id(self, invoice):
        """The charge that paid a (normalized) invoice, in any API version.

        Older shapes name it (``invoice.charge``); since 2025 it is found through
        the invoice's payments, whose payment intent's ``latest_charge`` is it.

        :return: a ``ch_`` id, or ``None`` when the invoice was paid otherwise
            (credit balance, out of band)
        """
        if invoice.get("charge_id"):
            return invoice["charge_id"]
        intent_id = invoice.get("payment_intent_id")
        if not intent_id:
            data = self._read(
                self._client.v1.invoice_payments.list,
                params={"invoice": invoice["id"], "limit": 10},
            )
            for payment in shapes._list_data(data):
                if payment.get("status", "paid") != "paid":
                    continue
                charge_id = shapes.object_id(shapes._get(payment, "payment", "charge"))
                if charge_id:
                    return charge_id
                intent_id = shapes.object_id(
                    shapes._get(payment, "payment", "payment_intent")
                )
                if intent_id:
                    break
        if not intent_id:
            return None
        data = self._read(self._client.v1.payment_intents.retrieve, intent_id)
        return shapes.payment_intent_charge_id(data)

    # === WRITES === #

    def create_refund(
        self, charge_id, amount, idempotency_key, reason=None, metadata=None
    ):
        """Refund ``amount`` minor units of a charge.

        :param str reason: one of :data:`REFUND_REASONS`, or ``None`` for none
        :param dict metadata: what points back to the ticket
        :return: the normalized refund
        """
        if reason and reason not in REFUND_REASONS:
            raise ValueError(f"Unknown refund reason {reason!r}")
        params = {
            "charge": charge_id,
            "amount": int(amount),
            "metadata": clean_metadata(metadata),
        }
        if reason and self.is_local:
            params["metadata"]["stripe_reason"] = reason
        elif reason:
            params["reason"] = reason
        data = self._write(
            self._client.v1.refunds.create,
            params=params,
            idempotency_key=idempotency_key,
        )
        return shapes.normalize_refund(data)

    def cancel_subscription(
        self,
        subscription_id,
        idempotency_key,
        comment="",
        invoice_now=False,
        prorate=False,
    ):
        """Cancel a subscription now.

        Stripe's cancel call takes no metadata: ``comment`` (the reason, with
        the ticket and the agent) goes in ``cancellation_details``.

        :param bool invoice_now: invoice pending usage and prorations at once
        :param bool prorate: credit the unused time as a proration
        :return: the normalized, cancelled subscription
        """
        params = {"invoice_now": bool(invoice_now), "prorate": bool(prorate)}
        if comment:
            params["cancellation_details"] = {"comment": comment[:COMMENT_MAX]}
        data = self._write(
            self._client.v1.subscriptions.cancel,
            subscription_id,
            params=params,
            idempotency_key=idempotency_key,
        )
        return shapes.normalize_subscription(data)

    def update_subscription(self, subscription_id, params, idempotency_key):
        data = self._write(
            self._client.v1.subscriptions.update,
            subscription_id,
            params=params,
            idempotency_key=idempotency_key,
        )
        return shapes.normalize_subscription(data)

    def set_cancel_at_period_end(
        self, subscription_id, cancel, idempotency_key, comment="", metadata=None
    ):
        """Schedule (``cancel=True``) or undo the cancellation at period end."""
        metadata = clean_metadata(metadata)
        params = {"cancel_at_period_end": bool(cancel), "metadata": metadata}
        if comment and self.is_local:
            metadata["cancellation_comment"] = comment[:METADATA_VALUE_MAX]
        elif comment:
            params["cancellation_details"] = {"comment": comment[:COMMENT_MAX]}
        return self.update_subscription(subscription_id, params, idempotency_key)
