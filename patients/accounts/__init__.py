"""Accounts: sign-in with a second factor (TOTP and recovery codes), session limits, lockout of repeated
failed logins and their unlocking by a site admin."""
