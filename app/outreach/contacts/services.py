"""Contacts: checking and saving care leavers' details, finding duplicates, history, erasure.

Decisions a newcomer might otherwise undo:
- One set of rules reads a contact's details, whether typed on the form or imported from a
  file (``clean_contact``). Mobile numbers become E.164 with phonenumbers (UK by default) and
  must be mobiles: a landline cannot get a text. Ofcom's drama range (07700 900000-900999) is
  accepted although phonenumbers calls it invalid, so demos and training can use it safely.
- A number with words in it, like "07700 900 123 (mum's)", is refused, not cleaned: it says
  the number is somebody else's, and texting a survey about leaving care to a parent's phone
  can tell them things the young person has not. The message asks for the young person's own
  number, and a note elsewhere.
- Duplicates: the same mobile, or the same name (case and spaces folded) with the same date of
  birth, is the same person. Database constraints make that true whatever the code does.
- Every view of a contact, the list, an export of letters and every change is audited
  (``record``). Staff never see a care leaver's answers here: there is no path to them.
- "Do not contact" and "opted out" are also written to the SMS channel's opt-out list (as a
  phone hash, source "staff"), so the SMS worker refuses those numbers at send time even for
  texts queued before the flag was set. Clearing the flag removes only the staff entry: a STOP
  the person texted themselves stays.
- Erasure (``erase_contact``) deletes the contact and its history (messages sent, and the texts
  in the SMS queue to their number); the invitations stay with no contact, so the round's
  counts do not change. The audit event keeps the contact's number (id), not their name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from babel import Locale, UnknownLocaleError

from app.core import languages, phones
from app.core.clock import today
from app.core.extensions import db
from app.messaging.models import UnreachableNumber
from app.messaging.services import listed, opt_in, opt_out
from app.outreach.contacts.eligibility import age_on
from app.outreach.contacts.groups import GROUP_FIELDS, GROUPS
from app.outreach.contacts.models import Contact, LegalStatus
from app.staff.audit.services import record
from surveys.age_bands import AGE_BANDS as SURVEY_AGE_BANDS

MAX_NAME = 120
EMAIL = re.compile(r"^[^@\s<>,;\"']+@[^@\s<>,;\"']+\.[A-Za-z]{2,}$")
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
MIN_AGE, MAX_AGE = 13, 30
YES = {"yes", "y", "true", "1", "x", "ticked"}
NO = {"no", "n", "false", "0", ""}
STATUS_WORDS = {
    "eligible": LegalStatus.ELIGIBLE,
    "eligible child": LegalStatus.ELIGIBLE,
    "relevant": LegalStatus.RELEVANT,
    "relevant child": LegalStatus.RELEVANT,
    "former relevant": LegalStatus.FORMER_RELEVANT,
    "former relevant child": LegalStatus.FORMER_RELEVANT,
    "former_relevant": LegalStatus.FORMER_RELEVANT,
    "fr": LegalStatus.FORMER_RELEVANT,
    "frc": LegalStatus.FORMER_RELEVANT,
    "qualifying": LegalStatus.QUALIFYING,
    "qualifying care leaver": LegalStatus.QUALIFYING,
    "other": LegalStatus.OTHER,
}
CHANNEL_WORDS = {
    "sms": "sms",
    "text": "sms",
    "text message": "sms",
    "mobile": "sms",
    "phone": "sms",
    "email": "email",
    "e-mail": "email",
    "letter": "letter",
    "post": "letter",
}
# Case-management exports write dates many ways: 19/6/2003, 19/6/03, 25-Mar-01, 25 March 2001.
# A two-digit year is 2000 to 2068 (strptime's rule), right for care leavers born this century.
DATE_PATTERNS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%d-%b-%Y",
    "%d/%m/%y",
    "%d-%m-%y",
    "%d.%m.%y",
    "%d-%b-%y",
    "%d %b %y",
)
# Fields a form or a file can set, in the order they are shown.
FIELDS = (
    "name",
    "preferred_name",
    "date_of_birth",
    "mobile",
    "email",
    "address",
    "postcode",
    "team",
    "personal_adviser",
    "legal_status",
    "in_touch",
    "preferred_channel",
    "consent",
    "do_not_contact",
    "do_not_contact_reason",
    "opted_out",
    "number_bad",
    *GROUP_FIELDS,
    "preferred_language",
)
FLAGS = ("in_touch", "consent", "do_not_contact", "opted_out", "number_bad")
# Flags an import may set but never clear: a safeguarding "do not contact" typed by staff must
# not be undone by next month's spreadsheet.
STICKY = ("do_not_contact", "opted_out", "number_bad")


class ContactInvalid(ValueError):
    """A contact's details cannot be saved; the message says what to change."""


# --- Reading one field ---------------------------------------------------------------------


def name_key(name: str) -> str:
    return " ".join(name.lower().split())


def normalise_mobile(raw: str) -> str:
    """'07700 900123' -> '+447700900123', or ContactInvalid saying what is wrong."""
    try:
        return phones.normalise_mobile(raw)
    except phones.NumberInvalid as exc:
        raise ContactInvalid(str(exc)) from None


def parse_date(text: str) -> date:
    text = (text or "").strip()
    for pattern in DATE_PATTERNS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    if re.fullmatch(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{4}-\d{1,2}-\d{1,2}", text):
        raise ContactInvalid(f"the date of birth '{text}' is not a real date")
    raise ContactInvalid(f"the date of birth '{text[:30]}' is not a date like 14/02/2005")


def check_birth(born: date, on: date) -> date:
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if born > on:
        raise ContactInvalid(f"the date of birth {born:%d/%m/%Y} is in the future")
    if not MIN_AGE <= age <= MAX_AGE:
        raise ContactInvalid(
            f"the date of birth {born:%d/%m/%Y} makes them {age}. Care leavers are "
            f"{MIN_AGE} to {MAX_AGE}: check the year"
        )
    return born


def parse_flag(text: Any, label: str) -> bool:
    if isinstance(text, bool):
        return text
    word = str(text or "").strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise ContactInvalid(f"'{str(text)[:20]}' in {label} is not yes or no")


# The bands are the one rule in surveys/age_bands.py; contacts and invitations store them as
# "16-17" (the stored form since invitations began), and pages show the rule's own labels.
AGE_BANDS = tuple((low, high, f"{low}-{high}") for _label, low, high in SURVEY_AGE_BANDS)


def age_band(born: date | None, on: date) -> str:
    age = age_on(born, on)
    if age is None:
        return ""
    for low, high, label in AGE_BANDS:
        if low <= age <= high:
            return label
    return "other"


# --- Reading a whole contact ------------------------------------------------------------------


def clean_contact(raw: dict[str, Any], *, on: date | None = None) -> tuple[dict, list[str]]:
    """Values ready to save from raw text, and a message for each field that is wrong.

    Only the fields present in ``raw`` are returned, so an import that has no email column
    does not blank the emails it already has.
    """
    on = on or today()
    values: dict[str, Any] = {}
    problems: list[str] = []

    def attempt(name: str, reader):
        if name not in raw:
            return
        try:
            values[name] = reader(raw[name])
        except ContactInvalid as exc:
            problems.append(str(exc))

    def text(limit: int):
        return lambda v: " ".join(str(v or "").split())[:limit]

    def formula_free(name: str):
        value = raw.get(name)
        if isinstance(value, str) and value.strip().startswith("="):
            problems.append(
                f"{name.replace('_', ' ')} holds a spreadsheet formula ({value.strip()[:30]}). "
                "Put the value itself in the cell"
            )
            raw.pop(name)

    for name in FIELDS:
        formula_free(name)
    if "name" in raw:
        name = text(MAX_NAME + 1)(raw["name"])
        if not name:
            problems.append("the name is missing")
        elif len(name) > MAX_NAME:
            problems.append(f"the name is longer than {MAX_NAME} characters")
        else:
            values["name"] = name
    attempt("preferred_name", text(60))
    attempt(
        "date_of_birth", lambda v: check_birth(parse_date(v), on) if str(v or "").strip() else None
    )
    attempt("mobile", lambda v: normalise_mobile(v) if str(v or "").strip() else None)
    attempt("email", _email)
    attempt("address", lambda v: "\n".join(line.strip() for line in str(v or "").splitlines()))
    attempt("postcode", _postcode)
    attempt("team", text(80))
    attempt("personal_adviser", text(120))
    attempt("legal_status", _legal_status)
    attempt("preferred_channel", _channel)
    attempt("do_not_contact_reason", text(200))
    for flag in FLAGS:
        attempt(flag, lambda v, flag=flag: parse_flag(v, flag.replace("_", " ")))
    for group in GROUPS:
        attempt(group.field, lambda v, group=group: parse_flag(v, f'"{group.label}"'))
    attempt("preferred_language", parse_language)
    return values, problems


@cache
def _language_names() -> dict[str, str]:
    """Lower-case names to BCP 47 codes: our languages' own names ("Easy read"), then every
    language's English name that Babel knows ("Arabic", "Tigrinya", "Dari")."""
    known = {str(code): str(name) for code, name in Locale("en").languages.items()}
    names = {code.replace("_", "-").lower(): code.replace("_", "-") for code in known}
    names |= {name.lower(): code.replace("_", "-") for code, name in known.items()}
    for language in languages.all_languages().values():
        names[language.code.lower()] = language.code
        names[language.name.lower()] = language.code
    return names


def parse_language(value: Any) -> str:
    """A preferred language, as a code or an English name ("Arabic", "ar", "fa-AF") -> BCP 47."""
    word = " ".join(str(value or "").split())
    if not word:
        return ""
    found = _language_names().get(word.lower())
    if found is None:
        try:
            locale = Locale.parse(word.replace("-", "_"))
        except (ValueError, UnknownLocaleError):
            raise ContactInvalid(
                f"'{word[:30]}' is not a language we know: write its name in English, "
                "like Arabic or Tigrinya"
            ) from None
        found = str(locale).replace("_", "-")
    return found


def language_name(code: str) -> str:
    """How staff see a stored preferred language: its name in English ("" for none)."""
    if not code:
        return ""
    ours = languages.all_languages().get(code)
    if ours is not None and not ours.test:
        return ours.name
    return Locale("en").languages.get(code.replace("-", "_"), code)


def _email(value: Any) -> str:
    email = str(value or "").strip()
    if email and (len(email) > 254 or not EMAIL.match(email)):
        raise ContactInvalid(f"'{email[:60]}' is not an email address like name@example.com")
    return email.lower()


def _postcode(value: Any) -> str:
    code = " ".join(str(value or "").upper().split())
    if not code:
        return ""
    if not POSTCODE.match(code):
        raise ContactInvalid(f"'{code[:12]}' is not a UK postcode like NB1 2AB")
    if " " not in code:
        code = f"{code[:-3]} {code[-3:]}"
    return code


def _legal_status(value: Any) -> str:
    word = " ".join(str(value or "").lower().replace("-", " ").split())
    if not word:
        return ""
    if word not in STATUS_WORDS:
        raise ContactInvalid(
            f"'{word[:30]}' is not a legal status: use relevant, former relevant, qualifying, "
            "eligible or other"
        )
    return STATUS_WORDS[word].value


def _channel(value: Any) -> str:
    word = str(value or "").strip().lower()
    if not word:
        return ""
    if word not in CHANNEL_WORDS:
        raise ContactInvalid(f"'{word[:20]}' is not a way to reach someone: text, email or letter")
    return CHANNEL_WORDS[word]


# --- Finding and saving ------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactFilter:
    search: str = ""
    team: str = ""
    age_band: str = ""
    legal_status: str = ""
    in_touch: str = ""  # "yes", "no" or "" for either
    reachable_only: bool = False


def filtered(filters: ContactFilter, on: date | None = None) -> sa.Select:
    """Contacts matching the filters, by name. Age bands are worked out from dates of birth."""
    on = on or today()
    query = sa.select(Contact)
    if filters.search:
        like = f"%{name_key(filters.search)}%"
        query = query.where(sa.or_(Contact.name_key.like(like), Contact.postcode.ilike(like)))
    if filters.team:
        query = query.where(Contact.team == filters.team)
    if filters.legal_status:
        query = query.where(Contact.legal_status == filters.legal_status)
    if filters.in_touch in ("yes", "no"):
        query = query.where(Contact.in_touch.is_(filters.in_touch == "yes"))
    if filters.reachable_only:
        query = query.where(Contact.do_not_contact.is_(False), Contact.opted_out.is_(False))
    if filters.age_band:
        for low, high, label in AGE_BANDS:
            if label == filters.age_band:
                latest = _years_before(on, low)  # born on or before this to be `low` today
                earliest = _years_before(on, high + 1) + timedelta(days=1)
                query = query.where(Contact.date_of_birth.between(earliest, latest))
    return query.order_by(Contact.name_key, Contact.id)


def _years_before(on: date, years: int) -> date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)


def contact_page(filters: ContactFilter, page: int = 1, per_page: int = 50):
    """One page of the list. The view is audited and committed before the page is read, so
    the commit does not expire the contacts the page shows (each would be read again)."""
    query = filtered(filters)
    found = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    record("contacts.list", object_type="Contact", detail=f"page {page}, {found} found")
    db.session.commit()
    return db.paginate(query, page=max(page, 1), per_page=per_page, error_out=False)


def teams() -> list[str]:
    rows = db.session.scalars(sa.select(Contact.team).where(Contact.team != "").distinct())
    return sorted(rows)


def get_contact(contact_id: int) -> Contact | None:
    return db.session.get(Contact, contact_id)


def view_contact(contact: Contact) -> Contact:
    record("contact.view", contact)
    db.session.commit()
    return contact


def find_duplicate(values: dict, exclude_id: int | None = None) -> Contact | None:
    conditions = []
    if values.get("mobile"):
        conditions.append(Contact.mobile == values["mobile"])
    if values.get("name") and values.get("date_of_birth"):
        conditions.append(
            sa.and_(
                Contact.name_key == name_key(values["name"]),
                Contact.date_of_birth == values["date_of_birth"],
            )
        )
    if not conditions:
        return None
    query = sa.select(Contact).where(sa.or_(*conditions))
    if exclude_id:
        query = query.where(Contact.id != exclude_id)
    return db.session.scalar(query.limit(1))


def save_contact(contact: Contact | None, raw: dict[str, Any]) -> Contact:
    """Create (contact None) or change a contact from form values; ContactInvalid if wrong."""
    values, problems = clean_contact(raw)
    if problems:
        raise ContactInvalid(problems[0][0].upper() + problems[0][1:])
    duplicate = find_duplicate(values, exclude_id=contact.id if contact else None)
    if duplicate is not None:
        raise ContactInvalid(
            "Another contact has the same mobile, or the same name and date of birth. "
            "Change that contact instead"
        )
    creating = contact is None
    if contact is None:
        contact = Contact(name=values["name"], name_key=name_key(values["name"]))
        db.session.add(contact)
    apply_values(contact, values, sticky=False)
    contact.updated_on = today()
    db.session.flush()
    sync_opt_out(contact)
    record("contact.create" if creating else "contact.update", contact)
    db.session.commit()
    return contact


def apply_values(contact: Contact, values: dict, *, sticky: bool) -> bool:
    """Set the values that differ; with ``sticky``, never clear a safety flag. Changed?"""
    changed = False
    for name, value in values.items():
        if sticky and name in STICKY and not value:
            continue
        if getattr(contact, name) != value:
            setattr(contact, name, value)
            changed = True
    if "name" in values:
        contact.name_key = name_key(contact.name)
    return changed


def contact_mobiles() -> set[str]:
    """Every mobile on the contact list (for key rotation: the numbers whose hashes can move)."""
    return set(db.session.scalars(sa.select(Contact.mobile).where(Contact.mobile.is_not(None))))


def sync_opt_out(contact: Contact, previous_mobile: str | None = None) -> None:
    """Mirror "do not contact" / "opted out" into the SMS opt-out list (by hash)."""
    if not contact.mobile:
        return
    if not contact.may_be_contacted:
        opt_out(contact.mobile, source="staff")
    else:
        opt_in(contact.mobile, source="staff")


# --- Data quality ------------------------------------------------------------------------------


@dataclass
class DataQuality:
    total: int
    valid_mobile: int
    bounced: int
    stale: int
    do_not_contact: int
    opted_out: int
    notes: list[str] = field(default_factory=list)

    @property
    def valid_mobile_share(self) -> int | None:
        return round(self.valid_mobile * 100 / self.total) if self.total else None


def data_quality(on: date | None = None) -> DataQuality:
    """Share with a mobile we can text, numbers known bad, records not updated in 12 months."""
    on = on or today()
    rows = db.session.execute(
        sa.select(
            Contact.mobile,
            Contact.number_bad,
            Contact.updated_on,
            Contact.do_not_contact,
            Contact.opted_out,
        )
    ).all()
    unreachable = listed(UnreachableNumber, {mobile for mobile, *_ in rows if mobile})
    year_ago = _years_before(on, 1)
    bounced = valid = 0
    for mobile, bad, _updated, _dnc, _out in rows:
        if mobile is None:
            continue
        if bad or mobile in unreachable:
            bounced += 1
        else:
            valid += 1
    return DataQuality(
        total=len(rows),
        valid_mobile=valid,
        bounced=bounced,
        stale=sum(1 for r in rows if r.updated_on < year_ago),
        do_not_contact=sum(1 for r in rows if r.do_not_contact),
        opted_out=sum(1 for r in rows if r.opted_out),
    )
