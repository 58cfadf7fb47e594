"""One router per resource; each handler parses, calls the library, and formats."""
