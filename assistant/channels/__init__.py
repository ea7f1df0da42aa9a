"""Outbound delivery. Each platform gets an adapter behind ``ChannelSender``."""
