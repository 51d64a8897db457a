"""The presets, in one place (the language, the command line, the config file and the
plugins all take these names). Imports nothing, so the CLI's start-up can use it."""

#: The presets, fastest first: what an encoder plugin is asked for.
PRESETS = ("draft", "preview", "production")

#: What a user may write: the presets, or ``auto`` (chosen from the output's size
#: before any plugin is asked).
PRESET_CHOICES = (*PRESETS, "auto")


def unknown_preset(value: str) -> str:
    """The message for a preset that is not one."""
    return f"unknown preset {value!r}: use " + ", ".join(PRESET_CHOICES[:-1]) + " or auto"
