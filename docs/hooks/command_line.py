"""mkdocs hook: the `zoo` command's help, per sub-command, into docs/command-line.md (so the
page always shows the options the installed command takes)."""

import argparse
import os

MARKER = "<!-- zoo-help -->"


def _subcommands(parser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices
    return {}


def zoo_help():
    """Markdown: one section per `zoo` sub-command with its `--help` text."""
    from zoo.cli import build_parser

    os.environ["COLUMNS"] = "100"  # argparse wraps help at the terminal width
    parser = build_parser()
    sections = [f"```text\n{parser.format_help().rstrip()}\n```"]
    for name, sub in _subcommands(parser).items():
        sections.append(f"### `zoo {name}`\n\n```text\n{sub.format_help().rstrip()}\n```")
    return "\n\n".join(sections)


def on_page_markdown(markdown, page, config, files):
    if MARKER in markdown:
        return markdown.replace(MARKER, zoo_help())
    return markdown
