"""Current-API (2026) Stripe objects for :class:`~fake_stripe.FakeStripe`."""

import itertools
import time


class FakeStripeObjects:
    """Builds an in-memory Stripe account: ``self.objects`` by id."""

    def __init__(self):
        super().__init__()
        self.objects = {}
        self._counter = itertools.count(1)

    # === BUILDING THE ACCOUNT === #

    def new_id(self, prefix):
        return f"{prefix}_fake{next(self._counter):04d}"

    def add(self, obj):
        self.objects[obj["id"]] = obj
        return obj

    def customer(self, email="fake@example.com", name="Fake Customer"):
        return self.add(
            {
                "id": self.new_id("cus"),
                "object": "customer",
                "email": email,
                "name": name,
                "created": int(time.time()),
                "currency": "usd",
                "balance": 0,
                "metadata": {},
            }
        )

    def charge(self, customer_id, amount, currency, status="succeeded", **extra):
        intent = self.add(
            {
                "id": self.new_id("pi"),
                "object": "payment_intent",
                "amount": amount,
                "currency": currency,
                "status": status
                if status == "succeeded"
                else "requires_payment_method",
            }
        )
        charge = self.add(
            dict(
                {
                    "id": self.new_id("ch"),
                    "object": "charge",
                    "amount": amount,
                    "amount_captured": amount if status == "succeeded" else 0,
                    "amount_refunded": 0,
                    "captured": status == "succeeded",
                    "currency": currency,
                    "customer": customer_id,
                    "created": int(time.time()),
                    "description": "",
                    "disputed": False,
                    "failure_message": None,
                    "metadata": {},
                    "paid": status == "succeeded",
                    "payment_intent": intent["id"],
                    "refunded": False,
                    "status": status,
                },
                **extra,
            )
        )
        intent["latest_charge"] = charge["id"]
        return charge

    def subscription(self, customer_id, amount, currency, start, end, **extra):
        """A subscription whose billing period lives on its item (2025+)."""
        sub_id = self.new_id("sub")
        return self.add(
            dict(
                {
                    "id": sub_id,
                    "object": "subscription",
                    "customer": customer_id,
                    "status": "active",
                    "currency": currency,
                    "cancel_at_period_end": False,
                    "cancel_at": None,
                    "canceled_at": None,
                    "created": start,
                    "latest_invoice": None,
                    "metadata": {},
                    "items": {
                        "object": "list",
                        "data": [
                            {
                                "id": self.new_id("si"),
                                "quantity": 1,
                                "current_period_start": start,
                                "current_period_end": end,
                                "price": {
                                    "id": self.new_id("price"),
                                    "currency": currency,
                                    "unit_amount": amount,
                                    "recurring": {
                                        "interval": "month",
                                        "interval_count": 1,
                                    },
                                    "product": {"id": "prod_fake", "name": "Pro"},
                                },
                            }
                        ],
                    },
                },
                **extra,
            )
        )

    def paid_invoice(self, subscription, charge):
        """A paid invoice; its charge is only reachable through its payments."""
        invoice = self.add(
            {
                "id": self.new_id("in"),
                "object": "invoice",
                "customer": subscription["customer"],
                "status": "paid",
                "currency": charge["currency"],
                "total": charge["amount"],
                "amount_due": charge["amount"],
                "amount_paid": charge["amount"],
                "amount_remaining": 0,
                "created": charge["created"],
                "parent": {
                    "type": "subscription_details",
                    "subscription_details": {"subscription": subscription["id"]},
                },
            }
        )
        self.add(
            {
                "id": self.new_id("inpay"),
                "object": "invoice_payment",
                "invoice": invoice["id"],
                "amount_paid": charge["amount"],
                "status": "paid",
                "is_default": True,
                "payment": {
                    "type": "payment_intent",
                    "payment_intent": charge["payment_intent"],
                },
            }
        )
        subscription["latest_invoice"] = invoice["id"]
        return invoice
