"""Reads for the self-service pages; each takes the company the access check returned, so no
query can reach another company's rows."""
