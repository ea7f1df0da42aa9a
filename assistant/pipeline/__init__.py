"""The LangGraph pipeline: screen → classify → retrieve → draft → verify → route → review/send."""
