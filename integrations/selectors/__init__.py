"""Reads: the queries that services, views, the admin and tasks share. One module per concern;
they never write.

A selector takes keyword-only, typed arguments and returns rows (or plain values) without
changing anything, so any caller may use it anywhere, inside a transaction or not, as often as
it likes. Writes, and reads that must happen together with a write, stay in ``services/``.
"""
