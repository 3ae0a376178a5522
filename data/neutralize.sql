-- Never let a neutralized copy of a database talk to the real Stripe account.
UPDATE res_company
   SET stripe_secret_key = NULL,
       stripe_connected = FALSE;
-- Nor accept its webhook deliveries.
UPDATE res_company
   SET stripe_webhook_secret = NULL;
