"""Settings: the environment, then `.env` in CHATBOT_HOME; folders resolved against CHATBOT_HOME; `.env.example`
in step."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT
from pydantic import ValidationError

from chatbot.settings import Settings, optional_features

EXAMPLE = ROOT / ".env.example"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A CHATBOT_HOME of its own, and a working directory elsewhere."""
    folder = tmp_path / "clinic"
    folder.mkdir()
    monkeypatch.setenv("CHATBOT_HOME", str(folder))
    monkeypatch.delenv("CHATBOT_VAR_DIR", raising=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return folder


def test_the_env_file_in_the_home_folder_is_read(home: Path) -> None:
    (home / ".env").write_text("CHATBOT_OFFICE_PHONE=555-0199\nCHATBOT_SMS_LIMIT=4\n", encoding="utf-8")
    settings = Settings()
    assert (settings.office_phone, settings.sms_limit) == ("555-0199", 4)


def test_the_environment_overrides_the_env_file(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (home / ".env").write_text("CHATBOT_OFFICE_PHONE=555-0199\n", encoding="utf-8")
    monkeypatch.setenv("CHATBOT_OFFICE_PHONE", "555-0142")
    assert Settings().office_phone == "555-0142"


def test_the_env_file_cannot_move_the_home_it_is_found_in(home: Path, tmp_path: Path) -> None:
    (home / ".env").write_text(f"CHATBOT_HOME={tmp_path / 'other'}\n", encoding="utf-8")
    assert Settings().home == home


def test_relative_folders_are_under_the_home_folder_not_the_working_directory(home: Path) -> None:
    (home / ".env").write_text("CHATBOT_INDEX_DIR=built\nCHATBOT_VAR_DIR=/srv/chatbot/var\n", encoding="utf-8")
    settings = Settings()
    assert settings.knowledge_dir == home / "knowledge"
    assert settings.index_dir == home / "built"
    assert settings.var_dir == Path("/srv/chatbot/var")


def test_without_chatbot_home_the_base_is_the_project_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHATBOT_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    assert Settings().knowledge_dir == ROOT / "knowledge"


def _example_lines() -> dict[str, str]:
    text = EXAMPLE.read_text(encoding="utf-8")
    return dict(re.findall(r"^#(CHATBOT_[A-Z_]+)=(.*)$", text, re.MULTILINE))


def test_the_example_lists_every_setting_but_the_home_it_is_found_through() -> None:
    documented = set(_example_lines())
    expected = {f"CHATBOT_{name.upper()}" for name in Settings.model_fields} - {"CHATBOT_HOME"}
    assert documented == expected
    assert "CHATBOT_HOME" in EXAMPLE.read_text(encoding="utf-8")


def test_the_example_uncommented_gives_exactly_the_defaults(home: Path) -> None:
    """Every value the example shows is the default, and parses as one: copying it changes nothing."""
    defaults = Settings()
    uncommented = "\n".join(f"{name}={value}" for name, value in _example_lines().items())
    (home / ".env").write_text(uncommented + "\n", encoding="utf-8")
    assert Settings() == defaults


def test_a_child_given_the_environment_reads_back_the_same_settings(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every kind of field survives the trip through CHATBOT_* variables, and beats what the child's .env says."""
    chosen = Settings(
        index_dir=tmp_path / "built",
        threads=3,
        allowed_origins=["https://a.example", "https://b.example"],
        allowed_hosts=["clinic.example", "*.clinic.example"],
        twilio_verify=False,
        admin_token="x" * 20,
        header_timeout_seconds=2.5,
        rate_limit="off",
        frame_ancestors="'self' https://clinic.example",
    )
    (home / ".env").write_text("CHATBOT_THREADS=7\nCHATBOT_OFFICE_PHONE=555-0199\n", encoding="utf-8")
    environment = chosen.environment(base={"PATH": "/bin"})
    assert environment["PATH"] == "/bin"
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert Settings() == chosen


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({}, "SMS: off, CHATBOT_TWILIO_AUTH_TOKEN not set"),
        ({"twilio_auth_token": "t"}, "SMS: off, CHATBOT_PUBLIC_URL not set"),
        (
            {"twilio_auth_token": "t", "public_url": "https://c.example"},
            "SMS: on, Twilio's webhook must be https://c.example/sms/twilio",
        ),
        ({"twilio_verify": False}, "SMS: on WITHOUT checking Twilio's signature"),
        ({}, "Admin reload: off, CHATBOT_ADMIN_TOKEN not set"),
        ({"admin_token": "x" * 20}, "Admin reload: on"),
        ({}, "Office phone: not set, CHATBOT_OFFICE_PHONE"),
        ({"office_phone": "555-0100"}, "Office phone: 555-0100"),
        ({}, "Widget on other sites: off, CHATBOT_ALLOWED_ORIGINS not set"),
    ],
)
def test_serve_says_which_features_are_on_or_off_and_why(values: dict[str, object], says: str) -> None:
    lines = optional_features(Settings(**values))  # type: ignore[arg-type]
    assert any(line.startswith(says) for line in lines), lines


@pytest.mark.parametrize(
    ("values", "says"),
    [
        (
            {},
            [
                "Rate limits and shared state: this process's memory, CHATBOT_LIMITS_STORAGE not set (not shared)",
                "Unanswered questions: SQLite file /srv/clinic/var/chatbot.db, "
                "CHATBOT_DATABASE_URL not set (not shared)",
            ],
        ),
        (
            {
                "limits_storage": "redis://:s3cret-redis@10.0.0.5:6379/0",
                "database_url": "postgresql://chatbot:s3cret-pg@db.clinic.example:5432/chatbot",
            },
            [
                "Rate limits and shared state: redis://:***@10.0.0.5:6379/0, shared by every replica using it",
                "Unanswered questions: PostgreSQL postgresql://chatbot:***@db.clinic.example:5432/chatbot, "
                "shared by every replica using it",
            ],
        ),
    ],
)
def test_serve_says_which_shared_parts_it_uses_without_their_passwords(
    values: dict[str, object], says: list[str]
) -> None:
    lines = optional_features(Settings(var_dir=Path("/srv/clinic/var"), **values))  # type: ignore[arg-type]
    assert [line for line in lines if line.startswith(("Rate limits and", "Unanswered questions:"))] == says
    assert not any("s3cret" in line for line in lines)


def test_serve_says_where_its_settings_come_from(home: Path) -> None:
    assert (
        optional_features(Settings())[0]
        == f"Settings: the environment only ({home / '.env'} not found; see .env.example)"
    )
    (home / ".env").write_text("", encoding="utf-8")
    assert optional_features(Settings())[0] == f"Settings: the environment, then {home / '.env'}"


def test_the_answer_encoder_is_the_adapted_one_under_home_with_its_index_beside_the_first(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answering = Settings().for_answers()
    assert answering is not None
    assert (answering.model, answering.index_dir) == (str(home / "models" / "adapted-entries"), home / "index-answers")
    said = f"Answer encoder: adapted ({home / 'models' / 'adapted-entries'}); its index: {home / 'index-answers'}"
    assert said in optional_features(Settings())
    moved = Settings(index_dir=tmp_path / "built").for_answers()
    assert moved is not None and moved.index_dir == tmp_path / "built-answers"
    monkeypatch.setenv("CHATBOT_ANSWER_INDEX_DIR", "answers")
    monkeypatch.setenv("CHATBOT_ANSWER_MODEL", "models/other")
    chosen = Settings().for_answers()
    assert chosen is not None and (chosen.model, chosen.index_dir) == (str(home / "models/other"), home / "answers")
    assert Settings(answer_model="").for_answers() is None
    assert "Answer encoder: the first one, CHATBOT_ANSWER_MODEL empty" in optional_features(Settings(answer_model=""))


def test_the_spanish_encoders_index_sits_beside_the_first(tmp_path: Path) -> None:
    spanish = Settings(index_dir=tmp_path / "built", spanish_model="e5").for_spanish()
    assert spanish is not None and spanish.index_dir == tmp_path / "built-spanish"
    said = f"Spanish questions: e5 (multilingual-e5-small); its index: {tmp_path / 'built-spanish'}"
    assert said in optional_features(Settings(index_dir=tmp_path / "built", spanish_model="e5"))
    # Read and built alone: no answer encoder's or Spanish encoder's index of its own.
    assert spanish.for_answers() is None and spanish.for_spanish() is None
    assert Settings(spanish_model="").for_spanish() is None
    assert "Spanish questions: the answer encoder, CHATBOT_SPANISH_MODEL empty" in optional_features(
        Settings(spanish_model="")
    )


def test_an_unknown_spanish_encoder_is_refused_by_name() -> None:
    with pytest.raises(ValidationError, match="spanish_model"):
        Settings(spanish_model="mbert")
