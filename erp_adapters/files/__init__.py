"""The file-exchange ERP adapter: CSV/XLSX files in, one CSV per export out, and the ERP's
acknowledgement files back (docs/adapters.md, "The files adapter")."""
