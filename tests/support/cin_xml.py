"""Small CIN census XML files written by hand for tests, in the 2024-25 layout (``Sex``, yes/no as
0/1) and the element order of its schema (orchestration/lib/returns/specs/cin_census/), so a file
made of them has no schema issues unless a test plants one."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Plan:
    start: str
    end: str | None = None
    previous: int = 0
    category: str = "NEG"


@dataclass
class Enquiry:
    start: str
    conference: str | None = None


@dataclass
class Episode:
    referral: str
    closure: str | None = None
    reason: str | None = None
    nfa: bool = False
    need: str = "N1"
    assessments: list[tuple[str, str | None]] = field(default_factory=list)  # (start, authorised)
    enquiries: list[Enquiry] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)


@dataclass
class Child:
    la_id: str
    birth: str = "2015-06-01"
    sex: str = "F"
    upn: str | None = "A123456789012"
    episodes: list[Episode] = field(default_factory=list)


def _tag(name: str, value: str | None, indent: int) -> str:
    return "" if value is None else f"{' ' * indent}<{name}>{value}</{name}>\n"


def _episode(e: Episode) -> str:
    out = "      <CINdetails>\n"
    out += _tag("CINreferralDate", e.referral, 8) + _tag("ReferralSource", "1A", 8)
    out += _tag("PrimaryNeedCode", e.need, 8) + _tag("CINclosureDate", e.closure, 8)
    out += _tag("ReasonForClosure", e.reason, 8)
    for start, authorised in e.assessments:
        out += "        <Assessments>\n" + _tag("AssessmentActualStartDate", start, 10)
        out += _tag("AssessmentAuthorisationDate", authorised, 10) + "        </Assessments>\n"
    for q in e.enquiries:
        out += "        <Section47>\n" + _tag("S47ActualStartDate", q.start, 10)
        out += _tag("DateOfInitialCPC", q.conference, 10)
        out += _tag("ICPCnotRequired", "0" if q.conference else "1", 10) + "        </Section47>\n"
    out += _tag("ReferralNFA", "1" if e.nfa else "0", 8)
    for p in e.plans:
        out += "        <ChildProtectionPlans>\n" + _tag("CPPstartDate", p.start, 10) + _tag("CPPendDate", p.end, 10)
        out += _tag("InitialCategoryOfAbuse", p.category, 10) + _tag("LatestCategoryOfAbuse", p.category, 10)
        out += _tag("NumberOfPreviousCPP", str(p.previous), 10) + "        </ChildProtectionPlans>\n"
    return out + "      </CINdetails>\n"


def census(year: int, children: list[Child], lea: str = "890") -> str:
    body = ""
    for c in children:
        body += "    <Child>\n      <ChildIdentifiers>\n" + _tag("LAchildID", c.la_id, 8) + _tag("UPN", c.upn, 8)
        body += _tag("PersonBirthDate", c.birth, 8) + _tag("Sex", c.sex, 8) + "      </ChildIdentifiers>\n"
        body += "      <ChildCharacteristics>\n" + _tag("Ethnicity", "WBRI", 8) + "      </ChildCharacteristics>\n"
        body += "".join(_episode(e) for e in c.episodes) + "    </Child>\n"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Message>\n  <Header>\n    <CollectionDetails>\n'
        f"      <Collection>CIN</Collection>\n      <Year>{year}</Year>\n"
        f"      <ReferenceDate>{year}-03-31</ReferenceDate>\n    </CollectionDetails>\n    <Source>\n"
        f"      <SourceLevel>L</SourceLevel>\n      <LEA>{lea}</LEA>\n      <SoftwareCode>tests</SoftwareCode>\n"
        "      <Release>1</Release>\n      <SerialNo>001</SerialNo>\n"
        f"      <DateTime>{year}-05-01T09:00:00</DateTime>\n    </Source>\n  </Header>\n"
        f"  <Children>\n{body}  </Children>\n</Message>\n"
    )


def write_census(path: Path, year: int, children: list[Child]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(census(year, children), encoding="utf-8")
    return path
