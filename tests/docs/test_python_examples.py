"""Every Python example of the documentation runs, as a reader would run it.

The examples of a page run in order in one namespace (a page's later examples may use what
its earlier ones made), in a fresh working directory, on the current backend. What an example
takes for granted — a trained model, a run folder, a checkpoint, a data set download — comes
from the page's entry in `tests.docs.page_setups.PAGES`, small and local; a page with Python
examples and no entry fails, so a new page gets its setup when it gets its examples.
A block the page marks `<!-- not run: REASON -->` is skipped and listed by
`test_blocks_not_run_are_listed`.
"""

import pytest

from tests.docs.markdown_blocks import CodeBlock, code_blocks, pages
from tests.docs.page_setups import PAGES

EXAMPLE_PAGES = sorted(
    page for page in [*pages(), "../README.md"]
    if any(not block.not_run for block in code_blocks(page, "python"))
)  # fmt: skip
# where -> reason; each a deliberate decision, reviewed with the page
NOT_RUN = {
    "docs/models/gpt.md:206": "the export traces the model with TensorFlow (a subprocess off "
                              "tensorflow, about 20 s); tests/applications/test_train_gpt.py "
                              "runs this loop against Keras's",
}


@pytest.fixture
def tfds_mocked(monkeypatch, tmp_path):
    """tensorflow-datasets serves generated examples of the real features: no download."""
    import tensorflow_datasets as tfds

    from zoo.data import _tfds

    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path / "tensorflow_datasets"))
    monkeypatch.setattr(_tfds, "can_reach", lambda url, timeout=5.0: True)
    with tfds.testing.mock_data(num_examples=300):
        yield


def _runnable_source(page, setup):
    """The page's Python examples with the setup's substitutions applied, in order."""
    sources = [(block, block.code) for block in code_blocks(page, "python") if not block.not_run]
    for old, new in setup.substitutions:
        hits = sum(code.count(old) for _, code in sources)
        assert hits, f"docs/{page}: the substitution {old!r} matches no example any more"
        sources = [(block, code.replace(old, new)) for block, code in sources]
    return sources


def _page_params():
    """The example pages, marked `tf_only` where their setup says why."""
    return [
        pytest.param(page, marks=[pytest.mark.tf_only] if page in PAGES and PAGES[page].tf_only
                     else [])
        for page in EXAMPLE_PAGES
    ]  # fmt: skip


@pytest.mark.parametrize("page", _page_params())
def test_page_examples_run(page, tmp_path, monkeypatch, request):
    assert page in PAGES, f"docs/{page} has Python examples but no entry in page_setups.PAGES"
    setup = PAGES[page]
    monkeypatch.chdir(tmp_path)
    if setup.mock_tfds:
        request.getfixturevalue("tfds_mocked")
    namespace = {"__name__": "__docs_example__"}
    if setup.setup:
        namespace.update(setup.setup())
    _run(_runnable_source(page, setup), namespace)


def _run(sources, namespace):
    """Execute each (block, code) in `namespace`; a failure names the block's place."""
    for block, code in sources:
        try:
            exec(compile(code, block.where, "exec"), namespace)
        except Exception as error:
            raise AssertionError(f"the example at {block.where} failed: {error!r}") from error


def test_a_failing_example_names_its_place():
    """The check can fail: an example that raises fails the test with its page and line."""
    block = CodeBlock(page="guides/made-up.md", line=12, language="python", code="")
    with pytest.raises(AssertionError, match=r"docs/guides/made-up.md:12 failed: NameError"):
        _run([(block, "from zoo import create_model\nmodel = create_model(name)\n")], {})


def test_every_page_setup_is_used():
    """An entry in PAGES for a page without examples is a leftover."""
    assert set(PAGES) <= set(EXAMPLE_PAGES)


def test_blocks_not_run_are_listed():
    """Skipping an example is visible: each `not run` marker gives its reason, and the set of
    skipped examples is the one recorded here."""
    marked = {
        block.where: block.not_run
        for page in [*pages(), "../README.md"]
        for block in code_blocks(page)
        if block.not_run
    }
    assert marked == NOT_RUN


# Python blocks run, shell blocks are checked (test_shell_commands.py); the others are output
# or file contents. A block in any other language would be checked by neither.
KNOWN_LANGUAGES = {"python", "bash", "", "text", "json", "yaml", "csv"}


def test_every_block_is_of_a_language_the_tests_know():
    unknown = {
        block.where: block.language
        for page in [*pages(), "../README.md"]
        for block in code_blocks(page)
        if block.language not in KNOWN_LANGUAGES
    }
    assert not unknown, f"blocks neither run nor checked: {unknown}"
