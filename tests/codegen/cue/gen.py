"""gen.py - seeded messages for tests/codegen/test_cue.sh: Identity-shaped objects whose fields
are drawn from values on both sides of every constraint of tests/codegen/cue/identity.cue.

Usage: python3 gen.py SEED COUNT > messages.ndjson
Design: each field is left out sometimes and otherwise drawn from a pool of valid and invalid
values (strings that match [A-Z] anywhere or nowhere, numbers around 130, wrong types); now
and then the whole message is not an object. Members are only the definition's own: CUE's
OpenAPI export does not carry a definition's closedness (test_cue.sh shows that case alone).
Numbers stay within 64-bit/double range, which meshgate's parser requires by design.
"""
import json
import random
import sys

NAMES = ["Ann", "ann", "aNN", "Zoë", "zoë", "", "x Y", "9Z", "über", "ÜBER", "McDonald", "a-B",
         5, None, True, [], {}]
AGES = [0, 129, 129.999, 130, 130.0, 131, -7, 1e2, 1.3e2, 1e-3, -1e300, "5", None, False, [1]]
OTHERS = ["str", 5, None, [], [{"first": "Ann", "Last": "Lee"}], True]


def message(rng):
    if rng.random() < 0.06:
        return rng.choice(OTHERS)
    m = {}
    for field, pool, p in (("first", NAMES, 0.9), ("Last", NAMES, 0.9), ("Age", AGES, 0.6)):
        if rng.random() < p:
            m[field] = rng.choice(pool)
    return m


def main():
    seed, count = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    for _ in range(count):
        print(json.dumps(message(rng), ensure_ascii=False))


main()
