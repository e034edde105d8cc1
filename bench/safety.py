"""Safety screening: how well it hears the labelled corpus, and what it costs per message.

Quality (issue 11): crisis recall 100%, concern recall at least 90%, false alarms (any level
on an ordinary or frustrated message) at most 3%, over tests/safety/corpus.yaml. The corpus
shaped the rules, so it flatters them; the honest figure is the held-out set
tests/safety/held_out_4.yaml (crisis and calm only, no concern section), written before the
round-5 rules and never used to change them. Earlier held-out sets were moved into the corpus
after the round that was shaped by them: held_out_2.yaml (round 3) was heard before round 4
at crisis 92%, concern 58%, false alarms 17%; held_out_3.yaml (round 4) before round 5 at
crisis 41% (9/22), concern 58% (18/31), false alarms 4.8% (2/42).
Round 5's rules, shaped by held_out_3, did not move held_out_4: crisis 25% (5/20) and false
alarms 5% (1/20) both before and after them, so its unseen classes are still unheard.

Cost: every message is screened on the hot path. The baseline is the matcher it replaced
(one regular expression over a fixed phrase list), timed in the same run on the same
messages; the figure is the ratio, with the absolute microseconds beside it.
"""

import re
import time
from pathlib import Path

import yaml

from bench.common import BenchResult, micros_per_item
from dialogs.content import load_content
from dialogs.matching import normalise
from dialogs.safety_match import Screener

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "safety" / "corpus.yaml"
HELD_OUT = ROOT / "tests" / "safety" / "held_out_4.yaml"  # never used to shape the rules
# Work frustration that shares words with distress (review 8 of issue 12), written before
# that round's rules; they were then shaped by its misses through messages of their own in
# corpus.yaml, so its "after" figure flatters them. Before: crisis 60% (3/5), concern 90%
# (9/10), false alarms 13.3% (4/30).
HELD_OUT_5 = ROOT / "tests" / "safety" / "held_out_5.yaml"
RUNS = 5
ROUNDS = 200  # passes over the corpus per run
TARGETS = {"crisis": 1.0, "concern": 0.9}
FALSE_ALARMS_MAX = 0.03
# The phrase list safety.yaml held before issue 11, matched the way it was then.
OLD_PHRASES = (
    "suicidal",
    "kill myself",
    "want to die",
    "wish i was dead",
    "end it all",
    "ending it all",
    "end my life",
    "take my own life",
    "no point in living",
    "not worth living",
    "better off without me",
    "harm myself",
    "hurt myself",
    "self-harm",
    "self harm",
    "can't go on",
    "cant go on",
    "cannot go on",
    "can't cope",
    "cant cope",
    "cannot cope",
    "i'm not coping",
    "im not coping",
    "take it anymore",
    "take it any more",
    "breaking point",
    "burnt out",
    "burned out",
    "burnt-out",
    "falling apart",
    "can't stop crying",
    "cant stop crying",
    "panic attacks",
    "a panic attack",
    "nervous breakdown",
    "having a breakdown",
    "feel hopeless",
    "feeling hopeless",
    "want to be here anymore",
    "want to be here any more",
)


def corpus(path: Path = CORPUS) -> dict[str, list[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {label: [str(t) for t in texts] for label, texts in data.items()}


def quality(screener: Screener, messages: dict[str, list[str]]) -> dict[str, float]:
    """Recall per level and false alarms; a set with no concern section has no concern
    figure."""
    levels = {label: [screener.screen(t) for t in texts] for label, texts in messages.items()}
    calm = [s for label in ("frustration", "ordinary", "calm") for s in levels.get(label, [])]
    concern = levels.get("concern", [])
    return {
        "crisis": sum(1 for s in levels["crisis"] if s and s.level == "crisis")
        / len(levels["crisis"]),
        **({"concern": sum(1 for s in concern if s) / len(concern)} if concern else {}),
        "false alarms": sum(1 for s in calm if s) / len(calm),
        "frustration": sum(1 for s in levels.get("frustration", []) if s)
        / max(1, len(levels.get("frustration", []))),
    }


def old_matcher() -> re.Pattern[str]:
    wanted = sorted({normalise(p) for p in OLD_PHRASES}, key=len, reverse=True)
    return re.compile(" (?:" + "|".join(map(re.escape, wanted)) + ") ")


def run() -> BenchResult:
    content = load_content(ROOT / "content")
    screener = content.safety.screener
    messages = corpus()
    everything = [t for texts in messages.values() for t in texts]
    old = old_matcher()

    def baseline(text: str) -> bool:
        return old.search(f" {normalise(text)} ") is not None

    found = quality(screener, messages)
    held_out = quality(screener, corpus(HELD_OUT))
    held_counts = ", ".join(f"{k} {len(v)}" for k, v in corpus(HELD_OUT).items())
    calm = messages["frustration"] + messages["ordinary"]
    old_runs, new_runs, calm_runs, cold_runs, compile_runs = [], [], [], [], []
    for _ in range(RUNS):
        old_runs.append(micros_per_item(baseline, everything, ROUNDS))
        new_runs.append(micros_per_item(screener.screen, everything, ROUNDS))
        calm_runs.append(micros_per_item(screener.screen, calm, ROUNDS))
        started = time.perf_counter()
        fresh = Screener(
            screener.settings,
            screener.crisis,
            screener.concern,
            screener.ordinary,
            screener.own_feeling,
        )
        compile_runs.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        for text in everything:  # each word met for the first time
            fresh.screen(text)
        cold_runs.append((time.perf_counter() - started) / len(everything) * 1e6)
    result = BenchResult(
        "Safety: what screening hears, and what it costs",
        f"Recall per level and false alarms over the {len(everything)} labelled messages of "
        f"tests/safety/corpus.yaml ({', '.join(f'{k} {len(v)}' for k, v in messages.items())})."
        f" Cost: microseconds to screen one message, {ROUNDS} passes over the corpus, median "
        f"of {RUNS} runs. Baseline: the single-regex phrase matcher it replaced, same run, "
        "same messages. The honest figures are the held-out ones, over "
        "tests/safety/held_out_4.yaml: crisis phrasing in classes the corpus does not hold, "
        "and calm messages sharing their words, written before the round-5 rules and never "
        "used to change them, by the same hand as those rules, so a blind set would be "
        "harsher still. Earlier held-out sets are now part of the corpus, so their figures "
        "are inside the corpus one; before the round shaped by each they were heard at: "
        "held_out_2.yaml crisis 92%, concern 58%, false alarms 17% (before round 4); "
        "held_out_3.yaml crisis 41% (9/22), concern 58% (18/31), false alarms 4.8% (2/42) "
        "(before round 5).",
        target="crisis recall 100%, concern recall >= 90%, false alarms <= 3%",
    )
    result.add("crisis recall", found["crisis"] * 100, "%")
    result.add("concern recall", found["concern"] * 100, "%")
    result.add("false alarms (frustration + ordinary)", found["false alarms"] * 100, "%")
    result.add("false alarms on frustration alone", found["frustration"] * 100, "%")
    note = f"(held_out_4.yaml: {held_counts})"
    result.add("held out (honest): crisis recall", held_out["crisis"] * 100, "%", note)
    if "concern" in held_out:
        result.add("held out (honest): concern recall", held_out["concern"] * 100, "%", note)
    result.add("held out (honest): false alarms", held_out["false alarms"] * 100, "%", note)
    frustrated = quality(screener, corpus(HELD_OUT_5))
    note_5 = "(held_out_5.yaml, work frustration; before review 8: 60%, 90%, 13.3%)"
    result.add("held out 5: crisis recall", frustrated["crisis"] * 100, "%", note_5)
    result.add("held out 5: concern recall", frustrated["concern"] * 100, "%", note_5)
    result.add("held out 5: false alarms", frustrated["false alarms"] * 100, "%", note_5)
    result.add_runs("baseline: old phrase regex", old_runs, "µs/message")
    result.add_runs("screening, words seen before", new_runs, "µs/message")
    result.add_runs("screening calm messages only", calm_runs, "µs/message")
    result.add_runs("screening, every word new", cold_runs, "µs/message")
    result.add_ratio("ratio screening / baseline", new_runs, old_runs)
    result.add_runs("compiling the patterns (once per content load)", compile_runs, "ms")
    result.met = (
        found["crisis"] >= TARGETS["crisis"]
        and found["concern"] >= TARGETS["concern"]
        and found["false alarms"] <= FALSE_ALARMS_MAX
    )
    return result


if __name__ == "__main__":
    print(run().markdown())
