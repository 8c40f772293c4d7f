"""Where retrospective charts live on disk (kept apart from the drawing code, which loads
matplotlib)."""

from __future__ import annotations

import shutil
from pathlib import Path


def chart_path(chart_dir: Path, recipient_type: str, recipient_id: int, week: str) -> Path:
    """One folder per recipient: rendering a week replaces the charts of earlier weeks."""
    return chart_dir / f"{recipient_type}-{recipient_id}" / f"retro-{week}.png"


def forget_charts(chart_dir: Path, recipient_type: str, recipient_id: int) -> None:
    """Delete every chart drawn for a recipient (the learner asked to be forgotten)."""
    shutil.rmtree(
        chart_path(chart_dir, recipient_type, recipient_id, "any").parent, ignore_errors=True
    )
