"""The prompts shipped with privnum: ``defaults/<language>/<name>.0|.8`` beside this module (package data),
made by ``scripts/make_prompts.sh``."""

from __future__ import annotations

from pathlib import Path

from privnum.domain.voice_files import LANGUAGES, PAYLOAD_TYPES, PCMA, DefaultPrompt, VoicePrompt, duration_ms_of

DEFAULTS_DIR = Path(__file__).parent / "defaults"


class PackagedPrompts:
    """Implements ``BuiltinPrompts``; the files are looked at once, when it is made."""

    def __init__(self, directory: Path = DEFAULTS_DIR) -> None:
        self._prompts: dict[tuple[str, str], VoicePrompt] = {}
        for language in LANGUAGES:
            for name in DefaultPrompt:
                base = directory.absolute() / language / name.value
                if all(Path(f"{base}.{pt}").is_file() for pt in PAYLOAD_TYPES):
                    duration = duration_ms_of(Path(f"{base}.{PCMA}").stat().st_size)
                    self._prompts[language, name.value] = VoicePrompt(str(base), duration)

    def prompt(self, name: str, language: str) -> VoicePrompt | None:
        return self._prompts.get((language, name))

    def names(self, language: str) -> list[str]:
        return [name for lang, name in self._prompts if lang == language]
