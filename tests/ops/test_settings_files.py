"""Settings for deployments: secrets read from files (Docker and Kubernetes secrets), nested
ones included, the environment winning over them; the admin allowlist as a comma list."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import settings as settings_module
from bot.settings import Settings


def test_secret_files_fill_nested_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "TUTORBOT_TELEGRAM__TOKEN").write_text("123:from-a-file\n")
    (tmp_path / "TUTORBOT_DATABASE__URL").write_text("postgresql+asyncpg://u:p@db/tutorbot")
    monkeypatch.setenv(settings_module.SECRETS_DIR_ENV, str(tmp_path))
    monkeypatch.setenv("TUTORBOT_DATABASE__URL", "sqlite+aiosqlite:///from-env.db")
    monkeypatch.delenv("TUTORBOT_TELEGRAM__TOKEN", raising=False)
    settings_module.get_settings.cache_clear()
    try:
        settings = settings_module.get_settings()
    finally:
        settings_module.get_settings.cache_clear()
    assert settings.telegram.token is not None
    assert settings.telegram.token.get_secret_value() == "123:from-a-file"
    assert settings.database.url == "sqlite+aiosqlite:///from-env.db"


def test_admins_are_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUTORBOT_ADMINS", " telegram:42, discord:7 ,,")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.admins == {"telegram:42", "discord:7"}
    monkeypatch.delenv("TUTORBOT_ADMINS")
    assert Settings(_env_file=None).admins == frozenset()  # type: ignore[call-arg]
