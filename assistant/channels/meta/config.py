"""``channels.yaml`` (in the knowledge folder or beside it): which pages, Instagram accounts
and WhatsApp numbers are connected, and the NAMES of the environment variables that hold
their tokens and app secrets. Secrets themselves only ever come from the environment."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.errors import KnowledgeError
from assistant.intake.messages import Channel
from assistant.knowledge import files, safe_yaml
from assistant.knowledge.yaml_lines import compose, line_of
from assistant.settings import Settings

FILE_NAME = "channels.yaml"
ENV_NAME = r"^[A-Z_][A-Z0-9_]{0,127}$"


class AccountKind(StrEnum):
    page = "page"  # a Facebook Page: Messenger DMs and Page comments
    instagram = "instagram"  # an Instagram professional account: DMs and comments
    whatsapp = "whatsapp"  # a WhatsApp Business phone-number id


class Template(BaseModel):
    """An approved WhatsApp template, for replies once the 24 h window has closed."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1, max_length=512)
    language: str = Field("en_US", min_length=2, max_length=15)


class Account(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    token_env: str = Field(pattern=ENV_NAME, description="Variable holding the access token.")
    app_secret_env: str | None = Field(None, pattern=ENV_NAME)
    name: str | None = Field(None, max_length=200, description="Shown in the console.")
    template: Template | None = None  # WhatsApp: sent outside the customer-service window


class ChannelsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    pages: dict[str, Account] = Field(default_factory=dict)
    instagram: dict[str, Account] = Field(default_factory=dict)
    whatsapp: dict[str, Account] = Field(default_factory=dict)


@dataclass(frozen=True)
class ChannelsConfig:
    """The connected accounts plus the app-wide secrets from the settings. Tokens are read
    from the environment when needed, so a rotated token needs no restart."""

    accounts: Mapping[tuple[AccountKind, str], Account]
    app_secret: str | None = None
    verify_token: str | None = None
    env: Mapping[str, str] | None = None  # tests pass their own; None = os.environ

    def _env(self, name: str) -> str | None:
        value = (self.env if self.env is not None else os.environ).get(name)
        return value or None

    def account(self, kind: AccountKind, account_id: str) -> Account | None:
        return self.accounts.get((kind, account_id))

    def token(self, kind: AccountKind, account_id: str) -> str | None:
        account = self.account(kind, account_id)
        return None if account is None else self._env(account.token_env)

    def messaging_channel(self, account_id: str) -> Channel | None:
        """The channel of a configured page or Instagram account (None: not configured)."""
        if (AccountKind.instagram, account_id) in self.accounts:
            return Channel.instagram
        if (AccountKind.page, account_id) in self.accounts:
            return Channel.facebook
        return None

    def app_secrets(self) -> list[str]:
        """Every secret a signature may be made with: the app's, plus per-account ones (an
        Instagram-login app has its own)."""
        found = [self.app_secret] if self.app_secret else []
        for account in self.accounts.values():
            if account.app_secret_env and (value := self._env(account.app_secret_env)):
                found.append(value)
        return list(dict.fromkeys(found))


def channels_file(knowledge_dir: Path) -> Path | None:
    for candidate in (knowledge_dir / FILE_NAME, knowledge_dir.parent / FILE_NAME):
        if files.exists(candidate):
            return candidate
    return None


def load_channels(settings: Settings, env: Mapping[str, str] | None = None) -> ChannelsConfig:
    """The settings' secrets plus ``channels.yaml`` if there is one; every problem in the
    file names its line."""
    secret, token = settings.meta_app_secret, settings.meta_verify_token
    base = ChannelsConfig(
        accounts={},
        app_secret=secret.get_secret_value() if secret else None,
        verify_token=token.get_secret_value() if token else None,
        env=env,
    )
    path = settings.channels_file or channels_file(settings.knowledge_dir)
    if path is None:
        return base
    parsed = parse_channels(path)
    accounts = {
        (kind, account_id): account
        for kind, table in (
            (AccountKind.page, parsed.pages),
            (AccountKind.instagram, parsed.instagram),
            (AccountKind.whatsapp, parsed.whatsapp),
        )
        for account_id, account in table.items()
    }
    return ChannelsConfig(accounts, base.app_secret, base.verify_token, env)


def parse_channels(path: Path) -> ChannelsFile:
    name = str(path)
    try:
        text = files.read_text(path.parent, path, name)
        data = safe_yaml.load(text)
    except files.FileError as exc:
        raise KnowledgeError([exc.message]) from None
    except safe_yaml.YamlError as exc:
        raise KnowledgeError([f"{name}:{exc.line or 1}: {exc.message}"]) from None
    if data is None:
        return ChannelsFile()
    if not isinstance(data, dict):
        raise KnowledgeError([f"{name}:1: expected pages:, instagram: and whatsapp: mappings"])
    tree = compose(text)
    problems = [
        f"{name}:{line_of(tree, [section, key]) or 1}: {section}: {key!r} is not a numeric id"
        for section in ("pages", "instagram", "whatsapp")
        for key in (data.get(section) or {})
        if isinstance(data.get(section), dict) and not re.fullmatch(r"\d{1,30}", str(key))
    ]
    try:
        parsed = ChannelsFile.model_validate(
            {
                k: {str(i): v for i, v in (d or {}).items()} if isinstance(d, dict) else d
                for k, d in data.items()
            }
        )
    except ValidationError as exc:
        for err in exc.errors():
            loc = list(err["loc"])
            field = ".".join(str(p) for p in loc)
            problems.append(f"{name}:{line_of(tree, loc) or 1}: {field}: {err['msg']}")
        raise KnowledgeError(problems) from None
    if problems:
        raise KnowledgeError(problems)
    return parsed
