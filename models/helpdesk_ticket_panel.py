# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The server side of the Stripe panel: one call returns all it shows."""

from odoo import fields, models
from odoo.exceptions import UserError

from ..const import CANCELED_SUBSCRIPTIONS_SHOWN, INTERACTIVE_OPTIONS, PANEL_PAGE_SIZE
from ..stripe_gateway import StripeGatewayError, format_amount
from ..utils import dashboard_url, format_ts_date, stripe_error_message


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    # === PANEL (public: called by the OWL widget) === #

    def stripe_panel_data(self, refresh=False):
        """Everything the Stripe panel shows for this ticket, formatted.

        Stripe failures come back as ``{"state": "error", "message": ...}``
        rather than as exceptions, so the panel shows them with a Retry button.
        Stripe's answers are reused for the company's cache lifetime (three
        concurrent requests when they are not).

        :param bool refresh: ask Stripe even if the cache is fresh (Refresh)

        :return: a dict with ``state`` in ``not_connected``, ``pending``,
            ``no_email``, ``not_found``, ``ambiguous``, ``unlinked``,
            ``deleted``, ``error`` or ``ok``
        """
        self.ensure_one()
        self._stripe_check_access("read")
        company = self.company_id or self.env.company
        base = {
            "ticket_id": self.id,
            "link_state": self.stripe_link_state,
            "link_method": self.stripe_link_method or "",
            "candidates": (self.stripe_candidate_ids or "").split(",")
            if self.stripe_candidate_ids
            else [],
            "mode": company.stripe_mode or "test",
            "account_name": company.stripe_account_name or "",
            "can_refund": self._stripe_can("refund"),
            "can_cancel": self._stripe_can("cancel"),
        }
        if not company.stripe_connected:
            return dict(
                base,
                state="not_connected",
                message=self.env._("Stripe is not connected for this company."),
            )
        if not self.stripe_customer_id:
            message = self.stripe_link_error or ""
            if self._stripe_panel_lookup_due(company, refresh):
                # The agent is waiting for the link: look the email up now.
                failure = self.sudo()._stripe_autolink_now(interactive=True)
                if self.stripe_customer_id:
                    return self.stripe_panel_data(refresh=refresh)
                message = failure or self.stripe_link_error or ""
            state = {
                "none": "unlinked",
                "linked": "unlinked",
                "unlinked": "unlinked_by_agent",
            }.get(self.stripe_link_state, self.stripe_link_state)
            return dict(
                base,
                state=state,
                message=message,
            )
        try:
            gateway = company._stripe_gateway(**INTERACTIVE_OPTIONS)
            bundle = company._stripe_panel_bundle(
                gateway, self.stripe_customer_id, PANEL_PAGE_SIZE, refresh=refresh
            )
        except (StripeGatewayError, UserError) as err:
            message = (
                stripe_error_message(self.env, err)
                if isinstance(err, StripeGatewayError)
                else str(err)
            )
            return dict(base, state="error", message=message)
        if bundle["customer"] is None:
            return dict(
                base,
                state="deleted",
                customer_id=self.stripe_customer_id,
                message=self.env._(
                    "Stripe customer %(customer)s no longer exists in Stripe.",
                    customer=self.stripe_customer_id,
                ),
            )
        mode = company.stripe_mode or gateway.mode
        return dict(
            base,
            state="ok",
            customer=self._stripe_panel_customer(bundle["customer"], mode),
            subscriptions=[
                self._stripe_panel_subscription(s) for s in bundle["subscriptions"]
            ],
            # More live subscriptions than Stripe embeds: the rest is one click
            # away in the dashboard.
            subscriptions_more_url=dashboard_url(
                mode, f"subscriptions?customer={self.stripe_customer_id}"
            )
            if bundle.get("subscriptions_has_more")
            else "",
            payments=self._stripe_panel_page(
                bundle["payments"], self._stripe_panel_payment
            ),
            invoices=self._stripe_panel_page(
                bundle["invoices"], self._stripe_panel_invoice
            ),
        )

    def stripe_panel_more(self, kind, cursor):
        """The next page of payments or invoices for "Load more"."""
        self.ensure_one()
        self._stripe_check_access("read")
        if kind not in ("payments", "invoices") or not self.stripe_customer_id:
            raise UserError(self.env._("Nothing more to load."))
        gateway = (self.company_id or self.env.company)._stripe_gateway(
            **INTERACTIVE_OPTIONS
        )
        try:
            if kind == "payments":
                page = gateway.list_charges(
                    self.stripe_customer_id, PANEL_PAGE_SIZE, starting_after=cursor
                )
                return self._stripe_panel_page(page, self._stripe_panel_payment)
            page = gateway.list_invoices(
                self.stripe_customer_id, PANEL_PAGE_SIZE, starting_after=cursor
            )
            return self._stripe_panel_page(page, self._stripe_panel_invoice)
        except StripeGatewayError as err:
            raise UserError(stripe_error_message(self.env, err)) from err

    def stripe_panel_canceled_subscriptions(self):
        """The customer's canceled subscriptions, newest first, on demand.

        The panel's first read (the customer with its subscriptions expanded)
        lists the live ones only, as Stripe does.
        """
        self.ensure_one()
        self._stripe_check_access("read")
        if not self.stripe_customer_id:
            raise UserError(self.env._("This ticket is not linked to Stripe."))
        company = self.company_id or self.env.company
        gateway = company._stripe_gateway(**INTERACTIVE_OPTIONS)
        try:
            subscriptions = gateway.list_subscriptions(
                self.stripe_customer_id,
                limit=CANCELED_SUBSCRIPTIONS_SHOWN,
                status="canceled",
            )
        except StripeGatewayError as err:
            raise UserError(stripe_error_message(self.env, err)) from err
        return {
            "data": [self._stripe_panel_subscription(s) for s in subscriptions],
            "limit": CANCELED_SUBSCRIPTIONS_SHOWN,
            "dashboard_url": dashboard_url(
                company.stripe_mode or gateway.mode,
                f"customers/{self.stripe_customer_id}",
            ),
        }

    def _stripe_panel_lookup_due(self, company, refresh):
        """Whether opening the panel should look the ticket's email up now.

        A queued ticket is looked up unless the queue is backing off after a
        failure (Refresh tries anyway); a ticket created while auto-link could
        not run (not connected, or switched off then) is looked up once, when
        auto-link is on.
        """
        if not (company.stripe_autolink_enabled and self._stripe_email()):
            return False
        state = self.stripe_link_state
        if state == "none":
            return True
        if state != "pending":
            return False
        waiting = self.stripe_link_attempts and (
            self.stripe_link_next_try
            and self.stripe_link_next_try > fields.Datetime.now()
        )
        return refresh or not waiting

    # === FORMATTING === #

    def _stripe_panel_page(self, page, formatter):
        return {
            "data": [formatter(row) for row in page["data"]],
            "has_more": page["has_more"],
            "next_cursor": page["next_cursor"],
        }

    def _stripe_panel_customer(self, customer, mode):
        address = customer["address"]
        city_line = " ".join(
            part for part in (address["postal_code"], address["city"]) if part
        )
        lines = [
            address["line1"],
            address["line2"],
            city_line,
            address["state"],
            address["country"],
        ]
        return dict(
            customer,
            created_display=format_ts_date(self.env, customer["created"]),
            balance_display=format_amount(
                customer["balance"], customer["currency"] or "usd"
            )
            if customer["currency"]
            else str(customer["balance"]),
            address_lines=[line for line in lines if line],
            dashboard_url=dashboard_url(mode, f"customers/{customer['id']}"),
        )

    def _stripe_panel_subscription(self, sub):
        interval = sub["interval"]
        if interval and sub["interval_count"] > 1:
            interval = f"{sub['interval_count']} {interval}s"
        return dict(
            sub,
            amount_display=format_amount(sub["amount"], sub["currency"])
            if sub["amount"] is not None
            else "",
            interval_display=interval,
            period_end_display=format_ts_date(self.env, sub["current_period_end"]),
            cancel_at_display=format_ts_date(self.env, sub["cancel_at"]),
            canceled_at_display=format_ts_date(self.env, sub["canceled_at"]),
            trial_end_display=format_ts_date(self.env, sub["trial_end"]),
            cancelable=sub["status"] not in ("canceled", "incomplete_expired"),
            undoable=sub["cancel_at_period_end"]
            and sub["status"] not in ("canceled", "incomplete_expired"),
        )

    def _stripe_panel_payment(self, charge):
        return dict(
            charge,
            created_display=format_ts_date(self.env, charge["created"]),
            amount_display=format_amount(charge["amount"], charge["currency"]),
            refunded_display=format_amount(
                charge["amount_refunded"], charge["currency"]
            )
            if charge["amount_refunded"]
            else "",
            refundable_display=format_amount(charge["refundable"], charge["currency"]),
        )

    def _stripe_panel_invoice(self, invoice):
        return dict(
            invoice,
            total_display=format_amount(invoice["total"], invoice["currency"]),
            due_display=format_ts_date(self.env, invoice["due_date"]),
            paid_display=format_ts_date(self.env, invoice["paid_at"]),
            created_display=format_ts_date(self.env, invoice["created"]),
            has_pdf=bool(invoice["invoice_pdf"]),
        )
