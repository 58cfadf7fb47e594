"""What happened, for people who run the service: typed JSON events written by one `emit`, and Prometheus
metrics. Never the patient's words or number. It may import `chatbot.domain`, and `chatbot.storage` only for
types (storage emits events itself)."""
