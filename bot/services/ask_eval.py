"""`make eval`: retrieval and extractive answers on ../shared/eval/ask_dev.jsonl (or a given
set), over the index the bot itself builds: both plans, the cited papers' catalog and the
question banks. The index folder is kept (data/index-eval) and synced, not rebuilt."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bot.services.ask_sources import shipped_bank_documents
from bot.settings import get_settings
from retrieval import EmbeddingConfig, IndexConfig, RetrievalConfig, Retriever
from retrieval.eval import DEFAULT_SET, load_questions, report
from retrieval.index import FUSIONS

DEFAULT_INDEX = Path("data") / "index-eval"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.services.ask_eval", description=__doc__)
    parser.add_argument("questions", nargs="?", type=Path, default=DEFAULT_SET)
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX, help="local index folder")
    parser.add_argument("--fusion", choices=FUSIONS, default="rrf")
    args = parser.parse_args(argv)
    questions = load_questions(args.questions)
    settings = get_settings()
    config = RetrievalConfig(
        index=IndexConfig(path=args.index, fusion=args.fusion),
        embeddings=EmbeddingConfig(cache_path=settings.embeddings.cache_path),
    )
    started = time.perf_counter()
    retriever = Retriever.open(config, documents=shipped_bank_documents)
    try:
        retriever.reindex()
        built = time.perf_counter() - started
        report(retriever, questions, args.questions.name, args.fusion)
        print(f"(index ready in {built:.1f} s, {retriever.index.count()} chunks)", file=sys.stderr)
    finally:
        retriever.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
