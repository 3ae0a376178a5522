"""Seed a local Stripe server (localstripe) with realistic customers.

Used by ``make demo``, the Odoo tests and the benchmarks. It talks the older API
shapes localstripe understands (plans, tokens, sources) over plain HTTP.

Usage: python3 tools/seed_localstripe.py --url http://127.0.0.1:8420
"""

import argparse
import json
import time
import urllib.parse
import urllib.request

try:
    from .localstripe_process import TEST_KEY
except ImportError:  # run as a script
    from localstripe_process import TEST_KEY

GOOD_CARD = "4242424242424242"
FAILING_CARD = "4000000000000341"  # attaches, then every charge fails


class Seeder:
    def __init__(self, url, key=TEST_KEY):
        self.url = url.rstrip("/")
        self.key = key

    def request(self, method, path, data=None):
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(
            self.url + path,
            data=body,
            method=method,
            headers={"Authorization": f"Bearer {self.key}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"{}")

    def post(self, path, **data):
        return self.request("POST", path, data)

    def get(self, path, **params):
        query = ("?" + urllib.parse.urlencode(params)) if params else ""
        return self.request("GET", path + query)

    # --- building blocks ---------------------------------------------------

    def customer(self, email, name, **extra):
        return self.post("/v1/customers", email=email, name=name, **extra)

    def card(self, customer_id, number=GOOD_CARD):
        token = self.post(
            "/v1/tokens",
            **{
                "card[number]": number,
                "card[exp_month]": "12",
                "card[exp_year]": "2031",
                "card[cvc]": "123",
            },
        )
        return self.post(f"/v1/customers/{customer_id}/sources", source=token["id"])

    def plan(self, plan_id, product_name, amount, currency, interval="month", **extra):
        product = self.post("/v1/products", name=product_name, type="service")
        return self.post(
            "/v1/plans",
            id=plan_id,
            product=product["id"],
            amount=amount,
            currency=currency,
            interval=interval,
            **extra,
        )

    def subscribe(self, customer_id, plan_id, **extra):
        return self.post(
            "/v1/subscriptions",
            customer=customer_id,
            **{"items[0][plan]": plan_id},
            **extra,
        )

    def set(self, object_id, **values):
        """Force a state localstripe cannot reach by itself (seeding only)."""
        return self.post(f"/_seed/set/{object_id}", **values)

    def charge(self, customer_id, amount, currency, description=""):
        return self.post(
            "/v1/charges",
            customer=customer_id,
            amount=amount,
            currency=currency,
            description=description,
        )

    def refund(self, charge_id, amount=None):
        data = {"charge": charge_id}
        if amount is not None:
            data["amount"] = amount
        return self.post("/v1/refunds", **data)

    def cancel(self, subscription_id):
        return self.request("DELETE", f"/v1/subscriptions/{subscription_id}")


def seed_demo(url, key=TEST_KEY):
    """The demo's customers. Returns ``{email: customer_id}``."""
    s = Seeder(url, key)
    now = int(time.time())
    s.plan("pro-monthly-usd", "Pro", 2900, "usd", nickname="Pro monthly")
    s.plan("team-yearly-eur", "Team", 49000, "eur", "year", nickname="Team yearly")
    s.plan("basic-monthly-jpy", "Basic", 1200, "jpy", nickname="Basic monthly")
    made = {}

    # USD: an active subscription, a one-off payment partially refunded.
    ada = s.customer(
        "ada@example.com",
        "Ada Lovelace",
        phone="+14155550101",
        description="Early adopter",
        **{
            "address[line1]": "12 Analytical Row",
            "address[city]": "San Francisco",
            "address[postal_code]": "94107",
            "address[state]": "CA",
            "address[country]": "US",
        },
    )
    s.card(ada["id"])
    s.subscribe(ada["id"], "pro-monthly-usd")
    setup = s.charge(ada["id"], 15000, "usd", "Onboarding package")
    s.refund(setup["id"], 5000)
    s.charge(ada["id"], 4500, "usd", "Extra seats")
    made[ada["email"]] = ada["id"]

    # EUR: a trialing subscription and a canceled one.
    bruno = s.customer("bruno@example.com", "Bruno Müller")
    s.card(bruno["id"])
    trial = s.subscribe(bruno["id"], "team-yearly-eur", trial_end=now + 14 * 86400)
    s.set(trial["id"], status="trialing", trial_start=now)
    old = s.subscribe(bruno["id"], "team-yearly-eur")
    s.cancel(old["id"])
    made[bruno["email"]] = bruno["id"]

    # JPY: past_due after a failed renewal, an open invoice.
    chie = s.customer("chie@example.jp", "佐藤 千恵")
    s.card(chie["id"])
    s.charge(chie["id"], 1200, "jpy", "Basic monthly (previous period)")
    failing = s.card(chie["id"], FAILING_CARD)
    s.post(f"/v1/customers/{chie['id']}", default_source=failing["id"])
    chie_sub = s.subscribe(chie["id"], "basic-monthly-jpy")
    made[chie["email"]] = chie["id"]
    for invoice in s.get("/v1/invoices", customer=chie["id"])["data"]:
        s.set(invoice["id"], due_date=now + 7 * 86400)
    s.set(chie_sub["id"], status="past_due")

    # Two customers on one email: auto-link asks the agent to choose.
    for name in ("Dana Scully", "Dana Scully (old account)"):
        dup = s.customer("dana@example.com", name)
        made.setdefault("dana@example.com", dup["id"])
    return made


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8420")
    parser.add_argument("--key", default=TEST_KEY)
    args = parser.parse_args()
    print(json.dumps(seed_demo(args.url, args.key), indent=2))
