"""A local stand-in for Meta: a fake Graph API that records sends and answers like Meta
(windows, rate limits, token errors, Meta's error body), and a webhook sender that signs,
batches, retries and duplicates as Meta does. For tests, the demo and the benchmarks."""
