"""Papers: PDF, HTML and Markdown files (or URLs and arXiv ids, downloaded) turned into chunks.

A paper is kept as a file in the papers directory, so re-indexing can rebuild it; its chunks
belong to the document `paper:<name>` where the name is its arXiv id when it has one.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from .catalog import paper_catalog
from .model import PAPER, Chunk

SUFFIXES = {
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "markdown",
}
CHUNK_CHARS = 900
CHUNK_OVERLAP = 120
DOWNLOAD_TIMEOUT = 30.0
MAX_DOWNLOAD_BYTES = 50 * 1024 * 1024
# Sentence ends of both languages before falling back to words and characters.
SEPARATORS = ["\n\n", "\n", "。", "！", "？", ". ", "! ", "? ", "；", "; ", "，", ", ", " ", ""]

_ARXIV_ID_RE = re.compile(r"^(?:arxiv:)?(\d{4}\.\d{4,5})(?:v\d+)?$", re.IGNORECASE)
_ARXIV_URL_RE = re.compile(r"arxiv\.org/(?:abs|pdf|html)/(\d{4}\.\d{4,5})(?:v\d+)?", re.IGNORECASE)
_ARXIV_IN_TEXT_RE = re.compile(r"arXiv:(\d{4}\.\d{4,5})(?:v\d+)?")
_UNSAFE_NAME_RE = re.compile(r"[^0-9A-Za-z._-]+")


class PaperError(Exception):
    """A paper that cannot be added; the message says why and what to do."""


@dataclass(frozen=True)
class PaperText:
    title: str
    # (page number, text); HTML and Markdown are one "page" without a number.
    pages: tuple[tuple[int | None, str], ...]
    kind: str


def paper_doc(name: str) -> str:
    return f"paper:{name}"


def arxiv_id_of(source: str) -> str | None:
    if match := _ARXIV_ID_RE.match(source.strip()):
        return match.group(1)
    if match := _ARXIV_URL_RE.search(source):
        return match.group(1)
    return None


def is_url(source: str) -> bool:
    return urlparse(source).scheme in {"http", "https"}


def download_url(source: str) -> str:
    """The URL to fetch: arXiv ids and abstract pages become their PDF."""
    arxiv_id = arxiv_id_of(source)
    if arxiv_id and not is_url(source):
        return f"https://arxiv.org/pdf/{arxiv_id}"
    if arxiv_id and "/abs/" in source:
        return f"https://arxiv.org/pdf/{arxiv_id}"
    return source


def _kind_from(content_type: str, url: str) -> str:
    if "pdf" in content_type:
        return "pdf"
    if "html" in content_type:
        return "html"
    suffix = Path(urlparse(url).path).suffix.lower()
    return SUFFIXES.get(
        suffix, "markdown" if "markdown" in content_type or "text/plain" in content_type else "html"
    )


def fetch(source: str, folder: Path, timeout: float = DOWNLOAD_TIMEOUT) -> Path:
    """Download a URL or arXiv id into `folder`; a `PaperError` says clearly why it could not."""
    import httpx

    url = download_url(source)
    arxiv_id = arxiv_id_of(source)
    try:
        with httpx.stream("GET", url, follow_redirects=True, timeout=timeout) as response:
            if response.status_code >= 400:
                raise PaperError(
                    f"could not download {url}: the server answered {response.status_code}"
                )
            content = bytearray()
            for block in response.iter_bytes():
                content.extend(block)
                if len(content) > MAX_DOWNLOAD_BYTES:
                    raise PaperError(f"could not download {url}: larger than 50 MB")
            kind = _kind_from(response.headers.get("content-type", ""), str(response.url))
    except httpx.HTTPError as error:
        reason = str(error) or type(error).__name__
        raise PaperError(
            f"could not download {url} ({reason}); the network may be unavailable. "
            "Download the file yourself and run `tutorbot papers add FILE`."
        ) from error
    suffix = {"pdf": ".pdf", "html": ".html", "markdown": ".md"}[kind]
    segment = PurePosixPath(urlparse(url).path).name
    if Path(segment).suffix.lower() in SUFFIXES:
        segment = Path(segment).stem
    stem = arxiv_id or arxiv_id_of(segment) or segment or urlparse(url).netloc
    target = folder / f"{safe_name(stem)}{suffix}"
    folder.mkdir(parents=True, exist_ok=True)
    target.write_bytes(bytes(content))
    return target


def safe_name(stem: str) -> str:
    return _UNSAFE_NAME_RE.sub("-", stem).strip("-.") or "paper"


def store(path: Path, folder: Path) -> Path:
    """Copy a local file into the papers folder (same name: the new version replaces the old)."""
    if not path.is_file():
        raise PaperError(f"no such file: {path}")
    if path.suffix.lower() not in SUFFIXES:
        raise PaperError(f"{path.name}: unsupported file type; add a PDF, HTML or Markdown file")
    arxiv_id = arxiv_id_of(path.stem)
    target = folder / f"{safe_name(arxiv_id or path.stem)}{path.suffix.lower()}"
    folder.mkdir(parents=True, exist_ok=True)
    if path.resolve() != target.resolve():
        shutil.copyfile(path, target)
    return target


def read(path: Path) -> PaperText:
    kind = SUFFIXES.get(path.suffix.lower())
    if kind == "pdf":
        return _read_pdf(path)
    if kind == "html":
        return _read_html(path.read_text(encoding="utf-8", errors="replace"), path.stem)
    if kind == "markdown":
        text = path.read_text(encoding="utf-8", errors="replace")
        heading = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
        return PaperText(heading.group(1).strip() if heading else path.stem, ((None, text),), kind)
    raise PaperError(f"{path.name}: unsupported file type; add a PDF, HTML or Markdown file")


def _read_pdf(path: Path) -> PaperText:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        pages = tuple(
            (number, page.extract_text() or "") for number, page in enumerate(reader.pages, 1)
        )
        title = (reader.metadata.title if reader.metadata else None) or ""
    except (PdfReadError, OSError, ValueError) as error:
        raise PaperError(f"{path.name}: not a readable PDF ({error})") from error
    if not any(text.strip() for _, text in pages):
        raise PaperError(f"{path.name}: the PDF has no extractable text (a scan?)")
    if not title.strip():
        first = next(text for _, text in pages if text.strip())
        title = first.strip().splitlines()[0][:200]
    return PaperText(title.strip(), pages, "pdf")


def _read_html(html: str, fallback_title: str) -> PaperText:
    from bs4 import BeautifulSoup, NavigableString

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript", "svg"]):
        tag.decompose()
    title = soup.title.get_text(strip=True) if soup.title else ""
    if soup.title:
        soup.title.decompose()
    h1 = soup.find("h1")
    title = title or (h1.get_text(" ", strip=True) if h1 else "") or fallback_title
    # Headings become Markdown headings so sections split the way Markdown files do.
    for level in range(1, 7):
        for heading in soup.find_all(f"h{level}"):
            text = heading.get_text(" ", strip=True)
            heading.replace_with(NavigableString(f"\n\n{'#' * level} {text}\n\n"))
    text = re.sub(r"\n\s*\n+", "\n\n", soup.get_text("\n"))
    return PaperText(title, ((None, text),), "html")


def paper_name(path: Path, text: PaperText) -> tuple[str, str | None]:
    """The document name and arXiv id: from the file name, else from the first page."""
    arxiv_id = arxiv_id_of(path.stem)
    if arxiv_id is None and text.pages:
        match = _ARXIV_IN_TEXT_RE.search(text.pages[0][1])
        arxiv_id = match.group(1) if match else None
    return arxiv_id or path.stem, arxiv_id


def _sections(text: PaperText) -> list[tuple[int | None, str, str]]:
    """(page, heading path, text) pieces; Markdown-like sources split at headings first."""
    if text.kind == "pdf":
        return [(page, "", body) for page, body in text.pages if body.strip()]
    splitter = MarkdownHeaderTextSplitter(
        [("#", "h1"), ("##", "h2"), ("###", "h3")], strip_headers=True
    )
    pieces = []
    for page, body in text.pages:
        for part in splitter.split_text(body):
            heading = " › ".join(part.metadata[h] for h in ("h1", "h2", "h3") if h in part.metadata)
            pieces.append((page, heading, part.page_content))
    return pieces


def paper_chunks(name: str, arxiv_id: str | None, text: PaperText) -> list[Chunk]:
    """Chunks of the document `paper:<name>`, titled and cited as the plans cite the paper."""
    cited = paper_catalog().get(arxiv_id) if arxiv_id else None
    title = cited.title if cited else text.title
    label = f"{title} (arXiv {arxiv_id})" if arxiv_id else title
    url = f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else None
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=CHUNK_CHARS, chunk_overlap=CHUNK_OVERLAP, separators=SEPARATORS
    )
    plans = cited.plans if cited else ()
    chunks: list[Chunk] = []
    for page, heading, body in _sections(text):
        for piece in splitter.split_text(body):
            piece = re.sub(r"[ \t]+", " ", piece).strip()
            if not piece:
                continue
            context = " · ".join(part for part in (label, heading) if part)
            chunks.append(
                Chunk(
                    doc=paper_doc(name),
                    key=f"{len(chunks)}",
                    text=f"{context}\n{piece}",
                    source=PAPER,
                    kind="paper",
                    title=title,
                    plan=plans[0] if len(plans) == 1 else None,
                    url=url,
                    arxiv_id=arxiv_id,
                    cited_by=cited.cited_by if cited else (),
                    page=page,
                )
            )
    if not chunks:
        raise PaperError(f"{name}: no text to index")
    return chunks
