"""Voice files end to end: the use cases wired by bootstrap on a real database made by the migrations (SQLite
always, PostgreSQL too when PRIVNUM_TEST_POSTGRES_URL is set), real sox conversion, the shipped prompts, the
CLI (an operator's additions: approved at once), and migration 0006 up and down."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from privnum.adapters.db.database import open_database
from privnum.adapters.db.migrate import alembic_config
from privnum.adapters.voice import sox
from privnum.adapters.voice.builtin import PackagedPrompts
from privnum.adapters.voice.store import LocalVoiceStore
from privnum.bootstrap import OperatorRuntime, build_operator
from privnum.config import Settings
from privnum.domain.access import Actor
from privnum.domain.apps import App, CallbackUrls
from privnum.domain.modes import Mode
from privnum.domain.operator_errors import OperatorError
from privnum.domain.voice_files import MAX_DURATION_MS, PCMA, PCMU, DefaultPrompt
from privnum.entrypoints.cli import cli
from privnum.service.management.reviews import Reviews
from privnum.service.management.voice_files import VoiceLibrary
from privnum.service.voice_files import VoiceFiles, VoicePrompts
from servers import BACKENDS, drop_database, fresh_database_url

CLI = Actor.cli()


def tone(path: Path, seconds: float, *, rate: int = 16000, channels: int = 2, frequency: int = 440) -> Path:
    """A WAV made by sox: a sine of ``seconds`` at ``rate`` Hz with ``channels`` channels."""
    subprocess.run(["sox", "-n", "-r", str(rate), "-c", str(channels), str(path), "synth", str(seconds), "sine",
                    str(frequency)], check=True)
    return path


def tree(directory: Path) -> list[str]:
    """Every file and directory under ``directory`` (hidden staging directories too)."""
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*")) if directory.exists() else []


@dataclass
class Env:
    operator: OperatorRuntime
    url: str
    voice_dir: Path
    tmp: Path

    async def app(self, name: str = "app") -> App:
        return await self.operator.apps.create(CLI, enterprise="default", name=name, mode=Mode.AXB,
                                               callbacks=CallbackUrls())

    async def rows(self, sql: str) -> list[tuple[Any, ...]]:
        db = open_database(self.url)
        try:
            async with db.reading() as conn:
                return [tuple(r) for r in (await conn.execute(text(sql))).all()]
        finally:
            await db.dispose()


@pytest.fixture(params=BACKENDS)
async def env(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Env]:
    url = await asyncio.to_thread(fresh_database_url, request.param, tmp_path)
    settings = Settings.from_env({}, database_url=url, recordings_dir=str(tmp_path / "data" / "recordings"))
    try:
        async with build_operator(settings) as operator:
            yield Env(operator, url, tmp_path / "data" / "voice", tmp_path)
    finally:
        await asyncio.to_thread(drop_database, url)


async def test_an_upload_becomes_pcmu_and_pcma_files_of_its_duration(env: Env) -> None:
    app = await env.app()
    added = await env.operator.voice_files.add(CLI, app.app_key, "welcome.wav", tone(env.tmp / "in.wav", 1.5))
    assert not added.replaced and added.file.duration_ms == 1500 and added.file.app_id == app.id

    prompt = await env.operator.voice.prompt(app.id, "welcome.wav")
    assert prompt is not None and prompt.duration_ms == 1500
    base = Path(prompt.base_path)
    assert base.is_absolute() and base.name == "welcome.wav"
    assert base.parent.parent == env.voice_dir / str(app.id)
    pcmu, pcma = Path(prompt.path_for(PCMU)), Path(prompt.path_for(PCMA))
    assert pcmu.name == "welcome.wav.0" and pcma.name == "welcome.wav.8"
    assert pcmu.stat().st_size == pcma.stat().st_size == 12_000  # 1.5 s x 8000 samples x 1 byte
    assert pcmu.read_bytes() != pcma.read_bytes()
    # decoding the raw A-law file again gives 8 kHz mono audio of the same length
    decoded = env.tmp / "decoded.wav"
    subprocess.run(["sox", "-t", "raw", "-r", "8000", "-c", "1", "-e", "a-law", "-b", "8", str(pcma), str(decoded)],
                   check=True)
    info = {key: subprocess.run(["soxi", f"-{key}", str(decoded)], capture_output=True, text=True, check=True)
            .stdout.strip() for key in "rcD"}
    assert (info["r"], info["c"], float(info["D"])) == ("8000", "1", 1.5)
    assert tree(env.voice_dir / str(app.id)) == [base.parent.name, f"{base.parent.name}/welcome.wav.0",
                                                  f"{base.parent.name}/welcome.wav.8"]
    assert await env.rows("SELECT app_id, name, duration_ms FROM voice_files") == [(app.id, "welcome.wav", 1500)]


async def test_not_audio_is_refused_with_a_sentence_and_leaves_nothing_behind(env: Env) -> None:
    app = await env.app()
    text_file = env.tmp / "notes.wav"
    text_file.write_text("this is not a WAV file\n")
    with pytest.raises(OperatorError, match=r"notes.wav is not audio sox can read \(.*RIFF.*\); nothing was kept"):
        await env.operator.voice_files.add(CLI, app.app_key, "notes.wav", text_file)
    empty = env.tmp / "empty.wav"
    subprocess.run(["sox", "-n", "-r", "8000", str(empty), "trim", "0", "0"], check=True)
    with pytest.raises(OperatorError, match=r"empty\.wav holds no audio; nothing was kept"):
        await env.operator.voice_files.add(CLI, app.app_key, "empty.wav", empty)
    with pytest.raises(OperatorError, match="no such file"):
        await env.operator.voice_files.add(CLI, app.app_key, "gone.wav", env.tmp / "gone.wav")
    with pytest.raises(OperatorError, match="is not a voice file name"):
        await env.operator.voice_files.add(CLI, app.app_key, "../escape.wav", tone(env.tmp / "in.wav", 0.5))
    with pytest.raises(OperatorError, match="no app with APP_Key nobody"):
        await env.operator.voice_files.add(CLI, "nobody", "x.wav", env.tmp / "in.wav")
    assert tree(env.voice_dir / str(app.id)) == []
    assert not (env.tmp / "escape.wav").exists()
    assert await env.rows("SELECT * FROM voice_files") == []


async def test_a_missing_sox_is_named_and_leaves_nothing_behind(env: Env, tmp_path: Path) -> None:
    store = LocalVoiceStore(tmp_path / "voice", partial(sox.convert, sox="/nonexistent/sox"))
    with pytest.raises(OperatorError, match=r"'/nonexistent/sox' is not installed .*apt-get install sox"):
        await store.keep(1, "a.wav", tone(tmp_path / "in.wav", 0.2))
    assert tree(tmp_path / "voice") == ["1"]


async def test_too_long_an_upload_is_refused(tmp_path: Path) -> None:
    store = LocalVoiceStore(tmp_path / "voice")
    with pytest.raises(OperatorError, match="longer than a voice file may"):
        await store.keep(1, "long.wav", tone(tmp_path / "long.wav", MAX_DURATION_MS / 1000 + 1, rate=8000,
                                              channels=1))
    assert tree(tmp_path / "voice") == ["1"]


class _BrokenUnit:
    """Reads answer nothing; every write transaction fails."""

    async def run(self, work: Any, *, read_only: bool = False) -> Any:
        if read_only:
            return None
        raise RuntimeError("database went away")


async def test_the_files_go_when_the_row_cannot_be_written(tmp_path: Path) -> None:
    voice = VoiceFiles(None, LocalVoiceStore(tmp_path / "voice"), apps=None,  # type: ignore[arg-type]
                       builtins=PackagedPrompts())
    unit = _BrokenUnit()
    library = VoiceLibrary(unit, Reviews(unit), voice)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="database went away"):
        await library.add(CLI, None, "a.wav", tone(tmp_path / "in.wav", 0.3))
    assert tree(tmp_path / "voice") == ["0"]


async def test_replacing_a_name_keeps_one_row_and_only_the_new_files(env: Env) -> None:
    app = await env.app()
    await env.operator.voice_files.add(CLI, app.app_key, "hold.wav", tone(env.tmp / "a.wav", 1.0))
    first = await env.operator.voice.prompt(app.id, "hold.wav")
    again = await env.operator.voice_files.add(CLI, app.app_key, "hold.wav",
                                               tone(env.tmp / "b.wav", 2.0, frequency=880))
    assert again.replaced and again.file.duration_ms == 2000
    second = await env.operator.voice.prompt(app.id, "hold.wav")
    assert first is not None and second is not None and first.base_path != second.base_path
    assert not Path(first.path_for(PCMU)).exists()
    assert Path(second.path_for(PCMA)).stat().st_size == 16_000
    assert len(tree(env.voice_dir / str(app.id))) == 3
    assert [(f.name, f.duration_ms) for f in await env.operator.voice.list(app.app_key)] == [("hold.wav", 2000)]


async def test_uploads_of_one_name_at_once_leave_one_row_and_its_files(env: Env) -> None:
    app = await env.app()
    sources = [tone(env.tmp / f"{i}.wav", 0.25 * (i + 1)) for i in range(4)]
    added = await asyncio.gather(*(env.operator.voice_files.add(CLI, app.app_key, "race.wav", s) for s in sources))
    assert sorted(a.replaced for a in added) == [False, True, True, True]
    [(version, duration)] = await env.rows("SELECT version, duration_ms FROM voice_files")
    assert tree(env.voice_dir / str(app.id)) == [version, f"{version}/race.wav.0", f"{version}/race.wav.8"]
    assert duration in (250, 500, 750, 1000)


async def test_an_app_hears_its_own_file_then_the_platform_upload_then_the_shipped_prompt(env: Env) -> None:
    own, other = await env.app("own"), await env.app("other")
    await env.operator.voice_files.add(CLI, None, "welcome.wav", tone(env.tmp / "p.wav", 0.5))
    await env.operator.voice_files.add(CLI, own.app_key, "welcome.wav", tone(env.tmp / "o.wav", 0.75))
    prompts: VoicePrompts = env.operator.voice  # what the call core depends on

    mine, theirs = await prompts.prompt(own.id, "welcome.wav"), await prompts.prompt(other.id, "welcome.wav")
    assert mine is not None and mine.duration_ms == 750 and f"/{own.id}/" in mine.base_path
    assert theirs is not None and theirs.duration_ms == 500 and "/0/" in theirs.base_path
    assert await prompts.prompt(own.id, "unknown.wav") is None
    assert await prompts.prompt(own.id, "../../etc/passwd") is None

    shipped = await prompts.prompt(own.id, DefaultPrompt.NO_BINDING)
    assert shipped is not None and shipped.base_path.endswith("/defaults/zh/default_no_binding")
    assert 0 < shipped.duration_ms <= 4000
    assert Path(shipped.path_for(PCMU)).stat().st_size // 8 == shipped.duration_ms
    english = await env.operator.voice.prompt(own.id, DefaultPrompt.NO_BINDING, language="en")
    assert english is not None and english.base_path.endswith("/defaults/en/default_no_binding")

    await env.operator.voice_files.add(CLI, own.app_key, DefaultPrompt.NO_BINDING, tone(env.tmp / "n.wav", 0.25))
    overridden = await prompts.prompt(own.id, DefaultPrompt.NO_BINDING)
    assert overridden is not None and overridden.duration_ms == 250
    assert await prompts.prompt(other.id, DefaultPrompt.NO_BINDING) == shipped


async def test_the_listing_shows_every_upload_then_the_shipped_prompts(env: Env) -> None:
    app = await env.app()
    await env.operator.voice_files.add(CLI, app.app_key, "b.wav", tone(env.tmp / "b.wav", 0.5))
    await env.operator.voice_files.add(CLI, None, "a.wav", tone(env.tmp / "a.wav", 0.5))
    listed = await env.operator.voice.list()
    assert [(f.owner, f.name) for f in listed[:2]] == [(None, "a.wav"), (app.app_key, "b.wav")]
    assert {f.name for f in listed[2:]} == {p.value for p in DefaultPrompt}
    assert {(f.owner, f.builtin_language, f.created_at_ms) for f in listed[2:]} == {(None, "zh", None)}
    assert [f.name for f in await env.operator.voice.list(app.app_key)] == ["b.wav"]


def test_every_shipped_prompt_exists_in_both_languages_and_plays_at_most_4_s() -> None:
    shipped = PackagedPrompts()
    for language in ("zh", "en"):
        assert sorted(shipped.names(language)) == sorted(p.value for p in DefaultPrompt)
        for name in DefaultPrompt:
            prompt = shipped.prompt(name, language)
            assert prompt is not None and 1000 <= prompt.duration_ms <= 4000
            assert Path(prompt.path_for(PCMU)).stat().st_size == Path(prompt.path_for(PCMA)).stat().st_size


def test_the_prompt_language_comes_from_the_environment() -> None:
    assert Settings.from_env({}).prompt_language == "zh"
    assert Settings.from_env({"PRIVNUM_PROMPT_LANGUAGE": "en"}).prompt_language == "en"
    with pytest.raises(ValueError, match="PRIVNUM_PROMPT_LANGUAGE='fr' is not valid"):
        Settings.from_env({"PRIVNUM_PROMPT_LANGUAGE": "fr"})
    assert Settings.from_env({"PRIVNUM_RECORDINGS_DIR": "/srv/p/rec"}).voice_files_dir == "/srv/p/voice"
    assert Settings.from_env({"PRIVNUM_VOICE_DIR": "/srv/v"}).voice_files_dir == "/srv/v"


# the CLI: sync tests (the command runs its own event loop)

@pytest.fixture
def cli_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    url = fresh_database_url(BACKENDS[-1], tmp_path)
    yield {"PRIVNUM_DATABASE_URL": url, "PRIVNUM_VOICE_DIR": str(tmp_path / "voice"), "COLUMNS": "200"}
    drop_database(url)


def test_the_cli_adds_replaces_and_lists_voice_files(cli_env: dict[str, str], tmp_path: Path) -> None:
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(cli, list(args), env=cli_env)

    made = run("app", "create", "--name", "voice", "--mode", "AXB", "--json")
    assert made.exit_code == 0, made.output
    app_key = json.loads(made.stdout)["app_key"]
    source = tone(tmp_path / "in.wav", 1.0)

    first = run("voice", "add", "--app", app_key, "--name", "wait_voice1.wav", str(source))
    assert first.exit_code == 0, first.output
    assert f"added voice file wait_voice1.wav of app {app_key} (1.0 s)" in first.stdout
    again = run("voice", "add", "--app", app_key, "--name", "wait_voice1.wav", str(source))
    assert "replaced voice file wait_voice1.wav" in again.stdout
    platform = run("voice", "add", "--name", "closing.wav", str(source))
    assert "added voice file closing.wav of the platform" in platform.stdout

    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"\x00garbage")
    refused = run("voice", "add", "--app", app_key, "--name", "bad.wav", str(bad))
    assert refused.exit_code == 1 and "error:" in refused.stderr and "not audio sox can read" in refused.stderr
    assert run("voice", "add", "--app", app_key, "--name", "bad name.wav", str(source)).exit_code == 1

    listed = run("voice", "list", "--app", app_key, "--json")
    assert [(f["owner"], f["name"], f["duration_ms"]) for f in json.loads(listed.stdout)] == [
        (app_key, "wait_voice1.wav", 1000)]
    table = run("voice", "list")
    assert table.exit_code == 0
    assert "closing.wav" in table.stdout and "wait_voice1.wav" in table.stdout
    assert "default_no_binding" in table.stdout and "built-in (zh)" in table.stdout


# migration 0006

@pytest.fixture(params=BACKENDS)
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    made = await asyncio.to_thread(fresh_database_url, request.param, tmp_path)
    try:
        yield made
    finally:
        await asyncio.to_thread(drop_database, made)


async def _migrate(url: str, revision: str, *, down: bool = False) -> None:
    await asyncio.to_thread(command.downgrade if down else command.upgrade, alembic_config(url), revision)


async def _execute(url: str, sql: str) -> list[tuple[Any, ...]]:
    db = open_database(url)
    try:
        async with db.transaction() as conn:
            result = await conn.execute(text(sql))
            return [tuple(r) for r in result.all()] if result.returns_rows else []
    finally:
        await db.dispose()


_INSERT = ("INSERT INTO voice_files (app_id, name, version, duration_ms, created_at_ms) "
           "VALUES ({}, 'a.wav', 'v1', 10, 1)")


async def test_migration_0006_up_and_down(url: str) -> None:
    await _migrate(url, "0005")
    await _migrate(url, "head")
    await _execute(url, _INSERT.format(0))
    await _execute(url, _INSERT.format(7))
    with pytest.raises(IntegrityError):  # one platform default per name: app_id 0, not NULL
        await _execute(url, _INSERT.format(0))
    with pytest.raises(IntegrityError):
        await _execute(url, _INSERT.format(7))
    with pytest.raises(IntegrityError):
        await _execute(url, "INSERT INTO voice_files (app_id, name, version, duration_ms, created_at_ms) "
                            "VALUES (1, 'z.wav', 'v1', 0, 1)")
    assert await _execute(url, "SELECT app_id, name FROM voice_files ORDER BY app_id") == [(0, "a.wav"), (7, "a.wav")]

    await _migrate(url, "0005", down=True)
    tables = ("SELECT name FROM sqlite_master WHERE type = 'table'" if url.startswith("sqlite")
              else "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    names = {r[0] for r in await _execute(url, tables)}
    assert "voice_files" not in names and "call_commands" in names
    await _migrate(url, "head")
    assert await _execute(url, "SELECT COUNT(*) FROM voice_files") == [(0,)]


async def test_migration_0010_approves_the_files_there_were_and_goes_down_again(url: str) -> None:
    await _migrate(url, "0009")
    await _execute(url, _INSERT.format(7))
    await _migrate(url, "head")
    assert await _execute(url, "SELECT state, description, tenant_id, conversion FROM voice_files") == [
        ("approved", "", None, None)]
    await _migrate(url, "0009", down=True)
    assert await _execute(url, "SELECT app_id, name FROM voice_files") == [(7, "a.wav")]
    with pytest.raises(Exception, match="state"):
        await _execute(url, "SELECT state FROM voice_files")
