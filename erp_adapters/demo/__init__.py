"""A small ERP kept in the portal's own database, for `make demo`, the tests and the benchmarks."""
