"""Inbound messages: their schema and readers."""
