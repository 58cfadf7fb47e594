"""Answering a question: normalise, the safety check in every language, language, small talk, search, decide.

Plain data in, a `Reply` out. No files, no HTTP, no model loading: what this package needs from outside
(an encoder, an index, the knowledge base) it is handed ready-made. It may import `chatbot.domain`,
`chatbot.errors` and its own modules, and `chatbot.kb` only for types.
"""
