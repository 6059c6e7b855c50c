"""The examples' embeddings on disk: keyed by model and texts, written whole, never a crash."""

from __future__ import annotations

import logging
import stat
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from bot.matching.embedcache import EmbeddingCache, FusionCache
from bot.matching.encoder import Encoder, load_encoder
from tests.modelkit import write_model

TEXTS = ["may I install the app?", "join this group", "שלום עולם"]


class Counting:
    """A real encoder that counts its calls."""

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder
        self.calls = 0

    @property
    def identity(self) -> str:
        return self.encoder.identity

    @property
    def dim(self) -> int:
        return self.encoder.dim

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        self.calls += 1
        return self.encoder.encode(texts)


@pytest.fixture
def encoder(tmp_path: Path) -> Counting:
    write_model(tmp_path / "model", "xlmr")
    return Counting(load_encoder(tmp_path / "model"))


def test_a_second_start_reads_the_vectors_instead_of_encoding(tmp_path: Path, encoder: Counting) -> None:
    cache = EmbeddingCache(tmp_path / "cache")
    first = cache.get_or_compute(encoder, TEXTS)
    again = EmbeddingCache(tmp_path / "cache").get_or_compute(encoder, TEXTS)
    assert encoder.calls == 1 and np.array_equal(first, again) and again.dtype == np.float32
    assert np.array_equal(first, encoder.encoder.encode(TEXTS))
    [written] = (tmp_path / "cache").iterdir()
    assert written.name.startswith(encoder.identity) and written.suffix == ".npy"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600


def test_other_texts_or_another_model_miss(tmp_path: Path, encoder: Counting) -> None:
    cache = EmbeddingCache(tmp_path / "cache")
    cache.get_or_compute(encoder, TEXTS)
    cache.get_or_compute(encoder, TEXTS[:2])
    cache.get_or_compute(encoder, [TEXTS[1], TEXTS[0], TEXTS[2]])
    cache.get_or_compute(encoder, ["may I install", "the app? join this group", TEXTS[2]])
    assert encoder.calls == 4
    write_model(tmp_path / "other", "xlmr", settings={"prefix": "query: "})
    other = Counting(load_encoder(tmp_path / "other"))
    cache.get_or_compute(other, TEXTS)
    assert other.calls == 1 and len(list((tmp_path / "cache").glob("*.npy"))) == 5


@pytest.mark.parametrize(
    "spoil",
    [
        lambda p: p.write_bytes(b"\x93NUMPY garbage"),
        lambda p: p.write_bytes(b""),
        lambda p: np.save(p, np.zeros((2, 3), dtype=np.float32)),
        lambda p: np.save(p, np.full((3, 8), np.nan, dtype=np.float32)),
        lambda p: np.save(p, np.array([{"a": 1}], dtype=object), allow_pickle=True),
    ],
)
def test_a_corrupt_file_is_encoded_again_and_replaced(
    tmp_path: Path, encoder: Counting, spoil: object, caplog: pytest.LogCaptureFixture
) -> None:
    cache = EmbeddingCache(tmp_path / "cache")
    good = cache.get_or_compute(encoder, TEXTS)
    path = cache.path_for(encoder, TEXTS)
    spoil(path)  # type: ignore[operator]
    with caplog.at_level(logging.WARNING, logger="bot.matching.embedcache"):
        assert np.array_equal(cache.get_or_compute(encoder, TEXTS), good)
    assert encoder.calls == 2 and "encoding again" in caplog.text
    assert np.array_equal(np.load(path), good)


def test_a_cache_that_cannot_be_written_or_read_still_gives_the_vectors(
    tmp_path: Path, encoder: Counting, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    with caplog.at_level(logging.WARNING, logger="bot.matching.embedcache"):
        vectors = EmbeddingCache(blocked / "cache").get_or_compute(encoder, TEXTS)
    assert vectors.shape == (3, 8) and "not cached" in caplog.text
    cache = EmbeddingCache(tmp_path / "cache")
    cache.path_for(encoder, TEXTS).mkdir(parents=True)  # a directory where the file should be
    assert np.array_equal(cache.get_or_compute(encoder, TEXTS), vectors)
    assert not [p for p in (tmp_path / "cache").iterdir() if p.suffix == ".tmp"]


def test_fusion_weights_that_do_not_fit_together_are_not_used(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = FusionCache(tmp_path)
    cache.put("fine", {"all": (np.ones(4), 0.5), "he": (np.zeros(4), -1.0)})
    assert cache.get("fine") is not None and cache.get("fine")["he"][1] == -1.0
    assert stat.S_IMODE(cache.path_for("fine").stat().st_mode) == 0o600
    cache.put("lengths", {"all": (np.ones(4), 0.5), "he": (np.zeros(3), 0.0)})
    cache.put("no-all", {"he": (np.ones(4), 0.5)})
    cache.put("nan", {"all": (np.array([1.0, np.nan]), 0.5)})
    with caplog.at_level(logging.WARNING, logger="bot.matching.embedcache"):
        assert [cache.get(k) for k in ("lengths", "no-all", "nan", "missing")] == [None] * 4
    assert caplog.text.count("learning again") == 3
