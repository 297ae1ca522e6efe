"""Write a plain-text pretraining corpus of any size from real paragraphs, for the corpus
streaming benchmark.

The paragraphs come from real text (by default the Wikipedia and movie-plot samples that
`benchmarks/real_data.py prepare` fetches); documents of 3-30 paragraphs drawn at random
(seeded) are separated by blank lines and written to files of `file_bytes` each, as a
pretraining corpus is usually laid out. Word and sentence statistics are those of the real
text; the sizes are what is tested.

    python benchmarks/make_text_corpus.py /tmp/corpus --gigabytes 2
"""

import argparse
from pathlib import Path

import numpy as np


def paragraphs_of(paths):
    """The non-blank lines of `paths` (UTF-8 text files)."""
    found = []
    for path in paths:
        found += [line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines()
                  if line.strip()]  # fmt: skip
    if not found:
        raise ValueError(f"{[str(p) for p in paths]} hold no text.")
    return found


def write_text_corpus(folder, total_bytes, paragraphs, *, file_bytes=64 << 20, seed=0):
    """Write about `total_bytes` of documents drawn from `paragraphs` into `folder` as
    `part-00000.txt`, ...; the files written (each written whole, then renamed)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    encoded = [p.encode("utf-8") + b"\n" for p in paragraphs]
    files, written = [], 0
    while written < total_bytes:
        path = folder / f"part-{len(files):05d}.txt"
        partial = path.with_name(path.name + ".partial")
        size = 0
        with open(partial, "wb") as handle:
            while size < min(file_bytes, total_bytes - written):
                document = [encoded[i] for i in rng.integers(0, len(encoded), rng.integers(3, 31))]
                chunk = b"".join(document) + b"\n"
                handle.write(chunk)
                size += len(chunk)
        partial.replace(path)
        files.append(path)
        written += size
    return files


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--gigabytes", type=float, default=2.0)
    parser.add_argument("--file-mb", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--source", type=Path, nargs="*",
                        help="text files to draw paragraphs from (default: the real Wikipedia "
                             "and movie-plot samples)")  # fmt: skip
    args = parser.parse_args()
    if not args.source:
        from real_data import prepare

        args.source = [*prepare("wikipedia").glob("*.txt"), *prepare("movie_plots").glob("*.txt")]
    files = write_text_corpus(args.folder, int(args.gigabytes * 1e9), paragraphs_of(args.source),
                              file_bytes=args.file_mb << 20, seed=args.seed)  # fmt: skip
    size = sum(f.stat().st_size for f in files) / 1e9
    print(f"{len(files)} files, {size:.2f} GB in {args.folder}")


if __name__ == "__main__":
    main()
