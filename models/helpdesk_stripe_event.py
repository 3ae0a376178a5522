# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Stripe webhook events: received fast, processed later by a cron."""

import logging
from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..const import (
    EVENT_BATCH_SIZE,
    EVENT_KEEP_DAYS,
    EVENT_MAX_ATTEMPTS,
    EVENT_STATES,
    EXTRA_WEBHOOK_EVENTS,
    HANDLED_WEBHOOK_EVENTS,
    METADATA_TICKET_KEY,
    ODOO_ACTION_WINDOW_MINUTES,
)
from ..stripe_gateway import StripeGatewayError, webhooks
from ..utils import stripe_error_message, ts_to_datetime

_logger = logging.getLogger(__name__)


class HelpdeskStripeEvent(models.Model):
    _name = "helpdesk.stripe.event"
    _description = "Stripe event"
    _order = "id desc"
    _rec_name = "event_id"

    event_id = fields.Char(required=True, readonly=True, index=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, ondelete="cascade"
    )
    event_type = fields.Char(string="Type", required=True, readonly=True)
    received_date = fields.Datetime(
        string="Received", default=fields.Datetime.now, readonly=True
    )
    event_date = fields.Datetime(string="Sent by Stripe", readonly=True)
    livemode = fields.Boolean(string="Live mode", readonly=True)
    state = fields.Selection(
        EVENT_STATES, default="pending", required=True, readonly=True, index=True
    )
    customer_id = fields.Char(string="Stripe customer", readonly=True, index=True)
    note_key = fields.Char(
        readonly=True,
        index=True,
        help="What the event is about (a refund, an invoice...): one note each, "
        "even when Stripe sends several events for it.",
    )
    message = fields.Char(string="Outcome", readonly=True)
    ticket_ids = fields.Many2many(
        "helpdesk.ticket", string="Tickets", readonly=True, copy=False
    )
    attempts = fields.Integer(readonly=True)
    next_try = fields.Datetime(readonly=True)
    payload = fields.Text(readonly=True, groups="base.group_system")

    _sql_constraints = (
        (
            "event_company_uniq",
            "unique(company_id, event_id)",
            "Each Stripe event is received once per company.",
        ),
    )

    # === RECEPTION (webhook controller) === #

    @api.model
    def _stripe_receive(self, company_id, body, signature):
        """Check one webhook delivery and store it for the cron.

        Nothing is stored unless the signature matches the company's signing
        secret. Called as superuser by the public webhook route.

        :param int company_id: the company named in the webhook URL
        :param bytes body: the raw request body
        :param str signature: the ``Stripe-Signature`` header
        :return: ``(http status, JSON-able answer)``
        """
        company = self.env["res.company"].sudo().browse(company_id).exists()
        if not company:
            _logger.warning("Stripe webhook for unknown company %s refused", company_id)
            return 404, {"error": "unknown endpoint"}
        try:
            webhooks.verify_signature(body, signature, company.stripe_webhook_secret)
            event = webhooks.parse_event(body)
        except webhooks.WebhookError as err:
            _logger.warning(
                "Stripe webhook for company %s refused (%s): %s",
                company.id,
                err.kind,
                err,
            )
            return 400, {"error": err.kind}
        answer = {"received": True, "id": event["id"]}
        if event["type"] == webhooks.TEST_EVENT_TYPE:
            _logger.info("Stripe webhook test event for company %s", company.id)
            return 200, dict(answer, test=True)
        if event["type"] not in HANDLED_WEBHOOK_EVENTS + EXTRA_WEBHOOK_EVENTS:
            _logger.info(
                "Stripe event %s (%s) for company %s ignored: not handled",
                event["id"],
                event["type"],
                company.id,
            )
            return 200, dict(answer, ignored=True)
        domain = [("company_id", "=", company.id), ("event_id", "=", event["id"])]
        if self.sudo().search_count(domain, limit=1):
            _logger.info("Stripe event %s replayed: ignored", event["id"])
            return 200, dict(answer, duplicate=True)
        try:
            with self.env.cr.savepoint():
                self.sudo().create(
                    {
                        "event_id": event["id"],
                        "company_id": company.id,
                        "event_type": event["type"],
                        "event_date": ts_to_datetime(event["created"]),
                        "livemode": event["livemode"],
                        "customer_id": event["customer_id"],
                        "payload": body.decode(),
                    }
                )
        except IntegrityError:  # the same event delivered twice at once
            _logger.info("Stripe event %s received twice: ignored", event["id"])
            return 200, dict(answer, duplicate=True)
        if event["customer_id"]:  # what the panels cached of it changed
            company._stripe_cache_invalidate(event["customer_id"])
        self.env.ref("helpdesk_stripe.ir_cron_stripe_events").sudo()._trigger()
        return 200, answer

    # === PROCESSING (cron) === #

    @api.model
    def _cron_process_stripe_events(self, batch_size=EVENT_BATCH_SIZE):
        """Process received events in order, a batch at a time."""
        domain = [
            ("state", "=", "pending"),
            "|",
            ("next_try", "=", False),
            ("next_try", "<=", fields.Datetime.now()),
        ]
        events = self.search(domain, limit=batch_size, order="id")
        for event in events:
            event._stripe_process_safely()
        remaining = self.search_count(domain)
        self.env["ir.cron"]._notify_progress(done=len(events), remaining=remaining)

    def _stripe_process_safely(self):
        """Process one event; a failure is recorded on it, never raised."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self._stripe_process()
        except StripeGatewayError as err:
            self._stripe_retry_later(err)
        except Exception as err:
            _logger.exception("Stripe event %s could not be processed", self.event_id)
            self.write({"state": "failed", "message": str(err)[:500]})

    def _stripe_retry_later(self, err):
        attempts = self.attempts + 1
        message = stripe_error_message(self.env, err)
        if not err.retryable or attempts >= EVENT_MAX_ATTEMPTS:
            _logger.warning("Stripe event %s failed: %r", self.event_id, err)
            self.write({"state": "failed", "attempts": attempts, "message": message})
            return
        delay = max(60 * 2 ** (attempts - 1), err.retry_after or 0)
        next_try = fields.Datetime.now() + timedelta(seconds=delay)
        self.write({"attempts": attempts, "next_try": next_try, "message": message})
        _logger.info("Stripe event %s postponed: %r", self.event_id, err)
        self.env.ref("helpdesk_stripe.ir_cron_stripe_events").sudo()._trigger(
            at=next_try
        )

    def _stripe_made_by_dialog(self, event):
        """Whether one of the addon's dialogs made this very change just now.

        A third sign besides :func:`webhooks.made_by_odoo`, for servers whose
        events name neither the request's idempotency key nor metadata (local
        Stripe servers): a dialog of the same company confirmed in the last
        ``ODOO_ACTION_WINDOW_MINUTES`` that made exactly this change: that
        refund, or that subscription's immediate cancellation, or its
        cancellation at period end (or the undoing of it). Any other change of
        the same objects (a dashboard cancellation after a scheduled one, a
        second refund) is noted.
        """
        obj = event.get("object") or {}
        obj_id = obj.get("id")
        if not obj_id:
            return False
        since = fields.Datetime.now() - timedelta(minutes=ODOO_ACTION_WINDOW_MINUTES)
        common = [
            ("state", "=", "done"),
            ("write_date", ">=", since),
            ("ticket_id.company_id", "=", self.company_id.id),
        ]
        refunds = self.env["helpdesk.stripe.refund.wizard"].sudo()
        cancels = self.env["helpdesk.stripe.cancel.wizard"].sudo()
        kind = obj.get("object")
        if kind == "refund":
            return bool(
                refunds.search_count([*common, ("refund_id", "=", obj_id)], limit=1)
                or cancels.search_count([*common, ("refund_id", "=", obj_id)], limit=1)
            )
        if kind != "subscription":
            return False
        dialogs = cancels.search([*common, ("subscription_id", "=", obj_id)])
        if event["type"] == "customer.subscription.deleted":
            return any(d.when == "now" and not d.is_undo for d in dialogs)
        previous = event.get("previous_attributes") or {}
        if event["type"] != "customer.subscription.updated" or set(previous) - {
            "cancel_at_period_end",
            "cancel_at",
            "canceled_at",
            "cancellation_details",
        }:
            return False
        scheduled = bool(obj.get("cancel_at_period_end") or obj.get("cancel_at"))
        return any(
            d.is_undo != scheduled and (d.is_undo or d.when == "period_end")
            for d in dialogs
        )

    def _stripe_ignore(self, reason, **values):
        _logger.info("Stripe event %s ignored: %s", self.event_id, reason)
        self.write(dict(values, state="ignored", message=reason))

    def _stripe_process(self):
        """Note the event on the customer's open tickets, or open a ticket.

        :raise StripeGatewayError: when Stripe could not be read (retried)
        """
        self.ensure_one()
        company = self.company_id.sudo()
        event = webhooks.parse_event(self.sudo().payload.encode())
        if not company.stripe_connected:
            return self._stripe_ignore(
                self.env._("Stripe is not connected for this company.")
            )
        if event["livemode"] != (company.stripe_mode == "live"):
            return self._stripe_ignore(
                self.env._(
                    "The event comes from Stripe's %(event_mode)s mode; the company "
                    "is connected in %(mode)s mode.",
                    event_mode="live" if event["livemode"] else "test",
                    mode=company.stripe_mode or "test",
                )
            )
        if webhooks.made_by_odoo(
            event, METADATA_TICKET_KEY
        ) or self._stripe_made_by_dialog(event):
            return self._stripe_ignore(
                self.env._("Made from Odoo: the ticket already has its note.")
            )
        is_dispute = event["type"] == "charge.dispute.created"
        open_dispute_tickets = (
            is_dispute
            and company.stripe_dispute_tickets_enabled
            and company.stripe_dispute_team_id
        )
        if not company.stripe_event_notes_enabled and not open_dispute_tickets:
            return self._stripe_ignore(
                self.env._("Internal notes for Stripe events are turned off.")
            )
        try:
            gateway = company._stripe_gateway()
        except UserError as err:
            return self._stripe_ignore(str(err))
        info = self._stripe_describe(event, gateway)
        customer_id = info.get("customer_id") or event["customer_id"]
        values = {"customer_id": customer_id, "note_key": info.get("key")}
        if info.get("skip"):
            return self._stripe_ignore(info["skip"], **values)
        if not customer_id:
            return self._stripe_ignore(
                self.env._("The event names no Stripe customer."), **values
            )
        if info.get("key") and self._stripe_already_noted(info["key"]):
            return self._stripe_ignore(
                self.env._("Already noted from another event about the same object."),
                **values,
            )
        Ticket = self.env["helpdesk.ticket"].sudo()
        tickets = Ticket._stripe_open_tickets(
            company, customer_id, company.stripe_event_ticket_limit
        )
        if not tickets and open_dispute_tickets:
            ticket = Ticket._stripe_open_dispute_ticket(
                company, customer_id, info, gateway
            )
            return self.write(
                dict(
                    values,
                    state="done",
                    ticket_ids=[(6, 0, ticket.ids)],
                    message=self.env._(
                        "Opened ticket %(ticket)s.", ticket=ticket.number
                    ),
                )
            )
        if not tickets:
            return self._stripe_ignore(
                self.env._(
                    "Stripe customer %(customer)s has no open ticket.",
                    customer=customer_id,
                ),
                **values,
            )
        if not company.stripe_event_notes_enabled:
            return self._stripe_ignore(
                self.env._("Internal notes for Stripe events are turned off."),
                **values,
            )
        tickets._stripe_post_event_note(info["note"])
        if is_dispute:
            tickets[:1]._stripe_set_dispute_deadline(info["due_by"])
        self.write(
            dict(
                values,
                state="done",
                ticket_ids=[(6, 0, tickets.ids)],
                message=self.env._(
                    "Noted on %(tickets)s.", tickets=", ".join(tickets.mapped("number"))
                ),
            )
        )

    def _stripe_already_noted(self, key):
        return bool(
            self.sudo().search_count(
                [
                    ("id", "!=", self.id),
                    ("company_id", "=", self.company_id.id),
                    ("note_key", "=", key),
                    ("state", "=", "done"),
                ],
                limit=1,
            )
        )

    # === ACTIONS AND HOUSEKEEPING === #

    def action_stripe_retry(self):
        """Process failed or ignored events again (system administrators)."""
        self.check_access("write")
        self.filtered(lambda e: e.state != "done").write(
            {"state": "pending", "attempts": 0, "next_try": False, "message": False}
        )
        self.env.ref("helpdesk_stripe.ir_cron_stripe_events").sudo()._trigger()
        return True

    @api.autovacuum
    def _gc_stripe_events(self):
        """Forget events processed long ago (Stripe retries for 3 days at most)."""
        limit = fields.Datetime.now() - timedelta(days=EVENT_KEEP_DAYS)
        self.sudo().search(
            [("state", "!=", "pending"), ("received_date", "<", limit)]
        ).unlink()
