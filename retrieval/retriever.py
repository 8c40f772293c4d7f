"""One long-lived object for everything retrieval: the index, the curriculum in it, papers."""

from __future__ import annotations

import logging
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from curriculum import PLAN_IDS, load_plan

from .catalog import CATALOG_DOC, CitedPaper, catalog_chunks, paper_catalog
from .curriculum_chunks import plan_chunks, plan_doc
from .embeddings import build_embeddings
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

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AddedPaper:
    doc: str
    title: str
    arxiv_id: str | None
    path: Path
    report: SyncReport


class Retriever:
    def __init__(self, index: HybridIndex, papers_dir: Path | None = None) -> None:
        self.index = index
        self.papers_dir = papers_dir
        self._curriculum_ready = False
        self._ready_lock = threading.Lock()

    @classmethod
    def open(cls, config: RetrievalConfig) -> Retriever:
        index = HybridIndex.open(config.index, build_embeddings(config.embeddings))
        return cls(index, config.papers_dir)

    def close(self) -> None:
        self.index.close()

    def sync_curriculum(self) -> SyncReport:
        """Both plans and the catalog of cited papers; unchanged chunks are not re-embedded."""
        report = SyncReport()
        for plan_id in PLAN_IDS:
            report += self.index.sync(plan_doc(plan_id), plan_chunks(load_plan(plan_id)))
        report += self.index.sync(CATALOG_DOC, catalog_chunks())
        return report

    def ensure_curriculum(self) -> None:
        """Sync the curriculum once per process, before the first search."""
        with self._ready_lock:
            if not self._curriculum_ready:
                report = self.sync_curriculum()
                if report.changed:
                    log.info("curriculum index: %s", report)
                self._curriculum_ready = True

    def search(
        self,
        query: str,
        k: int = 6,
        scope: Scope | None = None,
        fusion: str | None = None,
        context: str | None = None,
    ) -> list[Hit]:
        self.ensure_curriculum()
        return self.index.search(query, k, scope=scope, fusion=fusion, context=context)

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
