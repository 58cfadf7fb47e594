"""The knowledge base and what is built from it: the YAML files, the encoder, the FAISS index, the build.

This is the I/O edge of answering: loading and validating `knowledge/`, checking the model's weights,
exporting the fast encoder, writing and reading the index, and putting an `Assistant` together at start-up.
It may import `chatbot.answering`, `chatbot.domain`, `chatbot.errors` and `chatbot.settings`; never a channel.
"""
