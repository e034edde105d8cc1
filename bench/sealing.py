"""Cost of sealing a typical leader's file, against what a turn already does with it.

Every turn reads and writes the leader's whole file; sealing adds one AES-256-GCM open and
one seal. Baseline, in the same run: encoding the same document to JSON and parsing it
back (orjson), the work each turn did with the file before sealing existed.
"""

import time

import orjson

from bench.common import BenchResult
from bench.storage import typical_state
from bot.crypto.keys import generate_key, parse_keys
from bot.crypto.sealing import Sealer
from bot.storage.atomic import encode_json
from bot.storage.codec import to_sections

ROUNDS = 2000
RUNS = 5
LABEL = "users/0123456789abcdef.json"


def _per_round(action: object, rounds: int = ROUNDS) -> float:
    assert callable(action)
    started = time.perf_counter()
    for _ in range(rounds):
        action()
    return (time.perf_counter() - started) / rounds * 1e6  # microseconds


def run() -> BenchResult:
    document = to_sections("console:leader", typical_state())
    plain = encode_json(document)
    sealer = Sealer(parse_keys(generate_key()))
    sealed = sealer.seal(plain, LABEL)

    def json_round() -> None:
        orjson.loads(orjson.dumps(document))

    def seal_round() -> None:
        sealer.open(sealer.seal(plain, LABEL), LABEL, LABEL)

    result = BenchResult(
        "Sealing: seal + open of a typical leader's file",
        f"A leader a few months in (40 reflections, 10 commitments: {len(plain):,} bytes of "
        f"JSON, {len(sealed):,} sealed). Mean of {ROUNDS:,} seal + open pairs, median of "
        f"{RUNS} runs. Baseline: JSON encode + parse of the same document in the same run.",
    )
    sealing, baseline = [], []
    for _ in range(RUNS):
        baseline.append(_per_round(json_round))
        sealing.append(_per_round(seal_round))
    result.add_runs("JSON encode + parse", baseline, "µs")
    result.add_runs("seal + open", sealing, "µs")
    result.add_ratio("ratio seal+open / JSON", sealing, baseline)
    return result


if __name__ == "__main__":
    print(run().markdown())
