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

from pathlib import Path

import numpy as np

from zoo.data._reading import DEFAULT_ENCODING, open_text, parse_number, read_csv_rows, read_lines
from zoo.errors import DataSourceError

ML100K_GENRES = ("unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
                 "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
                 "Romance", "Sci-Fi", "Thriller", "War", "Western")  # fmt: skip
CRITEO_COLUMNS = ("label", *(f"I{i}" for i in range(1, 14)), *(f"C{i}" for i in range(1, 27)))


def _fields(path, separator, count):
    """The `separator`-split fields of every line of a MovieLens file (latin-1), each line
    holding at least `count` (the published files' own layout), else one error naming it."""
    if not path.is_file():
        raise DataSourceError(f"MovieLens: {path} is missing.")
    rows = []
    for number, line in enumerate(read_lines(path, "latin-1"), start=1):
        if not line.strip():
            continue
        fields = line.split(separator)
        if len(fields) < count:
            raise DataSourceError(
                f"MovieLens: {path}, line {number} has {len(fields)} {separator!r}-separated "
                f"fields, not {count}; restore the file from the GroupLens archive."
            )
        rows.append(fields)
    return rows


def _join(ratings, users, items, genres):
    """Rows of (user, item, rating, timestamp) joined with the user and item tables."""
    columns = {name: [] for name in ("user_id", "item_id", "rating", "timestamp", "age",
                                     "gender", "occupation", "zip", "genres")}  # fmt: skip
    for user, item, rating, timestamp, *_ in ratings:
        if user not in users or item not in items:
            raise DataSourceError(f"MovieLens: rating of user {user}, item {item} has no "
                                  "matching user or item row.")  # fmt: skip
        age, gender, occupation, zip_code = users[user]
        try:
            numbers = float(rating), float(timestamp), float(age)
        except ValueError:
            raise DataSourceError(
                f"MovieLens: the rating of user {user}, item {item} has a rating "
                f"{rating!r}, timestamp {timestamp!r} or user age {age!r} that is not a "
                "number; restore the files from the GroupLens archive."
            ) from None
        for name, value in (("user_id", user), ("item_id", item), ("rating", numbers[0]),
                            ("timestamp", numbers[1]), ("age", numbers[2]),
                            ("gender", gender), ("occupation", occupation),
                            ("zip", zip_code[:3]), ("genres", genres[item])):  # fmt: skip
            columns[name].append(value)
    return {name: np.array(values) for name, values in columns.items()}


def read_movielens(folder):
    """MovieLens 100K (`u.data`) or 1M (`ratings.dat`) from its extracted folder."""
    folder = Path(folder)
    for sub in (folder, folder / "ml-100k", folder / "ml-1m"):
        if (sub / "u.data").is_file():
            ratings = _fields(sub / "u.data", "\t", 4)
            users = {f[0]: (f[1], f[2], f[3], f[4]) for f in _fields(sub / "u.user", "|", 5)}
            items, genres = {}, {}
            for fields in _fields(sub / "u.item", "|", 5):
                items[fields[0]] = fields[1]
                flags = fields[5 : 5 + len(ML100K_GENRES)]
                genres[fields[0]] = "|".join(g for g, f in zip(ML100K_GENRES, flags, strict=False)
                                             if f == "1")  # fmt: skip
            return _join(ratings, users, items, genres)
        if (sub / "ratings.dat").is_file():
            ratings = _fields(sub / "ratings.dat", "::", 4)
            users = {f[0]: (f[2], f[1], f[3], f[4]) for f in _fields(sub / "users.dat", "::", 5)}
            movies = _fields(sub / "movies.dat", "::", 3)
            items = {f[0]: f[1] for f in movies}
            genres = {f[0]: f[2] for f in movies}
            return _join(ratings, users, items, genres)
    raise DataSourceError(
        f"MovieLens: {folder} has neither u.data, u.user, u.item (ml-100k) nor ratings.dat, "
        "users.dat, movies.dat (ml-1m)."
    )


def read_criteo(path, max_rows=None, encoding=DEFAULT_ENCODING):
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
    with open_text(path, encoding) as handle:
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
    lines = range(1, len(rows) + 1)
    columns = {"label": _numbers(table[:, 0], path, lines, "label")}
    for j, name in enumerate(CRITEO_COLUMNS[1:14], start=1):
        columns[name] = _numbers(table[:, j], path, lines, name, missing_ok=True)
    for j, name in enumerate(CRITEO_COLUMNS[14:], start=14):
        columns[name] = table[:, j].astype(str)
    return columns


def _numbers(cells, path, lines, column, missing_ok=False):
    """float64 values of a numeric column (NaN where missing if `missing_ok`); a cell that
    is not a finite number is one error naming its line."""
    return np.array([parse_number(cell, path=path, line=line, column=column,
                                  missing_ok=missing_ok)
                     for cell, line in zip(cells, lines, strict=True)], np.float64)  # fmt: skip


def read_table(path, numeric=(), encoding=DEFAULT_ENCODING):
    """A CSV/TSV file with a header: every column as strings, `numeric` ones as float64.

    A numeric cell must be a finite number or empty (or `NaN`, `NA`: a missing value, which
    the encoder fills); every row needs one value per header column.
    """
    table = read_csv_rows(path, encoding=encoding).check_width()
    if not table.rows:
        raise DataSourceError(f"{table.path} holds no rows.")
    columns = {}
    for j, name in enumerate(table.header):
        values = [row[j] for row in table.rows]
        if name in numeric:
            columns[name] = _numbers(values, table.path, table.lines, name, missing_ok=True)
        else:
            columns[name] = np.array(values, dtype=str)
    return columns
