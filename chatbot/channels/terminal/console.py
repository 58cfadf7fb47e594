"""The staff console: `chatbot ask` on a terminal. Each reply with its kind, score and entry;
"did you mean" suggestions numbered (typing the number, or "the second one", answers it); `:explain` toggles the
candidates table; arrow keys walk the history; Ctrl-D leaves."""

from __future__ import annotations

import re

from rich.console import Console
from rich.table import Table
from rich.text import Text

from chatbot.answering.picking import chosen
from chatbot.channels.terminal.printable import printable
from chatbot.domain import Kind, Reply, Suggestion
from chatbot.settings import Settings

_STYLE = {
    Kind.ANSWER: "green",
    Kind.CLARIFY: "magenta",
    Kind.FALLBACK: "yellow",
    Kind.EMERGENCY: "bold red",
    Kind.GREETING: "cyan",
    Kind.SMALLTALK: "cyan",
}
HELP = (
    "Type a question, or the number of a suggestion. "
    ":explain toggles the candidates table, :help shows this, Ctrl-D leaves."
)
COMMANDS = (":explain", ":help")


def candidates_table(reply: Reply, console: Console | None = None) -> None:
    console = console or Console()
    table = Table(show_edge=False, pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column("entry")
    table.add_column("score", justify="right")
    for rank, match in enumerate(reply.candidates, start=1):
        table.add_row(str(rank), printable(match.id), f"{match.score:.3f}")
    console.print(table)


def headline(reply: Reply) -> Text:
    """What staff judge a reply by: its kind, the entry it matched and how closely.

    A fallback still names the closest entry (the one its score belongs to) and every rule that stopped it,
    and an emergency says it came from the safety check, so no reply leaves staff guessing why it was given.
    """
    parts = [Text(reply.kind.value, style=_STYLE[reply.kind])]
    if reply.kind is Kind.SMALLTALK:
        parts.append(Text(f"small talk {printable(str(reply.id))}"))
    elif reply.id:
        parts.append(Text(f"entry {printable(reply.id)}"))
    elif reply.kind in {Kind.FALLBACK, Kind.CLARIFY} and reply.candidates:
        parts.append(Text(f"closest entry {printable(reply.candidates[0].id)}"))
        parts += [Text(printable(objection.summary)) for objection in reply.objections]
    elif reply.kind is Kind.EMERGENCY:
        parts.append(Text("safety check"))
    if reply.score is not None:
        parts.append(Text(f"score {reply.score:.3f}"))
    if reply.lang != "en":
        parts.append(Text(f"lang {reply.lang}"))
    return Text.assemble("[", Text(", ").join(parts), "]")


def show(reply: Reply, explain: bool, console: Console) -> None:
    console.print(headline(reply))
    console.print(printable(reply.text, keep_newlines=True), markup=False, highlight=False)
    for number, suggestion in enumerate(reply.suggestions or (), start=1):
        console.print(f"  {number}. {printable(suggestion.question)}  [{suggestion.id}]", markup=False, highlight=False)
    if explain and reply.candidates:
        candidates_table(reply, console)
        # A "did you mean" did not fall back: staff must not be told it did.
        outcome = "Asked instead of answering" if reply.kind is Kind.CLARIFY else "Fell back"
        for objection in reply.objections:
            console.print(f"{outcome}: {printable(objection.message)}.", markup=False, highlight=False)


def run_console(settings: Settings, explain: bool = False) -> None:
    import readline  # noqa: F401 - importing it gives input() line editing and arrow-key history

    from chatbot.answering.question import check_question
    from chatbot.errors import InvalidQuestion
    from chatbot.kb.startup import load_assistant

    console = Console()
    with console.status("Loading the knowledge base…"):
        assistant = load_assistant(settings)
    console.print(f"{len(assistant.kb.entries)} entries loaded. {HELP}", highlight=False)
    offered: tuple[Suggestion, ...] = ()
    while True:
        try:
            line = input("? ")
        except EOFError:
            console.print()
            return
        except KeyboardInterrupt:
            console.print()
            continue
        command = line.strip()
        if command == ":explain":
            explain = not explain
            console.print(f"explain {'on' if explain else 'off'}")
        elif command in {":help", ":h"}:
            console.print(HELP)
        elif offered and (index := chosen(command, len(offered))) is not None:
            show(assistant.picked(offered[index].id), explain, console)
            offered = ()
        elif re.fullmatch(
            r":[A-Za-z-]+", command
        ):  # a mistyped command: answering it as a question would hide the typo
            console.print(
                Text(f"Unknown command {command}; the commands are {', '.join(COMMANDS)}. {HELP}", style="red")
            )
        elif command:
            try:
                reply = assistant.ask(check_question(line))
                offered = reply.suggestions or ()
                show(reply, explain, console)
            except InvalidQuestion as exc:
                console.print(Text(printable(str(exc)), style="red"))
            except KeyboardInterrupt:  # Ctrl-C while answering drops that question, not the session and its history
                console.print()
