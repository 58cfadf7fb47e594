"""How well the assistant answers, and what staff should add: `chatbot eval`, `calibrate`, `review` and the
redaction check, with their reports. It may import everything but the channels."""
