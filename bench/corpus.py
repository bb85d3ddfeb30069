"""A generated local index for the benchmark: `python -m bench.corpus DIR [--chunks 10000]`.

Writes `DIR/index.sqlite3` through the app's own `LocalIndex`, as ingestion would, with
`chunks` chunks of about 1,000 characters, 20 chunks per source file. The text is drawn from
a 20,000-word vocabulary with Zipf's word frequencies, the benchmark question's words among
the commonest content words: "deductible" is in about 12% of the chunks (1,176 of 10,000),
as a central term of a real corpus would be. (A 50-word vocabulary put every word in 95% of
the chunks: no real corpus has that, and BM25 then ranks nearly the whole index.)
Deterministic: the same seed gives the same index.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
from pathlib import Path

from app.search.base import Chunk
from app.search.local import LocalIndex

# Words of the benefits and policies domain that the benchmark's questions use; they get
# ranks among the corpus' commonest content words (100 to about 600 of 20,000).
DOMAIN = """plan coverage deductible premium claim network provider employee benefit policy
travel expense receipt approval manager leave holiday payroll security laptop password report
office remote stipend hotel flight mileage vision dental pharmacy copay annual monthly covered
limit year""".split()  # noqa: SIM905
STOPWORDS = "the of and to a in is for that on with as it be by this are or at from".split()  # noqa: SIM905
VOCABULARY = 20_000
# Word frequencies in text follow Zipf's law (rank r has frequency about 1/r): the same words
# are everywhere and most words are rare, so a question's words match hundreds of chunks, not
# all of them, as in real documentation.
ZIPF_EXPONENT = 1.0
CHUNKS_PER_FILE = 20
CHUNK_CHARS = 1000


def _vocabulary(rng: random.Random) -> list[str]:
    """Words by rank: stopwords first, the domain's words spread over ranks 100-600, and
    made-up words (letters only, so the tokenizer keeps them whole) everywhere else."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    made_up = {"".join(rng.choices(letters, k=rng.randint(4, 10))) for _ in range(VOCABULARY)}
    others = sorted(made_up - set(DOMAIN) - set(STOPWORDS))
    rng.shuffle(others)  # sorted first: a set's order changes from one process to the next
    words = [*STOPWORDS, *others]
    for n, word in enumerate(DOMAIN):
        words.insert(100 + n * 500 // len(DOMAIN), word)
    return words[:VOCABULARY]


def _prose(rng: random.Random, words: list[str], weights: list[float]) -> str:
    picked: list[str] = []
    length = 0
    while length < CHUNK_CHARS:
        batch = rng.choices(words, cum_weights=weights, k=32)
        picked.extend(batch)
        length += sum(len(word) + 1 for word in batch)
    return " ".join(picked).capitalize() + "."


async def build(directory: Path, chunks: int, seed: int = 7) -> Path:
    """Write an index of `chunks` generated chunks into `directory`; returns its path."""
    rng = random.Random(seed)
    words = _vocabulary(rng)
    ranks = range(1, len(words) + 1)
    weights = list(itertools.accumulate(1 / rank**ZIPF_EXPONENT for rank in ranks))
    path = directory / "index.sqlite3"
    index = await LocalIndex.open(path)
    try:
        for file_number in range(0, chunks, CHUNKS_PER_FILE):
            name = f"generated-{file_number // CHUNKS_PER_FILE:05d}.txt"
            count = min(CHUNKS_PER_FILE, chunks - file_number)
            await index.replace_file(
                name,
                f"seed-{seed}-{file_number}",
                [
                    Chunk(
                        id=f"{name}-{n}",
                        content=_prose(rng, words, weights),
                        sourcepage=f"{name}#page={n + 1}",
                        sourcefile=name,
                    )
                    for n in range(count)
                ],
            )
    finally:
        await index.close()
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--chunks", type=int, default=10_000)
    args = parser.parse_args(argv)
    path = asyncio.run(build(args.directory, args.chunks))
    print(f"{args.chunks} chunks in {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
