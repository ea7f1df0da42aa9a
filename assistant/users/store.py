"""Console accounts: add, list, disable and enable, passwords, sign-in with lockout.

Every sign-in, failed sign-in and change to an account is an audit event (``item_id`` None),
never with the password. A failed sign-in says the same thing whatever went wrong (unknown
name, wrong password, disabled account), so the console does not reveal who has an account.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from assistant.errors import AuthError, ConfigError, ConflictError, NotFoundError
from assistant.review.models import AuditAction, AuditEvent
from assistant.users.lockouts import fail_unknown_name
from assistant.users.models import User
from assistant.users.passwords import (
    MAX_LENGTH,
    check_policy,
    dummy_hash,
    hash_password,
    verify_password,
)
from assistant.users.roles import Role
from assistant.users.sessions import revoke_sessions

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)

SIGN_IN_FAILED = "Sign-in failed: the user name or password is wrong, or the account is disabled."
LOCKED_OUT = (
    "Too many failed sign-ins for this user name: try again later "
    f"(in up to {LOCKOUT.seconds // 60} minutes), or ask an admin to reset the password."
)

NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._@+-]{0,63}")
# Actor names the pipeline itself writes into audit events.
RESERVED_NAMES = frozenset({"auto", "unknown", "system"})


def normalise_name(name: str) -> str:
    """The stored handle: trimmed and lowercased. Raises ConfigError if it cannot be one."""
    handle = name.strip().lower()
    if not NAME_PATTERN.fullmatch(handle):
        raise ConfigError(
            f"{name.strip()!r} cannot be a user name: use 1-64 letters, digits or . _ @ + -, "
            "starting with a letter or digit (e.g. 'maya' or 'maya@fernhill.example')."
        )
    if handle in RESERVED_NAMES:
        raise ConfigError(f"'{handle}' is reserved for the assistant itself; pick another name.")
    return handle


class UserStore:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] | None = None) -> None:
        self.engine = engine
        self._clock = clock or (lambda: datetime.now(UTC))

    def _now(self) -> datetime:
        return self._clock().astimezone(UTC)

    # -- reading -----------------------------------------------------------------------

    def get(self, name: str) -> User:
        handle = name.strip().lower()
        with Session(self.engine) as session:
            user = session.exec(select(User).where(User.name == handle)).first()
        if user is None:
            raise NotFoundError(
                f"There is no user named {handle!r}; 'assistant users list' shows them."
            )
        return user

    def find(self, name: str) -> User | None:
        """The user or None, in one plain read: the console checks it on every click."""
        table = User.__table__  # type: ignore[attr-defined]
        query = select(*table.columns).where(table.c.name == name.strip().lower())
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return User(**row) if row is not None else None

    def list(self) -> builtins.list[User]:
        with Session(self.engine) as session:
            return builtins.list(session.exec(select(User).order_by(col(User.name))).all())

    def count(self) -> int:
        with Session(self.engine) as session:
            return int(session.exec(select(func.count()).select_from(User)).one())

    # -- changing accounts -------------------------------------------------------------

    def add(
        self,
        name: str,
        role: Role | str,
        password: str,
        *,
        by: str,
        display_name: str | None = None,
    ) -> User:
        """Create an account; ConflictError if the name (in any case) is taken."""
        handle = normalise_name(name)
        role_ = Role(role)
        check_policy(password, handle)
        user = User(
            name=handle,
            display_name=(display_name or "").strip() or None,
            role=role_,
            password_hash=hash_password(password),
            created_at=self._now(),
        )
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                session.add(user)
                session.add(
                    self._event(by, AuditAction.user_added, f"user {handle} as {role_.value}")
                )
                session.commit()
        except IntegrityError:
            raise ConflictError(
                f"There is already a user named {handle!r}: pick another name, or reset "
                f"their password with 'assistant users password {handle}'."
            ) from None
        return user

    def disable(self, name: str, *, by: str) -> User:
        """Refuse this account's sign-ins from now on (its audit history stays)."""
        user = self.get(name)
        if user.disabled_at is not None:
            return user
        self._keep_an_admin(user, f"disable {user.name}")
        changed = self._change(
            user, AuditAction.user_disabled, f"user {user.name}", by, disabled_at=self._now()
        )
        revoke_sessions(self.engine, user.name, self._now())  # signed out of every console
        return changed

    def enable(self, name: str, *, by: str) -> User:
        user = self.get(name)
        return self._change(
            user,
            AuditAction.user_enabled,
            f"user {user.name}",
            by,
            disabled_at=None,
            failed_attempts=0,
            locked_until=None,
        )

    def set_password(self, name: str, password: str, *, by: str) -> User:
        """Replace the password (and lift a lockout): for a user, or an admin resetting it."""
        user = self.get(name)
        check_policy(password, user.name)
        changed = self._change(
            user,
            AuditAction.password_changed,
            f"user {user.name}",
            by,
            password_hash=hash_password(password),
            failed_attempts=0,
            locked_until=None,
        )
        revoke_sessions(self.engine, user.name, self._now())  # an old sign-in ends with it
        return changed

    def set_role(self, name: str, role: Role | str, *, by: str) -> User:
        user = self.get(name)
        role_ = Role(role)
        if role_ != Role.admin:
            self._keep_an_admin(user, f"make {user.name} {role_.value}")
        return self._change(
            user, AuditAction.role_changed, f"user {user.name}", by, role=role_, before=user.role
        )

    def _keep_an_admin(self, user: User, what: str) -> None:
        if user.role != Role.admin or user.disabled_at is not None:
            return
        with Session(self.engine) as session:
            admins = session.exec(
                select(func.count())
                .select_from(User)
                .where(User.role == Role.admin, col(User.disabled_at).is_(None))
            ).one()
        if admins <= 1:
            raise ConflictError(
                f"Cannot {what}: {user.name} is the only active admin. Add or enable another "
                "admin first."
            )

    def _change(
        self,
        user: User,
        action: AuditAction,
        reason: str,
        by: str,
        before: str | None = None,
        **values: object,
    ) -> User:
        after = str(values["role"]) if "role" in values else None
        with Session(self.engine) as session:
            session.execute(update(User).where(col(User.id) == user.id).values(**values))
            session.add(self._event(by, action, reason, before=before, after=after))
            session.commit()
        return self.get(user.name)

    # -- signing in --------------------------------------------------------------------

    def authenticate(self, name: str, password: str) -> User:
        """The signed-in user, or AuthError with one message for every kind of failure
        (another, saying to try later, while the name is locked out)."""
        now = self._now()
        handle = name.strip().lower()
        with Session(self.engine) as session:
            user = session.exec(select(User).where(User.name == handle)).first()
        # Always one scrypt, against a dummy hash for unknown names: the time taken does
        # not tell whether the name exists. Longer input than any password is still hashed
        # (cut to size) and can never match.
        attempt = password[: MAX_LENGTH + 1]
        matches = verify_password(attempt, user.password_hash if user else dummy_hash())
        if user is None:
            locked = fail_unknown_name(self.engine, handle, now, MAX_FAILED_ATTEMPTS, LOCKOUT)
            self._audit("unknown", AuditAction.sign_in_failed, "unknown user name")
            raise AuthError(LOCKED_OUT if locked else SIGN_IN_FAILED)
        if user.locked_until is not None and user.locked_until > now:
            self._audit(user.name, AuditAction.sign_in_failed, "locked out after failed sign-ins")
            raise AuthError(LOCKED_OUT)
        if not matches or len(password) > MAX_LENGTH:
            self._failed(user, now)
            raise AuthError(SIGN_IN_FAILED)
        if user.disabled_at is not None:
            self._audit(user.name, AuditAction.sign_in_failed, "account disabled")
            raise AuthError(SIGN_IN_FAILED)
        with Session(self.engine) as session:
            session.execute(
                update(User)
                .where(col(User.id) == user.id)
                .values(failed_attempts=0, locked_until=None, last_sign_in_at=now)
            )
            session.add(self._event(user.name, AuditAction.sign_in, None, at=now))
            session.commit()
        return self.get(user.name)

    def _failed(self, user: User, now: datetime) -> None:
        with Session(self.engine) as session:
            session.execute(
                update(User)
                .where(col(User.id) == user.id)
                .values(failed_attempts=User.failed_attempts + 1)
            )
            attempts = session.exec(select(User.failed_attempts).where(User.id == user.id)).one()
            reason = "wrong password"
            if attempts >= MAX_FAILED_ATTEMPTS:
                session.execute(
                    update(User)
                    .where(col(User.id) == user.id)
                    .values(failed_attempts=0, locked_until=now + LOCKOUT)
                )
                reason += f"; locked out for {LOCKOUT.seconds // 60} minutes"
            session.add(self._event(user.name, AuditAction.sign_in_failed, reason, at=now))
            session.commit()

    # -- audit -------------------------------------------------------------------------

    def _event(
        self,
        actor: str,
        action: AuditAction,
        reason: str | None,
        *,
        at: datetime | None = None,
        before: str | None = None,
        after: str | None = None,
    ) -> AuditEvent:
        return AuditEvent(
            item_id=None,
            actor=actor,
            action=action,
            at=at or self._now(),
            reason=reason,
            before_text=before,
            after_text=after,
        )

    def _audit(self, actor: str, action: AuditAction, reason: str | None) -> None:
        with Session(self.engine) as session:
            session.add(self._event(actor, action, reason))
            session.commit()
