"""The audit trail as site admins read it: a filtered page and a CSV export (itself audited)."""
