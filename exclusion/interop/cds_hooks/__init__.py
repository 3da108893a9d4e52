"""A CDS Hooks 2.0 service (`patient-view`, id `cno-exclusion`): discovery, cards, feedback, and the JWT
trust of registered CDS clients."""
