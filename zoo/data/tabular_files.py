"""Readers of recommender data sets in their published on-disk formats.

Each returns `{column: numpy array}` with one row per example: categorical values as strings,
multi-valued ones joined by "|", numbers as float64 (NaN where missing).

* MovieLens 100K (`u.data`, `u.user`, `u.item`) and 1M (`ratings.dat`, `users.dat`,
  `movies.dat`), the GroupLens files, joined into one row per rating.
* Criteo's display-advertising logs: tab-separated, no header, `label`, 13 integer columns
  `I1..I13` and 26 hashed categorical columns `C1..C26`, empty where missing.
* Any CSV (or TSV) file with a header row.

Example:
>>> columns = read_movielens("ml-100k")  # doctest: +SKIP
>>> sorted(columns)  # doctest: +SKIP
['age', 'gender', 'genres', 'item_id', 'occupation', 'rating', 'timestamp', 'user_id', 'zip']
"""

import csv
from pathlib import Path

import numpy as np

from zoo.errors import DataSourceError

ML100K_GENRES = ("unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
                 "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
                 "Romance", "Sci-Fi", "Thriller", "War", "Western")  # fmt: skip
CRITEO_COLUMNS = ("label", *(f"I{i}" for i in range(1, 14)), *(f"C{i}" for i in range(1, 27)))


def _lines(path, encoding="latin-1"):
    if not path.is_file():
        raise DataSourceError(f"MovieLens: {path} is missing.")
    return [line for line in path.read_text(encoding=encoding).splitlines() if line.strip()]


def _join(ratings, users, items, genres):
    """Rows of (user, item, rating, timestamp) joined with the user and item tables."""
    columns = {name: [] for name in ("user_id", "item_id", "rating", "timestamp", "age",
                                     "gender", "occupation", "zip", "genres")}  # fmt: skip
    for user, item, rating, timestamp in ratings:
        if user not in users or item not in items:
            raise DataSourceError(f"MovieLens: rating of user {user}, item {item} has no "
                                  "matching user or item row.")  # fmt: skip
        age, gender, occupation, zip_code = users[user]
        for name, value in (("user_id", user), ("item_id", item), ("rating", float(rating)),
                            ("timestamp", float(timestamp)), ("age", float(age)),
                            ("gender", gender), ("occupation", occupation),
                            ("zip", zip_code[:3]), ("genres", genres[item])):  # fmt: skip
            columns[name].append(value)
    return {name: np.array(values) for name, values in columns.items()}


def read_movielens(folder):
    """MovieLens 100K (`u.data`) or 1M (`ratings.dat`) from its extracted folder."""
    folder = Path(folder)
    for sub in (folder, folder / "ml-100k", folder / "ml-1m"):
        if (sub / "u.data").is_file():
            ratings = [line.split("\t") for line in _lines(sub / "u.data")]
            users = {f[0]: (f[1], f[2], f[3], f[4]) for f in
                     (line.split("|") for line in _lines(sub / "u.user"))}  # fmt: skip
            items, genres = {}, {}
            for line in _lines(sub / "u.item"):
                fields = line.split("|")
                items[fields[0]] = fields[1]
                flags = fields[5:5 + len(ML100K_GENRES)]
                genres[fields[0]] = "|".join(g for g, f in zip(ML100K_GENRES, flags, strict=False)
                                             if f == "1")  # fmt: skip
            return _join(ratings, users, items, genres)
        if (sub / "ratings.dat").is_file():
            ratings = [line.split("::") for line in _lines(sub / "ratings.dat")]
            users = {f[0]: (f[2], f[1], f[3], f[4]) for f in
                     (line.split("::") for line in _lines(sub / "users.dat"))}  # fmt: skip
            movies = [line.split("::") for line in _lines(sub / "movies.dat")]
            items = {f[0]: f[1] for f in movies}
            genres = {f[0]: f[2] for f in movies}
            return _join(ratings, users, items, genres)
    raise DataSourceError(
        f"MovieLens: {folder} has neither u.data, u.user, u.item (ml-100k) nor ratings.dat, "
        "users.dat, movies.dat (ml-1m)."
    )


def read_criteo(path, max_rows=None):
    """Criteo's tab-separated log (`train.txt`, or a day file): label, I1..I13, C1..C26."""
    path = Path(path)
    if path.is_dir():
        candidates = sorted(path.glob("*.txt")) + sorted(path.glob("*.tsv"))
        if not candidates:
            raise DataSourceError(f"Criteo: {path} holds no .txt or .tsv file (e.g. train.txt).")
        path = candidates[0]
    if not path.is_file():
        raise DataSourceError(f"Criteo: no such file {path}.")
    rows = []
    with open(path, encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            fields = line.rstrip("\n").split("\t")
            if len(fields) != len(CRITEO_COLUMNS):
                raise DataSourceError(
                    f"Criteo: {path}, line {number} has {len(fields)} tab-separated fields, "
                    f"not {len(CRITEO_COLUMNS)} (label, I1..I13, C1..C26)."
                )
            rows.append(fields)
            if max_rows and len(rows) >= max_rows:
                break
    if not rows:
        raise DataSourceError(f"Criteo: {path} is empty.")
    table = np.array(rows, dtype=object)
    columns = {"label": table[:, 0].astype(np.float64)}
    for j, name in enumerate(CRITEO_COLUMNS[1:14], start=1):
        columns[name] = np.array([float(v) if v else np.nan for v in table[:, j]])
    for j, name in enumerate(CRITEO_COLUMNS[14:], start=14):
        columns[name] = table[:, j].astype(str)
    return columns


def read_table(path, numeric=()):
    """A CSV/TSV file with a header: every column as strings, `numeric` ones as float64."""
    path = Path(path)
    if not path.is_file():
        raise DataSourceError(f"No such file: {path}.")
    delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        rows = list(reader)
        header = reader.fieldnames or []
    if not rows:
        raise DataSourceError(f"{path} holds no rows.")
    columns = {}
    for name in header:
        values = [row[name] or "" for row in rows]
        if name in numeric:
            try:
                columns[name] = np.array([float(v) if v.strip() else np.nan for v in values])
            except ValueError as error:
                message = f"{path}: column {name!r} is not numeric ({error})."
                raise DataSourceError(message) from None
        else:
            columns[name] = np.array(values, dtype=str)
    return columns
