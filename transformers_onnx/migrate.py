"""Move code written for the removed `transformers.onnx` onto `transformers_onnx`.

    python -m transformers_onnx.migrate PATH... [--check] [--diff]

Python is rewritten with libcst, so formatting and comments stay as they were: imports from
`transformers.onnx[.config|.convert|.features|.utils]`, attribute uses such as
`transformers.onnx.export(...)`, `XxxOnnxConfig` imported from `transformers` or
`transformers.models.<name>[.configuration_<name>]`, and `python -m transformers.onnx` commands in
strings and subprocess argument lists. Shell scripts, Dockerfiles, CI YAML, requirements, text,
markdown (whose Python code blocks get the Python rewrite) and notebooks get the command rewrite and
`transformers[onnx]` → `transformers-onnx`. What cannot be rewritten safely is reported as
`file:line: message`.
"""

import argparse
import dataclasses
import difflib
import fnmatch
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Optional, Union

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from .models import MODELS

NEW_PACKAGE = "transformers_onnx"
NEW_DISTRIBUTION = "transformers-onnx"

#: The `XxxOnnxConfig` classes that transformers 4.57 exported at top level → their legacy
#: `transformers.models.<module>`, which is also their module under `transformers_onnx.models` (the rows whose
#: `legacy` is "transformers").
TOP_LEVEL_ONNX_CONFIGS = {
    model.config_class_name: model.config_module for model in MODELS.values() if model.legacy == "transformers"
}

SKIPPED_FOLDERS = {".git", ".hg", ".svn", "__pycache__", "node_modules", ".tox", ".nox", "site-packages"}

#: `-m transformers.onnx` in a command line, or `"-m", "transformers.onnx"` in an exec-form list.
_CLI_COMMAND = re.compile(r"(?<![\w.])(-m\s*|[\"']-m[\"']\s*,\s*[\"'])transformers\.onnx(?!\w|\.\w)")
_VERSION_SPEC = r"(?:===|==|!=|~=|<=|>=|<|>)\s*[\w.*+!-]+"
_EXTRAS_REQUIREMENT = re.compile(
    rf"(?<![\w./-])(?P<quote>[\"']?)transformers\[(?P<extras>[\w\s,.-]*)\]"
    rf"(?P<spec>\s*{_VERSION_SPEC}(?:\s*,\s*{_VERSION_SPEC})*)?(?P=quote)"
)
_LEGACY_MENTION = re.compile(r"(?<![\w.])transformers\.onnx(?!\w)")
_LEGACY_IMPORT = re.compile(r"\b(?:from|import)\s+transformers\.onnx(?![\w])")
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<language>[\w+-]*)")
_PYTHON_LANGUAGES = {"python", "py", "python3", "pycon", "ipython", "ipython3"}
_SHELL_CELL_MAGICS = ("%%bash", "%%sh", "%%script", "%%system")
_MAGIC_MARKER = "transformers_onnx_migrate_magic_"
_BY_HAND = "change it to transformers_onnx by hand"
_DYNAMIC_IMPORTERS = {"import_module", "__import__", "run_module", "find_spec"}


@dataclasses.dataclass(frozen=True)
class Note:
    """Something the migration could not rewrite, or changed in a way worth knowing.

    Args:
        line: 1-based line in the file (0 when the note is about the whole file).
        message: What happened and what to do.
    """

    line: int
    message: str


@dataclasses.dataclass
class Migration:
    """The migrated text of one file and the notes about it.

    Args:
        text: The new content (equal to the old one when nothing changed).
        notes: What the user should look at.
    """

    text: str
    notes: list[Note] = dataclasses.field(default_factory=list)

    def shifted(self, lines: int, prefix: str = "") -> list[Note]:
        """The notes moved down by `lines` lines, their messages prefixed with `prefix`."""
        return [Note(note.line + lines, prefix + note.message) for note in self.notes]


# ---------------------------------------------------------------------------------------------------
# Text: commands and requirements, line by line.


def _rewrite_text(text: str, extras: str = "inline") -> tuple[str, list[str]]:
    """Rewrite `python -m transformers.onnx` and `transformers[onnx]` in one line or string.

    `extras` says what becomes of `transformers[other,onnx]`: "inline" writes
    `transformers[other] transformers-onnx`, "line" repeats the whole line once for each of the two
    requirements (requirements files), "report" leaves it and reports it.
    """
    messages = []

    def requirement(match: re.Match, keep_transformers: bool) -> str:
        names = [name.strip() for name in match["extras"].split(",") if name.strip()]
        if "onnx" not in names:
            return match[0]
        quote, spec, others = match["quote"], match["spec"] or "", [name for name in names if name != "onnx"]
        new_requirement = f"{quote}{NEW_DISTRIBUTION}{quote}"
        if not others:
            if spec and not keep_transformers:
                messages.append(
                    f"dropped the pin '{spec.strip()}' of transformers[onnx]: {NEW_DISTRIBUTION} requires the "
                    "transformers versions it supports; pin transformers on its own line if you need to"
                )
            return new_requirement
        if extras == "report":
            messages.append(f"{match[0]}: drop the 'onnx' extra and add a '{NEW_DISTRIBUTION}' requirement")
            return match[0]
        kept = f"{quote}transformers[{','.join(others)}]{spec}{quote}"
        if spec and not keep_transformers:
            messages.append(
                f"kept the pin '{spec.strip()}' of transformers[{','.join(others)}]: check that {NEW_DISTRIBUTION} "
                "supports that transformers version"
            )
        if extras == "line":
            return kept if keep_transformers else new_requirement
        return f"{kept} {new_requirement}"

    text = _CLI_COMMAND.sub(rf"\g<1>{NEW_PACKAGE}", text)
    new_text = _EXTRAS_REQUIREMENT.sub(lambda match: requirement(match, keep_transformers=False), text)
    if extras == "line":
        with_transformers = _EXTRAS_REQUIREMENT.sub(lambda match: requirement(match, keep_transformers=True), text)
        if with_transformers != new_text:
            body = with_transformers.rstrip("\r\n")
            new_text = body + (with_transformers[len(body) :] or "\n") + new_text
    return new_text, messages


def migrate_lines(text: str, extras: str = "inline", report_leftovers: bool = True) -> Migration:
    """Migrate a shell script, Dockerfile, YAML, requirements or plain text file line by line.

    Args:
        text: The file's content.
        extras: What becomes of `transformers[other,onnx]`: "inline" (`transformers[other]
            transformers-onnx`), "line" (one line each) or "report" (left as it is, reported).
        report_leftovers: Report Python imports of `transformers.onnx` left in the lines (e.g. in
            `python -c "..."`), which the text rewrite does not touch.

    Returns:
        The migrated text and its notes.
    """
    lines, notes = [], []
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        new_line, messages = _rewrite_text(line, extras)
        notes += [Note(number, message) for message in messages]
        if report_leftovers and _LEGACY_IMPORT.search(new_line):
            notes.append(Note(number, f"imports transformers.onnx: {_BY_HAND}"))
        lines.append(new_line)
    return Migration("".join(lines), notes)


# ---------------------------------------------------------------------------------------------------
# Python: libcst.


def _dotted_parts(node: cst.CSTNode) -> Optional[list[str]]:
    """`a.b.c` → ["a", "b", "c"]; None for anything but names and attributes."""
    if isinstance(node, cst.Name):
        return [node.value]
    if isinstance(node, cst.Attribute):
        head = _dotted_parts(node.value)
        return None if head is None else [*head, node.attr.value]
    return None


def _is_legacy(parts: Optional[Sequence[str]]) -> bool:
    return parts is not None and list(parts[:2]) == ["transformers", "onnx"]


def _new_module(parts: Sequence[str]) -> str:
    """["transformers", "onnx", "features"] → "transformers_onnx.features"."""
    return ".".join([NEW_PACKAGE, *parts[2:]])


def _new_home(module: Sequence[str], name: str) -> Optional[str]:
    """Where `name`, imported from `module`, lives now; None when it stays where it is."""
    if list(module) == ["transformers"]:
        if name == "onnx":
            return NEW_PACKAGE
        if name in TOP_LEVEL_ONNX_CONFIGS:
            return f"{NEW_PACKAGE}.models.{TOP_LEVEL_ONNX_CONFIGS[name]}"
    if list(module[:2]) == ["transformers", "models"] and len(module) > 2 and name.endswith("OnnxConfig"):
        return f"{NEW_PACKAGE}.models.{module[2]}"
    return None


def _alias_name(alias: cst.ImportAlias) -> str:
    return cst.Module([]).code_for_node(alias.name)


def _as_name(alias: cst.ImportAlias) -> Optional[str]:
    return alias.asname.name.value if alias.asname else None


class _Survey(cst.CSTVisitor):
    """First pass: which names hold the `transformers` package and how the module uses them."""

    def __init__(self) -> None:
        self.package_names: set[str] = set()
        self.binding_lines: list[cst.SimpleStatementLine] = []
        self.stays_bound = False
        self.imports_legacy_package = False
        self.imports_new_package = False
        self.onnx_heads: list[cst.Name] = []
        self.other_uses = False
        self._line: Optional[cst.SimpleStatementLine] = None
        self._skipped: set[int] = set()

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._line = node

    def visit_Import(self, node: cst.Import) -> bool:
        for alias in node.names:
            parts, as_name = _dotted_parts(alias.name), _as_name(alias)
            if parts[0] == NEW_PACKAGE and as_name is None:
                self.imports_new_package = True
            if parts[0] != "transformers" or (as_name and len(parts) > 1):
                continue
            self.package_names.add(as_name or "transformers")
            self.binding_lines.append(self._line)
            if _is_legacy(parts):
                self.imports_legacy_package = True
            elif as_name is None:
                self.stays_bound = True
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._skipped.add(id(node.attr))
        if isinstance(node.value, cst.Name) and node.attr.value == "onnx":
            self.onnx_heads.append(node.value)
            self._skipped.add(id(node.value))

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == "transformers" and id(node) not in self._skipped:
            self.other_uses = True

    def imports_to_add(self) -> tuple[bool, dict[int, list[str]]]:
        """Whether `import transformers.onnx` must keep binding `transformers`, and the imports to
        add after given statements (keyed by the statement's id)."""
        keep_binding = self.other_uses and not self.stays_bound
        additions: dict[int, list[str]] = {}
        uses_attributes = any(head.value in self.package_names for head in self.onnx_heads)
        # a rewritten `import transformers.onnx` binds transformers_onnx, or is followed by an import that does
        if uses_attributes and not (self.imports_new_package or self.imports_legacy_package):
            additions[id(self.binding_lines[0])] = [NEW_PACKAGE]
        return keep_binding, additions


class _Rewriter(cst.CSTTransformer):
    """Second pass: rewrite legacy imports, attribute uses and commands; note what it cannot."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, survey: _Survey) -> None:
        super().__init__()
        self.package_names = survey.package_names
        self.keep_binding, self.additions = survey.imports_to_add()
        self.notes: list[Note] = []

    def _note(self, node: cst.CSTNode, message: str) -> None:
        self.notes.append(Note(self.get_metadata(PositionProvider, node).start.line, message))

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def leave_Import(self, original_node: cst.Import, updated_node: cst.Import) -> cst.Import:
        aliases = []
        for alias in updated_node.names:
            parts = _dotted_parts(alias.name)
            if _is_legacy(parts):
                if alias.asname is None and self.keep_binding:
                    self.additions.setdefault(self._line_id, []).append(_new_module(parts))
                    alias = alias.with_changes(name=cst.Name("transformers"))
                else:
                    alias = alias.with_changes(name=cst.parse_expression(_new_module(parts)))
            aliases.append(alias)
        return updated_node.with_changes(names=aliases)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def leave_ImportFrom(self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom) -> cst.ImportFrom:
        parts = None if updated_node.relative else _dotted_parts(updated_node.module)
        if not _is_legacy(parts):
            return updated_node
        if isinstance(updated_node.names, cst.ImportStar):
            message = f"'from {'.'.join(parts)} import *': import the names you use from {_new_module(parts)} by hand"
            self._note(original_node, message)
            return updated_node
        return updated_node.with_changes(module=cst.parse_expression(_new_module(parts)))

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._line_id = id(node)

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> Union[cst.SimpleStatementLine, cst.FlattenSentinel]:
        lines = [updated_node]
        import_froms = [node for node in updated_node.body if isinstance(node, cst.ImportFrom)]
        if len(updated_node.body) == 1 and import_froms:
            lines = self._split_import_from(updated_node, import_froms[0])
        elif any(self._moves(node) for node in import_froms):
            message = "this line imports OnnxConfig classes among other statements: split it, then migrate again"
            self._note(original_node, message)
        lines += [cst.parse_statement(f"import {module}\n") for module in self.additions.get(id(original_node), [])]
        return lines[0] if len(lines) == 1 else cst.FlattenSentinel(lines)

    def _moves(self, node: cst.ImportFrom) -> dict[int, str]:
        """The names of a `from transformers... import` that live in transformers_onnx now → their home."""
        module = None if node.relative else _dotted_parts(node.module)
        if module is None or isinstance(node.names, cst.ImportStar):
            return {}
        homes = {id(alias): _new_home(module, _alias_name(alias)) for alias in node.names}
        return {key: home for key, home in homes.items() if home}

    def _split_import_from(self, line: cst.SimpleStatementLine, node: cst.ImportFrom) -> list[cst.SimpleStatementLine]:
        moves = self._moves(node)
        if not moves:
            return [line]
        kept = [alias for alias in node.names if id(alias) not in moves]
        groups: dict[str, list[cst.ImportAlias]] = {}
        for alias in node.names:
            if id(alias) in moves:
                groups.setdefault(moves[id(alias)], []).append(alias)
        if not kept and len(groups) == 1 and NEW_PACKAGE not in groups:
            return [line.with_changes(body=[node.with_changes(module=cst.parse_expression(next(iter(groups))))])]
        new_lines = [
            _with_comments(cst.parse_statement(code), [_comment_after(alias.comma) for alias in aliases])
            for code, aliases in _import_statements(groups)
        ]
        if kept:
            kept[-1] = kept[-1].with_changes(comma=_without_comment(node.names[-1].comma))
            return [line.with_changes(body=[node.with_changes(names=kept)]), *new_lines]
        new_lines[0] = new_lines[0].with_changes(leading_lines=line.leading_lines)
        if line.trailing_whitespace.comment:
            new_lines[0] = new_lines[0].with_changes(trailing_whitespace=line.trailing_whitespace)
        return new_lines

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        head = updated_node.value
        if isinstance(head, cst.Name) and head.value in self.package_names and updated_node.attr.value == "onnx":
            return cst.Name(NEW_PACKAGE)
        parts = _dotted_parts(original_node)
        if parts and parts[0] in self.package_names and parts[-1].endswith("OnnxConfig"):
            module = _new_home(["transformers", *parts[1:-1]], parts[-1])
            if module:
                self._note(original_node, f"{'.'.join(parts)}: import {parts[-1]} from {module} by hand")
        return updated_node

    def visit_Call(self, node: cst.Call) -> None:
        function = _dotted_parts(node.func)
        if not (function and function[-1] in _DYNAMIC_IMPORTERS and node.args):
            return
        first = node.args[0].value
        if isinstance(first, cst.SimpleString) and _is_legacy(str(first.evaluated_value).split(".")):
            message = f"{function[-1]}({first.value}): dynamic use of transformers.onnx; {_BY_HAND}"
            self._note(node, message)

    def leave_SimpleString(self, original_node: cst.SimpleString, updated_node: cst.SimpleString) -> cst.SimpleString:
        return updated_node.with_changes(value=self._rewrite(original_node, updated_node.value, "report"))

    def leave_FormattedStringText(
        self, original_node: cst.FormattedStringText, updated_node: cst.FormattedStringText
    ) -> cst.FormattedStringText:
        return updated_node.with_changes(value=self._rewrite(original_node, updated_node.value, "report"))

    def leave_Comment(self, original_node: cst.Comment, updated_node: cst.Comment) -> cst.Comment:
        return updated_node.with_changes(value=self._rewrite(original_node, updated_node.value, "inline"))

    def _rewrite(self, node: cst.CSTNode, text: str, extras: str) -> str:
        new_text, messages = _rewrite_text(text, extras)
        for message in messages:
            self._note(node, message)
        return new_text

    def leave_List(self, original_node: cst.List, updated_node: cst.List) -> cst.List:
        return updated_node.with_changes(elements=_rewrite_module_after_dash_m(updated_node.elements))

    def leave_Tuple(self, original_node: cst.Tuple, updated_node: cst.Tuple) -> cst.Tuple:
        return updated_node.with_changes(elements=_rewrite_module_after_dash_m(updated_node.elements))


def _import_statements(groups: dict[str, list[cst.ImportAlias]]) -> Iterator[tuple[str, list[cst.ImportAlias]]]:
    """One import statement per new home of moved names, with the names it imports."""
    for module, aliases in groups.items():
        if module == NEW_PACKAGE:
            for alias in aliases:
                yield f"import {NEW_PACKAGE} as {_as_name(alias) or 'onnx'}\n", [alias]
            continue
        names = [_alias_name(a) + (f" as {_as_name(a)}" if a.asname else "") for a in aliases]
        yield f"from {module} import {', '.join(names)}\n", aliases


def _comment_after(comma: Union[cst.Comma, cst.MaybeSentinel]) -> Optional[cst.Comment]:
    """The comment after `name,` in a parenthesized import: it goes with the name when the name moves."""
    whitespace = comma.whitespace_after if isinstance(comma, cst.Comma) else None
    return whitespace.first_line.comment if isinstance(whitespace, cst.ParenthesizedWhitespace) else None


def _without_comment(comma: Union[cst.Comma, cst.MaybeSentinel]) -> Union[cst.Comma, cst.MaybeSentinel]:
    if _comment_after(comma) is None:
        return comma
    return comma.with_changes(
        whitespace_after=comma.whitespace_after.with_changes(first_line=cst.TrailingWhitespace())
    )


def _with_comments(line: cst.SimpleStatementLine, comments: list[Optional[cst.Comment]]) -> cst.SimpleStatementLine:
    """`line` ending with the comments that went with its names."""
    text = "  ".join(comment.value for comment in comments if comment)
    if not text:
        return line
    return line.with_changes(
        trailing_whitespace=cst.TrailingWhitespace(whitespace=cst.SimpleWhitespace("  "), comment=cst.Comment(text))
    )


def _rewrite_module_after_dash_m(elements: Sequence[cst.BaseElement]) -> list[cst.BaseElement]:
    """`[sys.executable, "-m", "transformers.onnx", ...]` → `[..., "-m", "transformers_onnx", ...]`."""
    new_elements = list(elements)
    for index in range(1, len(new_elements)):
        flag, module = new_elements[index - 1].value, new_elements[index].value
        if (
            isinstance(flag, cst.SimpleString)
            and isinstance(module, cst.SimpleString)
            and flag.evaluated_value == "-m"
            and module.evaluated_value == "transformers.onnx"
        ):
            new_value = module.with_changes(value=module.value.replace("transformers.onnx", NEW_PACKAGE))
            new_elements[index] = new_elements[index].with_changes(value=new_value)
    return new_elements


def _rewrite_python(source: str) -> Migration:
    """Migrate Python source; raises libcst.ParserSyntaxError when it does not parse."""
    if "transformers" not in source:
        return Migration(source)
    wrapper = MetadataWrapper(cst.parse_module(source))
    survey = _Survey()
    wrapper.visit(survey)
    rewriter = _Rewriter(survey)
    return Migration(wrapper.visit(rewriter).code, sorted(rewriter.notes, key=lambda note: note.line))


def migrate_python(source: str) -> Migration:
    """Migrate a Python module.

    Args:
        source: The module's source.

    Returns:
        The migrated source and its notes; a module that does not parse is left as it is, with a
        note if it mentions transformers.onnx.
    """
    try:
        return _rewrite_python(source)
    except cst.ParserSyntaxError as error:
        notes = [Note(error.raw_line, f"cannot parse as Python ({error.message}); not rewritten")]
        return Migration(source, notes if _mentions_legacy(source) else [])


def _mentions_legacy(text: str) -> bool:
    return bool(_LEGACY_MENTION.search(text)) or "OnnxConfig" in text


# ---------------------------------------------------------------------------------------------------
# Snippets: markdown code blocks and notebook cells.


def _migrate_snippet(source: str) -> Migration:
    """Migrate a Python snippet that may hold doctest prompts or IPython magics (`!cmd`, `%magic`).

    A snippet that does not parse gets the text rewrite, with a note if legacy uses remain.
    """
    if re.search(r"^\s*>>>", source, flags=re.MULTILINE):
        return _migrate_doctest(source)
    lines = source.splitlines(keepends=True)
    magics = {}
    for index, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith(("!", "%")):
            marker = f"{_MAGIC_MARKER}{index}"
            magics[marker] = line
            ending = line[len(line.rstrip("\r\n")) :]
            lines[index] = f"{line[: len(line) - len(stripped)]}pass  # {marker}{ending}"
    try:
        migration = _rewrite_python("".join(lines))
    except cst.ParserSyntaxError:
        migration = migrate_lines(source, report_leftovers=False)
        if _mentions_legacy(migration.text):
            migration.notes.append(Note(1, f"cannot parse this Python snippet; {_BY_HAND}"))
        return migration
    new_lines = migration.text.splitlines(keepends=True)
    for index, line in enumerate(new_lines):
        marker = line.rsplit("# ", 1)[-1].strip()
        if marker in magics:
            new_lines[index], messages = _rewrite_text(magics[marker])
            migration.notes += [Note(index + 1, message) for message in messages]
            if _LEGACY_IMPORT.search(new_lines[index]):
                migration.notes.append(Note(index + 1, f"imports transformers.onnx: {_BY_HAND}"))
    return Migration("".join(new_lines), migration.notes)


def _migrate_doctest(block: str) -> Migration:
    """Migrate a `>>> ` / `... ` session: the code is rewritten, the printed output kept."""
    lines = block.splitlines(keepends=True)
    prompts = re.compile(r"^(\s*)(>>>|\.\.\.)( ?)")
    code_at = [index for index, line in enumerate(lines) if prompts.match(line)]
    prefixes = [prompts.match(lines[index])[0] for index in code_at]
    old_code = [lines[index][len(prefix) :] for index, prefix in zip(code_at, prefixes)]
    migration = _migrate_snippet("".join(old_code))
    new_code = migration.text.splitlines(keepends=True)
    placed: list[list[str]] = [[] for _ in old_code]
    matcher = difflib.SequenceMatcher(None, old_code, new_code, autojunk=False)
    for _, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        for offset, line in enumerate(new_code[new_start:new_end]):
            slot = min(old_start + offset, old_end - 1) if old_end > old_start else max(old_start - 1, 0)
            first = not placed[slot]
            indent = re.match(r"\s*", prefixes[slot])[0]
            prompt = prefixes[slot] if first else indent + ("... " if line[:1] in " \t)]}" else ">>> ")
            placed[slot].append(prompt + line)
    source_line = dict(zip(code_at, range(len(code_at))))
    new_lines, notes = [], []
    for index, line in enumerate(lines):
        if index not in source_line:
            new_lines.append(line)
            continue
        new_lines += placed[source_line[index]]
    for note in migration.notes:
        notes.append(Note(code_at[min(max(note.line, 1), len(code_at)) - 1] + 1, note.message))
    return Migration("".join(new_lines), notes)


def migrate_markdown(text: str) -> Migration:
    """Migrate markdown: Python code blocks get the Python rewrite, every other line the text one.

    Args:
        text: The document.

    Returns:
        The migrated document and its notes.
    """
    lines = text.splitlines(keepends=True)
    new_lines, notes = [], []
    index = 0
    while index < len(lines):
        fence = _FENCE.match(lines[index])
        if not fence:
            migration = migrate_lines(lines[index], report_leftovers=False)
            new_lines.append(migration.text)
            notes += migration.shifted(index)
            index += 1
            continue
        closing = fence["fence"]
        end = next((j for j in range(index + 1, len(lines)) if lines[j].strip().startswith(closing)), len(lines))
        body, indent = lines[index + 1 : end], fence["indent"]
        if fence["language"].lower() in _PYTHON_LANGUAGES:
            code = "".join(line[len(indent) :] if line.startswith(indent) else line for line in body)
            migration = _migrate_snippet(code)
            if migration.text != code:
                body = [indent + line if line.strip() else line for line in migration.text.splitlines(keepends=True)]
        else:
            migration = migrate_lines("".join(body), report_leftovers=False)
            body = migration.text.splitlines(keepends=True)
        new_lines += [lines[index], *body, *lines[end : end + 1]]
        notes += migration.shifted(index + 1)
        index = end + 1
    return Migration("".join(new_lines), notes)


def _notebook_json_settings(text: str, notebook: dict) -> Optional[dict]:
    """The json.dumps settings that reproduce `text` exactly, if any common ones do."""
    for indent in (1, 2, 4, None):
        for ensure_ascii in (False, True):
            settings = {"indent": indent, "ensure_ascii": ensure_ascii}
            dumped = json.dumps(notebook, **settings)
            if text in (dumped, dumped + "\n"):
                return settings
    return None


def migrate_notebook(text: str) -> Migration:
    """Migrate a Jupyter notebook: code cells (Python, `!` commands, `%%bash` cells) and markdown cells.

    The JSON is written back with the settings it was written with, so unchanged parts stay
    byte-identical; a notebook whose layout cannot be reproduced is written in nbformat's layout.

    Args:
        text: The notebook's JSON.

    Returns:
        The migrated JSON and its notes (lines are lines of the JSON file).
    """
    notebook = json.loads(text)
    settings = _notebook_json_settings(text, notebook)
    source_lines = [number for number, line in enumerate(text.splitlines(), 1) if line.lstrip().startswith('"source"')]
    notes, changed = [], False
    for number, cell in enumerate(notebook.get("cells", []), start=1):
        source = cell.get("source", "")
        joined = "".join(source) if isinstance(source, list) else source
        if cell.get("cell_type") == "markdown":
            migration = migrate_markdown(joined)
        elif cell.get("cell_type") != "code":
            continue
        elif joined.lstrip().startswith(_SHELL_CELL_MAGICS):
            migration = migrate_lines(joined)
        else:
            migration = _migrate_snippet(joined)
        first_line = source_lines[number - 1] if len(source_lines) == len(notebook["cells"]) else 0
        if isinstance(source, list):
            notes += migration.shifted(first_line, f"cell {number}: ")
        else:  # the whole source is one JSON line
            notes += [Note(first_line, f"cell {number}: {note.message}") for note in migration.notes]
        if migration.text != joined:
            changed = True
            cell["source"] = migration.text.splitlines(keepends=True) if isinstance(source, list) else migration.text
    if not changed:
        return Migration(text, notes)
    if settings is None:
        settings = {"indent": 1, "ensure_ascii": False}
        notes.append(Note(0, "the notebook's JSON layout was not reproducible; it was rewritten in nbformat's layout"))
    return Migration(json.dumps(notebook, **settings) + ("\n" if text.endswith("\n") else ""), notes)


# ---------------------------------------------------------------------------------------------------
# Files and the command.

Migrator = Callable[[str], Migration]

#: File name patterns → how to migrate such a file; the first match wins.
MIGRATORS: list[tuple[tuple[str, ...], Migrator]] = [
    (("*.py", "*.pyi"), migrate_python),
    (("*.ipynb",), migrate_notebook),
    (("*.md", "*.markdown"), migrate_markdown),
    (("requirements*.txt", "constraints*.txt"), lambda text: migrate_lines(text, extras="line")),
    (("*.txt",), lambda text: migrate_lines(text, report_leftovers=False)),
    (("*.sh", "*.bash", "Dockerfile", "Dockerfile.*", "*.dockerfile", "Containerfile"), migrate_lines),
    (("*.yml", "*.yaml", "*.toml", "*.cfg"), lambda text: migrate_lines(text, extras="report")),
]


def migrator_for(path: Path) -> Optional[Migrator]:
    """How to migrate the file at `path`, or None for a file type the migration does not handle."""
    for patterns, migrator in MIGRATORS:
        if any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns):
            return migrator
    return None


def iter_files(paths: Sequence[Path]) -> Iterator[Path]:
    """The files under `paths` that the migration handles, skipping VCS folders, caches and venvs."""
    for path in paths:
        if path.is_file():
            yield path
            continue
        for folder, subfolders, files in os.walk(path):
            subfolders[:] = sorted(
                name
                for name in subfolders
                if name not in SKIPPED_FOLDERS and not (Path(folder, name, "pyvenv.cfg")).exists()
            )
            yield from (Path(folder, name) for name in sorted(files) if migrator_for(Path(folder, name)))


def _parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        "python -m transformers_onnx.migrate",
        description="Rewrite code, scripts and docs that use transformers.onnx to use transformers_onnx.",
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="Files or folders to migrate.")
    parser.add_argument("--check", action="store_true", help="Write nothing; exit 1 if anything would change.")
    parser.add_argument("--diff", action="store_true", help="Write nothing; print a unified diff of the changes.")
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the migration command.

    Args:
        argv: The arguments (default: `sys.argv[1:]`).

    Returns:
        0 on success, 1 when `--check` finds something to change, 2 for a bad path.
    """
    args = _parse_args(argv)
    for path in args.paths:
        if not path.exists():
            print(f"error: {path}: no such file or folder", file=sys.stderr)
            return 2
    write = not (args.check or args.diff)
    changed = 0
    for path in iter_files(args.paths):
        migrator = migrator_for(path)
        if migrator is None:
            print(f"{path}:0: skipped: not a file type this command migrates", file=sys.stderr)
            continue
        try:
            old = path.read_bytes().decode("utf-8")
            migration = migrator(old)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            print(f"{path}:0: skipped: {error}", file=sys.stderr)
            continue
        for note in migration.notes:
            print(f"{path}:{note.line}: {note.message}", file=sys.stderr)
        if migration.text == old:
            continue
        changed += 1
        if args.diff:
            old_lines, new_lines = old.splitlines(keepends=True), migration.text.splitlines(keepends=True)
            sys.stdout.writelines(difflib.unified_diff(old_lines, new_lines, f"{path}\t(original)", f"{path}\t(migrated)"))
        if write:
            path.write_bytes(migration.text.encode("utf-8"))
            print(f"rewrote {path}")
        elif args.check:
            print(f"would rewrite {path}")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
