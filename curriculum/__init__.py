"""Study plans parsed from the Markdown sources in `data/`.

Pure: standard library only, no I/O beyond reading the bundled data files.
"""

from .errors import CurriculumError, DayOutOfRange, UnknownPlan, UnknownTrack
from .loader import PLAN_IDS, lesson_for, load_plan
from .model import Lesson, Paper, Plan, Reference, Section, Stage, Table, Track
from .outline import Outline, outline_of

__all__ = [
    "Reference",
    "Lesson",
    "Track",
    "Section",
    "Stage",
    "Table",
    "Paper",
    "Plan",
    "PLAN_IDS",
    "load_plan",
    "lesson_for",
    "Outline",
    "outline_of",
    "CurriculumError",
    "UnknownPlan",
    "UnknownTrack",
    "DayOutOfRange",
]
