"""Reply Assistant: grounded, disclosed reply drafts with a human approval queue."""

__version__ = "0.1.0"
