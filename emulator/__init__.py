"""WeCom (企业微信) emulator: a fake corp for Wanzi's tests, sandbox and benchmarks.

Public names: Emulator (scripts + views), EmulatorConfig, CallbackDriver / Delivery (callback
pushes), create_api_app (the /cgi-bin API host), RecordedCall, Line.
"""

from __future__ import annotations

from emulator.api import create_api_app
from emulator.calls import RecordedCall
from emulator.config import EmulatorConfig
from emulator.driver import CallbackDriver, Delivery
from emulator.emulator import Emulator
from emulator.faults import Fault, Faults
from emulator.transcript import Line

__all__ = ["CallbackDriver", "Delivery", "Emulator", "EmulatorConfig", "Fault", "Faults", "Line",
           "RecordedCall", "create_api_app"]
