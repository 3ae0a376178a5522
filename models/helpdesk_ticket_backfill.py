# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Backfill: link the tickets that existed before Stripe was connected."""

from odoo import fields, models
from odoo.exceptions import AccessError

from ..const import BACKFILL_LINK_STATES


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    stripe_link_backfill = fields.Boolean(
        string="Queued by a backfill",
        copy=False,
        readonly=True,
        help="Linked in the background after the new tickets.",
    )

    # === ACTION METHODS === #

    def action_stripe_backfill(self):
        """Queue unlinked tickets for linking to their Stripe customers.

        On selected tickets (a server action on the list), those tickets; on
        none (Settings, or ``model.action_stripe_backfill()`` in a server
        action), every ticket of the current company that is not linked and
        was never matched. Nothing is asked of Stripe here: the auto-link cron
        does the lookups in batches, at most one per distinct email, at the
        company's request rate, after the new tickets.

        :return: a notification saying how many tickets were queued
        """
        if not (
            self.env.is_system()
            or self.env.user.has_group("helpdesk_mgmt.group_helpdesk_manager")
        ):
            raise AccessError(
                self.env._("Only helpdesk managers can link tickets in bulk.")
            )
        domain = [
            ("stripe_customer_id", "=", False),
            ("stripe_link_state", "in", [*BACKFILL_LINK_STATES, False]),
        ]
        if self:
            self.check_access("write")
            tickets = self.filtered_domain(domain)
        else:
            tickets = self.search([*domain, ("company_id", "=", self.env.company.id)])
        queued = tickets.sudo()._stripe_queue_backfill()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Linking tickets to Stripe"),
                "message": self.env._(
                    "%(count)s tickets are queued. They are linked in the "
                    "background, one Stripe lookup per email.",
                    count=queued,
                ),
                "type": "success" if queued else "info",
                "sticky": False,
            },
        }

    def _stripe_queue_backfill(self):
        """Queue the tickets of connected companies; return how many."""
        tickets = self.filtered(
            lambda t: t.company_id.stripe_connected and not t.stripe_customer_id
        )
        no_email = tickets.filtered(lambda t: not t._stripe_email())
        no_email.write({"stripe_link_state": "no_email"})
        queued = tickets - no_email
        if not queued:
            return 0
        queued._stripe_queue(backfill=True)
        queued._stripe_autolink_wake()
        return len(queued)
