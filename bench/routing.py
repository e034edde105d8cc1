"""Routing: how often free text gets the conversation a coach would offer, and its cost.

Quality (issue 12 §5): the top suggestion is right for at least 90% of the labelled corpus
tests/routing/corpus.yaml. A message is followed the way the engine takes it: the safety
screen first (its check-in answers distress, so routing never sees it), then the English
check, then the suggestion ("help" when none scores enough). The corpus was written before
routing changed, but the phrases were then added while reading its misses, so it flatters
them. The honest figures are the held-out sets, never used to change phrases:
tests/routing/held_out.yaml (written before any change, but read after round 1) and
tests/routing/held_out_2.yaml (written between round 1, phrases, and round 2, keywords and
stemming: the cleaner of the two).

Cost: microseconds per message for the whole path, against a baseline in the same run: the
safety screen alone, which every message already pays.
"""

from collections import Counter
from pathlib import Path

import yaml

from bench.common import BenchResult, micros_per_item
from dialogs import language, routing
from dialogs.content import load_content
from dialogs.content_model import Content
from dialogs.screening import distress

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "routing" / "corpus.yaml"
HELD_OUT = ROOT / "tests" / "routing" / "held_out.yaml"  # never used to change phrases
HELD_OUT_2 = ROOT / "tests" / "routing" / "held_out_2.yaml"  # written after round 1, before 2
RUNS = 5
ROUNDS = 20  # passes over the corpus per run
TARGET = 0.9
SPECIAL = frozenset({"help", "safety", "not-english"})  # labels where no dialogue is offered


def labelled(path: Path = CORPUS) -> list[tuple[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [(str(label), str(text)) for label, texts in data.items() for text in texts]


def label_of(text: str, content: Content) -> str:
    """What the engine does with `text` out of the blue, as a corpus label."""
    if distress(text, content.safety) is not None:
        return "safety"
    if language.not_english(text):
        return "not-english"
    found = routing.suggest(text, content.dialogues)
    if found is None:
        return "help"
    prep = content.prep()
    return "prep" if prep is not None and found.id == prep.id else found.id


def misses(content: Content, messages: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(label, what routing chose, text) for every message routed wrongly."""
    return [
        (label, got, text) for label, text in messages if (got := label_of(text, content)) != label
    ]


def run() -> BenchResult:
    content = load_content(ROOT / "content")
    messages, held, held_2 = labelled(), labelled(HELD_OUT), labelled(HELD_OUT_2)
    wrong, held_wrong = misses(content, messages), misses(content, held)
    held_2_wrong = misses(content, held_2)
    right = 1 - len(wrong) / len(messages)
    texts = [text for _, text in messages]
    base_runs, full_runs = [], []
    for _ in range(RUNS):
        base_runs.append(micros_per_item(lambda t: distress(t, content.safety), texts, ROUNDS))
        full_runs.append(micros_per_item(lambda t: label_of(t, content), texts, ROUNDS))
    per_label = Counter(label for label, _, _ in wrong)
    result = BenchResult(
        "Routing: the conversation free text is offered",
        f"Top suggestion right over the {len(messages)} labelled messages of "
        f"tests/routing/corpus.yaml ({len(Counter(label for label, _ in messages))} labels: "
        "19 dialogues, help, safety, not-english), following the engine's path: safety "
        "screen, English check, suggestion. The honest figures are the held-out ones, never "
        f"used to change routing: tests/routing/held_out.yaml ({len(held)} messages, written "
        "before any change) and held_out_2.yaml "
        f"({len(held_2)}, written between the two rounds of change; the cleaner). "
        f"Cost: µs per message, {ROUNDS} passes, median of "
        f"{RUNS} runs; baseline the safety screen alone, same run, same messages.",
        target=f"top suggestion right for >= {TARGET:.0%} of the corpus",
    )
    result.add("top suggestion right (corpus)", right * 100, "%")
    result.add(
        "held out (honest): top suggestion right", (1 - len(held_wrong) / len(held)) * 100, "%"
    )
    result.add(
        "held out 2 (cleanest): top suggestion right",
        (1 - len(held_2_wrong) / len(held_2)) * 100,
        "%",
    )
    wrongly_offered = sum(1 for _, got, _ in held_wrong + held_2_wrong if got not in SPECIAL)
    result.add(
        "held out, both: a wrong conversation offered (the rest of the misses: none offered)",
        wrongly_offered,
        "messages",
    )
    for label, count in sorted(per_label.items()):
        result.add(f"misses: {label}", count, "messages")
    result.add_runs("baseline: safety screen alone", base_runs, "µs/message")
    result.add_runs("safety + English check + routing", full_runs, "µs/message")
    result.add_ratio("ratio whole path / safety screen", full_runs, base_runs)
    result.met = right >= TARGET
    return result


if __name__ == "__main__":
    print(run().markdown())
