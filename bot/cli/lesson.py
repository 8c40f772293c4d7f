"""`tutorbot lesson --plan ID [--track T] --day N [--json]`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from curriculum import PLAN_IDS, CurriculumError, lesson_for


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("lesson", help="print one lesson of a plan")
    parser.add_argument("--plan", required=True, choices=PLAN_IDS)
    parser.add_argument("--track", help="app, algo or fde (ai-fullstack-100 from Day 21)")
    parser.add_argument("--day", required=True, type=int)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        found = lesson_for(args.plan, args.track, args.day)
    except CurriculumError as error:
        print(f"tutorbot: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(found.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(f"{found.plan} · {found.track or 'common'} · Day {found.day}: {found.title}")
        for reference in found.references:
            print(f"  {reference.title} <{reference.url}>")
    return 0
