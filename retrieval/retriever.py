"""One long-lived object for everything retrieval: the index, the curriculum in it, papers."""

from __future__ import annotations

import logging
import re
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from curriculum import PLAN_IDS, load_plan

from .catalog import CATALOG_DOC, CitedPaper, catalog_chunks, paper_catalog
from .curriculum_chunks import plan_chunks, plan_doc
from .embeddings import build_embeddings
from .glossary import expand_query
from .index import HybridIndex
from .model import Chunk, Hit, RetrievalConfig, Scope, SyncReport
from .papers import (
    SUFFIXES,
    PaperError,
    arxiv_id_of,
    fetch,
    is_url,
    paper_chunks,
    paper_doc,
    paper_name,
    read,
    store,
)
from .query import PASSAGES, QUESTIONS
from .sparse import tokens

log = logging.getLogger(__name__)

# More documents to index beside the curriculum (the bot's question banks), by document name.
Documents = Callable[[], Mapping[str, Sequence[Chunk]]]
# A question that names a plan is about that plan, whoever asks it.
_PLAN_MENTION_RE = re.compile(
    r"\b(?:llm-app-180|ai-fullstack-100)\b|(?:100|180)\s*(?:-?\s*days?|天)", re.IGNORECASE
)


def names_a_plan(question: str) -> bool:
    return bool(_PLAN_MENTION_RE.search(question))


def shares_terms(question: str, hits: Sequence[Hit]) -> bool:
    """Whether any of the hits has a content word of the question (or its glossary terms)."""
    words = set(tokens(expand_query(question)))
    return any(words & set(tokens(hit.chunk.text)) for hit in hits)


@dataclass(frozen=True)
class AddedPaper:
    doc: str
    title: str
    arxiv_id: str | None
    path: Path
    report: SyncReport


# The scoped search stands when one of its first few passages shares a word with the question.
EVIDENCE = 3
# Question-bank passages an answer may quote, after the top k of the rest.
EXPLANATIONS = 2


class Retriever:
    def __init__(
        self,
        index: HybridIndex,
        papers_dir: Path | None = None,
        documents: Documents | None = None,
    ) -> None:
        self.index = index
        self.papers_dir = papers_dir
        self.documents = documents
        self._curriculum_ready = False
        self._ready_lock = threading.Lock()

    @classmethod
    def open(cls, config: RetrievalConfig, documents: Documents | None = None) -> Retriever:
        index = HybridIndex.open(config.index, build_embeddings(config.embeddings))
        return cls(index, config.papers_dir, documents)

    def close(self) -> None:
        self.index.close()

    def sync_curriculum(self) -> SyncReport:
        """Both plans, the catalog of cited papers and the extra documents (question banks);
        unchanged chunks are not re-embedded, documents no longer supplied leave the index."""
        report = SyncReport()
        kept = {CATALOG_DOC}
        for plan_id in PLAN_IDS:
            kept.add(plan_doc(plan_id))
            report += self.index.sync(plan_doc(plan_id), plan_chunks(load_plan(plan_id)))
        report += self.index.sync(CATALOG_DOC, catalog_chunks())
        for doc, chunks in (self.documents() if self.documents else {}).items():
            kept.add(doc)
            report += self.index.sync(doc, chunks)
        for doc in self.index.docs() - kept:
            if not doc.startswith("paper:"):
                report.removed += self.index.remove(doc)
        if report.changed:
            self.index.optimize()
        return report

    def ensure_curriculum(self) -> None:
        """Build the index once per process when it is empty, before the first search.

        An index that has chunks is searched as it is: `tutorbot index` (run by `make run` and
        on deploy) brings it up to date, so that a second process, a CLI search beside the bot,
        only reads."""
        with self._ready_lock:
            if not self._curriculum_ready:
                if self.index.count() == 0:
                    report = self.sync_curriculum()
                    log.info("index built: %s", report)
                self._curriculum_ready = True

    @property
    def ready(self) -> bool:
        """Whether searches can start without building the index first."""
        return self._curriculum_ready

    def search(
        self,
        query: str,
        k: int = 6,
        scope: Scope | None = None,
        fusion: str | None = None,
        context: str | None = None,
        lane: str | None = PASSAGES,
    ) -> list[Hit]:
        self.ensure_curriculum()
        return self.index.search(query, k, scope=scope, fusion=fusion, context=context, lane=lane)

    def search_for_answer(
        self, query: str, k: int, scope: Scope | None = None, context: str | None = None
    ) -> list[Hit]:
        """What an answer is made from: the top k of the lessons, plans and papers, then the
        question-bank explanations that fit best; the learner's plan and track first."""
        found = self.search_scope_first(query, k, scope, context)
        found += self.search_scope_first(query, EXPLANATIONS, scope, context, lane=QUESTIONS)
        return found

    def search_scope_first(
        self,
        query: str,
        k: int,
        scope: Scope | None,
        context: str | None = None,
        lane: str | None = PASSAGES,
    ) -> list[Hit]:
        """A learner's question: their plan and track only, then the rest when that finds
        too little. A question that names a plan searches everything, that plan boosted."""
        if scope is None or scope.plan is None or scope.lesson_key:
            return self.search(query, k, scope=scope, context=context, lane=lane)
        if names_a_plan(query):
            return self.search(
                query, k, scope=replace(scope, only=False), context=context, lane=lane
            )
        own = self.search(query, k, scope=replace(scope, only=True), context=context, lane=lane)
        if len(own) >= k and shares_terms(query, own[:EVIDENCE]):
            return own
        rest = self.search(query, k, scope=replace(scope, only=False), context=context, lane=lane)
        if not own or not shares_terms(query, own[:EVIDENCE]):
            return rest
        seen = {hit.chunk.id for hit in own}
        return (own + [hit for hit in rest if hit.chunk.id not in seen])[:k]

    # --- papers ---------------------------------------------------------------------------

    def _folder(self) -> Path:
        if self.papers_dir is None:
            raise PaperError("no papers directory is configured")
        return self.papers_dir

    def add_paper(self, source: str) -> AddedPaper:
        """A local file, a URL or an arXiv id; the file is kept and its chunks (re)indexed. A
        file that cannot be read is not kept."""
        folder = self._folder()
        local = Path(source).expanduser()
        if not local.exists() and not (is_url(source) or arxiv_id_of(source)):
            raise PaperError(
                f"no such file: {source} (give a PDF/HTML/Markdown file, a URL or an arXiv id)"
            )
        folder.mkdir(parents=True, exist_ok=True)
        # Read in a staging folder first: only a paper that parses joins the others.
        with tempfile.TemporaryDirectory(dir=folder, prefix=".adding-") as staging:
            staged = store(local, Path(staging)) if local.exists() else fetch(source, Path(staging))
            name, arxiv_id, chunks = self._parse(staged)
            path = staged.replace(folder / f"{name}{staged.suffix}")
        return self._index(path, name, arxiv_id, chunks)

    def _index_file(self, path: Path) -> AddedPaper:
        name, arxiv_id, chunks = self._parse(path)
        if path.stem != name:
            # Kept under its arXiv id: the same paper added twice is one paper.
            path = path.replace(path.with_name(f"{name}{path.suffix}"))
        return self._index(path, name, arxiv_id, chunks)

    @staticmethod
    def _parse(path: Path) -> tuple[str, str | None, list[Chunk]]:
        text = read(path)
        name, arxiv_id = paper_name(path, text)
        return name, arxiv_id, paper_chunks(name, arxiv_id, text)

    def _index(
        self, path: Path, name: str, arxiv_id: str | None, chunks: list[Chunk]
    ) -> AddedPaper:
        report = self.index.sync(paper_doc(name), chunks)
        return AddedPaper(paper_doc(name), chunks[0].title, arxiv_id, path, report)

    def sync_papers(self) -> SyncReport:
        """Every file in the papers folder; papers whose file is gone leave the index."""
        report = SyncReport()
        kept: set[str] = set()
        if self.papers_dir is not None and self.papers_dir.is_dir():
            for path in sorted(self.papers_dir.iterdir()):
                if path.suffix.lower() not in SUFFIXES:
                    continue
                try:
                    added = self._index_file(path)
                except PaperError as error:
                    log.warning("skipping %s: %s", path.name, error)
                    continue
                kept.add(added.doc)
                report += added.report
        for doc in self.index.docs():
            if doc.startswith("paper:") and doc not in kept:
                report.removed += self.index.remove(doc)
        return report

    def reindex(self) -> SyncReport:
        report = self.sync_curriculum()
        report += self.sync_papers()
        self._curriculum_ready = True
        return report

    def catalog(self) -> list[tuple[CitedPaper, bool]]:
        """The cited papers and whether each one's text is in the index."""
        added = self.index.docs()
        return [(paper, paper_doc(paper.arxiv_id) in added) for paper in paper_catalog().values()]
