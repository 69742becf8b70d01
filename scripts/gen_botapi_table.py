"""Generate bot/sandbox/botapi_methods.json from the official Bot API method and type list.

Usage: python scripts/gen_botapi_table.py /path/to/telegram-bot-api.json [--out DIR]

The sandbox validates requests against this table at runtime, so the table is generated once
by hand and committed; nothing reads the source list at runtime or in tests. Descriptions are
dropped and only the types that method parameters can reach are kept, to keep the file small.
The data's MIT licence is copied next to the table.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

Spec = dict[str, dict[str, Any]]

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "bot" / "sandbox"
TABLE_NAME = "botapi_methods.json"
LICENSE_NAME = "botapi_methods.LICENSE"
_ARRAY_PREFIX = re.compile(r"^(?:Array of )+")


def field_specs(fields: Iterable[Mapping[str, Any]]) -> Spec:
    """Keep only what validation needs: declared types and whether the field is required."""
    return {f["name"]: {"types": list(f["types"]), "required": bool(f["required"])} for f in fields}


def base_type(type_name: str) -> str:
    """'Array of Array of InlineKeyboardButton' -> 'InlineKeyboardButton'."""
    return _ARRAY_PREFIX.sub("", type_name)


def reachable_types(methods: Mapping[str, Spec], types: Mapping[str, Any]) -> list[str]:
    """Types reachable from method parameters, through fields and subtypes, in source order."""
    seen: set[str] = set()
    pending = [base_type(t) for spec in methods.values() for p in spec.values() for t in p["types"]]
    while pending:
        name = pending.pop()
        if name in seen or name not in types:
            continue
        seen.add(name)
        entry = types[name]
        pending.extend(base_type(t) for f in entry.get("fields", []) for t in f["types"])
        pending.extend(entry.get("subtypes", []))
    return [name for name in types if name in seen]


def build_table(source: Mapping[str, Any]) -> dict[str, Any]:
    """Compact table: version, method parameters and the parameter types' fields."""
    methods = {name: field_specs(m.get("fields", [])) for name, m in source["methods"].items()}
    all_types = source["types"]
    types = {
        name: field_specs(all_types[name].get("fields", []))
        for name in reachable_types(methods, all_types)
    }
    return {"version": source["version"], "methods": methods, "types": types}


def dump_table(table: Mapping[str, Any]) -> str:
    """JSON with one method or type per line, so that regenerating gives readable diffs."""

    def compact(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def section(entries: Mapping[str, Any]) -> str:
        return ",\n".join(f"    {compact(k)}: {compact(v)}" for k, v in entries.items())

    return (
        "{\n"
        f'  "version": {compact(table["version"])},\n'
        f'  "methods": {{\n{section(table["methods"])}\n  }},\n'
        f'  "types": {{\n{section(table["types"])}\n  }}\n'
        "}\n"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("source", type=Path, help="telegram-bot-api.json")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    args = parser.parse_args(argv)
    source_path: Path = args.source
    out_dir: Path = args.out

    table = build_table(json.loads(source_path.read_text(encoding="utf-8")))
    (out_dir / TABLE_NAME).write_text(dump_table(table), encoding="utf-8")
    shutil.copyfile(source_path.with_suffix(".LICENSE"), out_dir / LICENSE_NAME)
    print(
        f"{table['version']}: {len(table['methods'])} methods, {len(table['types'])} types "
        f"-> {out_dir / TABLE_NAME}"
    )


if __name__ == "__main__":
    main()
