"""Both the current (2026) Stripe shapes and the older ones localstripe returns."""

from stripe_gateway import shapes

NEW_SUBSCRIPTION = {
    "id": "sub_new",
    "status": "active",
    "customer": "cus_1",
    "cancel_at_period_end": True,
    "cancel_at": 1800000000,
    "items": {
        "object": "list",
        "data": [
            {
                "id": "si_1",
                "quantity": 2,
                "current_period_start": 1790000000,
                "current_period_end": 1800000000,
                "price": {
                    "id": "price_1",
                    "nickname": "Pro monthly",
                    "unit_amount": 2900,
                    "currency": "usd",
                    "recurring": {"interval": "month", "interval_count": 1},
                    "product": {"id": "prod_1", "name": "Pro"},
                },
            }
        ],
    },
}

OLD_SUBSCRIPTION = {
    "id": "sub_old",
    "status": "past_due",
    "current_period_start": 1700000000,
    "current_period_end": 1702600000,
    "items": {
        "data": [
            {
                "id": "si_2",
                "quantity": 1,
                "plan": {
                    "id": "basic",
                    "amount": 1200,
                    "currency": "jpy",
                    "interval": "month",
                    "interval_count": 3,
                    "nickname": "Basic",
                    "product": "prod_2",
                },
            }
        ]
    },
}


def test_subscription_current_shape_reads_periods_from_items():
    sub = shapes.normalize_subscription(NEW_SUBSCRIPTION)
    assert sub["current_period_end"] == 1800000000
    assert sub["current_period_start"] == 1790000000
    assert sub["amount"] == 5800
    assert sub["currency"] == "usd"
    assert sub["label"] == "Pro"
    assert sub["interval"] == "month"
    assert sub["cancel_at_period_end"] is True
    assert sub["items"][0]["nickname"] == "Pro monthly"
    assert sub["customer_id"] == "cus_1"


def test_subscription_old_shape_reads_plan_and_subscription_period():
    sub = shapes.normalize_subscription(OLD_SUBSCRIPTION)
    assert sub["current_period_end"] == 1702600000
    assert sub["amount"] == 1200
    assert sub["currency"] == "jpy"
    assert sub["label"] == "Basic"
    assert sub["interval_count"] == 3
    assert sub["items"][0]["product_id"] == "prod_2"


def test_subscription_missing_everything():
    sub = shapes.normalize_subscription({"id": "sub_x"})
    assert sub["items"] == []
    assert sub["amount"] is None
    assert sub["current_period_end"] is None


def test_subscription_canceled_at_falls_back_to_ended_at():
    # localstripe leaves canceled_at empty on a canceled subscription.
    sub = shapes.normalize_subscription(
        {"id": "sub_x", "status": "canceled", "canceled_at": None, "ended_at": 1700}
    )
    assert sub["canceled_at"] == 1700
    assert sub["ended_at"] == 1700
    sub = shapes.normalize_subscription(
        {"id": "sub_x", "canceled_at": 1600, "ended_at": 1700}
    )
    assert sub["canceled_at"] == 1600


def test_invoice_current_shape_uses_parent_and_payments():
    invoice = shapes.normalize_invoice(
        {
            "id": "in_1",
            "number": "ABC-0001",
            "status": "paid",
            "total": 2900,
            "currency": "usd",
            "status_transitions": {"paid_at": 1790000100},
            "parent": {
                "type": "subscription_details",
                "subscription_details": {"subscription": "sub_new"},
            },
            "payments": {
                "data": [
                    {"payment": {"type": "payment_intent", "payment_intent": "pi_1"}}
                ]
            },
        }
    )
    assert invoice["subscription_id"] == "sub_new"
    assert invoice["payment_intent_id"] == "pi_1"
    assert invoice["charge_id"] is None
    assert invoice["paid_at"] == 1790000100


def test_invoice_old_shape_uses_subscription_and_charge():
    invoice = shapes.normalize_invoice(
        {
            "id": "in_2",
            "status": "open",
            "total": 1200,
            "currency": "jpy",
            "subscription": "sub_old",
            "charge": {"id": "ch_9", "amount": 1200},
            "payment_intent": "pi_9",
            "due_date": 1790000000,
        }
    )
    assert invoice["subscription_id"] == "sub_old"
    assert invoice["charge_id"] == "ch_9"
    assert invoice["payment_intent_id"] == "pi_9"
    assert invoice["due_date"] == 1790000000
    assert invoice["number"] == ""


def test_charge_refundable_amounts():
    charge = shapes.normalize_charge(
        {"id": "ch_1", "amount": 15000, "amount_refunded": 5000, "status": "succeeded"}
    )
    assert charge["refundable"] == 10000
    assert charge["refunded"] is False
    failed = shapes.normalize_charge({"id": "ch_2", "amount": 100, "status": "failed"})
    assert failed["refundable"] == 0
    full = shapes.normalize_charge(
        {"id": "ch_3", "amount": 100, "amount_refunded": 100, "status": "succeeded"}
    )
    assert full["refunded"] is True
    assert full["refundable"] == 0


def test_customer_deleted_and_balance_shapes():
    assert shapes.normalize_customer({"id": "cus_1", "deleted": True}) is None
    old = shapes.normalize_customer({"id": "cus_2", "account_balance": -500})
    assert old["balance"] == 500
    new = shapes.normalize_customer(
        {"id": "cus_3", "balance": -700, "address": {"city": "Paris"}}
    )
    assert new["balance"] == -700
    assert new["address"]["city"] == "Paris"
    assert new["address"]["line1"] == ""


def test_account_name_and_mode():
    account = shapes.normalize_account(
        {"id": "acct_1", "settings": {"dashboard": {"display_name": "Acme"}}},
        "sk_live_abcdefghij",
    )
    assert account == {"id": "acct_1", "name": "Acme", "livemode": True, "mode": "live"}
    assert shapes.normalize_account(None, "rk_test_abcdefghij")["mode"] == "test"
