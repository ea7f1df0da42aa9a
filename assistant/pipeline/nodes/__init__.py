"""The graph's nodes, one module per job. Each is a plain function of the state and the
runtime context (``Services``), so it can be called directly in tests."""
