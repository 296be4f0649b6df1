#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check a file of oomtrace JSON lines against the JSON Schema.

    scripts/validate-records.py SCHEMA JSONL_FILE

Every line must be one JSON object that the schema accepts, and the file
must end with a newline (an empty file is valid). The first failures are
printed on stderr as "line N: reason". Exit status: 0 when every line is
valid, 1 when any is not, 2 for bad usage, an unreadable file or a bad
schema. Needs python3 and its jsonschema module (Debian: python3-jsonschema).
"""
import json
import sys

try:
    import jsonschema
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match
except ImportError as e:
    print(f"validate-records: needs the jsonschema module with Draft 2020-12 "
          f"(Debian: python3-jsonschema): {e}", file=sys.stderr)
    sys.exit(2)

SHOWN = 20  # failures printed before the rest are only counted


def reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def no_duplicate_keys(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError(f"duplicate key {key!r}")
        obj[key] = value
    return obj


def where(error):
    path = ""
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path.lstrip(".") or "record"


def rule_of(schema, error):
    """The description of the cross-field rule (a subschema with "if" or
    "allOf") that error came from, or None."""
    node, rule = schema, None
    for key in error.absolute_schema_path:
        try:
            # the path goes through a "$ref" without naming it
            if key not in node and "$ref" in node:  # local: "#/$defs/NAME"
                target = schema
                for part in node["$ref"].lstrip("#/").split("/"):
                    target = target[part]
                node = target
            node = node[key]
        except (KeyError, IndexError, TypeError, AttributeError):
            return rule
        if isinstance(node, dict) and "description" in node and \
                ("if" in node or "allOf" in node):
            rule = node["description"]
    return rule


def check_line(validator, raw):
    """The reason raw (one line, without its newline) is not a valid record,
    or None."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return f"not UTF-8: {e}"
    if not text.strip():
        return "empty line"
    try:
        record = json.loads(text, parse_constant=reject_constant,
                            object_pairs_hook=no_duplicate_keys)
    except ValueError as e:
        return f"not JSON: {e}"
    if not isinstance(record, dict):
        return f"not a JSON object but {type(record).__name__}"
    try:
        # a "\ud800" escape decodes to a lone surrogate: not valid UTF-8
        json.dumps(record, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return "a string is not valid Unicode (lone surrogate escape)"
    error = best_match(validator.iter_errors(record))
    if error is None:
        return None
    message = error.message
    if error.validator == "not" and error.instance is None:
        message = "null"  # "None should not be valid under ..." says little
    rule = rule_of(validator.schema, error)
    return f"{where(error)}: {message}" + (f" (rule: {rule})" if rule else "")


def format_checker():
    checker = getattr(Draft202012Validator, "FORMAT_CHECKER", None)  # 4.19+
    if checker is None:
        checker = getattr(jsonschema, "draft202012_format_checker", None)
    return checker or jsonschema.FormatChecker()


def main(argv):
    if len(argv) != 3:
        print(f"usage: {argv[0]} SCHEMA JSONL_FILE", file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            schema = json.load(f)
        Draft202012Validator.check_schema(schema)
        with open(argv[2], "rb") as f:
            data = f.read()
    except (OSError, ValueError, jsonschema.SchemaError) as e:
        print(f"validate-records: {e}", file=sys.stderr)
        return 2
    validator = Draft202012Validator(schema, format_checker=format_checker())

    lines = data.split(b"\n")
    last = lines.pop()  # b"" when the file ends with a newline
    failed = 0
    for n, raw in enumerate(lines + ([last] if last else []), 1):
        if n > len(lines):
            reason = "no newline at the end of the file (truncated last line?)"
        else:
            reason = check_line(validator, raw)
        if reason:
            failed += 1
            if failed <= SHOWN:
                print(f"line {n}: {reason}", file=sys.stderr)
    total = len(lines) + (1 if last else 0)
    if failed:
        if failed > SHOWN:
            print(f"... {failed - SHOWN} more", file=sys.stderr)
        print(f"{argv[2]}: {failed} of {total} lines are not valid records",
              file=sys.stderr)
        return 1
    print(f"{argv[2]}: {total} records, all valid")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
