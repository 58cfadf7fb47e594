"""`import chatbot` is the library's front door: every public name works, and importing it costs nothing."""

import json
import subprocess
import sys

import pytest

import chatbot


@pytest.mark.parametrize("name", chatbot.__all__)
def test_every_public_name_resolves_to_what_its_module_defines(name):
    value = getattr(chatbot, name)
    assert value.__module__.startswith("chatbot.")
    assert name in dir(chatbot)


def test_the_public_list_and_the_lazy_table_name_the_same_things():
    assert sorted(chatbot.__all__) == sorted(chatbot._PUBLIC)


def test_an_unknown_name_is_an_attribute_error_naming_it():
    with pytest.raises(AttributeError, match="no_such_thing"):
        chatbot.no_such_thing  # noqa: B018  (the lookup is the test)


def test_importing_the_package_loads_no_heavy_library():
    code = (
        "import json, sys, chatbot; "
        "print(json.dumps(sorted(m for m in ('torch', 'fastapi', 'faiss', 'onnxruntime', 'chatbot.kb.startup') "
        "if m in sys.modules)))"
    )
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert loaded == []


@pytest.mark.slow
def test_the_docstring_example_answers_with_the_clinics_words(real_settings):
    assistant = chatbot.load_assistant(real_settings)
    reply = assistant.ask("what does an infusion cost?")
    assert reply.kind is chatbot.Kind.ANSWER
    assert reply.answer == chatbot.load_knowledge(real_settings.knowledge_dir).entry(reply.id).answer
