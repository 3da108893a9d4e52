"""FHIR R4 (4.0.1): a read API over the record (resources.py, views.py) and `$cno-assess`, which maps a
Bundle of a Patient and Observations to a `cno-case/1` (mapping.py) and assesses it."""
