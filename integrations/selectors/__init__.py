"""Reads: the queries that services, views, the admin and tasks share.

One module per concern, functions named ``<entity>_<what>`` and taking keyword arguments; they
never write. Writes live in ``integrations/services``.
"""
