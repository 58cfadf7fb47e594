"""What happened, for people who run the service: one JSON event per question, and Prometheus metrics.
Never the patient's words or number. It may import `chatbot.domain` and `chatbot.storage`."""
