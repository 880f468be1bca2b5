"""Events and reps to and from plain JSON-able dicts, for the journal, the database and exports."""

from __future__ import annotations

import dataclasses
from typing import Any

from formcheck import events as ev
from formcheck.events import Event, Rep

EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in vars(ev).values()
    if isinstance(cls, type) and issubclass(cls, Event) and cls is not Event
}


def rep_to_dict(rep: Rep) -> dict[str, Any]:
    d = {f.name: getattr(rep, f.name) for f in dataclasses.fields(rep)}
    d["faults"] = list(rep.faults)
    return d


def rep_from_dict(d: dict[str, Any]) -> Rep:
    return Rep(
        index=int(d["index"]),
        side=d["side"],
        start_s=float(d["start_s"]),
        peak_s=float(d["peak_s"]),
        end_s=None if d["end_s"] is None else float(d["end_s"]),
        peak_deg=float(d["peak_deg"]),
        hold_s=float(d["hold_s"]),
        complete=bool(d["complete"]),
        result=str(d["result"]),
        faults=tuple(d["faults"]),
    )


def event_to_dict(event: Event) -> dict[str, Any]:
    d: dict[str, Any] = {"type": type(event).__name__}
    for f in dataclasses.fields(event):
        value = getattr(event, f.name)
        d[f.name] = rep_to_dict(value) if isinstance(value, Rep) else value
    return d


def event_from_dict(d: dict[str, Any]) -> Event:
    """Rebuild an event; raises ValueError for an unknown type or wrong fields."""
    cls = EVENT_TYPES.get(str(d.get("type")))
    if cls is None:
        raise ValueError(f"unknown event type {d.get('type')!r}")
    kwargs = {k: v for k, v in d.items() if k != "type"}
    if cls is ev.RepCompleted:
        kwargs["rep"] = rep_from_dict(kwargs["rep"])
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ValueError(f"bad fields for {cls.__name__}: {exc}") from None
