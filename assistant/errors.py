"""The error hierarchy. Edges (CLI, UI) turn these into exit codes or on-screen messages."""


class AssistantError(Exception):
    """Base class: every message says what is wrong and how to fix it."""

    exit_code = 1


class ConfigError(AssistantError):
    """A setting is missing or invalid."""

    exit_code = 2


class KnowledgeError(AssistantError):
    """One or more knowledge files are invalid; ``problems`` lists each with file and line."""

    exit_code = 3

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        count = len(problems)
        header = f"{count} problem{'s' if count != 1 else ''} in the knowledge folder:"
        super().__init__("\n".join([header, *(f"  {p}" for p in problems)]))


class SearchIndexError(AssistantError):
    """The Chroma index cannot be opened or used."""

    exit_code = 4


class ModelError(AssistantError):
    """The language model failed (timeout, rate limit, server error, malformed output)."""


class NotFoundError(AssistantError):
    """A queue item, order or customer does not exist."""

    exit_code = 5


class ConflictError(AssistantError):
    """Someone else changed the item first; nothing was overwritten."""

    exit_code = 6


class AuthError(AssistantError):
    """Sign-in refused. Never says which part of a sign-in was wrong, and never carries
    the password."""

    exit_code = 7


class ForbiddenError(AssistantError):
    """The signed-in user's role does not allow this action."""

    exit_code = 8


class StorageError(AssistantError):
    """The database cannot be read or written (read-only file, full disk, server down)."""

    exit_code = 9


def storage_error(exc: BaseException) -> StorageError | None:
    """The plain-words form of a database failure, or None if ``exc`` is something else.
    Checked by module name so this file imports no database library."""
    kind = type(exc)
    if not kind.__module__.startswith(("sqlite3", "sqlalchemy", "psycopg")):
        return None
    if kind.__name__ not in ("OperationalError", "InterfaceError", "DatabaseError"):
        return None  # an integrity or programming error is a bug, not an outage
    detail = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
    return StorageError(
        f"The database could not be used ({detail}). Check that the data folder "
        "(ASSISTANT_DATA_DIR) is writable and the disk is not full, or that the database "
        "server is up; nothing was changed."
    )
