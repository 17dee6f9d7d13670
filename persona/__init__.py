"""The brand persona: data (TOML) + one pure renderer for every outbound text."""

from persona.loader import default_persona_path, load_persona, preset_names
from persona.model import Cadence, Persona, PersonaError, Rendered, Stage

__all__ = ["Cadence", "Persona", "PersonaError", "Rendered", "Stage", "load_persona", "default_persona_path",
           "preset_names"]
