"""Background work: the job functions (process a message, learn, ingest, nightly eval, retry
stalled jobs), run by procrastinate workers on Postgres (``assistant worker``) or in-process
by ``assistant serve`` on the embedded SQLite default (``local.LocalRunner``)."""
