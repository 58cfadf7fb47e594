"""What the fast path must keep true: the ONNX export answers like the reference, and nothing heavy loads.

Timings are not tested here (this machine is too noisy for a timed test); `scripts/bench.py` measures them.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import uvicorn
import yaml
from conftest import copy_indexes
from support import alive, descendants, free_port, maps, until

from chatbot.answering.normalise import normalise
from chatbot.channels.terminal.cli import _shared_listener
from chatbot.errors import BuildFailed, ExportMismatch
from chatbot.kb import build as build_module
from chatbot.kb import index, key_cache, knowledge
from chatbot.kb.build import MIN_COSINE, build, check_export
from chatbot.kb.encoder import ModelSource, SentenceTransformerEncoder, resolve_model
from chatbot.kb.startup import build_in_child
from chatbot.settings import Settings

pytestmark = pytest.mark.slow

# Loaded only to build the index; answering must never need them (seconds to import, ~500 MiB held).
HEAVY = ("torch", "sentence_transformers", "transformers")

# Runs the real `chatbot ask` in a fresh interpreter, then reports which heavy modules it loaded.
ASK_AND_REPORT_MODULES = """
import json, sys
watched = sys.argv[1:]
from chatbot.channels.terminal.cli import main
sys.argv = ["chatbot", "ask", "--json", "What is the cost?"]
try:
    main()
except SystemExit as done:
    code = done.code
print(json.dumps({"exit": code, "loaded": sorted(m for m in watched if m in sys.modules)}))
"""


@pytest.fixture
def stale(real_settings: Settings, knowledge_copy: Path, tmp_path: Path) -> Settings:
    """A copy of the session's index, and a knowledge base edited since it was built."""
    index_dir = tmp_path / "index"
    copy_indexes(real_settings, index_dir)
    faq = yaml.safe_load((knowledge_copy / "faq.yaml").read_text(encoding="utf-8"))
    faq["entries"][0]["alternates"].append("a wording added after the last build")
    (knowledge_copy / "faq.yaml").write_text(yaml.safe_dump(faq, allow_unicode=True), encoding="utf-8")
    return Settings(knowledge_dir=knowledge_copy, index_dir=index_dir)


def test_the_export_agrees_with_sentence_transformers_on_every_key(real_settings: Settings) -> None:
    kb = knowledge.load(real_settings.knowledge_dir)
    source = resolve_model(real_settings.model)
    texts = [normalise(text) for _, text in index.keys_of(kb)]
    reference = SentenceTransformerEncoder(source).encode(texts)
    opened = index.read(real_settings.index_dir)
    assert opened.onnx_file is not None
    assert check_export(opened.onnx_file, source, reference, texts, threads=1) >= MIN_COSINE
    assert opened.manifest.onnx_min_cosine is not None and opened.manifest.onnx_min_cosine >= MIN_COSINE


def test_a_build_whose_export_disagrees_is_refused_and_the_previous_index_stays(
    real_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from onnxruntime.quantization import quantize_dynamic

    index_dir = tmp_path / "index"
    # The key cache's vectors come along (no re-encoding), its kept export does not: this build must export.
    shutil.copytree(
        real_settings.index_dir,
        index_dir,
        symlinks=True,
        ignore=lambda folder, names: [n for n in names if ".onnx" in n] if folder.endswith(key_cache.CACHE_DIR) else [],
    )
    before = (index_dir / index.CURRENT).resolve()
    contents = sorted(p.name for p in index_dir.iterdir())

    def lossy_export(source: ModelSource, destination: Path) -> None:
        """A plausible tampering: the good export quantised to int8 (faster, and not the same answers)."""
        quantize_dynamic(before / index.ONNX_FILE, destination)

    monkeypatch.setattr(build_module, "export_onnx", lossy_export)
    kb = knowledge.load(real_settings.knowledge_dir)
    with pytest.raises(ExportMismatch, match=r"disagrees with sentence-transformers: cosine 0\.\d+ < 0\.9999 on '"):
        build(kb, resolve_model(real_settings.model), index_dir)
    assert (index_dir / index.CURRENT).resolve() == before
    assert sorted(p.name for p in index_dir.iterdir()) == contents


@pytest.mark.parametrize("which", ["real_settings", "stale"])
def test_the_terminal_answers_without_loading_torch(which: str, request: pytest.FixtureRequest) -> None:
    """A stale index is rebuilt by a child `chatbot build`, so even then the answering process stays light."""
    settings: Settings = request.getfixturevalue(which)
    done = subprocess.run(
        [sys.executable, "-c", ASK_AND_REPORT_MODULES, *HEAVY, "fastapi"],
        env=settings.environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    reply, report = (json.loads(line) for line in done.stdout.splitlines())
    assert report == {"exit": 0, "loaded": []}, done.stderr
    assert reply["id"] == "cost"
    if which == "stale":
        assert "Rebuilding the index" in done.stderr


def test_a_failed_rebuild_reports_the_builds_own_message(knowledge_copy: Path, tmp_path: Path) -> None:
    settings = Settings(knowledge_dir=knowledge_copy, index_dir=tmp_path / "index", model=str(tmp_path / "no-model"))
    with pytest.raises(
        BuildFailed, match=r"failed \(exit status 2\): CHATBOT_MODEL is .*no-model.*not a local model folder"
    ):
        build_in_child(settings, settings.index_dir)


def test_two_workers_serve_and_neither_holds_torch(real_settings: Settings, tmp_path: Path) -> None:
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "chatbot", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        env=real_settings.model_copy(update={"rate_limit": "off", "var_dir": tmp_path / "var"}).environment(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            replies = [until_answered(client, server) for _ in range(6)]
        assert {reply["id"] for reply in replies} == {"cost"}

        def encoder_workers() -> list[int]:
            return [pid for pid in descendants(server.pid) if maps(pid, "onnxruntime")]

        until(lambda: len(encoder_workers()) >= 2, "two worker processes to hold the encoder", 60, every=0.2)
        workers = encoder_workers()
        assert len(workers) == 2, "two worker processes hold the encoder"
        assert not [pid for pid in [server.pid, *workers] if maps(pid, "/torch/")]
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # pragma: no cover - only when shutdown hangs
            os.killpg(server.pid, signal.SIGKILL)
            raise
        finally:
            log.close()
    assert server.returncode in (0, -signal.SIGTERM), (tmp_path / "serve.log").read_text()
    assert not [pid for pid in workers if alive(pid)], "the workers ended with the server"


def test_connections_to_several_workers_get_tcp_nodelay() -> None:
    """Without it each keep-alive reply from a worker waits ~40 ms for the client's delayed ACK."""
    port = free_port()
    listener = _shared_listener(
        uvicorn.Config("chatbot.channels.web.app:factory", factory=True, host="127.0.0.1", port=port, workers=2)
    )

    async def nodelay_of_an_accepted_connection() -> int:
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                sock = transport.get_extra_info("socket")
                accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            return await asyncio.wait_for(accepted, 10)
        finally:
            writer.close()
            server.close()
            await server.wait_closed()

    assert asyncio.run(nodelay_of_an_accepted_connection()) == 1


def until_answered(client: httpx.Client, server: subprocess.Popen[bytes], seconds: float = 120) -> dict[str, object]:
    """POST a question, retrying while the server starts (connection refused, or 503 from a worker still loading)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server exited"
        try:
            response = client.post("/v1/ask", json={"question": "What is the cost?"})
            if response.status_code != 503:
                assert response.status_code == 200, response.text
                return dict(response.json())
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"no answer within {seconds} s")
