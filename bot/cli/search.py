"""Retrieval from the command line:

tutorbot search "QUERY" [--k K] [--json]      hybrid search over the curriculum and papers
tutorbot ask "QUESTION" [--json]              a cited answer (model or extractive)
tutorbot index                                bring the search index up to date
tutorbot papers add PATH|URL|ARXIV_ID ...     add papers (PDF, HTML, Markdown)
tutorbot papers list                          the papers the plans cite, and which are added
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.settings import get_settings
from retrieval.store import IndexBusyError


def register(subparsers: Any) -> None:
    search = subparsers.add_parser("search", help="hybrid search over the curriculum and papers")
    search.add_argument("query")
    search.add_argument("--k", type=int, default=5, help="how many passages (default 5)")
    _scope_options(search)
    search.add_argument("--json", action="store_true", help="print JSON")
    search.set_defaults(handler=run_search)

    ask = subparsers.add_parser("ask", help="answer a question from the curriculum, with sources")
    ask.add_argument("question")
    _scope_options(ask)
    ask.add_argument("--json", action="store_true", help="print JSON")
    ask.set_defaults(handler=run_ask)

    index = subparsers.add_parser("index", help="bring the search index up to date")
    index.set_defaults(handler=run_index)

    papers = subparsers.add_parser("papers", help="papers the answers can quote")
    actions = papers.add_subparsers(dest="papers_command", required=True)
    add = actions.add_parser("add", help="add PDF/HTML/Markdown files, URLs or arXiv ids")
    add.add_argument("sources", nargs="+", metavar="PATH|URL|ARXIV_ID")
    add.set_defaults(handler=run_papers_add)
    listing = actions.add_parser("list", help="the papers the plans cite")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=run_papers_list)


def _scope_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plan", help="prefer passages of this plan")
    parser.add_argument("--track", help="prefer passages of this track")


def _scope(args: argparse.Namespace) -> Any:
    from retrieval import Scope

    return Scope(plan=args.plan, track=args.track) if args.plan or args.track else None


def _fail(message: str, code: int = 2) -> int:
    print(f"tutorbot: {message}", file=sys.stderr)
    return code


def _retriever(engine: Any, ready: bool = False) -> Any:
    """The engine's retriever (`ready`: with its index built), or None after saying why it
    cannot be opened."""
    try:
        retriever = engine.retriever
        if ready and retriever.index.count() == 0:
            print("building the search index (a few minutes the first time)…", file=sys.stderr)
        if ready:
            retriever.ensure_curriculum()
        return retriever
    except IndexBusyError as error:
        _fail(str(error), 1)
        return None


async def run_search(args: argparse.Namespace) -> int:
    from bot.services.ask_engine import AskEngine

    if not args.query.strip():
        return _fail("the query is empty")
    if args.k < 1:
        return _fail("--k must be at least 1")
    engine = AskEngine(get_settings())
    try:
        if (retriever := _retriever(engine, ready=True)) is None:
            return 1
        hits = retriever.search(args.query, args.k, scope=_scope(args))
    except IndexBusyError as error:
        return _fail(str(error), 1)
    finally:
        await engine.close()
    rows = [
        {
            "text": hit.chunk.text,
            "score": round(hit.score, 4),
            "source": hit.chunk.source,
            "plan": hit.chunk.plan,
            "track": hit.chunk.track,
            "day": hit.chunk.day,
            "url": hit.chunk.url,
        }
        for hit in hits
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for number, (hit, row) in enumerate(zip(hits, rows, strict=True), 1):
        print(f"[{number}] {row['score']:.4f} {hit.chunk.text.splitlines()[0]}")
        for text_line in hit.chunk.text.splitlines()[1:]:
            print(f"    {text_line}")
        if row["url"]:
            print(f"    <{row['url']}>")
    return 0


async def run_ask(args: argparse.Namespace) -> int:
    from bot.core.ask import DEFAULT_SOURCES, answer_text
    from bot.core.i18n import translator
    from bot.services.ask_engine import AskEngine
    from retrieval import detect_language

    settings = get_settings()
    question = args.question.strip()
    if not question:
        return _fail("the question is empty")
    if len(question) > settings.ask.max_question_chars:
        return _fail(
            f"the question is {len(question)} characters long; "
            f"keep it under {settings.ask.max_question_chars}"
        )
    language = detect_language(question)
    engine = AskEngine(settings)
    try:
        # Built here and now when empty: a command has no later turn to be told to wait for.
        if _retriever(engine, ready=True) is None:
            return 1
        passages = await engine.search(question, scope=_scope(args))
        final = [draft async for draft in engine.drafts(question, passages, language)][-1]
    except IndexBusyError as error:
        return _fail(str(error), 1)
    finally:
        await engine.close()
    cited = [number for number in final.cited() if 1 <= number <= len(passages)]
    shown = [passages[n - 1] for n in cited] or list(passages[:DEFAULT_SOURCES])
    answer = answer_text(final, translator(language))
    if args.json:
        print(
            json.dumps(
                {
                    "answer": answer,
                    "mode": final.mode,
                    "citations": [passage.citation() for passage in shown],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    print(answer)
    print()
    for passage in shown:
        url = passage.chunk.url or (passage.chunk.links[0].url if passage.chunk.links else "")
        print(f"[{passage.number}] {passage.label}" + (f" <{url}>" if url else ""))
    return 0


async def run_index(args: argparse.Namespace) -> int:
    from bot.services.ask_engine import AskEngine

    engine = AskEngine(get_settings())
    print("indexing the study plans, cited papers and question banks…", file=sys.stderr)
    try:
        if (retriever := _retriever(engine)) is None:
            return 1
        report = retriever.reindex()
        total = retriever.index.count()
    finally:
        await engine.close()
    print(
        f"index: {total} chunks ({report.added} added, {report.updated} updated, "
        f"{report.removed} removed, {report.unchanged} unchanged)"
    )
    return 0


async def run_papers_add(args: argparse.Namespace) -> int:
    from bot.services.ask_engine import AskEngine
    from retrieval import PaperError

    engine = AskEngine(get_settings())
    failed = 0
    try:
        if (retriever := _retriever(engine)) is None:
            return 1
        for source in args.sources:
            try:
                added = retriever.add_paper(source)
            except PaperError as error:
                print(f"tutorbot: {error}", file=sys.stderr)
                failed += 1
                continue
            report = added.report
            name = f"{added.title} (arXiv {added.arxiv_id})" if added.arxiv_id else added.title
            print(
                f"{name}: {report.added + report.updated + report.unchanged} chunks "
                f"({report.added} added, {report.updated} updated, {report.removed} removed) "
                f"from {added.path}"
            )
    finally:
        await engine.close()
    return 1 if failed else 0


async def run_papers_list(args: argparse.Namespace) -> int:
    from bot.services.ask_engine import AskEngine

    engine = AskEngine(get_settings())
    try:
        if (retriever := _retriever(engine)) is None:
            return 1
        catalog = retriever.catalog()
    finally:
        await engine.close()
    if args.json:
        rows = [
            {
                "arxiv_id": paper.arxiv_id,
                "title": paper.title,
                "url": paper.url,
                "cited_by": list(paper.cited_by),
                "added": added,
            }
            for paper, added in catalog
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for paper, added in catalog:
        print(f"{'✓' if added else ' '} {paper.describe()}")
    return 0
