"""Reply Assistant review console: sign in, work the queue, and (leads) watch the numbers,
keep the knowledge in sync and export the audit log.

Run with ``assistant ui`` (or ``streamlit run ui/app.py``); settings come from the
environment. The frame and pages live in ``frame.py`` and ``views/``: Streamlit re-reads
this script on every run, so it stays this short."""

import frame

from assistant.governance import log_redaction

log_redaction.install()  # before anything logs: no personal data in the console's logs
frame.main()
