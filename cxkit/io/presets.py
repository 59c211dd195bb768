"""Presets for known exports: a header signature that recognises the tool, and its columns."""

from __future__ import annotations

from dataclasses import dataclass, field

from cxkit.io.read import Table, read_inputs
from cxkit.io.roles import normalise


@dataclass
class Preset:
    name: str
    signature: tuple[str, ...]  # normalised headers; 3 of them present recognise the export
    columns: dict[str, list[str]]  # role -> normalised headers, in order of preference
    units: dict[str, str] = field(default_factory=dict)  # normalised header -> unit
    label: str = ""  # how the tool spells its name
    line_items: bool = False  # one row per line item, order fields on the first row only
    skip: tuple[str, ...] = ()  # normalised headers that are never given a role
    statuses: dict[str, str] = field(default_factory=dict)  # the tool's status -> cxkit's word

    @property
    def title(self) -> str:
        return self.label or self.name.title()


def recognise(table: Table, presets: dict[str, Preset]) -> Preset | None:
    """The first preset with 3 of its signature headers in the table (case and spaces folded)."""
    headers = {normalise(c) or c for c in table.columns}
    for preset in presets.values():
        if sum(h in headers for h in preset.signature) >= 3:
            return preset
    return None


def preset_columns(table: Table, preset: Preset) -> dict[str, str]:
    """role -> column of the table, for the roles the preset names and the table has."""
    by_norm: dict[str, str] = {}
    for col in table.columns:
        by_norm.setdefault(normalise(col) or col, col)  # `#` (Typeform) has no letters
    found = {}
    for role, names in preset.columns.items():
        col = next((by_norm[n] for n in names if n in by_norm), None)
        if col:
            found[role] = col
    return found


def choose(table: Table, presets: dict[str, Preset], name: str | None,
           notices: list[str]) -> Preset | None:
    """The preset asked for, else the one the header matches (with a notice saying so)."""
    preset = presets[name] if name else recognise(table, presets)
    if preset and not name:
        notices.append(f"{table.name}: read as a {preset.title} export (--preset {preset.name})")
    return preset


def open_export(opts, presets: dict[str, Preset], preset_name: str | None,
                role_names: tuple[str, ...], flags: dict[str, str], kind: str,
                command: str, main_roles: tuple[str, ...] = ()):
    """Read the inputs, check they are the `kind` of export the command reads (unless a preset
    is forced or the `main_roles` are given by flags), choose the preset and map roles: the
    preset's columns, then the ones given by flags, then names detected.
    Returns (table, notices, preset, roles)."""
    from cxkit.io import resolve_roles
    from cxkit.io.kinds import check_kind

    table = read_inputs(opts.inputs, opts.encoding, opts.delimiter)
    notices = list(table.notices)
    flagged = {r: c for r, c in opts.columns.items() if c}
    checked = not command  # the caller (the report) has checked the kind already
    if not (checked or preset_name or (main_roles and all(r in flagged for r in main_roles))):
        check_kind(table, (kind,), command,
                   " ".join(f"{flags.get(r, '--' + r)} COL" for r in main_roles) or None)
    preset = choose(table, presets, preset_name, notices)
    given = dict(preset_columns(table, preset) if preset else {})
    given.update(flagged)
    roles = resolve_roles(table, role_names, given, flags, preset.skip if preset else ())
    return table, notices, preset, roles
