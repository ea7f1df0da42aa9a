"""The review queue: items, decisions, audit trail and the outbox."""
