"""Configuration: loading (bot.config.loading), the platform's sections (bot.config.platform) and
the Config that also carries each feature's own section (declared in handlers/<feature>/config.py)."""

from bot.config.loading import config_path, from_mapping, load, require_wecom
from bot.config.model import Config, Section
from bot.config.platform import (
                                 REAL_API_BASE,
                                 ConsoleConfig,
                                 DatabaseConfig,
                                 LogConfig,
                                 PersonaConfig,
                                 ServerConfig,
                                 StaffConfig,
                                 WeComConfig,
                                 WorkerConfig,
)

__all__ = ["REAL_API_BASE", "Config", "ConsoleConfig", "DatabaseConfig", "LogConfig", "PersonaConfig", "Section",
           "ServerConfig", "StaffConfig", "WeComConfig", "WorkerConfig", "config_path", "from_mapping", "load",
           "require_wecom"]
