"""The children in need census: recognising its XML, checking it against its year's schema, and
reading it into one table per block, streaming.

A census is one XML ``<Message>``: a ``<Header>`` (``<Collection>CIN</Collection>``, the
collection ``<Year>``, the LA's three-digit ``<LEA>``) and ``<Children>``, one ``<Child>`` per child
with its identifiers, characteristics and one ``<CINdetails>`` per episode of need, each holding
its assessments, CIN plan dates, section 47 enquiries, child protection plans (with their
reviews) and, from 2026-27, its pre-proceedings and family group decision-making block (DfE's CIN
census specifications; the per-year XSDs in ``specs/cin_census/``, whose NOTICE.md says where
each comes from).

The layout changes by year and both forms are read whatever the year: ``GenderCurrent`` (1 male,
2 female, 0 not recorded or unborn, 9 indeterminate) up to 2023-24, ``Sex`` (M, F, U) from
2024-25 (DfE's 2024-25 specification adds <Sex>, N00783, in place of the gender item;
``CIN_schema_2024.xsd`` against ``CIN_schema_2025.xsd``); yes/no items as ``0``/``1`` (every
year's schema) or ``true``/``false`` (older files, as in DfE's validator's ``fake_CIN_data.xml``). Which layout a year should have is the schema's business: a file in the
other layout is read and its differences reported as schema issues.

Reading never holds a whole file's tree: ``lxml.etree.iterparse`` hands over each ``<Header>`` and
``<Child>`` as it ends; each is checked against the year's schema on its own (so an issue carries
the line it is on), read into plain tuples, then cleared and dropped. Frames are made once, at
the end. Schema issues do not stop a return: they are rows of ``schema_issues`` (line, position
path, element, what the schema expected), never quoting a value, since a value may be a child's
id or date of birth. A file that is not XML, not a CIN census, of another collection year, of a
year with no schema held, or not well-formed (truncated) is refused with :class:`CinFileError`,
naming the file and, where there is one, the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO

import polars as pl
from lxml import etree

from orchestration.lib.returns.ssda903 import ReturnFileError

SPECS = Path(__file__).parent / "specs" / "cin_census"
SCHEMA_YEARS = tuple(range(2017, 2028))  # CIN_schema_<year>.xsd, year = the year ending 31 March
XS = "{http://www.w3.org/2001/XMLSchema}"

_ID = ("line", "child_index", "LAchildID")
_EPISODE = (*_ID, "episode_index")
TABLES: dict[str, tuple[str, ...]] = {
    "children": (
        *_ID,
        "UPN",
        "FormerUPN",
        "UPNunknown",
        "PersonBirthDate",
        "ExpectedPersonBirthDate",
        "Sex",
        "PersonDeathDate",
        "Ethnicity",
        "Disabilities",
    ),
    "episodes": (
        *_EPISODE,
        "CINreferralDate",
        "ReferralSource",
        "PrimaryNeedCode",
        "CINclosureDate",
        "ReasonForClosure",
        "DateOfInitialCPC",
        "ReferralNFA",
    ),
    "assessments": (
        *_EPISODE,
        "AssessmentActualStartDate",
        "AssessmentInternalReviewDate",
        "AssessmentAuthorisationDate",
        "AssessmentFactors",
    ),
    "cin_plans": (*_EPISODE, "CINPlanStartDate", "CINPlanEndDate"),
    "section47": (*_EPISODE, "S47ActualStartDate", "InitialCPCtarget", "DateOfInitialCPC", "ICPCnotRequired"),
    "cp_plans": (
        *_EPISODE,
        "plan_index",
        "CPPstartDate",
        "CPPendDate",
        "InitialCategoryOfAbuse",
        "LatestCategoryOfAbuse",
        "NumberOfPreviousCPP",
    ),
    "cpp_reviews": (*_EPISODE, "plan_index", "CPPreviewDate"),
    # 2026-27 on: the PreProceedingsandFGDM block, one row per block (CIN_schema_2027.xsd says
    # where its names and types come from); its FGDM fields are part of the one block
    "pre_proceedings": (
        *_EPISODE,
        "PPStartDate",
        "LBPSentDate",
        "FGDMMeetingOffer",
        "FGDMMeetingFac",
        "InitialPPMeetingDate",
        "ReviewMeetingsCount",
        "StepDecisionDate",
        "PPOutcome",
        "CourtAppDate",
        "LetterInitCPDate",
    ),
}
DATES = frozenset(
    {
        "PersonBirthDate",
        "ExpectedPersonBirthDate",
        "PersonDeathDate",
        "CINreferralDate",
        "CINclosureDate",
        "DateOfInitialCPC",
        "AssessmentActualStartDate",
        "AssessmentInternalReviewDate",
        "AssessmentAuthorisationDate",
        "CINPlanStartDate",
        "CINPlanEndDate",
        "S47ActualStartDate",
        "InitialCPCtarget",
        "CPPstartDate",
        "CPPendDate",
        "CPPreviewDate",
        "PPStartDate",
        "LBPSentDate",
        "InitialPPMeetingDate",
        "StepDecisionDate",
        "CourtAppDate",
        "LetterInitCPDate",
    }
)
BOOLEANS = frozenset({"ReferralNFA", "ICPCnotRequired", "FGDMMeetingOffer", "FGDMMeetingFac"})
INTEGERS = frozenset({"NumberOfPreviousCPP", "ReviewMeetingsCount"})
POSITIONS = frozenset({"line", "child_index", "episode_index", "plan_index"})
ISSUE_SCHEMA = {"line": pl.Int64, "path": pl.Utf8, "element": pl.Utf8, "problem": pl.Utf8}

# xs:date, optionally with the time zone the type allows; the date is the first ten characters
DATE_TEXT = r"^\d{4}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$"
YES_NO = {"1": True, "true": True, "0": False, "false": False}
SEX = {"M": "M", "F": "F", "U": "U"}
GENDER_CURRENT = {"1": "M", "2": "F", "0": "U", "9": "U"}  # 0 not recorded or unborn, 9 indeterminate


class CinFileError(ReturnFileError):
    """A CIN census file that cannot be read: not XML, not a CIN census, another collection year,
    no schema for its year, or not well-formed."""


@dataclass(frozen=True)
class CinCensus:
    file: Path
    year: int  # the header's <Year>: the collection year, ending 31 March
    lea: str | None  # the header's <LEA>: DfE's three-digit LA number
    tables: dict[str, pl.DataFrame]  # every table in TABLES, empty ones included
    schema_issues: pl.DataFrame  # line, path, element, problem: never a value


@dataclass(frozen=True)
class _Head:
    root: str | None
    collection: str | None
    year: str | None
    lea: str | None


def _iterparse(source: IO[bytes], **kwargs) -> etree.iterparse:
    # a return comes from outside: no entities expanded, nothing fetched
    return etree.iterparse(source, resolve_entities=False, no_network=True, **kwargs)


def _sniff(path: Path) -> _Head | None:
    """The root element and the header's collection, year and LEA, reading no further than the
    end of ``<Header>`` (or the start of ``<Children>``); None when the file does not begin as
    XML. What was read before a syntax error further on is kept: a truncated census is still
    recognised as one, and refused as truncated when read."""
    root = collection = year = lea = None
    with path.open("rb") as source:
        try:
            for event, el in _iterparse(source, events=("start", "end")):
                if root is None:
                    root = el.tag if isinstance(el.tag, str) else None
                    if root != "Message":
                        break
                if event == "start":
                    if el.tag == "Children":
                        break
                    continue
                if el.tag == "Header":
                    break
                if el.tag == "Collection":
                    collection = _text(el)
                elif el.tag == "Year":
                    year = _text(el)
                elif el.tag == "LEA":
                    lea = _text(el)
        except etree.XMLSyntaxError:
            if root is None:
                return None
    return _Head(root, collection, year, lea)


def _text(el) -> str | None:
    return el.text.strip() if el.text and el.text.strip() else None


def is_cin_census(path: Path) -> bool:
    """Whether a file is a CIN census: an XML ``<Message>`` whose header's ``<Collection>`` is
    CIN (DfE's specification, "XML header"). Reads the first elements only."""
    head = _sniff(path)
    return head is not None and head.root == "Message" and head.collection == "CIN"


def header_year(path: Path) -> int | None:
    """The header's ``<Year>`` (the collection year), or None when there is none to read."""
    head = _sniff(path)
    if head is None or head.year is None or not head.year.isdigit():
        return None
    return int(head.year)


@cache
def _schema(year: int) -> etree.XMLSchema:
    """The year's schema, with ``Header`` and ``Child`` declared as elements too, so that each
    can be checked on its own as the file streams (the schemas declare only ``Message``)."""
    doc = etree.parse(str(SPECS / f"CIN_schema_{year}.xsd"))
    for name, kind in (("Header", "headertype"), ("Child", "childtype")):
        etree.SubElement(doc.getroot(), f"{XS}element", name=name, type=kind)
    return etree.XMLSchema(doc)


def read_file(path: Path, year: int) -> CinCensus:
    """A CIN census file's tables and schema issues, read as it streams. Raises
    :class:`CinFileError` when the file is not one to read for ``year``."""
    if year not in SCHEMA_YEARS:
        raise CinFileError(
            f"{path.name}: no CIN census schema for collection year {year} (held: the years ending "
            f"31 March {SCHEMA_YEARS[0]} to {SCHEMA_YEARS[-1]})"
        )
    head = _sniff(path)
    expected = "expected a CIN census: an XML <Message> whose header's <Collection> is CIN"
    if head is None:
        raise CinFileError(f"{path.name}: not XML; {expected}")
    if head.root != "Message":
        raise CinFileError(f"{path.name}: not a CIN census (its root element is <{head.root}>); {expected}")
    if head.collection != "CIN":
        raise CinFileError(f"{path.name}: not a CIN census (no <Collection>CIN</Collection> in its header); {expected}")
    if head.year is None or not head.year.isdigit():
        raise CinFileError(f"{path.name}: its header has no <Year> as a four-digit year; expected {year}")
    if int(head.year) != year:
        raise CinFileError(
            f"{path.name}: a CIN census for collection year {head.year} (its header's <Year>); expected {year}"
        )
    return _read(path, year, _schema(year), head.lea)


def _read(path: Path, year: int, schema: etree.XMLSchema, lea: str | None) -> CinCensus:
    """The streaming pass: each <Header> and <Child> read and checked against ``schema`` as it ends."""
    reader = _Reader(schema)
    with path.open("rb") as source:
        try:
            reader.run(_iterparse(source, events=("end",), tag=("Header", "Child")))
        except etree.XMLSyntaxError as e:
            # lxml's message is not repeated: it may quote the text it stopped at
            raise CinFileError(
                f"{path.name}: not well-formed XML at line {e.lineno} (broken or truncated there); "
                f"expected a complete CIN census XML file"
            ) from None
    return CinCensus(
        file=path,
        year=year,
        lea=lea,
        tables={name: _frame(name, rows) for name, rows in reader.rows.items()},
        schema_issues=pl.DataFrame(reader.issues, schema=ISSUE_SCHEMA, orient="row"),
    )


class _Reader:
    """One pass over a file: rows per table as tuples in TABLES' column order, and schema issues."""

    def __init__(self, schema: etree.XMLSchema):
        self.schema = schema
        self.rows: dict[str, list[tuple]] = {name: [] for name in TABLES}
        self.issues: list[tuple] = []

    def run(self, events) -> None:
        n = 0
        root = children = None
        for _, el in events:
            if el.tag == "Header":
                self._check(el, "/Message/Header")
                continue
            n += 1
            if children is None:
                children = el.getparent()
                root = children.getparent()
            self._check(el, f"/Message/Children/Child[{n}]")
            self._child(el, n)
            el.clear(keep_tail=True)
            # drop what went before (the previous <Child>), noting anything that is not a <Child>
            while el.getprevious() is not None:
                self._stray(el.getprevious(), "/Message/Children")
                del children[0]
        if root is None:
            root = events.root
        if root is not None:
            for el in root:
                if el.tag not in ("Header", "Children"):
                    self._stray(el, "/Message")
            for el in children if children is not None else root.iterfind("Children/*"):
                self._stray(el, "/Message/Children")
        if n == 0:
            line = root.sourceline if root is not None else None
            self.issues.append(
                (line, "/Message/Children", "Children", "Missing child element(s). Expected is ( Child ).")
            )

    def _stray(self, el, parent: str) -> None:
        if isinstance(el.tag, str) and el.tag != "Child":
            self.issues.append((el.sourceline, f"{parent}/{el.tag}", el.tag, "This element is not expected."))

    def _check(self, el, path: str) -> None:
        if self.schema.validate(el):
            return
        top = "/" + el.tag
        for entry in self.schema.error_log:
            where = entry.path or top
            where = path + where[len(top) :] if where.startswith(top) else path
            element = re.sub(r"\[\d+\]$", "", where.rsplit("/", 1)[-1])
            self.issues.append((entry.line or None, where, element, problem(entry.message, entry.type_name)))

    def _child(self, child, n: int) -> None:
        ids = chars = None
        episodes = []
        for part in child:
            tag = part.tag
            if tag == "CINdetails":
                episodes.append(part)
            elif tag == "ChildIdentifiers":
                ids = part
            elif tag == "ChildCharacteristics":
                chars = part
        f = {e.tag: e.text for e in ids} if ids is not None else {}
        la_id = _strip(f.get("LAchildID"))
        sex = f.get("Sex")
        sex = SEX.get(sex.strip()) if sex is not None else GENDER_CURRENT.get((f.get("GenderCurrent") or "").strip())
        ethnicity = disabilities = None
        if chars is not None:
            for e in chars:
                if e.tag == "Ethnicity":
                    ethnicity = e.text
                elif e.tag == "Disabilities":
                    disabilities = _joined(e, "Disability")
        self.rows["children"].append(
            (
                child.sourceline,
                n,
                la_id,
                f.get("UPN"),
                f.get("FormerUPN"),
                f.get("UPNunknown"),
                f.get("PersonBirthDate"),
                f.get("ExpectedPersonBirthDate"),
                sex,
                f.get("PersonDeathDate"),
                ethnicity,
                disabilities,
            )
        )
        for i, episode in enumerate(episodes, start=1):
            self._episode(episode, n, la_id, i)

    def _episode(self, episode, n: int, la_id: str | None, i: int) -> None:
        rows = self.rows
        f = {}
        plan = 0
        for block in episode:
            tag = block.tag
            key = (block.sourceline, n, la_id, i)
            if tag == "Assessments":
                a = {}
                factors = None
                for e in block:
                    if e.tag == "FactorsIdentifiedAtAssessment":
                        factors = _joined(e, "AssessmentFactors")
                    else:
                        a[e.tag] = e.text
                rows["assessments"].append(
                    (
                        *key,
                        a.get("AssessmentActualStartDate"),
                        a.get("AssessmentInternalReviewDate"),
                        a.get("AssessmentAuthorisationDate"),
                        factors,
                    )
                )
            elif tag == "CINPlanDates":
                p = {e.tag: e.text for e in block}
                rows["cin_plans"].append((*key, p.get("CINPlanStartDate"), p.get("CINPlanEndDate")))
            elif tag == "Section47":
                s = {e.tag: e.text for e in block}
                rows["section47"].append(
                    (
                        *key,
                        s.get("S47ActualStartDate"),
                        s.get("InitialCPCtarget"),
                        s.get("DateOfInitialCPC"),
                        s.get("ICPCnotRequired"),
                    )
                )
            elif tag == "ChildProtectionPlans":
                plan += 1
                c = {}
                for e in block:
                    if e.tag == "Reviews":
                        for r in e:
                            if r.tag == "CPPreviewDate":
                                rows["cpp_reviews"].append((r.sourceline, n, la_id, i, plan, r.text))
                    else:
                        c[e.tag] = e.text
                rows["cp_plans"].append(
                    (
                        *key,
                        plan,
                        c.get("CPPstartDate"),
                        c.get("CPPendDate"),
                        c.get("InitialCategoryOfAbuse"),
                        c.get("LatestCategoryOfAbuse"),
                        c.get("NumberOfPreviousCPP"),
                    )
                )
            elif tag == "PreProceedingsandFGDM":
                p = {e.tag: e.text for e in block}
                rows["pre_proceedings"].append((*key, *(p.get(c) for c in TABLES["pre_proceedings"][4:])))
            else:
                f[tag] = block.text
        rows["episodes"].append(
            (
                episode.sourceline,
                n,
                la_id,
                i,
                f.get("CINreferralDate"),
                f.get("ReferralSource"),
                f.get("PrimaryNeedCode"),
                f.get("CINclosureDate"),
                f.get("ReasonForClosure"),
                f.get("DateOfInitialCPC"),
                f.get("ReferralNFA"),
            )
        )


def _strip(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def _joined(group, tag: str) -> str | None:
    """A repeated element's codes, in file order, joined with ','; None when there are none."""
    return ",".join(e.text.strip() for e in group if e.tag == tag and e.text and e.text.strip()) or None


def _frame(name: str, rows: list[tuple]) -> pl.DataFrame:
    columns = TABLES[name]
    frame = pl.DataFrame(rows, schema={c: pl.Int64 if c in POSITIONS else pl.Utf8 for c in columns}, orient="row")
    typed = []
    for c in columns:
        if c in POSITIONS:
            continue
        text = pl.col(c).str.strip_chars()
        if c in DATES:
            typed.append(
                pl.when(text.str.contains(DATE_TEXT)).then(text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False))
            )
        elif c in BOOLEANS:
            typed.append(text.replace_strict(YES_NO, default=None, return_dtype=pl.Boolean))
        elif c in INTEGERS:
            typed.append(text.cast(pl.Int64, strict=False))
        else:
            typed.append(pl.when(text != "").then(text))
        typed[-1] = typed[-1].alias(c)
    return frame.with_columns(typed)


# lxml's schema messages quote the value that failed ("The value '...' is not an element of the
# set {...}"): each form below keeps only what follows the value, which comes from the schema.
# Each pattern's leading ".*" is greedy, so the match is the message's last occurrence of the
# phrase: a value that itself contains the phrase is still cut away.
_FORMS = (
    (re.compile(r".* is not an element of the set (\{.*\})\.?$", re.S), "[facet 'enumeration'] not one of {0}"),
    (re.compile(r".* is not accepted by the pattern '(.*)'\.?$", re.S), "[facet 'pattern'] does not match '{0}'"),
    (
        re.compile(
            r".* has a length of '\d+'; this (underruns the allowed minimum|exceeds the allowed maximum|differs from the allowed) length of '(\d+)'\.?$",
            re.S,
        ),
        "{0} length of {1}",
    ),
    (
        re.compile(r".* is (less than the minimum|greater than the maximum) value allowed \('(.*)'\)\.?$", re.S),
        "{0} value allowed ({1})",
    ),
    (re.compile(r".* must be (greater|less) than '(.*)'\.?$", re.S), "must be {0} than {1}"),
    (
        re.compile(r".* has more (fractional )?digits than are allowed \('(\d+)'\)\.?$", re.S),
        "more {0}digits than allowed ({1})",
    ),
    (re.compile(r".* is not a valid value of the (.*?)\.?$", re.S), "not a valid value of the {0}"),
)
_ELEMENT_ONLY = re.compile(
    r"^Character content other than whitespace is not allowed because the content type is '[a-z-]+'\.$"
)


def problem(message: str, type_name: str) -> str:
    """What a schema message says is wrong, without the value it quotes: the facet or type and
    what it allows, or the message itself when it quotes nothing; else only the kind of error."""
    text = re.sub(r"^Element '[^']*': ", "", message.strip())
    for form, template in _FORMS:
        m = form.match(text)
        if m:
            return template.format(*(g or "" for g in m.groups()))
    if "'" not in text or _ELEMENT_ONLY.match(text):
        return text
    return f"not valid against the schema ({type_name})"
