"""Importers: ORUK JSON, HSDS 3.0 CSV packages and the UK public libraries list."""
