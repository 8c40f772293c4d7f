"""Papers: PDF, HTML and Markdown files become cited chunks; URLs are downloaded when the
network allows and refused clearly when it does not; a changed file replaces its chunks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import matplotlib
import pytest
from aiohttp import web

from retrieval import PaperError, Retriever

matplotlib.use("Agg")

LORA_PAGES = [
    "arXiv:2106.09685v2 We propose Low-Rank Adaptation, or LoRA, which freezes the weights",
    "and injects trainable rank decomposition matrices into each layer of the Transformer.",
]


def make_pdf(path: Path, pages: list[str], title: str) -> Path:
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    # TrueType fonts keep the text extractable.
    with plt.rc_context({"pdf.fonttype": 42}), PdfPages(path, metadata={"Title": title}) as pdf:
        for text in pages:
            figure = plt.figure(figsize=(8.5, 11))
            figure.text(0.05, 0.9, text, fontsize=9)
            pdf.savefig(figure)
            plt.close(figure)
    return path


def test_a_pdf_becomes_cited_chunks_with_pages(paper_retriever: Retriever, tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "lora.pdf", LORA_PAGES, "LoRA: Low-Rank Adaptation of LLMs")
    added = paper_retriever.add_paper(str(pdf))
    # The arXiv id on the first page ties the file to the plans' catalog entry.
    assert added.doc == "paper:2106.09685" and added.arxiv_id == "2106.09685"
    assert added.report.added == 2 and (paper_retriever.papers_dir / "2106.09685.pdf").exists()
    hit = paper_retriever.index.search("trainable rank decomposition matrices", k=1)[0].chunk
    assert (hit.source, hit.page, hit.arxiv_id) == ("paper", 2, "2106.09685")
    assert hit.title == "LoRA: Low-Rank Adaptation" and "ai-fullstack-100/algo/47" in hit.cited_by
    assert hit.url == "https://arxiv.org/abs/2106.09685"
    assert [row for row in paper_retriever.catalog() if row[1]][0][0].arxiv_id == "2106.09685"


def test_html_and_markdown_split_at_headings(paper_retriever: Retriever, tmp_path: Path) -> None:
    html = tmp_path / "rrf.html"
    html.write_text(
        "<html><head><title>Reciprocal Rank Fusion</title><script>var x = 1;</script></head>"
        "<body><nav>menu</nav><h1>Fusion</h1><p>RRF sums 1/(k + rank) over result lists.</p>"
        "<h2>Why it works</h2><p>It needs no score calibration between retrievers.</p></body></html>",
        encoding="utf-8",
    )
    markdown = tmp_path / "notes.md"
    markdown.write_text(
        "# 混合检索笔记\n\n## 稀疏向量\n\njieba 分词后按词频建稀疏向量。\n\n## 稠密向量\n\ne5 模型。\n",
        encoding="utf-8",
    )
    assert paper_retriever.add_paper(str(html)).title == "Reciprocal Rank Fusion"
    assert paper_retriever.add_paper(str(markdown)).doc == "paper:notes"
    hit = paper_retriever.index.search("calibration between retrievers", k=1)[0].chunk
    assert hit.text.startswith("Reciprocal Rank Fusion · Fusion › Why it works")
    assert "var x" not in hit.text and "menu" not in hit.text
    sparse = paper_retriever.index.search("jieba 分词", k=1)[0].chunk
    assert sparse.text.startswith("混合检索笔记 · 混合检索笔记 › 稀疏向量")


def test_a_changed_file_replaces_its_chunks(paper_retriever: Retriever, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n\n## A\n\nalpha beta\n\n## B\n\ngamma delta\n", encoding="utf-8")
    first = paper_retriever.add_paper(str(notes)).report
    again = paper_retriever.add_paper(str(notes)).report
    assert first.added == 2 and not again.changed and again.unchanged == 2
    notes.write_text("# Notes\n\n## A\n\nalpha epsilon\n", encoding="utf-8")
    changed = paper_retriever.add_paper(str(notes)).report
    assert (changed.updated, changed.removed) == (1, 1)
    texts = [hit.chunk.text for hit in paper_retriever.index.search("gamma delta alpha", k=5)]
    assert texts == ["Notes · Notes › A\nalpha epsilon"]
    # Re-indexing the papers folder finds the same state; a deleted file leaves the index.
    assert not paper_retriever.sync_papers().changed
    (paper_retriever.papers_dir / "notes.md").unlink()
    assert paper_retriever.sync_papers().removed == 1 and paper_retriever.index.count() == 0


def test_unusable_sources_are_refused_clearly(paper_retriever: Retriever, tmp_path: Path) -> None:
    with pytest.raises(PaperError, match="no such file"):
        paper_retriever.add_paper(str(tmp_path / "missing.pdf"))
    (tmp_path / "slides.pptx").write_bytes(b"PK")
    with pytest.raises(PaperError, match="unsupported file type"):
        paper_retriever.add_paper(str(tmp_path / "slides.pptx"))
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 nonsense")
    with pytest.raises(PaperError, match="broken.pdf"):
        paper_retriever.add_paper(str(tmp_path / "broken.pdf"))
    # Nothing listens on port 9 of this machine: the download fails as it would offline.
    with pytest.raises(PaperError, match=r"could not download .*network may be unavailable"):
        paper_retriever.add_paper("http://127.0.0.1:9/paper.pdf")
    assert paper_retriever.index.count() == 0


@pytest.fixture
async def paper_server(tmp_path: Path) -> AsyncIterator[str]:
    pdf = make_pdf(tmp_path / "served.pdf", LORA_PAGES, "LoRA")

    async def serve_pdf(request: web.Request) -> web.Response:
        return web.Response(body=pdf.read_bytes(), content_type="application/pdf")

    app = web.Application()
    app.router.add_get("/pdf/2106.09685", serve_pdf)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_a_url_is_downloaded_when_the_network_allows(
    paper_retriever: Retriever, paper_server: str
) -> None:
    import asyncio

    missing = f"{paper_server}/pdf/0000.00000"
    with pytest.raises(PaperError, match="answered 404"):
        await asyncio.to_thread(paper_retriever.add_paper, missing)
    added = await asyncio.to_thread(paper_retriever.add_paper, f"{paper_server}/pdf/2106.09685")
    assert added.arxiv_id == "2106.09685" and added.path.name == "2106.09685.pdf"
