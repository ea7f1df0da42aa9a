"""The agent's tools around an item: internal notes with @mentions, snooze, search,
presence and reply macros. Each service checks its ``Actor``; the console calls them."""
