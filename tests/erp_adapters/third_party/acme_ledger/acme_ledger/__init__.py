"""Acme Ledger: a third party's ERP adapter, shipped as its own package."""
