"""The self-service portal: the pages where a customer company's people sign in, see how their
integration runs, and (as company admins) retry, import and invite.

Views are thin: reads live in ``selectors/``, writes in ``services/`` (which call the domain's
services in ``integrations``), and every page of a company is reached through ``access.py``,
which asks ``integrations.selectors.memberships`` whether the user may see it (404 otherwise).
"""
