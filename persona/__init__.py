"""The brand persona: data (TOML) + one pure renderer for every outbound text."""

from persona.model import Persona, PersonaError, Rendered
from persona.loader import load_persona, default_persona_path

__all__ = ["Persona", "PersonaError", "Rendered", "load_persona", "default_persona_path"]
