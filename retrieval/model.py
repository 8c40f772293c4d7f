"""Value types of retrieval: chunks, search hits and scopes, sync reports, configuration.

Light on purpose (standard library only), so the bot can use them without loading Qdrant,
langchain or the embedding model.

A chunk is the unit that is embedded, searched, shown to the model and cited. Its id is derived
from where it comes from (document + key), its content hash from what it says, so re-indexing
can tell new, changed, unchanged and vanished chunks apart.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

# Fixed namespace: point ids must stay the same across processes and machines.
CHUNK_NAMESPACE = uuid.UUID("8f1d7c52-3b0e-4a57-9a43-2c8e0f6b5d11")

CURRICULUM = "curriculum"
CATALOG = "catalog"
PAPER = "paper"
QUESTION = "question"  # a question-bank record: its stem, key and explanation
# The labelled lines of a question passage. The labels help the search and the index's readers;
# a quote drops them, and never quotes the stem (a false true/false statement is no fact).
STEM_PREFIX = "问 Q: "
KEY_PREFIX = "答 A: "
WHY_PREFIX = "解析 Why: "


@dataclass(frozen=True)
class Source:
    """A link a chunk points at: a lesson's reference, a paper's page."""

    title: str
    url: str


@dataclass(frozen=True)
class Chunk:
    doc: str  # the indexed document: "plan:llm-app-180", "catalog", "paper:2106.09685"
    key: str  # unique within the document
    text: str
    source: str  # curriculum | catalog | paper | question
    # lesson, section, stage, table, checklist, notes, cited-paper, paper; a question's kind
    kind: str
    title: str
    plan: str | None = None
    track: str | None = None
    day: int | None = None
    day_end: int | None = None
    lesson_key: str | None = None
    section: str | None = None
    url: str | None = None
    links: tuple[Source, ...] = ()
    arxiv_id: str | None = None
    cited_by: tuple[str, ...] = ()  # lesson keys of the plans that cite this paper
    page: int | None = None  # first page of a paper chunk

    @property
    def id(self) -> str:
        return str(uuid.uuid5(CHUNK_NAMESPACE, f"{self.doc}#{self.key}"))

    def metadata(self) -> dict[str, Any]:
        """Everything but the text, JSON-ready: stored as the point's payload metadata."""
        data = asdict(self)
        data.pop("text")
        data["links"] = [asdict(link) for link in self.links]
        data["cited_by"] = list(self.cited_by)
        return data

    def content_hash(self, salt: str) -> str:
        """Changes whenever the text, the metadata or the way vectors are made changes."""
        body = json.dumps([self.text, self.metadata(), salt], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(body.encode("utf-8")).hexdigest()

    @classmethod
    def from_metadata(cls, text: str, metadata: dict[str, Any]) -> Chunk:
        known = {item.name for item in fields(cls)}
        values = {name: value for name, value in metadata.items() if name in known}
        values["links"] = tuple(Source(**link) for link in values.get("links") or ())
        values["cited_by"] = tuple(values.get("cited_by") or ())
        return cls(text=text, **values)

    @property
    def days(self) -> str:
        """ "47" or "32-35"; empty when the chunk is not about particular days."""
        if self.day is None:
            return ""
        if self.day_end is None or self.day_end == self.day:
            return str(self.day)
        return f"{self.day}-{self.day_end}"


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float


@dataclass(frozen=True)
class Scope:
    """Whose search this is: results of this plan/track (and lesson) count more, or only they do."""

    plan: str | None = None
    track: str | None = None
    lesson_key: str | None = None
    only: bool = False  # True: filter to the plan (its track and shared lessons); False: boost


@dataclass
class SyncReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def __iadd__(self, other: SyncReport) -> SyncReport:
        self.added += other.added
        self.updated += other.updated
        self.removed += other.removed
        self.unchanged += other.unchanged
        return self


@dataclass(frozen=True)
class IndexConfig:
    url: str | None = None  # a Qdrant server; unset: a Qdrant Edge shard in `path`/`collection`
    api_key: str | None = None
    path: Path | None = None  # None with no url: a temporary shard (tests, benchmarks)
    collection: str = "tutorbot"
    fusion: str = "rrf"
    prefetch_limit: int = 40


@dataclass(frozen=True)
class EmbeddingConfig:
    """Unset `base_url`: the bundled e5 model. Set: an OpenAI-compatible endpoint."""

    base_url: str | None = None
    model: str | None = None
    api_key: str | None = None
    timeout_seconds: float = 30.0
    # Passage vectors by content hash (SQLite): a rebuilt index re-embeds only new texts.
    cache_path: Path | None = None


@dataclass(frozen=True)
class RetrievalConfig:
    index: IndexConfig = field(default_factory=IndexConfig)
    embeddings: EmbeddingConfig = field(default_factory=EmbeddingConfig)
    papers_dir: Path | None = None
