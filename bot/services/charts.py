"""The retrospective's chart: the week's reviews per day (bars) and retention (line), as a PNG.

Rendered with matplotlib's Agg canvas straight from a `Figure` (no pyplot, no GUI backend).
Chinese labels need a CJK font; without one the chart falls back to English labels.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from bot.services.chart_files import chart_path  # noqa: F401 - re-exported for callers
from bot.services.retros import DayStat

log = logging.getLogger(__name__)

# Preferred CJK families, smallest common install first (Debian: fonts-wqy-microhei).
CJK_FAMILIES = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
    "AR PL UMing CN",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
)
LATIN_FALLBACK = "DejaVu Sans"
BAR_COLOUR = "#4C78A8"
LINE_COLOUR = "#E45756"


@dataclass(frozen=True, slots=True)
class ChartLabels:
    title: str  # {first} and {last} are the week's first and last dates
    reviews: str
    retention: str
    weekdays: tuple[str, ...]  # Monday first
    date: str  # {month} and {day}


LABELS = {
    "zh": ChartLabels(
        title="{first} – {last} 每日复习与保持率",
        reviews="复习次数",
        retention="保持率",
        weekdays=("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
        date="{month}月{day}日",
    ),
    "en": ChartLabels(
        title="{first} – {last}: daily reviews and retention",
        reviews="reviews",
        retention="retention",
        weekdays=("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
        date="{month}/{day}",
    ),
}

# rcParams are global: renders take turns.
_render_lock = threading.Lock()


def _known_cjk_family() -> str | None:
    names = {
        entry.name for entry in font_manager.fontManager.ttflist if Path(entry.fname).is_file()
    }
    return next((family for family in CJK_FAMILIES if family in names), None)


def _fontconfig_cjk_files() -> list[str]:
    """Font files fontconfig says cover Chinese (empty without fontconfig)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        listing = subprocess.run(
            [fc_list, ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted(
        {line.strip().rstrip(":").strip() for line in listing.splitlines() if line.strip()}
    )


@cache
def cjk_font_family() -> str | None:
    """A CJK font family matplotlib can use, or None (logged once) when none is installed.

    matplotlib caches its font list on first use, so a font installed after that is unknown to
    it: the files fontconfig lists for Chinese are added explicitly."""
    family = _known_cjk_family()
    if family is not None:
        return family
    added: list[str] = []
    for path in _fontconfig_cjk_files():
        try:
            font_manager.fontManager.addfont(path)
        except Exception:  # noqa: BLE001 - a font matplotlib cannot read is simply skipped
            continue
        added += [entry.name for entry in font_manager.fontManager.ttflist if entry.fname == path]
    family = _known_cjk_family() or (added[0] if added else None)
    if family is None:
        log.warning(
            "no CJK font installed (e.g. Debian fonts-wqy-microhei, `make fonts`): "
            "retrospective charts use English labels"
        )
    return family


def chart_language(language: str) -> str:
    """The labels the chart can show: Chinese only with a CJK font."""
    if language == "zh" and cjk_font_family() is not None:
        return "zh"
    return "en"


def build_week_chart(days: Sequence[DayStat], language: str) -> Figure:
    """The figure, for rendering or inspection; call under `chart_style()`."""
    labels = LABELS[chart_language(language)]

    def date_label(day: DayStat) -> str:
        return labels.date.format(month=day.date.month, day=day.date.day)

    figure = Figure(figsize=(8, 4.8), dpi=110)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(days)))
    counts = [day.reviews for day in days]
    bars = axes.bar(positions, counts, color=BAR_COLOUR, width=0.6, label=labels.reviews)
    axes.bar_label(bars, labels=[str(count) if count else "" for count in counts], padding=2)
    # Bars keep to the lower half and the retention line to the upper part, so they never cross.
    highest = max(4, max(counts, default=0))
    axes.set_ylim(0, highest * 1.9)
    ticks = MaxNLocator(integer=True, nbins=4).tick_values(0, highest)
    axes.set_yticks([tick for tick in ticks if 0 <= tick <= highest])
    axes.set_ylabel(labels.reviews, loc="bottom")
    axes.set_xticks(
        positions,
        [f"{labels.weekdays[day.date.weekday()]}\n{date_label(day)}" for day in days],
    )
    axes.spines[["top"]].set_visible(False)

    rates = axes.twinx()
    measured = [(x, 100 * day.retention) for x, day in enumerate(days) if day.retention is not None]
    (line,) = rates.plot(
        [x for x, _ in measured],
        [value for _, value in measured],
        color=LINE_COLOUR,
        marker="o",
        linewidth=2,
        label=labels.retention,
    )
    for x, value in measured:
        rates.annotate(
            f"{value:.0f}%",
            (x, value),
            textcoords="offset points",
            xytext=(0, 7),
            ha="center",
            color=LINE_COLOUR,
            fontsize=8,
        )
    rates.set_ylim(-140, 115)
    rates.set_yticks([0, 50, 100])
    rates.yaxis.set_major_formatter(PercentFormatter(decimals=0))
    rates.set_ylabel(labels.retention, loc="top")
    rates.spines[["top"]].set_visible(False)
    axes.set_xlim(-0.6, len(days) - 0.4)

    axes.legend(
        handles=[bars, line],
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        frameon=False,
        ncols=2,
    )
    if days:
        figure.suptitle(labels.title.format(first=date_label(days[0]), last=date_label(days[-1])))
    figure.tight_layout()
    return figure


def chart_style() -> AbstractContextManager[None]:
    family = cjk_font_family()
    fonts = [family, LATIN_FALLBACK] if family else [LATIN_FALLBACK]
    return matplotlib.rc_context({"font.family": fonts, "axes.unicode_minus": False})


def render_week_chart(days: Sequence[DayStat], path: Path, language: str) -> Path:
    """Write the chart to `path` atomically; other charts in its folder (the recipient's
    earlier weeks) are removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with _render_lock, chart_style():
            build_week_chart(days, language).savefig(partial, format="png")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    for older in path.parent.glob("retro-*.png"):
        if older != path:
            older.unlink(missing_ok=True)
    return path
