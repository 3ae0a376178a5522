-- Never let a neutralized copy of a database talk to the real Stripe account.
UPDATE res_company
   SET stripe_secret_key = NULL,
       stripe_connected = FALSE;
-- Nor keep keys typed in settings forms not yet vacuumed.
UPDATE res_config_settings
   SET stripe_secret_key_input = NULL,
       stripe_webhook_secret_input = NULL;
-- Nor accept its webhook deliveries.
UPDATE res_company
   SET stripe_webhook_secret = NULL;
