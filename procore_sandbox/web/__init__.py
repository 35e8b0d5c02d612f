"""The sandbox's pages, under its own prefix (``sandbox/``)."""
