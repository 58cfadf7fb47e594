"""What is kept beyond one reply: the unanswered questions and feedback (SQLite or PostgreSQL), the short-lived
state replicas share (memory or Redis), the rate-limit counts, and the redaction that runs before any of it.

Each store sits behind a small protocol with an in-memory or embedded version, and a shared service that
fails costs no patient a reply (`failover`). It may import `chatbot.domain`, `chatbot.errors`,
`chatbot.settings`, `chatbot.answering.normalise` and `chatbot.telemetry.events` (the one event log); never
a channel.
"""
