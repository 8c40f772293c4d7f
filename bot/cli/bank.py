"""`tutorbot bank fmt | validate | stats | structural | generate | import`: the question banks.

Exit codes: 0 fine; 1 the banks (or a run) have problems: validation errors, `fmt --check`
finding unformatted files, structural output that does not validate, lessons the LLM failed on;
2 the command could not run: unreadable files, bad arguments, no LLM configured.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from bot.cli.common import add_db_option, database_url
from curriculum import PLAN_IDS, CurriculumError, Lesson, UnknownTrack, load_plan
from quizzes.banks import (
    BANKS_DIR,
    BankEntry,
    BankError,
    bank_files,
    bank_path,
    load_banks,
    normalise,
    parse_records,
    read_records,
    render_bank,
    write_bank,
)
from quizzes.model import Question
from quizzes.schema import check_record
from quizzes.similarity import DEFAULT_THRESHOLD

OK, PROBLEMS, CANNOT_RUN = 0, 1, 2


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("bank", help="question banks: format, validate, stats, generate")
    actions = parser.add_subparsers(dest="bank_command", required=True)

    fmt = actions.add_parser("fmt", help="rewrite bank files canonically, assigning missing ids")
    _add_root(fmt)
    fmt.add_argument("--check", action="store_true", help="only report files fmt would change")
    fmt.set_defaults(handler=run_fmt)

    validate = actions.add_parser("validate", help="check every question against every rule")
    _add_root(validate)
    validate.add_argument("--json", action="store_true", help="print JSON")
    validate.add_argument("--strict", action="store_true", help="warnings fail too")
    _add_embedding_options(validate)
    validate.set_defaults(handler=run_validate)

    stats = actions.add_parser("stats", help="question counts and lessons with too few")
    _add_root(stats)
    stats.add_argument("--json", action="store_true", help="print JSON")
    stats.add_argument("--min", type=int, default=3, help="a lesson needs this many (default 3)")
    stats.set_defaults(handler=run_stats)

    structural = actions.add_parser("structural", help="questions from the curriculum's tables")
    _add_root(structural)
    structural.add_argument("--plan", choices=PLAN_IDS, help="one plan (default: all)")
    structural.add_argument(
        "--write", action="store_true", help="write <root>/<plan>/structural.yaml"
    )
    _add_embedding_options(structural)
    structural.set_defaults(handler=run_structural)

    generate = actions.add_parser("generate", help="questions from the LLM (TUTORBOT_LLM__*)")
    _add_root(generate)
    generate.add_argument("--plan", required=True, choices=PLAN_IDS)
    generate.add_argument("--track", help="a track of the plan; without: its shared lessons")
    generate.add_argument("--days", type=_day_range, help="A-B or N (default: every day)")
    generate.add_argument(
        "--out", type=Path, help="output bank (default <root>/<plan>/generated-<track>.yaml)"
    )
    generate.add_argument("--concurrency", type=int, default=4, help="lessons at once")
    generate.add_argument("--per-lesson", type=int, default=3, help="questions asked per lesson")
    generate.add_argument("--timeout", type=float, default=120.0, help="seconds per LLM call")
    generate.add_argument("--retries", type=int, default=2, help="retries per LLM call")
    generate.add_argument("--fresh", action="store_true", help="ignore the state of earlier runs")
    generate.add_argument("--json", action="store_true", help="print the summary as JSON")
    generate.add_argument("--no-progress", action="store_true", help="no progress bar")
    _add_embedding_options(generate)
    generate.set_defaults(handler=run_generate)

    load = actions.add_parser("import", help="load the banks into the database (idempotent)")
    _add_root(load)
    add_db_option(load)
    load.set_defaults(handler=run_import)


def _add_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root", type=Path, default=BANKS_DIR, help="banks directory (default: the shipped one)"
    )


def _add_embedding_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-embeddings", action="store_true", help="skip the near-duplicate check (fast)"
    )
    parser.add_argument(
        "--threshold",
        type=float,
        default=DEFAULT_THRESHOLD,
        help=f"cosine above which stems are near-duplicates (default {DEFAULT_THRESHOLD})",
    )


def _day_range(text: str) -> tuple[int, int]:
    first, _, last = text.partition("-")
    try:
        start, end = int(first), int(last or first)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not N or A-B") from None
    if not 1 <= start <= end:
        raise argparse.ArgumentTypeError(f"{text!r} is not a range of days")
    return start, end


def _fail(message: str) -> int:
    print(f"tutorbot: {message}", file=sys.stderr)
    return CANNOT_RUN


def _missing_root(root: Path) -> int | None:
    return None if root.is_dir() else _fail(f"no banks directory {root}")


# fmt ----------------------------------------------------------------------------------------


def run_fmt(args: argparse.Namespace) -> int:
    if (status := _missing_root(args.root)) is not None:
        return status
    changed, broken = [], 0
    for path in bank_files(args.root):
        try:
            records = read_records(path)
        except BankError as error:
            print(f"tutorbot: {error}", file=sys.stderr)
            broken += 1
            continue
        problems = [
            f"{path} record {r.index + 1}: {p.message}"
            for r in records
            for p in check_record(r.data)
        ]
        if problems:
            print("\n".join(f"tutorbot: {problem}" for problem in problems), file=sys.stderr)
            broken += 1
            continue
        questions = normalise([record.data for record in records], _committed(path))
        if render_bank(questions) != path.read_text(encoding="utf-8"):
            changed.append(path)
            if not args.check:
                write_bank(path, questions)
    verb = "would rewrite" if args.check else "rewrote"
    for path in changed:
        print(f"{verb} {path}")
    print(f"fmt: {verb} {len(changed)} of {len(bank_files(args.root))} files")
    if broken:
        return _fail(f"{broken} file(s) left alone: fix them first (see above)")
    return PROBLEMS if args.check and changed else OK


def _committed(path: Path) -> dict[str, Question]:
    """The file's questions as last committed to git, to spot edits that need a version bump.
    Empty when there is no git, no repository or no committed copy."""
    try:
        shown = subprocess.run(
            ["git", "show", f"HEAD:./{path.name}"],
            cwd=path.parent,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    if shown.returncode != 0:
        return {}
    try:
        records = parse_records(shown.stdout, path)
    except BankError:
        return {}
    before = {}
    for record in records:
        if (
            isinstance(record.data, dict)
            and record.data.get("id")
            and not check_record(record.data)
        ):
            question = Question.from_record(dict(record.data))
            before[question.id] = question
    return before


# validate -----------------------------------------------------------------------------------


def run_validate(args: argparse.Namespace) -> int:
    from quizzes.report import format_report, report_dict
    from quizzes.validate import validate_banks

    if (status := _missing_root(args.root)) is not None:
        return status
    report = validate_banks(args.root, embeddings=not args.no_embeddings, threshold=args.threshold)
    if args.json:
        print(json.dumps(report_dict(report, args.strict), ensure_ascii=False, indent=2))
    else:
        print(format_report(report, args.strict))
    return OK if report.passed(args.strict) else PROBLEMS


# stats --------------------------------------------------------------------------------------


def run_stats(args: argparse.Namespace) -> int:
    from quizzes.stats import bank_stats, format_stats

    if (status := _missing_root(args.root)) is not None:
        return status
    try:
        questions = [entry.question for entry in load_banks(args.root)]
    except BankError as error:
        return _fail(f"{error} (run `tutorbot bank validate`)")
    stats = bank_stats(questions, minimum=args.min)
    if args.json:
        print(json.dumps(stats.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_stats(stats))
    return OK


# structural ---------------------------------------------------------------------------------


def run_structural(args: argparse.Namespace) -> int:
    from quizzes.generators.structural import STRUCTURAL_FILE, structural_path, structural_questions
    from quizzes.validate import validate_entries

    if (status := _missing_root(args.root)) is not None:
        return status
    plans = [args.plan] if args.plan else list(PLAN_IDS)
    try:
        entries = load_banks(args.root)
    except BankError as error:
        return _fail(f"{error} (run `tutorbot bank validate`)")
    # The plans' current structural files are being replaced, so they do not count.
    others = [
        entry
        for entry in entries
        if not (entry.path.name == STRUCTURAL_FILE and entry.path.parent.name in plans)
    ]
    embeddings = not args.no_embeddings
    generated: dict[str, list[Question]] = {}
    for plan in plans:
        generated[plan] = structural_questions(
            plan, existing=others, embeddings=embeddings, threshold=args.threshold
        )
    new_entries = [
        BankEntry(question, structural_path(plan, args.root), index)
        for plan, questions in generated.items()
        for index, question in enumerate(questions)
    ]
    issues = [
        issue
        for issue in validate_entries(
            [*others, *new_entries], embeddings=embeddings, threshold=args.threshold
        )
        if issue.question_id in {entry.question.id for entry in new_entries}
    ]
    for plan, questions in generated.items():
        families = Counter(question.tags[0] for question in questions if question.tags)
        listed = ", ".join(f"{family} {count}" for family, count in sorted(families.items()))
        print(f"{plan}: {len(questions)} structural questions ({listed})")
    if issues:
        for issue in issues:
            print(f"  {issue.severity} {issue.code} [{issue.question_id}] {issue.message}")
        print(
            "tutorbot: the structural questions do not validate; nothing written", file=sys.stderr
        )
        return PROBLEMS
    for plan, questions in generated.items():
        path = structural_path(plan, args.root)
        if args.write:
            write_bank(path, questions)
            print(f"wrote {path}")
        else:
            print(f"would write {path} (dry run: --write to save)")
    return OK


# generate -----------------------------------------------------------------------------------


async def run_generate(args: argparse.Namespace) -> int:
    from bot.settings import get_settings

    llm = get_settings().llm
    if not (llm.base_url and llm.model):
        return _fail(
            "no LLM configured: set TUTORBOT_LLM__BASE_URL and TUTORBOT_LLM__MODEL "
            "(and TUTORBOT_LLM__API_KEY if the server wants one)"
        )
    if (status := _missing_root(args.root)) is not None:
        return status
    try:
        lessons = _lessons(args.plan, args.track, args.days)
    except CurriculumError as error:
        return _fail(str(error))
    if not lessons:
        return _fail(f"no {args.track or 'shared'} lessons of {args.plan} on days {args.days}")
    try:
        existing = [entry.question for entry in load_banks(args.root)]
    except BankError as error:
        return _fail(f"{error} (run `tutorbot bank validate`)")

    import openai

    from quizzes.generators.llm import generate_questions
    from quizzes.similarity import embed_passages

    client = openai.AsyncOpenAI(
        base_url=llm.base_url,
        # Local vLLM servers accept any key; the client insists on one.
        api_key=llm.api_key.get_secret_value() if llm.api_key else "EMPTY",
        timeout=args.timeout,
        max_retries=args.retries,
    )
    try:
        summary = await generate_questions(
            lessons,
            client=client,
            model=llm.model,
            out=args.out or bank_path(args.plan, args.track, args.root, prefix="generated-"),
            existing=existing,
            embed=None if args.no_embeddings else embed_passages,
            threshold=args.threshold,
            per_lesson=args.per_lesson,
            concurrency=args.concurrency,
            progress=not args.no_progress,
            fresh=args.fresh,
        )
    finally:
        await client.close()
    if args.json:
        print(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(summary.format())
    if summary.failed:
        print(
            f"tutorbot: {summary.failed} lesson(s) failed; run again to retry them",
            file=sys.stderr,
        )
        return PROBLEMS
    return OK


def _lessons(plan_id: str, track: str | None, days: tuple[int, int] | None) -> list[Lesson]:
    """The plan's own lessons of `track` (None: the shared ones), so that every lesson lands
    in exactly one generated file."""
    plan = load_plan(plan_id)
    if track is not None and track not in plan.tracks:
        raise UnknownTrack(f"{plan_id} has no track {track!r}")
    first, last = days or (1, plan.total_days)
    return [
        lesson for lesson in plan.lessons if lesson.track == track and first <= lesson.day <= last
    ]


# import -------------------------------------------------------------------------------------


async def run_import(args: argparse.Namespace) -> int:
    """Changed questions update in place, removed ones are retired; review history stays."""
    from bot.app import build_app, check_schema
    from bot.services.bank_import import BanksRefused, checked_bank_questions, import_questions
    from bot.settings import get_settings
    from quizzes.report import format_report

    if (missing := _missing_root(args.root)) is not None:
        return missing
    url = database_url(args)
    await check_schema(url)
    try:
        questions = checked_bank_questions(args.root)
    except BanksRefused as refused:
        print(format_report(refused.report), file=sys.stderr)
        return _fail("nothing imported: fix the errors above first")
    except BankError as error:
        return _fail(f"{error} (run `tutorbot bank validate`)")
    app = build_app(get_settings(), url)
    try:
        async with app.sessions() as session, session.begin():
            imported = await import_questions(session, questions)
    finally:
        await app.close()
    print(
        f"banks: {imported.total} questions ({imported.added} added, {imported.updated} updated, "
        f"{imported.unchanged} unchanged, {imported.retired} retired)"
    )
    if imported.skipped:
        print(
            f"skipped {len(imported.skipped)} questions whose lesson is not loaded: run `tutorbot curriculum load`"
        )
        return PROBLEMS
    return OK
