"""Governance: the tamper-evident audit chain, retention, data-subject requests, consent,
re-engagement and redaction of personal data in logs (SPEC §7)."""
