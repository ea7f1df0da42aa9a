"""Meta's channels: Messenger, Instagram (DMs and comments), Facebook Page comments and
WhatsApp. Webhooks in (verified, stored, deduplicated, normalised), Graph API replies out."""
