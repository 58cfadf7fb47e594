"""The SMS channel: Twilio's signed webhook in, one TwiML message (or none) out."""
