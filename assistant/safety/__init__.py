"""Safety: topics and risk detectors, the grounding guard, routing rules."""
