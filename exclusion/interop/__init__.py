"""What the record and its assessments look like to other systems: FHIR R4 (fhir/) and CDS Hooks 2.0
(cds_hooks/). Derived from the record like everything in `exclusion`; the record never imports it."""
