# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup

from odoo import fields, models
from odoo.tools import SQL, email_split

from ..const import LINK_METHODS, LINK_STATES, STICKY_LINK_METHODS


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

    # === CRUD === #

    def write(self, vals):
        watched = "partner_id" in vals or "partner_email" in vals
        if not watched:
            return super().write(vals)
        before = {t.id: (t.partner_id.id, t._stripe_email()) for t in self}
        res = super().write(vals)
        changed = self.filtered(
            lambda t: before.get(t.id) != (t.partner_id.id, t._stripe_email())
        )
        if changed:
            changed._stripe_contact_changed()
        return res

    # === AUTO-LINK === #

    def _stripe_email(self):
        """The bare address to look up (``"Ada" <ada@x.com>`` gives ``ada@x.com``),
        with its case kept: Stripe's email filter is case-sensitive."""
        self.ensure_one()
        addresses = email_split(self.partner_email or self.partner_id.email or "")
        return addresses[0] if addresses else ""

    def _stripe_contact_changed(self):
        """The tickets' contact or email changed: link them again.

        A link the ticket got from its previous contact or email is dropped and
        looked up anew; a link an agent made by hand, or a Stripe event made,
        stays. Nothing happens where auto-link is off, or while an admin has
        switched its automation rule off.
        """
        if not self.env["res.company"]._stripe_autolink_automation().active:
            return
        relink = self.browse()
        for ticket in self:
            company = ticket.company_id or self.env.company
            if not (company.stripe_connected and company.stripe_autolink_enabled):
                continue
            if ticket.stripe_customer_id:
                if ticket.stripe_link_method in STICKY_LINK_METHODS:
                    continue
                ticket._stripe_post_internal_note(
                    self.env._(
                        "The contact changed: unlinked from Stripe customer"
                        " %(customer)s, the new contact is looked up in Stripe.",
                        customer=Markup("<code>%s</code>") % ticket.stripe_customer_id,
                    )
                )
                ticket.write(
                    {
                        "stripe_customer_id": False,
                        "stripe_link_method": False,
                        "stripe_link_state": "none",
                    }
                )
            relink |= ticket
        relink._stripe_enqueue_autolink()

    def _stripe_enqueue_autolink(self):
        """Queue the tickets for linking to Stripe; never calls Stripe.

        Called by the automated action on ticket creation, and when a ticket's
        contact or email changes. A contact that already has a Stripe customer
        in the ticket's company links at once; other tickets are linked by the
        cron, after this transaction commits, so Stripe never holds up or rolls
        back a ticket: one small query here, never a Stripe call.
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
            queued._stripe_queue(backfill=False)
            queued._stripe_autolink_wake()
        return True

    def _stripe_queue(self, backfill):
        """Mark the tickets as waiting for the auto-link cron.

        Straight in SQL: this runs inside every ticket creation, where an ORM
        write would go through every ``write`` override of the ticket again
        for fields only the queue reads.
        """
        fnames = [
            "stripe_link_state",
            "stripe_link_backfill",
            "stripe_link_attempts",
            "stripe_link_next_try",
            "stripe_link_error",
        ]
        self.flush_recordset(fnames)
        self.env.cr.execute(
            SQL(
                "UPDATE helpdesk_ticket SET stripe_link_state = 'pending',"
                " stripe_link_backfill = %s, stripe_link_attempts = 0,"
                " stripe_link_next_try = %s, stripe_link_error = NULL"
                " WHERE id IN %s",
                backfill,
                fields.Datetime.now(),
                tuple(self.ids),
            )
        )
        self.invalidate_recordset(fnames)

    def _stripe_autolink_wake(self):
        """Wake the auto-link cron when this transaction commits.

        Not when a wake-up is already due that no run of the cron has started
        on yet (from an earlier ticket of the same burst, or of this
        transaction): each one costs the committing worker a connection to
        notify the cron workers, which would double the cost of creating a
        ticket. A wake-up made before the cron's latest run started may be
        the one that run took, whose snapshot cannot see this ticket: then
        the cron is woken again.
        """
        cron = (
            self.env["ir.cron"]
            .sudo()
            .browse(
                self.env["ir.model.data"]._xmlid_to_res_id(
                    "helpdesk_stripe.ir_cron_stripe_autolink"
                )
            )
        )
        self.env.cr.execute(
            SQL(
                "SELECT 1 FROM ir_cron_trigger t"
                " WHERE t.cron_id = %(cron)s AND t.call_at <= %(now)s"
                " AND t.create_date > COALESCE((SELECT p.create_date"
                " FROM ir_cron_progress p WHERE p.cron_id = %(cron)s"
                " ORDER BY p.id DESC LIMIT 1), '-infinity') LIMIT 1",
                cron=cron.id,
                now=fields.Datetime.now(),
            )
        )
        if not self.env.cr.fetchone():
            cron._trigger()

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
            # An agent's unlink is final: no panel open or backfill links the
            # ticket again by email (a change of its contact does).
            "stripe_link_state": "linked" if customer_id else "unlinked",
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
        self._stripe_post_internal_note(
            self._stripe_link_note_body(customer_id, method, previous, customer)
        )

    def _stripe_post_internal_note(self, body):
        """Post an internal note by the current user, who already acted.

        Posted as superuser with the user as author: an agent whose own
        email address is not set (which ``message_post`` otherwise refuses)
        must not lose the note of a Stripe action that is already done.

        :param Markup body: the note, with every Stripe value escaped
        """
        self.ensure_one()
        return self.sudo().message_post(
            body=body,
            author_id=self.env.user.partner_id.id,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )

    def _stripe_link_note_body(self, customer_id, method, previous, customer):
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
        return body
