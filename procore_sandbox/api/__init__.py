"""Procore's REST API as the sandbox answers it: OAuth at ``/oauth/…`` and ``/rest/v1.0/…``."""
