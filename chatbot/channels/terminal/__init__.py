"""The `chatbot` command and the staff console: a thin shell over the library. Importing it stays light
(no torch, no FastAPI) so `chatbot ask` answers in about a second."""
