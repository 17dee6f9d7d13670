"""Fault injection: make the next N calls to an API fail, answer 5xx, or hang, on purpose."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Fault:
    path_suffix: str
    errcode: int | None = None  # answer HTTP 200 with this errcode
    status: int | None = None  # answer this HTTP status instead (e.g. 502)
    delay: float = 0.0  # real seconds to wait first, to exercise the client's timeout
    times: int | None = 1  # None = every matching call until cleared
    body: str | None = None  # raw body for a status fault

    def matches(self, path: str) -> bool:
        return path.endswith(self.path_suffix) and (self.times is None or self.times > 0)


class Faults:
    """Injected faults, consumed in injection order by matching calls."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def inject(self, path_suffix: str, *, errcode: int | None = None, status: int | None = None,
               delay: float = 0.0, times: int | None = 1, body: str | None = None) -> Fault:
        """E.g. inject("kf/send_msg", errcode=-1, times=2) or inject("gettoken", status=502)."""
        fault = Fault(path_suffix, errcode, status, delay, times, body)
        self._faults.append(fault)
        return fault

    def take(self, path: str) -> Fault | None:
        for fault in self._faults:
            if fault.matches(path):
                if fault.times is not None:
                    fault.times -= 1
                return fault
        return None

    def clear(self) -> None:
        self._faults.clear()
