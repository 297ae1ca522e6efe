"""The benchmark runner (`python -m benchmarks`): its registry, ratios, report and runner.

Nothing here runs a real benchmark: scripts are only parsed, the report renders the committed
CSVs into a temporary folder, and the runner runs tiny fake suites.
"""

import csv
import importlib.util
import json
import shutil
import textwrap

import pytest

from benchmarks import _command, _machine, _report
from benchmarks._harness import RESULTS_DIR
from benchmarks._ratios import COLUMNS, versus_reference
from benchmarks._runner import run_suites, suite_command
from benchmarks._suites import SUITE_LIST, SUITES, Suite

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
COMMITTED = [suite for suite in SUITE_LIST if suite.csv and (RESULTS_DIR / suite.csv).exists()]


def test_machine_description_names_cpu_cores_memory_and_library_versions():
    description = _machine.describe_machine()
    for field in ("label", "cpu_model", "logical_cores", "memory_gb", "os", "python", "date"):
        assert field in description
    assert description["cpu_model"] and description["logical_cores"] >= 1
    assert set(description["libraries"]) == set(_machine.LIBRARIES)
    assert description["libraries"]["keras"][0].isdigit()  # installed: a version
    cores = description["logical_cores"]
    assert description["label"] == f"{description['cpu_model']}, {cores} cores"
    assert _machine.stamp() == {"date": description["date"], "machine": description["label"]}


def _load_script(suite):
    spec = importlib.util.spec_from_file_location(f"script_of_{suite.name}", suite.script_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("suite", SUITE_LIST, ids=[suite.name for suite in SUITE_LIST])
def test_every_suite_script_takes_the_arguments_the_runner_passes(suite, tmp_path):
    assert suite.script_path.is_file()
    parser = _load_script(suite).build_parser()
    options = set(parser._option_string_actions)  # every --flag the script declares
    for quick in (True, False):
        argv = suite_command(suite, tmp_path, quick=quick, update_docs=False)[2:]
        for option in (token for token in argv if token.startswith("--")):
            assert option in options, f"{suite.script} takes no {option}"
        args = parser.parse_args(argv)
        if suite.csv:
            assert args.results_dir == tmp_path
    assert suite.minutes > 0 and suite.measures and suite.title


@pytest.mark.parametrize("suite", COMMITTED, ids=[suite.name for suite in COMMITTED])
def test_ratio_rows_of_the_committed_results(suite):
    rows = _report.read_rows(RESULTS_DIR / suite.csv)
    ratios = _report.suite_ratios(suite, rows)
    assert ratios, f"{suite.name}: no ratio rows from {suite.csv}"
    for row in ratios:
        assert tuple(row) == COLUMNS and row["suite"] == suite.name
        assert row["ratio"] == pytest.approx(row["value"] / row["reference_value"], abs=1e-4)
        assert isinstance(row["higher_is_better"], bool)


def test_ratios_agree_with_the_ratio_columns_the_suites_wrote():
    def by_figure(name):
        rows = _report.read_rows(RESULTS_DIR / SUITES[name].csv)
        return rows, {(r["model"], r["figure"]): r["ratio"]
                      for r in _report.suite_ratios(SUITES[name], rows)}  # fmt: skip

    rows, ratios = by_figure("train_throughput")
    for row in rows:
        if row["implementation"].startswith("zoo"):
            key = (row["model"], row["implementation"])
            assert ratios[key] == pytest.approx(float(row["relative_to_reference"]), abs=2e-3)
    rows, ratios = by_figure("data_parallel")
    efficiencies = sorted({float(r["scaling_efficiency"]) for r in rows})
    assert sorted(ratios.values()) == pytest.approx(efficiencies, abs=1.5e-3)  # both rounded


def test_lower_is_better_where_smaller_wins():
    rows = _report.read_rows(RESULTS_DIR / SUITES["sequence_learning"].csv)
    ratios = _report.suite_ratios(SUITES["sequence_learning"], rows)
    errors = [r for r in ratios if r["metric"].startswith("test M") or "RMSE" in r["metric"]]
    assert errors and all(not r["higher_is_better"] and r["ratio"] < 1 for r in errors)
    chance = [r for r in ratios if r["reference"] == "chance"]
    assert chance and all(r["higher_is_better"] and r["reference_value"] == 0.5 for r in chance)


def _history(path):
    path.write_text("epoch,accuracy,loss,val_accuracy,val_loss\n"
                    "0,0.6,1.1,0.7,0.9\n1,0.8,0.6,0.82,0.55\n")  # fmt: skip


def test_report_renders_tables_plots_and_records_into_a_results_folder(tmp_path):
    for suite in COMMITTED:
        shutil.copy(RESULTS_DIR / suite.csv, tmp_path / suite.csv)
    _history(tmp_path / SUITES["compression"].training_log)
    docs_before = _report.DOCS_PAGE.read_text()

    written = _report.write_report(tmp_path, SUITE_LIST, update_docs=False)

    assert _report.DOCS_PAGE.read_text() == docs_before
    assert tmp_path / "summary.md" in written
    summary = (tmp_path / "summary.md").read_text()
    assert "## Machine" in summary and "| zoo / reference |" in summary
    for suite in COMMITTED:
        assert f"### {suite.title}" in summary
        picture = tmp_path / "images" / f"ratios_{suite.name}.png"
        assert f"(images/{picture.name})" in summary
        assert picture.read_bytes().startswith(PNG_SIGNATURE)
    curves = tmp_path / "images" / "compression_training_curves.png"
    assert curves.read_bytes().startswith(PNG_SIGNATURE)
    with open(tmp_path / "ratios.csv", newline="") as handle:
        ratios = list(csv.DictReader(handle))
    assert {row["suite"] for row in ratios} == {suite.name for suite in COMMITTED}
    records = json.loads((tmp_path / "machine.json").read_text())
    train = records["suites"]["train_throughput"]
    first_row = _report.read_rows(tmp_path / SUITES["train_throughput"].csv)[0]
    assert (train["date"], train["machine"]) == (first_row["date"], first_row["machine"])
    assert records["machine"]["written_by"] == "report"


FAKE_SUITE = """
import argparse, csv
parser = argparse.ArgumentParser()
parser.add_argument("--steps", type=int, required=True)
parser.add_argument("--results-dir", required=True)
args = parser.parse_args()
print("measured", args.steps, "steps")
rows = [{"model": "tiny", "implementation": name, "speed": speed, "date": "2030-01-02",
         "machine": "a fake machine"} for name, speed in (("zoo / jax", 3), ("plain", 2))]
with open(f"{args.results_dir}/tiny.csv", "w", newline="") as handle:
    writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
"""
BROKEN_SUITE = "import sys\nprint('starting')\nsys.exit('boom: the broken suite failed')\n"


def test_run_goes_on_after_a_failing_suite_and_exits_non_zero(tmp_path, capsys):
    (tmp_path / "tiny.py").write_text(textwrap.dedent(FAKE_SUITE))
    (tmp_path / "broken.py").write_text(BROKEN_SUITE)
    broken = Suite("broken", str(tmp_path / "broken.py"), "nothing", "broken.csv", None, 1,
                   ("--steps", "1"))  # fmt: skip
    tiny = Suite("tiny", str(tmp_path / "tiny.py"), "a fake speed", "tiny.csv", None, 1,
                 ("--steps", "2"), ratios=versus_reference("speed", "things/s", "plain"),
                 title="Tiny")  # fmt: skip
    results = tmp_path / "results"

    status = run_suites([broken, tiny], results, quick=True, update_docs=False)

    out = capsys.readouterr().out
    assert status == 1
    assert "[1/2] broken: FAILED" in out and "boom: the broken suite failed" in out
    assert "[2/2] tiny: ok" in out and "    measured 2 steps" in out
    assert "1 of 2 suites ran" in out and "failed: broken" in out
    records = json.loads((results / "machine.json").read_text())["suites"]
    assert set(records) == {"tiny"}
    assert records["tiny"]["size"] == "quick" and records["tiny"]["date"] == "2030-01-02"
    assert records["tiny"]["description"]["libraries"]
    with open(results / "ratios.csv", newline="") as handle:
        (ratio,) = list(csv.DictReader(handle))
    assert (ratio["figure"], float(ratio["ratio"])) == ("zoo / jax", 1.5)
    assert "| `tiny` | zoo / jax | things/s | 3 | plain | 2 | 1.50x | higher |" in (
        results / "summary.md").read_text()  # fmt: skip


def test_quick_runs_never_write_into_the_real_results(capsys):
    status = _command.main(["run", "--quick", "--results-dir", str(RESULTS_DIR)])
    err = capsys.readouterr().err.strip()
    assert status == 2 and len(err.splitlines()) == 1 and "--quick would overwrite" in err
    assert _command.QUICK_RESULTS_DIR.relative_to(RESULTS_DIR)
    ignored = (RESULTS_DIR.parent.parent / ".gitignore").read_text().splitlines()
    assert "benchmarks/results/quick/" in ignored


def test_gpu_suites_only_when_asked():
    assert "gpu_bert_mfu" not in [s.name for s in _command.selected_suites(None, False)]
    assert "gpu_bert_mfu" in [s.name for s in _command.selected_suites(None, True)]
    assert [s.name for s in _command.selected_suites(["gpu_bert_mfu"], False)] == ["gpu_bert_mfu"]


def test_list_names_every_suite_with_its_csv_and_page(capsys):
    assert _command.main(["list"]) == 0
    out = capsys.readouterr().out
    for suite in SUITE_LIST:
        assert suite.name in out
        assert (f"results/{suite.csv}" if suite.csv else "no CSV") in out
    assert "every CPU suite at full size" in out


def test_a_zero_figure_gives_no_ratio_and_the_report_leaves_it_out():
    """Zero errors against a reference (a perfect model) has no ratio on a log scale."""
    from benchmarks._ratios import ratio_row

    assert ratio_row("m", "f", "errors", 0, "ref", 12, higher_is_better=False)["ratio"] is None
    assert ratio_row("m", "f", "errors", 3, "ref", 12)["ratio"] == 0.25
    suite = Suite("zero", "none.py", "", "zero.csv", None, 1, (),
                  ratios=lambda rows: [ratio_row("m", "f", "errors", 0, "ref", 1),
                                       ratio_row("m", "g", "errors", 1, "ref", 2)])  # fmt: skip
    assert [row["figure"] for row in _report.suite_ratios(suite, [{}])] == ["g"]


@pytest.mark.parametrize(("argv", "docs"), [
    ([], True), (["--no-docs"], False), (["--quick"], False),
    (["--results-dir", "elsewhere"], False),
])  # fmt: skip
def test_only_a_full_run_into_the_real_results_rewrites_the_docs(argv, docs, monkeypatch):
    """What `run` hands the runner: docs are rewritten by a full-size run into
    benchmarks/results only."""
    seen = {}

    def fake_run_suites(suites, results_dir, *, quick, update_docs, report_suites):
        seen.update(results_dir=results_dir, quick=quick, update_docs=update_docs)
        return 0

    import benchmarks._runner

    monkeypatch.setattr(benchmarks._runner, "run_suites", fake_run_suites)
    assert _command.main(["run", "--suites", "train_throughput", *argv]) == 0
    assert seen["update_docs"] is docs
    assert seen["quick"] is ("--quick" in argv)
    if "--quick" in argv:
        assert seen["results_dir"] == _command.QUICK_RESULTS_DIR


def test_gpt_ratios_set_zoo_beside_the_fastest_peer_and_the_cache_beside_none():
    from benchmarks._gpt_ratios import generation_ratios, throughput_ratios

    training = [{"model": "gpt_mini", "implementation": name, "tokens_per_second": speed}
                for name, speed in (("zoo / jax", "1200"), ("zoo / torch", "600"),
                                    ("nanoGPT / PyTorch", "1000"),
                                    ("transformers GPT2LMHeadModel / PyTorch", "800"))]  # fmt: skip
    rows = throughput_ratios(training)
    assert [(r["figure"], r["ratio"]) for r in rows] == [("zoo / jax", 1.2), ("zoo / torch", 0.6)]
    assert all(r["reference"] == "fastest peer: nanoGPT / PyTorch" for r in rows)

    def generation(name, cache, speed):
        return {"model": "gpt_mini", "batch_size": "8", "implementation": name,
                "cache": str(cache), "tokens_per_second": speed}  # fmt: skip

    rows = generation_ratios([
        generation("zoo / jax", True, "500"), generation("zoo / jax", False, "50"),
        generation("zoo / torch", True, "100"), generation("zoo / torch", False, "25"),
        generation("transformers / PyTorch", True, "400"),
    ])  # fmt: skip
    ratios = {(r["figure"], r["reference"]): r["ratio"] for r in rows}
    assert ratios == {
        ("zoo / jax with the cache", "the same without a cache"): 10.0,
        ("zoo / torch with the cache", "the same without a cache"): 4.0,
        ("zoo / jax with the cache (fastest zoo)", "transformers / PyTorch with the cache"): 1.25,
    }
    assert {r["model"] for r in rows} == {"gpt_mini, batch 8"}


def test_the_pytorch_gpt_peers_have_zoos_parameter_count():
    """The nanoGPT-style model and transformers' GPT2LMHeadModel of a preset's shape hold
    exactly the parameters of zoo's `build_gpt_lm` (tied heads): same model, same work."""
    pytest.importorskip("torch")
    from zoo.models.gpt_presets import GPT_PRESETS

    spec = importlib.util.spec_from_file_location(
        "gpt_torch_reference", RESULTS_DIR.parent / "_gpt_torch_reference.py")  # fmt: skip
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    config = GPT_PRESETS["gpt_nano"]
    model = module.NanoGPT(config)
    assert sum(p.numel() for p in model.parameters()) == config.parameter_count()
    token_ids = module.torch.randint(0, config.vocabulary_size, (2, 16))
    assert tuple(model(token_ids).shape) == (2, 16, config.vocabulary_size)
    assert model(token_ids, token_ids).ndim == 0  # the training loss
    hf = module.hf_gpt2(config)
    assert sum(p.numel() for p in hf.parameters()) == config.parameter_count()
