"""Sparse vectors for the lexical half of hybrid search.

Text is cut with jieba (Chinese words; runs of Latin letters and digits stay whole and are
lower-cased), each token is hashed to a stable 31-bit index, and the value is the token's
frequency in the text. Qdrant's IDF modifier supplies the inverse document frequency at query
time, so documents need no corpus statistics and indexing stays incremental.
"""

from __future__ import annotations

import logging
import re
import threading
import zlib
from collections import Counter
from functools import cache
from typing import Any

# Bump when tokenisation changes: it is part of every chunk's content hash, so a new
# tokeniser re-indexes everything on the next sync.
TOKENISER_VERSION = "jieba-tf-1"

# Words that carry no topic in questions or lessons; IDF would shrink them anyway, but a
# question is short and one noisy term can still pull in the wrong rows.
STOPWORDS = frozenset(
    """
    的 了 在 是 和 与 及 或 有 也 都 就 把 被 让 给 对 从 向 到 为 以 之 其 这 那 哪 哪些 哪个
    哪天 什么 怎么 怎样 如何 为什么 吗 呢 吧 啊 么 我 你 他 她 它 我们 你们 要 会 能 可以 应该
    需要 一个 一下 一些 还 中 里 上 下 个 种 些 请 问 讲 说 学 学习 天学 第 天
    a an the of to in on at for by with from as is are was were be been being do does did
    what which who whom whose when where why how i you he she it we they me my your our their
    this that these those there here and or but not no can could should would will shall may
    might must about into over than then so if any some all each tell explain please day
    """.split()
)

_TOKEN_RE = re.compile(r"[0-9a-z]+(?:[.+#][0-9a-z]+)*[+#]*|[\u3400-\u4dbf\u4e00-\u9fff]+")
_INDEX_MASK = 0x7FFFFFFF
_jieba_lock = threading.Lock()


@cache
def _jieba() -> Any:
    """jieba loads its dictionary (about 1.5 s) on first use; do it once, quietly."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    with _jieba_lock:
        jieba.initialize()
    return jieba


def tokens(text: str) -> list[str]:
    """Content words of a text: Chinese words from jieba, English words and numbers whole."""
    found: list[str] = []
    for piece in _jieba().lcut(text.lower()):
        for token in _TOKEN_RE.findall(piece):
            if token not in STOPWORDS:
                found.append(token)
    return found


def token_index(token: str) -> int:
    # crc32 rather than hash(): Python salts str hashes per process.
    return zlib.crc32(token.encode("utf-8")) & _INDEX_MASK


def term_frequencies(text: str) -> tuple[list[int], list[float]]:
    """Sorted token indices and how often each occurs: a sparse vector's two halves."""
    counts: Counter[int] = Counter(token_index(token) for token in tokens(text))
    indices = sorted(counts)
    return indices, [float(counts[index]) for index in indices]
