"""Does a generated answer say what the reader found? The reader chooses, the model only words.

Verification (`verify.py`) checks that each statement agrees with the passage sentence it rests on; it cannot
tell whether that sentence answers the question. A 1.5B model asked "Who did Meta hire away from Scale AI?"
wrote a true, verifiable statement about Google's plans; asked "When did OpenAI begin ending its
collaboration?" it gave the report's date ("June 2025") from the sentence that says "6 to 12 months ago".
The reader has already chosen the answering sentences and, where it is sure, the answer phrase inside them, so
a generated answer is shown only when one of its statements rests on a chosen sentence and carries that
phrase's numbers and names (one of each, at least); that statement leads.
"""

from __future__ import annotations

from bot.answering.citations import Statement
from bot.answering.quantities import quantities, unmatched
from bot.answering.reading import Choice
from bot.answering.verify import missing_names


def grounded(statements: list[Statement], choices: list[Choice]) -> list[Statement]:
    """`statements` with the first one that restates a chosen sentence moved to the front; [] when none
    does (the engine then shows the chosen sentences instead)."""
    for index, statement in enumerate(statements):
        if any(_restates(statement, choice) for choice in choices):
            return [statement, *statements[:index], *statements[index + 1 :]]
    return []


def _restates(statement: Statement, choice: Choice) -> bool:
    rests_on = any(
        passage.chunk_id == choice.read.passage.chunk_id and sentence.start == choice.sentence.start
        for passage, sentence in statement.support
    )
    if not rests_on:
        return False
    phrase = choice.emphasis
    if phrase is None:
        return True
    # Of the phrase's numbers one at least must be stated (with its scale and bound): "6 sampai 12 bulan"
    # answers "when did it begin?", the report date beside it does not; "US$14,3 miliar atau kurang lebih
    # Rp472 triliun" is answered by either amount. Of its names, one at least too: a title before a name may
    # be translated ("Presiden" / "President") where the name is not.
    numbers, names = quantities(phrase), missing_names(phrase, "")
    return (not numbers or len(unmatched(phrase, statement.text)) < len(numbers)) and (
        not names or len(missing_names(phrase, statement.text)) < len(names)
    )
