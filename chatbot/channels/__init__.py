"""The ways a question arrives: `web` (the HTTP API and the widget), `sms` (Twilio's webhook) and `terminal`
(the `chatbot` command and the staff console). Each parses its input, asks the assistant, and formats the
reply for its medium; none decides what to say. Channels may import every other package; nothing imports them.
"""
