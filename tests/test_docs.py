from __future__ import annotations

import ast
import fnmatch
import importlib
import json
import re
import sys
from pathlib import Path

import pytest
import readme
from conftest import ROOT

from chatbot.answering.assistant import Assistant
from chatbot.channels.terminal.cli import cli
from chatbot.channels.terminal.console import headline as console_headline
from chatbot.settings import Settings

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_starts_with_the_two_commands() -> None:
    head = README[:400]
    assert "make run" in head and "make test" in head


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_in_the_configuration_table(name: str) -> None:
    assert f"| `CHATBOT_{name.upper()}` |" in README


# -- the README's example outputs are what the assistant says today --------------------------------

ASK_EXAMPLE = re.compile(
    r'^\$ (?:\.venv/bin/)?chatbot ask (?:--explain )?"([^"]+)"\n(\[[^\n]+\])\n([^\n]+)$', re.MULTILINE
)
CURL_EXAMPLE = re.compile(r"""^\$ curl -s localhost:8000/v1/ask .*-d '(\{[^']+\})'\n(\{[^\n]+\})$""", re.MULTILINE)


def test_the_readme_has_examples_to_check() -> None:
    assert len(ASK_EXAMPLE.findall(README)) >= 1 and len(CURL_EXAMPLE.findall(README)) >= 1


@pytest.mark.slow
@pytest.mark.parametrize(("question", "headline", "answer"), ASK_EXAMPLE.findall(README))
def test_the_readme_shows_what_chatbot_ask_prints(real: Assistant, question: str, headline: str, answer: str) -> None:
    reply = real.ask(question)
    assert (console_headline(reply).plain, reply.answer) == (headline, answer)


@pytest.mark.slow
@pytest.mark.parametrize(("request_body", "shown"), CURL_EXAMPLE.findall(README))
def test_the_readme_shows_what_the_api_answers(real: Assistant, request_body: str, shown: str) -> None:
    body = json.loads(request_body)
    asked = real.choose(body["question"], body["choice"]) if "choice" in body else real.ask(body["question"])
    reply = asked.to_dict()
    example = json.loads(shown)
    assert reply["answer"].startswith(example.pop("answer").removesuffix("..."))
    assert {key: reply.get(key) for key in example} == example  # "candidates" is null unless asked to explain


# -- generated sections: the configuration table from `Settings`, the CLI reference from `--help` ------------


@pytest.mark.parametrize("name", sorted(readme.SECTIONS))
def test_the_generated_section_is_what_the_code_says_today(name: str) -> None:
    assert readme.section(README, name) == readme.SECTIONS[name](), (
        f"README.md's {name} section is out of date: run `.venv/bin/python scripts/readme.py`"
    )


def test_every_variable_the_readme_names_is_a_setting() -> None:
    settings = {f"CHATBOT_{name.upper()}" for name in Settings.model_fields}
    unknown = set(re.findall(r"\bCHATBOT_[A-Z][A-Z_]*[A-Z]\b", README)) - settings
    assert not unknown, f"the README names {', '.join(sorted(unknown))}, which no setting reads"


# -- the commands the README shows exist, with the options it gives them ----------------------------------

# As CommonMark reads them: a fence with an info string (```console) opens a block but never closes one.
FENCED = re.compile(r"^```[^\n]*\n(.*?)^```$", re.MULTILINE | re.DOTALL)
# Inline code may wrap onto the next line of its paragraph, never into the next paragraph or table row.
INLINE = re.compile(r"`((?:[^`\n]|\n(?![\n|]))+)`")
# A command where a shell would run it (first on the line or after `$`, `&&`, `|`, `;`, `(`, past any VAR=value),
# up to where the shell takes over again: a comment, a pipe, a redirection, the next command.
COMMAND_START = r"(?:^|[$;&|(]\s*)(?:\w+=\S*\s+)*"
CHATBOT_LINE = re.compile(COMMAND_START + r"(?:\S*/)?chatbot +([a-z][\w-]*)([^\n#|;&<>`]*)", re.MULTILINE)
MAKE_LINE = re.compile(COMMAND_START + r"make +([a-z][\w-]*)()", re.MULTILINE)
SCRIPT_LINE = re.compile(COMMAND_START + r"(?:\S*python3? +)?scripts/(\w+)\.py([^\n#|;&<>`]*)", re.MULTILINE)
OPTION = re.compile(r"(?<![\w-])(--[a-z][\w-]*)")


def test_every_code_block_in_the_readme_is_closed() -> None:
    """A fence left open turns the prose after it into code (and hides its examples from these tests)."""
    opened_at = 0
    for number, line in enumerate(README.splitlines(), start=1):
        if opened_at and line.startswith("```") and line.strip() != "```":
            pytest.fail(f"README.md line {number}: {line!r} is inside the block opened at line {opened_at}")
        if line.startswith("```"):
            opened_at = 0 if opened_at else number
    assert not opened_at, f"README.md: the code block opened at line {opened_at} is never closed"


def spans(text: str) -> list[str]:
    """Every inline code span outside the fenced blocks, a wrapped one on one line."""
    return [" ".join(span.split()) for span in INLINE.findall(FENCED.sub("", text))]


def code(text: str) -> list[str]:
    """Every line of every fenced block, then every inline code span."""
    return [line for block in FENCED.findall(text) for line in block.splitlines()] + spans(text)


def _uses(pattern: re.Pattern[str]) -> list[tuple[str, str]]:
    """(program, option) for every option the README gives it, and (program, "") for each program named."""
    uses = set()
    for snippet in code(README):
        for program, rest in pattern.findall(snippet):
            uses.add((program, ""))
            uses.update((program, option) for option in OPTION.findall(rest))
    return sorted(uses)


def _lists_option(help_text: str, option: str) -> bool:
    return re.search(rf"^ +(?:-\w, )?{re.escape(option)}(?![\w-])", help_text, re.MULTILINE) is not None


def test_the_readme_shows_commands_to_check() -> None:
    assert {program for program, _ in _uses(CHATBOT_LINE)} >= {"ask", "serve"}


@pytest.mark.parametrize(("command", "option"), _uses(CHATBOT_LINE))
def test_every_chatbot_command_in_the_readme_has_the_options_it_shows(command: str, option: str) -> None:
    assert command in cli.commands, f"the README shows `chatbot {command}`, which is not a command"
    if option:
        shown = readme.help_text((command,))
        assert _lists_option(shown, option), f"the README shows `chatbot {command} {option}`; its --help:\n{shown}"


@pytest.mark.parametrize("target", sorted(target for target, _ in _uses(MAKE_LINE)))
def test_every_make_target_in_the_readme_is_in_the_makefile(target: str) -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(rf"^{re.escape(target)}:", makefile, re.MULTILINE), f"the README shows `make {target}`"


@pytest.mark.parametrize(("script", "option"), [use for use in _uses(SCRIPT_LINE) if use[1]])
def test_every_script_option_in_the_readme_is_in_its_help(
    script: str, option: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", [f"scripts/{script}.py", "--help"])
    with pytest.raises(SystemExit):
        importlib.import_module(script).main()
    shown = capsys.readouterr().out
    assert _lists_option(shown, option), f"the README shows `scripts/{script}.py {option}`; its --help:\n{shown}"


# -- every test, file and folder the README names exists -------------------------------------------------

TESTS = ROOT / "tests"
CITED_FILE = re.compile(r"^(?:tests/)?(test_\w+\.py)(?:::(test_\w+))?(?:\[[^\]]*\])?$")
CITED_TEST = re.compile(r"^(test_\w+)(?:\[[^\]]*\])?$")


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_")
    }


def _cited_tests() -> list[tuple[str, str]]:
    """(file, test) for each test the README names; a bare name belongs to the last file named before it in its
    paragraph or table row (as in the fault table's cells), or to any test file when it follows none."""
    cited = []
    for unit in re.split(r"\n(?=\|)|\n\s*\n", README):
        current = ""
        for span in spans(unit):
            if named := CITED_FILE.match(span):
                current = named.group(1)
                if named.group(2):
                    cited.append((current, named.group(2)))
            elif bare := CITED_TEST.match(span):
                cited.append((current, bare.group(1)))
    return cited


def test_the_readme_names_tests_to_check() -> None:
    assert len(_cited_tests()) >= 10


@pytest.mark.parametrize(("file", "test"), _cited_tests())
def test_every_test_the_readme_names_exists(file: str, test: str) -> None:
    files = [TESTS / file] if file else sorted(TESTS.glob("test_*.py"))
    assert all(path.is_file() for path in files), f"the README names tests/{file}, which does not exist"
    assert any(test in _tests_in(path) for path in files), f"the README names {file or 'a test'} {test}: not found"


# A path from the project folder, not one inside another (`/srv/chatbot/knowledge/...`, `CHATBOT_VAR_DIR/...`).
PROJECT_PATH = re.compile(r"(?<![\w./-])((?:chatbot|scripts|tests|knowledge)/[\w./*-]*)")
BARE_FILE = re.compile(r"^([\w/.-]+\.(?:py|yaml))$")


def _named_paths() -> list[str]:
    named = {path.rstrip(".") for path in PROJECT_PATH.findall(README)}
    named.update(span for span in spans(README) if BARE_FILE.match(span) and not PROJECT_PATH.match(span))
    return sorted(named)


def _exists(named: str) -> bool:
    if PROJECT_PATH.fullmatch(named):
        return any(ROOT.glob(named.rstrip("/"))) if "*" in named else (ROOT / named).exists()
    # A file named without its folder (`policy.py`, `faq.yaml`): some file of the project has that name.
    return any(
        path.as_posix().endswith("/" + named)
        for root in ("chatbot", "scripts", "tests", "knowledge")
        for path in (ROOT / root).rglob(Path(named).name)
    )


@pytest.mark.parametrize("named", _named_paths())
def test_every_path_the_readme_names_exists(named: str) -> None:
    assert _exists(named), f"the README names {named}, which is not in the project"


# -- the layout section is the tree ----------------------------------------------------------------------

TREE_LINE = re.compile(r"^( *)([\w.-]+)/(?: +(.*))?$")
MAX_TOP_LEVEL_MODULES = 10


def _layout() -> dict[str, str]:
    """Folder (from the project folder, no trailing slash) -> what the layout section says it holds."""
    body = README.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    tree = FENCED.search(body)
    assert tree, "the Layout section has no tree"
    folders: dict[str, str] = {}
    parents: list[tuple[int, str]] = []
    for line in tree.group(1).splitlines():
        entry = TREE_LINE.match(line)
        assert entry, f"not a folder line in the Layout tree: {line!r}"
        indent, name, says = len(entry.group(1)), entry.group(2), entry.group(3) or ""
        parents = [(depth, path) for depth, path in parents if depth < indent]
        path = f"{parents[-1][1]}/{name}" if parents else name
        parents.append((indent, path))
        folders[path] = says
    return folders


def _ignored(relative: str) -> bool:
    """Whether .gitignore keeps `relative` (a folder, from the project folder) out of git."""
    lines = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    for pattern in (line.strip() for line in lines if line.strip() and not line.startswith("#")):
        anchored, pattern = pattern.startswith("/"), pattern.strip("/")
        if fnmatch.fnmatch(relative if anchored else relative.rsplit("/", 1)[-1], pattern):
            return True
    return False


def test_every_folder_in_the_layout_exists_or_is_built() -> None:
    for folder, says in _layout().items():
        assert (ROOT / folder).is_dir() or _ignored(folder), f"the Layout lists {folder}/, which does not exist"
        assert says, f"the Layout lists {folder}/ without saying what it holds"


def test_every_package_and_top_level_folder_is_in_the_layout() -> None:
    packages = {init.parent.relative_to(ROOT).as_posix() for init in (ROOT / "chatbot").rglob("__init__.py")}
    top = {
        path.name
        for path in ROOT.iterdir()
        if path.is_dir() and not path.name.startswith(".") and not _ignored(path.name)
    }
    missing = (packages | top) - set(_layout())
    assert not missing, f"add to the README's Layout section: {', '.join(sorted(missing))}"


def test_the_package_keeps_at_most_ten_modules_at_its_top_level() -> None:
    modules = sorted(path.name for path in (ROOT / "chatbot").glob("*.py"))
    assert len(modules) <= MAX_TOP_LEVEL_MODULES, f"put some of these in a folder by concern: {modules}"
