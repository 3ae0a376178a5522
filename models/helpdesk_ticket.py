# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import email_split

from ..const import (
    AUTOLINK_BACKOFF_BASE_SECONDS,
    AUTOLINK_BACKOFF_MAX_SECONDS,
    AUTOLINK_BATCH_SIZE,
    LINK_METHODS,
    LINK_STATES,
)
from ..stripe_gateway import StripeGatewayError
from ..utils import stripe_error_message

_logger = logging.getLogger(__name__)


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    stripe_customer_id = fields.Char(
        string="Stripe customer",
        copy=False,
        index="btree_not_null",
        tracking=True,
    )
    stripe_link_state = fields.Selection(
        LINK_STATES, string="Stripe link", default="none", copy=False, readonly=True
    )
    stripe_link_method = fields.Selection(
        LINK_METHODS, string="Linked by", copy=False, readonly=True
    )
    stripe_candidate_ids = fields.Char(
        string="Stripe candidates",
        copy=False,
        readonly=True,
        help="Stripe customers sharing the ticket's email, for the agent to choose.",
    )
    stripe_link_attempts = fields.Integer(copy=False, readonly=True)
    stripe_link_next_try = fields.Datetime(copy=False, readonly=True, index=True)
    stripe_link_error = fields.Char(copy=False, readonly=True)
    stripe_connected = fields.Boolean(related="company_id.stripe_connected")

    # === AUTO-LINK === #

    def _stripe_email(self):
        """The bare address to look up (``"Ada" <ada@x.com>`` gives ``ada@x.com``),
        with its case kept: Stripe's email filter is case-sensitive."""
        self.ensure_one()
        addresses = email_split(self.partner_email or self.partner_id.email or "")
        return addresses[0] if addresses else ""

    @api.model
    def _stripe_sync_autolink_automation(self):
        """Keep the auto-link automation active exactly when some company uses it."""
        automation = self.env.ref(
            "helpdesk_stripe.automation_stripe_autolink", raise_if_not_found=False
        )
        if not automation:
            return
        wanted = bool(
            self.env["res.company"]
            .sudo()
            .search_count(
                [
                    ("stripe_connected", "=", True),
                    ("stripe_autolink_enabled", "=", True),
                ]
            )
        )
        if automation.sudo().active != wanted:
            automation.sudo().active = wanted

    def _stripe_enqueue_autolink(self):
        """Queue the tickets for linking to Stripe; never calls Stripe.

        Called by the automated action on ticket creation (and when its contact
        or email changes). A contact that already has a Stripe customer in the
        ticket's company links at once; other tickets are linked by the cron,
        after this transaction commits, so Stripe never holds up or rolls back
        a ticket.
        """
        queued = self.browse()
        for ticket in self.filtered(lambda t: not t.stripe_customer_id):
            company = ticket.company_id or self.env.company
            if not (company.stripe_connected and company.stripe_autolink_enabled):
                continue
            known = ticket.partner_id.with_company(company).sudo().stripe_customer_id
            if known:
                ticket._stripe_set_link(known, "partner", post_note=False)
            elif not ticket._stripe_email():
                ticket.stripe_link_state = "no_email"
            else:
                queued |= ticket
        if queued:
            queued.write(
                {
                    "stripe_link_state": "pending",
                    "stripe_link_attempts": 0,
                    "stripe_link_next_try": fields.Datetime.now(),
                    "stripe_link_error": False,
                }
            )
            self.env.ref("helpdesk_stripe.ir_cron_stripe_autolink").sudo()._trigger()
        return True

    @api.model
    def _cron_stripe_autolink(self, batch_size=AUTOLINK_BATCH_SIZE):
        """Link queued tickets, a batch at a time, one Stripe lookup per email."""
        domain = [
            ("stripe_link_state", "=", "pending"),
            ("stripe_link_next_try", "<=", fields.Datetime.now()),
        ]
        tickets = self.search(domain, limit=batch_size, order="id")
        if not tickets:
            return
        tickets._stripe_autolink_now()
        remaining = self.search_count(domain)
        self.env["ir.cron"]._notify_progress(done=len(tickets), remaining=remaining)

    def _stripe_autolink_now(self):
        """Look the tickets' emails up in Stripe and link what matches.

        Lookups are deduplicated per company and email. A Stripe failure leaves
        the tickets queued with an exponential backoff; it never raises.
        """
        by_company = {}
        for ticket in self:
            by_company.setdefault(ticket.company_id, self.browse())
            by_company[ticket.company_id] |= ticket
        for company, tickets in by_company.items():
            try:
                gateway = company._stripe_gateway()
            except UserError as err:
                tickets._stripe_autolink_failed(str(err))
                continue
            lookups = {}
            for ticket in tickets:
                email = ticket._stripe_email()
                if not email:
                    ticket.stripe_link_state = "no_email"
                    continue
                if email not in lookups:
                    try:
                        lookups[email] = gateway.find_customers_by_email(email)
                    except StripeGatewayError as err:
                        lookups[email] = err
                result = lookups[email]
                if isinstance(result, StripeGatewayError):
                    ticket._stripe_autolink_failed(
                        stripe_error_message(self.env, result), result.retry_after
                    )
                else:
                    ticket._stripe_apply_lookup(*result)

    def _stripe_apply_lookup(self, method, customers):
        self.ensure_one()
        if self.stripe_customer_id:
            return
        if len(customers) == 1:
            self._stripe_set_link(customers[0]["id"], method)
        elif customers:
            self.write(
                {
                    "stripe_link_state": "ambiguous",
                    "stripe_candidate_ids": ",".join(c["id"] for c in customers),
                    "stripe_link_error": False,
                }
            )
        else:
            self.write({"stripe_link_state": "not_found", "stripe_link_error": False})

    def _stripe_autolink_failed(self, message, retry_after=None):
        for ticket in self:
            attempts = ticket.stripe_link_attempts + 1
            delay = min(
                AUTOLINK_BACKOFF_BASE_SECONDS * 2 ** (attempts - 1),
                AUTOLINK_BACKOFF_MAX_SECONDS,
            )
            delay = max(delay, retry_after or 0)
            ticket.write(
                {
                    "stripe_link_attempts": attempts,
                    "stripe_link_next_try": fields.Datetime.now()
                    + timedelta(seconds=delay),
                    "stripe_link_error": message,
                }
            )
        _logger.info("Stripe auto-link postponed for %s: %s", self.ids, message)
        cron = self.env.ref("helpdesk_stripe.ir_cron_stripe_autolink").sudo()
        cron._trigger(at=min(self.mapped("stripe_link_next_try")))

    def _stripe_set_link(self, customer_id, method, post_note=True, customer=None):
        """Link the ticket to a Stripe customer, or unlink it.

        When the company's ``stripe_link_sets_partner`` setting is on, the
        contact follows: a link made by hand replaces the contact's Stripe
        customer, an automatic one only fills it in, and unlinking clears it
        when it was that customer.

        :param str customer_id: the Stripe customer's id; ``False`` unlinks
        :param str method: how the link was made, a key of ``LINK_METHODS``
            (ignored when unlinking)
        :param bool post_note: post an internal note saying who did what
        :param dict customer: the normalized customer, to name it in the note
        """
        self.ensure_one()
        previous = self.stripe_customer_id
        values = {
            "stripe_customer_id": customer_id or False,
            "stripe_link_method": method if customer_id else False,
            "stripe_link_state": "linked" if customer_id else "none",
            "stripe_candidate_ids": False,
            "stripe_link_error": False,
            "stripe_link_next_try": False,
        }
        self.write(values)
        company = self.company_id or self.env.company
        partner = self.partner_id.with_company(company).sudo()
        if partner and company.stripe_link_sets_partner:
            if customer_id and (method == "manual" or not partner.stripe_customer_id):
                partner.stripe_customer_id = customer_id
            elif not customer_id and partner.stripe_customer_id == previous:
                partner.stripe_customer_id = False
        if post_note:
            self._stripe_post_link_note(customer_id, method, previous, customer)

    def _stripe_post_link_note(self, customer_id, method, previous, customer):
        if customer_id:
            method_label = dict(
                self._fields["stripe_link_method"]._description_selection(self.env)
            )[method]
            name = (customer or {}).get("name") or ""
            label = Markup("<code>%s</code>") % customer_id
            if name:
                label = Markup("%s %s") % (name, label)
            body = self.env._(
                "Linked to Stripe customer %(customer)s by %(user)s (%(method)s).",
                customer=label,
                user=self.env.user.name,
                method=method_label,
            )
            if previous and previous != customer_id:
                body += Markup("<br/>") + self.env._(
                    "It replaces Stripe customer %(previous)s.",
                    previous=Markup("<code>%s</code>") % previous,
                )
        else:
            body = self.env._(
                "Unlinked from Stripe customer %(customer)s by %(user)s.",
                customer=Markup("<code>%s</code>") % previous,
                user=self.env.user.name,
            )
        self.message_post(
            body=body, message_type="comment", subtype_xmlid="mail.mt_note"
        )
