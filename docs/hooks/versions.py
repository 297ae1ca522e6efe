"""mkdocs hook: the version matrix of docs/versions.md, from pyproject.toml and the packages
installed where the site is built (CI builds it after running the tests with them)."""

import importlib.metadata
import re
import tomllib
from pathlib import Path

MARKER = "<!-- version-matrix -->"
PACKAGES = ("keras", "tensorflow", "jax", "torch", "keras-hub", "tf2onnx", "onnx",
            "onnxruntime", "jax2onnx", "tensorflow-datasets", "numpy", "matplotlib")  # fmt: skip
PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def requirements():
    """{package: version specifier} of every dependency and extra in pyproject.toml."""
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    listed = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        listed += extra
    found = {}
    for requirement in listed:
        match = re.match(r"([A-Za-z0-9_.-]+)(\[[^\]]*\])?\s*([^;#]*)", requirement)
        name = match.group(1).lower()
        if name != "keras-zoo":
            found.setdefault(name, match.group(3).strip() or "any")
    return found


def version_matrix():
    """A Markdown table: package, what zoo requires, what this build ran with."""
    required = requirements()
    rows = ["| package | zoo requires | installed where this site was built |", "|---|---|---|"]
    for package in PACKAGES:
        try:
            installed = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            installed = "not installed"
        rows.append(f"| `{package}` | `{required.get(package, 'any')}` | {installed} |")
    return "\n".join(rows)


def on_page_markdown(markdown, page, config, files):
    if MARKER in markdown:
        return markdown.replace(MARKER, version_matrix())
    return markdown
