"""Retrospective tests write their charts under the test's temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import RetroSettings, Settings


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    settings.retro = RetroSettings(chart_dir=tmp_path / "charts")
    return settings
