"""The API for scripts, ``/api/v1/``: what the dashboard shows (companies, health, ERP requests,
import runs, objects, metadata versions) and does (retry, run an import, publish metadata).

Authenticated by per-user API tokens (``Authorization: Bearer erp_…``), each acting as its user:
every company is resolved through ``selectors.memberships`` (another company's anything is 404)
and actions need the company admin role (403 for a viewer). OpenAPI schema at
``/api/v1/schema/``, its docs at ``/api/v1/docs/`` (assets served locally).
"""
