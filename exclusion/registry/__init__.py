"""Registry exchange (issue 16): the REDCap data dictionary, records.csv, the export and its
de-identification; see docs/registry.md."""
