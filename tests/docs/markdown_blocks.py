"""The fenced code blocks of the documentation pages, as the site renders them.

A block is taken with its language, its first line number and an optional reason not to run
it: the HTML comment `<!-- not run: REASON -->` on the line before its fence (invisible on the
site). Every such reason is listed by the tests, so a skipped block is a visible decision.

Example:
>>> [block.language for block in code_blocks("getting-started.md")]  # doctest: +SKIP
['bash', 'bash', 'python', ...]
"""

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"
FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+|~~~+)\s*(?P<language>[\w+-]*)")
NOT_RUN = re.compile(r"^\s*<!--\s*not run:\s*(?P<reason>.+?)\s*-->\s*$")


@dataclass(frozen=True)
class CodeBlock:
    page: str  # relative to docs/
    line: int  # the fence's line, 1-based
    language: str
    code: str
    not_run: str | None = None  # the reason, when the page says not to run it

    @property
    def where(self):
        return f"docs/{self.page}:{self.line}"


def pages():
    """Every Markdown page of the site, relative to docs/ (the model cards are generated)."""
    return sorted(str(path.relative_to(DOCS)) for path in DOCS.rglob("*.md"))


def code_blocks(page, language=None):
    """The fenced blocks of `page` (relative to docs/), optionally of one `language`."""
    lines = (DOCS / page).read_text().splitlines()
    blocks, index = [], 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        body, end = [], index + 1
        closing = re.compile(rf"\s*{re.escape(fence[0])}{{{len(fence)},}}\s*")
        while end < len(lines) and not closing.fullmatch(lines[end]):
            body.append(lines[end][indent:])
            end += 1
        if end == len(lines):
            raise ValueError(f"docs/{page}:{index + 1}: the code block is never closed")
        previous = NOT_RUN.match(lines[index - 1]) if index else None
        blocks.append(CodeBlock(
            page=page, line=index + 1, language=opening["language"].lower(),
            code="\n".join(body) + "\n", not_run=previous["reason"] if previous else None,
        ))  # fmt: skip
        index = end + 1
    return [block for block in blocks if language is None or block.language == language]


def shell_commands(code):
    """The commands of a shell block as (environment, argv) pairs: continuation lines joined,
    comments dropped, `&&` chains split, leading `VAR=value` assignments (and `export`'s) kept
    apart; a quoted string may span lines.

    >>> shell_commands("A=1 zoo list  # all's\\npip install 'x' && zoo info cnn\\n")
    [({'A': '1'}, ['zoo', 'list']), ({}, ['pip', 'install', 'x']), ({}, ['zoo', 'info', 'cnn'])]
    """
    commands = []
    for line in _logical_lines(re.sub(r"\\\n", " ", code)):
        tokens = shlex.split(line)
        while tokens:
            argv = tokens[: tokens.index("&&")] if "&&" in tokens else tokens
            tokens = tokens[len(argv) + 1 :]
            if argv[:1] == ["export"]:
                argv = argv[1:]
            environment = {}
            while argv and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", argv[0], re.S):
                name, value = argv.pop(0).split("=", 1)
                environment[name] = value
            commands.append((environment, argv))
    return commands


def _logical_lines(code):
    """`code` cut at the newlines that stand outside quotes, without its `# comments`."""
    lines, current, quote, comment = [], [], None, False
    for character in code:
        if character == "\n" and quote is None:
            lines.append("".join(current))
            current, comment = [], False
            continue
        if comment:
            continue
        if character in "'\"" and quote in (None, character):
            quote = None if quote else character
        elif character == "#" and quote is None and (not current or current[-1].isspace()):
            comment = True
            continue
        current.append(character)
    lines.append("".join(current))
    return [line for line in lines if line.strip()]
