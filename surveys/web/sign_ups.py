"""Sign-ups on the thank-you page ("join the forum", "hear what changes"), kept unlinkable.

A sign-up is sent from the thank-you page, in its own request just after the answers. Had it
been written there as a ContactRequest, its row version (PostgreSQL's ``xmin``) or its place
in SQLite's write-ahead log would sit straight after its respondent's response, and anyone
with a copy of the database could pair the name with the answers (issue 14). So it is
handled the way completion notices are (surveys/completion.py):

- The thank-you page only *seals* the sign-up: a ``PendingSignUp`` holds a random key and an
  AES-GCM box under NOTICE_KEY (kept outside the database) with the round, the kind and the
  contact details, padded to one length. Nothing else: no round, no time, no order.
- A daily job (surveys/web/tasks.py; `flask sign-ups apply`) opens them and writes the
  ContactRequests staff see, per round in shuffled batches of at least NOTICE_BATCH_MIN (or
  whatever is left once the round has closed, or everything with ``--all``), all in one
  transaction that also deletes the pending rows; then the deleted rows are scrubbed from the
  database files (``scrub_deleted``: SQLite's secure_delete and a checkpoint, a PostgreSQL
  VACUUM). So the sign-ups staff see were written together, far from any response.

The price: staff see a new sign-up only after its batch (the staff pages say so).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from app.core.extensions import db, scrub_deleted
from surveys import completion
from surveys.models import ContactRequest, PendingSignUp, SurveyRound
from surveys.safeguarding.services import flag_words

PURPOSE = "sign-up"
PADDED_LENGTH = 4096  # bytes of JSON: the longest name and email the form takes fit
# A form refused (no consent, a bad email) whose name showed a risk: sealed all the same, so
# its words reach the lead with the batch, but never written as a sign-up.
WORDS_ONLY = "words"


@dataclass(frozen=True)
class SignUp:
    round_id: int
    kind: str  # "forum" or "updates", or WORDS_ONLY
    name: str
    phone: str
    email: str
    consent: bool


def seal(sign_up: SignUp) -> None:
    """Keep a sign-up sealed until its batch (the caller commits)."""
    value = {
        "round": sign_up.round_id,
        "kind": sign_up.kind,
        "name": sign_up.name,
        "phone": sign_up.phone,
        "email": sign_up.email,
        "consent": sign_up.consent,
    }
    sealed = completion.seal_value(value, PURPOSE, pad_to=PADDED_LENGTH)
    db.session.add(PendingSignUp(sealed=sealed))


def _open(pending: PendingSignUp) -> SignUp | None:
    value = completion.open_value(pending.sealed, PURPOSE)
    if value is None:
        return None
    return SignUp(
        round_id=value["round"],
        kind=value["kind"],
        name=value["name"],
        phone=value["phone"],
        email=value["email"],
        consent=value["consent"],
    )


def apply_sign_ups(*, everything: bool = False) -> int:
    """Open the pending sign-ups and write them as ContactRequests, a round's batch at a time.

    A round's sign-ups are written only when at least NOTICE_BATCH_MIN are waiting, or once
    the round has closed (then whatever is left), in a shuffled order, in one transaction that
    also deletes them; then the deleted rows are scrubbed. A sign-up no key we hold opens waits
    for its key. ``everything`` is for `flask sign-ups apply --all`. Returns sign-ups written.
    """
    by_round: dict[int, list[tuple[PendingSignUp, SignUp]]] = {}
    for pending in db.session.scalars(sa.select(PendingSignUp)):
        sign_up = _open(pending)
        if sign_up is not None:
            by_round.setdefault(sign_up.round_id, []).append((pending, sign_up))
    least = current_app.config["NOTICE_BATCH_MIN"]
    written = 0
    shuffler = secrets.SystemRandom()
    for round_id, batch in by_round.items():
        survey_round = db.session.get(SurveyRound, round_id)
        closed = survey_round is None or survey_round.has_closed
        # Words-only items ride with their round's batch but do not make it up: they are no
        # sign-ups to hide among (and one person's refused tries would count many times).
        signed_up = [item for item in batch if item[1].kind != WORDS_ONLY]
        if len(signed_up) < least and not closed and not everything:
            continue
        shuffler.shuffle(batch)
        flagged: set[str] = set()
        for pending, sign_up in batch:
            # A risk in what they typed as a name reaches the lead now, in the batch: a flag
            # raised on the thank-you page would sit next to their response. The same name
            # twice in a batch (the forum and updates) is one flag.
            new_name = survey_round is not None and sign_up.name not in flagged
            if new_name and flag_words([sign_up.name], round_id, origin="signup"):
                flagged.add(sign_up.name)
            if survey_round is not None and sign_up.kind != WORDS_ONLY:
                db.session.add(
                    ContactRequest(
                        round_id=round_id,
                        kind=sign_up.kind,
                        name=sign_up.name,
                        phone=sign_up.phone,
                        email=sign_up.email,
                        consent=sign_up.consent,
                    )
                )
                written += 1
            db.session.delete(pending)
    db.session.commit()
    scrub_deleted("pending_sign_up")
    return written


def waiting() -> int:
    """How many sign-ups wait for their batch (for the command's output)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(PendingSignUp)) or 0
