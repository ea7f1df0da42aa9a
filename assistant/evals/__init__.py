"""Evals: cases from approved replies and hand-written ones, graders, baseline comparison,
reports and run history (``assistant eval``; see docs/evals.md)."""
