"""Exceptions raised when a plan, track or day cannot be resolved."""

from __future__ import annotations


class CurriculumError(Exception):
    """Base class for every error raised by the curriculum package."""


class UnknownPlan(CurriculumError):
    """The plan id is not one of PLAN_IDS."""


class UnknownTrack(CurriculumError):
    """The track is not part of the plan, or the day needs a track and none was given."""


class DayOutOfRange(CurriculumError):
    """The day is outside 1..length of the learner's sequence."""
