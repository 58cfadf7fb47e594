"""The SMS channel: Twilio's signed webhook in, one TwiML message (or none) out. `route` reads the webhook,
`desk` decides what to text back, `twilio` speaks Twilio's protocol (the signature, TwiML, GSM-7)."""
