"""A finding said as a short statement, for the title of the need made from it: "Overtime wages: workers not paid the
legal overtime rate for all overtime hours worked", not the question "Are workers paid ...?".

The question banks hold yes/no questions ("Are ...?", "Does ...?") and the answer that is a non-compliance. The
statement is the question turned round in English (the bank's English text): the non-compliant "yes" becomes the
sentence itself, the non-compliant "no" its negation. A question this cannot turn round reads "<code> not in
compliance". Staff then edit the title on the need's form, which opens once the need is made."""
from __future__ import annotations

import re

from flask_babel import gettext as _

# Auxiliaries a yes/no question opens with, and the negation each takes after its subject.
NEGATIONS = {"are": "are not", "is": "is not", "do": "do not", "does": "does not", "has": "has not",
             "have": "have not", "can": "cannot"}
# Words that start the predicate of an "Are/Is <subject> <predicate>" question, besides past participles in -ed.
PREDICATE_WORDS = {
    "paid", "given", "kept", "held", "made", "told", "shown", "taken", "written", "set", "met", "found", "run",
    "built", "done", "known", "free", "able", "allowed", "available", "sufficient", "adequate", "voluntary",
    "safe", "clean", "comfortable", "within", "in", "separate", "equal", "accurate", "consistent", "present",
    "subjected", "bound", "required", "excluded", "located", "treated", "dismissed", "penalised", "punished",
    "threatened", "harassed", "discriminated", "disciplined", "prevented", "physically", "ever", "used", "provided",
    "acceptable",
}
PREPOSITIONS = {"in", "within"}
# Words in -ed that describe the subject rather than start the predicate ("bonuses promised by the employer").
NOT_PREDICATE = {"promised", "supplied", "concerned", "needed"}
# Verbs joined to the first one ("threaten, bribe or pressure"): said in the third person with it.
JOINED_VERBS = {"falsify", "treat", "ask", "finance", "dominate", "bribe", "pressure", "control", "restrict",
                "insult", "punish"}
# Verbs that follow the subject of a "Do/Does/Has/Have/Can <subject> <verb>" question.
VERBS = {
    "get", "have", "receive", "earn", "include", "wear", "comply", "stay", "reflect", "show", "understand", "avoid",
    "check", "keep", "make", "hold", "obtain", "take", "allow", "ask", "pay", "bargain", "deduct", "give", "provide",
    "respond", "meet", "hire", "use", "require", "call", "fund", "control", "withhold", "refuse", "threaten",
    "interfere", "subcontract", "exceed", "work", "perform", "discourage", "shout", "practise", "resign", "refuse",
    "been", "carried", "obtained", "explained", "communicated", "trained", "told", "be",
}
# Examples closing a clause ("…, such as belts and blades") make a statement long without making it clearer.
EXAMPLES = re.compile(r",? (such as|for example|e\.g\.|including) .*$")
# A second question joined to the first ("… and are workers trained to use them?") is left out.
SECOND_QUESTION = re.compile(r",? (and|or) (is|are|can|do|does) .*$")
ASIDES = re.compile(r" \([^)]*\)")
MAX_LENGTH = 140


def _third_person(word: str) -> str:
    verb, mark = word.rstrip(",;"), word[len(word.rstrip(",;")):]
    return _conjugated(verb) + mark


def _conjugated(verb: str) -> str:
    if verb == "have":
        return "has"
    if re.search(r"(s|sh|ch|x|z|o)$", verb):
        return verb + "es"
    if re.search(r"[^aeiou]y$", verb):
        return verb[:-1] + "ies"
    return verb + "s"


def _split(words: list[str], starts) -> int | None:
    """The index of the first word (after at least one) that starts the predicate, if any."""
    return next((i for i, word in enumerate(words) if i and starts(word.strip(",").lower())), None)


def _predicate_start(words: list[str]) -> int | None:
    """Where the predicate of "<subject> <predicate>" starts: a participle or an adjective (with the adverb before
    it: "clearly marked"), or "in"/"within" when nothing else follows in the clause ("in good condition")."""
    def candidate(word: str) -> bool:
        return word not in NOT_PREDICATE and (word in PREDICATE_WORDS or (word.endswith("ed") and len(word) > 4))

    at = _split(words, lambda w: candidate(w) or w in PREPOSITIONS)
    if at is not None and words[at].lower() in PREPOSITIONS:
        clause_end = next((i for i in range(at, len(words)) if words[i].endswith(",")), len(words) - 1)
        later = next((i for i in range(at + 1, clause_end + 1) if candidate(words[i].strip(",").lower())), None)
        at = later if later is not None else at
    if at is not None and at > 1 and words[at - 1].lower().endswith("ly"):
        at -= 1
    return at


def _join_verbs(tail: str) -> str:
    """"bribe or pressure workers" after "threatens," → "bribes or pressures workers"."""
    return re.sub(r"(^|, |or |and )(" + "|".join(sorted(JOINED_VERBS)) + r")\b",
                  lambda m: m.group(1) + _conjugated(m.group(2)), tail)


def _quantified(subject: str) -> bool:
    """"all workers", "every worker", "enough workers": the negation goes before the subject ("not all workers")."""
    return subject.lower().split(" ", 1)[0] in ("all", "every", "enough")


def _verb_phrase(aux: str, verb: str) -> str:
    """The verb as a statement says it after its subject: "does withhold" → "withholds", "has obtained" stays."""
    if aux == "does":
        return _third_person(verb)
    return verb if aux == "do" else f"{aux} {verb}"


def _there(aux: str, body: str, noncompliant: str) -> str:
    if noncompliant == "yes":
        return f"there {aux} {body}"
    for article in ("a ", "an "):
        if body.startswith(article):
            return "no " + body[len(article):]
    return f"not {body}" if body.startswith("enough ") else f"there {aux} no {body}"


def _turn(question: str, noncompliant: str) -> str | None:
    text = ASIDES.sub("", question.strip().rstrip("?").strip())
    text = SECOND_QUESTION.sub("", text)
    text = re.sub(r"^Do you ", "Does the factory ", text)
    text = re.sub(r"^(Do|Does|Have|Has) your ", r"\1 the factory's ", text)
    text = re.sub(r"\byou use\b", "the factory uses", text)
    text = re.sub(r"\byour\b", "its", text)
    words = text.split()
    if len(words) < 3 or words[0].lower() not in NEGATIONS:
        return None
    aux, rest = words[0].lower(), [w for w in words[1:] if w.lower() != "ever"]
    if rest[0].lower() == "any":
        rest = rest[1:]
    if aux in ("are", "is") and rest[0].lower() == "there":
        body = rest[2:] if len(rest) > 2 and rest[1].lower() == "any" else rest[1:]
        return _there(aux, " ".join(body), noncompliant)
    if aux in ("are", "is"):
        at = _predicate_start(rest)
        if at is None:
            return None
        subject, predicate = " ".join(rest[:at]), " ".join(rest[at:])
        if noncompliant == "yes":
            return f"{subject} {predicate}"
        predicate = EXAMPLES.sub("", predicate)
        return f"not {subject} {predicate}" if _quantified(subject) else f"{subject} not {predicate}"
    at = _split(rest, lambda w: w in VERBS)
    if at is None:
        return None
    subject, verb, tail = " ".join(rest[:at]), rest[at], " ".join(rest[at + 1:])
    if noncompliant == "yes":
        if aux == "does":
            tail = _join_verbs(tail)
        return " ".join(part for part in (subject, _verb_phrase(aux, verb), tail) if part)
    tail = EXAMPLES.sub("", tail)
    if _quantified(subject):
        return " ".join(part for part in ("not", subject, _verb_phrase(aux, verb), tail) if part)
    return " ".join(part for part in (subject, NEGATIONS[aux], verb, tail) if part)


def statement(question_text: str, noncompliant: str | None) -> str | None:
    """The finding as a short statement in English, or None when the question cannot be turned round."""
    if noncompliant not in ("yes", "no"):
        return None
    turned = _turn(question_text, noncompliant)
    if not turned:
        return None
    turned = EXAMPLES.sub("", turned) if len(turned) > MAX_LENGTH else turned
    if len(turned) > MAX_LENGTH:
        turned = turned[:MAX_LENGTH].rsplit(" ", 1)[0].rstrip(",;") + "…"
    first = turned.split(" ", 1)[0]
    return turned if first.isupper() else turned[0].lower() + turned[1:]


def need_title(point_label: str, code: str, question_text: str, noncompliant: str | None) -> str:
    """"<compliance point>: <statement>", the need's title."""
    said = statement(question_text, noncompliant) or _("%(code)s not in compliance", code=code)
    return f"{point_label}: {said}"[:300]
