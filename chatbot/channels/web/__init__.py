"""The HTTP application: the routers, the middlewares, the assistant holder the routes answer with, and the
widget's static files."""
