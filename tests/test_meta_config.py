"""channels.yaml: accounts mapped to the NAMES of the variables holding their secrets, with
every mistake reported at its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from assistant.channels.meta.config import AccountKind, load_channels
from assistant.errors import KnowledgeError
from assistant.settings import Settings

GOOD = """\
pages:
  "104000000000001":
    token_env: SHOP_PAGE_TOKEN
    name: Shop page
instagram:
  "17841400000000002":
    token_env: SHOP_IG_TOKEN
    app_secret_env: SHOP_IG_APP_SECRET   # an Instagram-login app has its own secret
whatsapp:
  "106540352242922":
    token_env: SHOP_WA_TOKEN
    template: {name: follow_up, language: pt_BR}
"""


def with_file(settings: Settings, text: str, beside: bool = False) -> Path:
    folder = settings.knowledge_dir.parent if beside else settings.knowledge_dir
    path = folder / "channels.yaml"
    path.write_text(text)
    return path


def test_tokens_and_secrets_come_from_the_variables_the_file_names(settings: Settings) -> None:
    with_file(settings, GOOD)
    env = {"SHOP_PAGE_TOKEN": "p", "SHOP_IG_APP_SECRET": "ig-secret", "SHOP_WA_TOKEN": "w"}
    config = load_channels(settings.model_copy(update={"meta_app_secret": SecretStr("app")}), env)
    assert config.token(AccountKind.page, "104000000000001") == "p"
    assert config.token(AccountKind.instagram, "17841400000000002") is None  # not set
    assert config.token(AccountKind.page, "999") is None  # not configured
    assert config.app_secrets() == ["app", "ig-secret"]
    template = config.account(AccountKind.whatsapp, "106540352242922").template  # type: ignore[union-attr]
    assert template is not None and template.language == "pt_BR"


def test_the_file_may_sit_beside_the_knowledge_folder(settings: Settings) -> None:
    with_file(settings, GOOD, beside=True)
    config = load_channels(settings, {"SHOP_WA_TOKEN": "w"})
    assert config.token(AccountKind.whatsapp, "106540352242922") == "w"


def test_no_file_means_the_two_variables_alone(settings: Settings) -> None:
    config = load_channels(
        settings.model_copy(
            update={"meta_app_secret": SecretStr("s"), "meta_verify_token": SecretStr("v")}
        ),
        {},
    )
    assert (config.app_secrets(), config.verify_token, dict(config.accounts)) == (["s"], "v", {})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('pages:\n  "1":\n    token: X\n', ":3: pages.1.token: Extra inputs"),
        ('pages:\n  "1":\n    token_env: lower-case\n', ":3: pages.1.token_env: String should"),
        (
            'whatsapp:\n  "+1 555":\n    token_env: A\n',
            ":2: whatsapp: '+1 555' is not a numeric id",
        ),
        ("pages: [1, 2]\n", ":1: pages: Input should be a valid dictionary"),
        ('pages:\n  "1": {token_env: A\n', "channels.yaml:3: not valid YAML"),
        ("telegram: {}\n", ":1: telegram: Extra inputs"),
    ],
)
def test_mistakes_name_the_file_and_line(settings: Settings, text: str, expected: str) -> None:
    with_file(settings, text)
    with pytest.raises(KnowledgeError) as caught:
        load_channels(settings, {})
    assert expected in str(caught.value)
