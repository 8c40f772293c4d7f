"""The week's chart: a PNG whose Chinese labels are drawn with a font that has the glyphs."""

from __future__ import annotations

import datetime as dt
import os
import re
import warnings
from pathlib import Path

import pytest
from matplotlib import font_manager
from matplotlib.text import Text

from bot.services import charts
from bot.services.retros import DayStat
from tests.retro.support import png_size

CJK = re.compile(r"[\u4e00-\u9fff]")
WEEK = [
    DayStat(dt.date(2026, 3, 2) + dt.timedelta(days=offset), reviews, retention)
    for offset, (reviews, retention) in enumerate(
        [(5, 0.8), (0, None), (12, 0.75), (3, 1.0), (8, 0.0), (0, None), (15, 0.93)]
    )
]


def require_cjk_font() -> str:
    family = charts.cjk_font_family()
    if family is None:
        message = "no CJK font installed: run `make fonts` (Debian: fonts-wqy-microhei)"
        if os.environ.get("TUTORBOT_REQUIRE_CJK_FONT") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return family


def drawn_texts(language: str) -> list[Text]:
    with charts.chart_style():
        figure = charts.build_week_chart(WEEK, language)
        figure.canvas.draw()
        return [text for text in figure.findobj(Text) if text.get_visible() and text.get_text()]


def test_chinese_labels_are_drawn_with_a_cjk_font_that_has_every_glyph() -> None:
    family = require_cjk_font()
    with charts.chart_style():
        figure = charts.build_week_chart(WEEK, "zh")
        figure.canvas.draw()
        chinese = [
            text
            for text in figure.findobj(Text)
            if text.get_visible() and CJK.search(text.get_text())
        ]
        labels = " ".join(text.get_text() for text in chinese)
        for expected in ("每日复习与保持率", "复习次数", "保持率", "周一", "周日", "3月8日"):
            assert expected in labels
        for text in chinese:
            path = font_manager.findfont(text.get_fontproperties(), fallback_to_default=False)
            font = font_manager.get_font(path)
            assert font.family_name == family
            missing = [
                char for char in CJK.findall(text.get_text()) if not font.get_char_index(ord(char))
            ]
            assert not missing, f"{text.get_text()!r} lacks glyphs {missing} in {path}"


def test_rendering_chinese_warns_of_no_missing_glyph_and_writes_a_png(tmp_path: Path) -> None:
    require_cjk_font()
    path = charts.chart_path(tmp_path, "learner", 7, "2026-W10")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        assert charts.render_week_chart(WEEK, path, "zh") == path
    assert png_size(path) == (880, 528)
    assert path.stat().st_size > 10_000


def test_a_new_week_replaces_the_recipient_s_older_chart_only(tmp_path: Path) -> None:
    first = charts.render_week_chart(
        WEEK, charts.chart_path(tmp_path, "learner", 7, "2026-W10"), "en"
    )
    other = charts.render_week_chart(
        WEEK, charts.chart_path(tmp_path, "learner", 8, "2026-W10"), "en"
    )
    second = charts.render_week_chart(
        WEEK, charts.chart_path(tmp_path, "learner", 7, "2026-W11"), "en"
    )
    assert not first.exists() and second.is_file() and other.is_file()
    assert sorted(path.name for path in tmp_path.rglob("*")) == [
        "learner-7",
        "learner-8",
        "retro-2026-W10.png",
        "retro-2026-W11.png",
    ]


def test_without_a_cjk_font_the_labels_are_english(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(charts, "cjk_font_family", lambda: None)
    assert charts.chart_language("zh") == "en"
    texts = " ".join(text.get_text() for text in drawn_texts("zh"))
    assert "daily reviews and retention" in texts and "Mon" in texts
    assert not CJK.search(texts)
    path = charts.render_week_chart(WEEK, tmp_path / "x" / "retro-2026-W10.png", "zh")
    assert png_size(path) == (880, 528)


def test_an_empty_week_still_renders(tmp_path: Path) -> None:
    empty = [DayStat(day.date, 0, None) for day in WEEK]
    path = charts.render_week_chart(empty, tmp_path / "e" / "retro-2026-W10.png", "en")
    assert png_size(path) == (880, 528)
