"""Reading a CIN census: both layouts (GenderCurrent with true/false, Sex with 0/1), every table's
columns and types, the 2026-27 pre-proceedings block, schema issues that carry a line and never a
value, and the files refused by name. Fixtures are written here; the shared samples
(../shared/returns/cin_census_fake, DfE's validator's fake files: random data) are read at their
header's year with the counts read from the files themselves."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from orchestration.lib.returns import cin_census
from orchestration.lib.returns.cin_census import TABLES, CinFileError, header_year, is_cin_census, read_file
from orchestration.lib.returns.ssda903 import ReturnFileError

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = REPO_ROOT.parent / "shared" / "returns" / "cin_census_fake"

MESSAGE = """<?xml version="1.0" encoding="UTF-8"?>
<Message>
  <Header>
    <CollectionDetails>
      <Collection>{collection}</Collection>
      <Year>{year}</Year>
      <ReferenceDate>{year}-03-31</ReferenceDate>
    </CollectionDetails>
    <Source>
      <SourceLevel>L</SourceLevel>
      <LEA>890</LEA>
      <SoftwareCode>hand-written</SoftwareCode>
      <Release>1</Release>
      <SerialNo>001</SerialNo>
      <DateTime>{year}-05-01T09:00:00</DateTime>
    </Source>
  </Header>
  <Children>
{children}
  </Children>
</Message>
"""

# 2024-25 layout: Sex, yes/no as 0/1. One child with two episodes (the second an NFA referral),
# a plan with two reviews and a second plan; an unborn child with one episode.
CHILDREN_2025 = """    <Child>
      <ChildIdentifiers>
        <LAchildID>LA0001</LAchildID>
        <UPN>A123456789012</UPN>
        <PersonBirthDate>2015-06-01</PersonBirthDate>
        <Sex>F</Sex>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>WBRI</Ethnicity>
        <Disabilities>
          <Disability>HAND</Disability>
          <Disability>AUT</Disability>
        </Disabilities>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2024-05-01</CINreferralDate>
        <ReferralSource>1A</ReferralSource>
        <PrimaryNeedCode>N1</PrimaryNeedCode>
        <Assessments>
          <AssessmentActualStartDate>2024-05-02</AssessmentActualStartDate>
          <AssessmentAuthorisationDate>2024-06-10</AssessmentAuthorisationDate>
          <FactorsIdentifiedAtAssessment>
            <AssessmentFactors>2B</AssessmentFactors>
            <AssessmentFactors>3A</AssessmentFactors>
          </FactorsIdentifiedAtAssessment>
        </Assessments>
        <CINPlanDates>
          <CINPlanStartDate>2024-06-11</CINPlanStartDate>
        </CINPlanDates>
        <Section47>
          <S47ActualStartDate>2024-05-03</S47ActualStartDate>
          <InitialCPCtarget>2024-05-24</InitialCPCtarget>
          <DateOfInitialCPC>2024-05-20</DateOfInitialCPC>
          <ICPCnotRequired>0</ICPCnotRequired>
        </Section47>
        <ReferralNFA>0</ReferralNFA>
        <ChildProtectionPlans>
          <CPPstartDate>2024-05-20</CPPstartDate>
          <CPPendDate>2024-12-01</CPPendDate>
          <InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>
          <LatestCategoryOfAbuse>EMO</LatestCategoryOfAbuse>
          <NumberOfPreviousCPP>1</NumberOfPreviousCPP>
          <Reviews>
            <CPPreviewDate>2024-08-20</CPPreviewDate>
            <CPPreviewDate>2024-11-20</CPPreviewDate>
          </Reviews>
        </ChildProtectionPlans>
        <ChildProtectionPlans>
          <CPPstartDate>2025-01-10</CPPstartDate>
          <InitialCategoryOfAbuse>PHY</InitialCategoryOfAbuse>
          <LatestCategoryOfAbuse>PHY</LatestCategoryOfAbuse>
          <NumberOfPreviousCPP>2</NumberOfPreviousCPP>
        </ChildProtectionPlans>
      </CINdetails>
      <CINdetails>
        <CINreferralDate>2023-09-01</CINreferralDate>
        <ReferralSource>2A</ReferralSource>
        <CINclosureDate>2023-09-02</CINclosureDate>
        <ReasonForClosure>RC8</ReasonForClosure>
        <ReferralNFA>1</ReferralNFA>
      </CINdetails>
    </Child>
    <Child>
      <ChildIdentifiers>
        <LAchildID>LA0002</LAchildID>
        <UPNunknown>UN1</UPNunknown>
        <ExpectedPersonBirthDate>2025-06-15</ExpectedPersonBirthDate>
        <Sex>U</Sex>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>NOBT</Ethnicity>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2025-02-01</CINreferralDate>
        <ReferralSource>5A</ReferralSource>
        <PrimaryNeedCode>N2</PrimaryNeedCode>
        <ReferralNFA>0</ReferralNFA>
      </CINdetails>
    </Child>"""


def child_2021(la_id: str, gender: str, nfa: str, icpc_not_required: str) -> str:
    """A 2020-21 child: GenderCurrent, yes/no written true/false (no CINPlanDates before 2021-22)."""
    return f"""    <Child>
      <ChildIdentifiers>
        <LAchildID>{la_id}</LAchildID>
        <UPN>B123456789012</UPN>
        <PersonBirthDate>2012-01-15</PersonBirthDate>
        <GenderCurrent>{gender}</GenderCurrent>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>AIND</Ethnicity>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2020-06-01</CINreferralDate>
        <ReferralSource>3A</ReferralSource>
        <PrimaryNeedCode>N4</PrimaryNeedCode>
        <Section47>
          <S47ActualStartDate>2020-06-02</S47ActualStartDate>
          <ICPCnotRequired>{icpc_not_required}</ICPCnotRequired>
        </Section47>
        <ReferralNFA>{nfa}</ReferralNFA>
      </CINdetails>
    </Child>"""


PRE_PROCEEDINGS = """        <PreProceedingsandFGDM>
          <PPStartDate>2026-09-09</PPStartDate>
          <LBPSentDate>2026-09-20</LBPSentDate>
          <FGDMMeetingOffer>1</FGDMMeetingOffer>
          <FGDMMeetingFac>0</FGDMMeetingFac>
          <InitialPPMeetingDate>2026-09-28</InitialPPMeetingDate>
          <ReviewMeetingsCount>3</ReviewMeetingsCount>
          <StepDecisionDate>2026-12-01</StepDecisionDate>
          <PPOutcome>B</PPOutcome>
          <CourtAppDate>2026-12-18</CourtAppDate>
          <LetterInitCPDate>2027-02-05</LetterInitCPDate>
        </PreProceedingsandFGDM>"""

CHILD_2027 = f"""    <Child>
      <ChildIdentifiers>
        <LAchildID>LA0027</LAchildID>
        <PersonBirthDate>2019-04-04</PersonBirthDate>
        <Sex>M</Sex>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>WBRI</Ethnicity>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2026-06-01</CINreferralDate>
        <ReferralSource>1A</ReferralSource>
        <PrimaryNeedCode>N1</PrimaryNeedCode>
        <ReferralNFA>0</ReferralNFA>
{PRE_PROCEEDINGS}
      </CINdetails>
    </Child>"""

TYPES = {
    "children": {
        "UPN": pl.Utf8,
        "FormerUPN": pl.Utf8,
        "UPNunknown": pl.Utf8,
        "PersonBirthDate": pl.Date,
        "ExpectedPersonBirthDate": pl.Date,
        "Sex": pl.Utf8,
        "PersonDeathDate": pl.Date,
        "Ethnicity": pl.Utf8,
        "Disabilities": pl.Utf8,
    },
    "episodes": {
        "episode_index": pl.Int64,
        "CINreferralDate": pl.Date,
        "ReferralSource": pl.Utf8,
        "PrimaryNeedCode": pl.Utf8,
        "CINclosureDate": pl.Date,
        "ReasonForClosure": pl.Utf8,
        "DateOfInitialCPC": pl.Date,
        "ReferralNFA": pl.Boolean,
    },
    "assessments": {
        "episode_index": pl.Int64,
        "AssessmentActualStartDate": pl.Date,
        "AssessmentInternalReviewDate": pl.Date,
        "AssessmentAuthorisationDate": pl.Date,
        "AssessmentFactors": pl.Utf8,
    },
    "cin_plans": {"episode_index": pl.Int64, "CINPlanStartDate": pl.Date, "CINPlanEndDate": pl.Date},
    "section47": {
        "episode_index": pl.Int64,
        "S47ActualStartDate": pl.Date,
        "InitialCPCtarget": pl.Date,
        "DateOfInitialCPC": pl.Date,
        "ICPCnotRequired": pl.Boolean,
    },
    "cp_plans": {
        "episode_index": pl.Int64,
        "plan_index": pl.Int64,
        "CPPstartDate": pl.Date,
        "CPPendDate": pl.Date,
        "InitialCategoryOfAbuse": pl.Utf8,
        "LatestCategoryOfAbuse": pl.Utf8,
        "NumberOfPreviousCPP": pl.Int64,
    },
    "cpp_reviews": {"episode_index": pl.Int64, "plan_index": pl.Int64, "CPPreviewDate": pl.Date},
    "pre_proceedings": {
        "episode_index": pl.Int64,
        "PPStartDate": pl.Date,
        "LBPSentDate": pl.Date,
        "FGDMMeetingOffer": pl.Boolean,
        "FGDMMeetingFac": pl.Boolean,
        "InitialPPMeetingDate": pl.Date,
        "ReviewMeetingsCount": pl.Int64,
        "StepDecisionDate": pl.Date,
        "PPOutcome": pl.Utf8,
        "CourtAppDate": pl.Date,
        "LetterInitCPDate": pl.Date,
    },
}


def census(tmp_path: Path, year: int, children: str, collection: str = "CIN", name: str = "cin.xml") -> Path:
    path = tmp_path / name
    path.write_text(MESSAGE.format(collection=collection, year=year, children=children), encoding="utf-8")
    return path


def line_of(path: Path, text: str, nth: int = 1) -> int:
    """The line on which the nth occurrence of ``text`` begins."""
    content = path.read_text(encoding="utf-8")
    at = -1
    for _ in range(nth):
        at = content.index(text, at + 1)
    return content[:at].count("\n") + 1


def d(text: str):
    return pl.Series([text]).str.to_date()[0]


def test_every_table_has_its_columns_and_types_even_when_empty(tmp_path):
    read = read_file(census(tmp_path, 2025, CHILDREN_2025), 2025)
    assert set(read.tables) == set(TABLES) == set(TYPES)
    for name, frame in read.tables.items():
        assert frame.columns == list(TABLES[name]), name
        expected = {"line": pl.Int64, "child_index": pl.Int64, "LAchildID": pl.Utf8, **TYPES[name]}
        assert dict(frame.schema) == {c: expected[c] for c in TABLES[name]}, name
    assert read.tables["pre_proceedings"].height == 0  # a 2024-25 return has none
    assert read.schema_issues.schema == pl.Schema(
        {"line": pl.Int64, "path": pl.Utf8, "element": pl.Utf8, "problem": pl.Utf8}
    )


def test_2025_layout_sex_and_zero_one(tmp_path):
    path = census(tmp_path, 2025, CHILDREN_2025)
    read = read_file(path, 2025)
    assert (read.year, read.lea, read.file) == (2025, "890", path)
    assert read.schema_issues.height == 0

    children = read.tables["children"]
    assert children.select("line", "child_index", "LAchildID", "Sex", "Disabilities").rows() == [
        (line_of(path, "<Child>"), 1, "LA0001", "F", "HAND,AUT"),
        (line_of(path, "<Child>", 2), 2, "LA0002", "U", None),
    ]
    assert children["PersonBirthDate"].to_list() == [d("2015-06-01"), None]
    assert children["ExpectedPersonBirthDate"].to_list() == [None, d("2025-06-15")]
    assert children["UPN"].to_list() == ["A123456789012", None]
    assert children["UPNunknown"].to_list() == [None, "UN1"]

    episodes = read.tables["episodes"]
    assert episodes.select("line", "child_index", "LAchildID", "episode_index", "ReferralNFA").rows() == [
        (line_of(path, "<CINdetails>"), 1, "LA0001", 1, False),
        (line_of(path, "<CINdetails>", 2), 1, "LA0001", 2, True),
        (line_of(path, "<CINdetails>", 3), 2, "LA0002", 1, False),
    ]
    assert episodes["CINclosureDate"].to_list() == [None, d("2023-09-02"), None]
    assert episodes["ReasonForClosure"].to_list() == [None, "RC8", None]

    assessments = read.tables["assessments"]
    assert assessments.select("line", "episode_index", "AssessmentFactors").rows() == [
        (line_of(path, "<Assessments>"), 1, "2B,3A")
    ]
    assert assessments["AssessmentInternalReviewDate"].to_list() == [None]
    assert read.tables["cin_plans"].select("CINPlanStartDate", "CINPlanEndDate").rows() == [(d("2024-06-11"), None)]
    assert read.tables["section47"].select("DateOfInitialCPC", "ICPCnotRequired").rows() == [(d("2024-05-20"), False)]

    plans = read.tables["cp_plans"]
    assert plans.select("line", "episode_index", "plan_index", "CPPendDate", "NumberOfPreviousCPP").rows() == [
        (line_of(path, "<ChildProtectionPlans>"), 1, 1, d("2024-12-01"), 1),
        (line_of(path, "<ChildProtectionPlans>", 2), 1, 2, None, 2),
    ]
    reviews = read.tables["cpp_reviews"]
    assert reviews.select("line", "LAchildID", "episode_index", "plan_index", "CPPreviewDate").rows() == [
        (line_of(path, "<CPPreviewDate>"), "LA0001", 1, 1, d("2024-08-20")),
        (line_of(path, "<CPPreviewDate>", 2), "LA0001", 1, 1, d("2024-11-20")),
    ]


def test_2021_layout_gender_current_and_true_false(tmp_path):
    children = "\n".join(
        [
            child_2021("G1", "1", "true", "false"),
            child_2021("G2", "2", "false", "true"),
            child_2021("G0", "0", "1", "0"),
            child_2021("G9", "9", "0", "1"),
        ]
    )
    path = census(tmp_path, 2021, children)
    read = read_file(path, 2021)
    assert read.tables["children"].select("LAchildID", "Sex").rows() == [
        ("G1", "M"),
        ("G2", "F"),
        ("G0", "U"),
        ("G9", "U"),
    ]
    assert read.tables["episodes"]["ReferralNFA"].to_list() == [True, False, True, False]
    assert read.tables["section47"]["ICPCnotRequired"].to_list() == [False, True, False, True]
    # the vendored schemas (Social Finance's) accept only 0 and 1 for yes/no items: the older
    # true/false is read, and reported against the schema
    issues = read.schema_issues
    assert issues["element"].to_list() == ["ICPCnotRequired", "ReferralNFA", "ICPCnotRequired", "ReferralNFA"]
    assert set(issues["problem"]) == {"[facet 'enumeration'] not one of {'0', '1'}"}
    assert issues["line"].to_list() == [
        line_of(path, "<ICPCnotRequired>"),
        line_of(path, "<ReferralNFA>"),
        line_of(path, "<ICPCnotRequired>", 2),
        line_of(path, "<ReferralNFA>", 2),
    ]


def test_each_layout_checked_against_its_own_year(tmp_path):
    """Sex in a 2020-21 return, GenderCurrent in a 2024-25 one: read, and reported."""
    old_in_new = census(tmp_path, 2025, child_2021("G1", "2", "0", "1"), name="old.xml")
    read = read_file(old_in_new, 2025)
    assert read.tables["children"]["Sex"].to_list() == ["F"]
    assert read.schema_issues.select("line", "path", "element").rows() == [
        (
            line_of(old_in_new, "<GenderCurrent>"),
            "/Message/Children/Child[1]/ChildIdentifiers/GenderCurrent",
            "GenderCurrent",
        )
    ]
    assert (
        read.schema_issues["problem"][0]
        == "This element is not expected. Expected is one of ( ExpectedPersonBirthDate, Sex )."
    )
    new_in_old = census(
        tmp_path,
        2021,
        child_2021("S1", "1", "0", "1").replace("GenderCurrent>1<", "Sex>F<").replace("</GenderCurrent>", "</Sex>"),
        name="new.xml",
    )
    assert read_file(new_in_old, 2021).schema_issues["element"].to_list() == ["Sex"]


def test_2027_pre_proceedings_block(tmp_path):
    path = census(tmp_path, 2027, CHILD_2027)
    read = read_file(path, 2027)
    assert read.schema_issues.height == 0
    block = read.tables["pre_proceedings"]
    assert block.rows(named=True) == [
        {
            "line": line_of(path, "<PreProceedingsandFGDM>"),
            "child_index": 1,
            "LAchildID": "LA0027",
            "episode_index": 1,
            "PPStartDate": d("2026-09-09"),
            "LBPSentDate": d("2026-09-20"),
            "FGDMMeetingOffer": True,
            "FGDMMeetingFac": False,
            "InitialPPMeetingDate": d("2026-09-28"),
            "ReviewMeetingsCount": 3,
            "StepDecisionDate": d("2026-12-01"),
            "PPOutcome": "B",
            "CourtAppDate": d("2026-12-18"),
            "LetterInitCPDate": d("2027-02-05"),
        }
    ]
    # the block is new in 2026-27: a 2025-26 return carrying it is read, and reported
    earlier = census(tmp_path, 2026, CHILD_2027, name="2026.xml")
    read = read_file(earlier, 2026)
    assert read.tables["pre_proceedings"].height == 1
    assert read.schema_issues.select("line", "element").rows() == [
        (line_of(earlier, "<PreProceedingsandFGDM>"), "PreProceedingsandFGDM")
    ]
    # and its codes are checked in 2026-27
    wrong = census(tmp_path, 2027, CHILD_2027.replace("<PPOutcome>B<", "<PPOutcome>D<"), name="bad.xml")
    assert read_file(wrong, 2027).schema_issues.select("element", "problem").rows() == [
        ("PPOutcome", "[facet 'enumeration'] not one of {'A', 'B', 'C'}")
    ]


# values that must never leave the reader: a child's id where a date goes, a date of birth where
# a UPN and a sex go, and a value built to look like the end of lxml's own message
PLANTED_ID, PLANTED_DOB, TRICKY = "ZQX4471902", "2013-07-19", "O'Neil' is not an element of the set {'X'}"


def test_schema_issues_carry_line_path_and_expectation_but_no_value(tmp_path):
    child = (
        CHILDREN_2025.split("    <Child>\n      <ChildIdentifiers>\n        <LAchildID>LA0002")[0]
        .replace("<PersonBirthDate>2015-06-01<", f"<PersonBirthDate>{PLANTED_ID}<")
        .replace("<UPN>A123456789012<", f"<UPN>{PLANTED_DOB}<")
        .replace("<Sex>F<", f"<Sex>{PLANTED_DOB}<")
        .replace("<Ethnicity>WBRI<", f"<Ethnicity>{TRICKY}<")
        .replace("<NumberOfPreviousCPP>2<", "<NumberOfPreviousCPP>-4<")
    )
    path = census(tmp_path, 2025, child.rstrip() + "\n" + child.rstrip().replace("LA0001", "LA0003"))
    read = read_file(path, 2025)
    issues = read.schema_issues
    assert issues.filter(pl.col("path").str.starts_with("/Message/Children/Child[1]/")).rows() == [
        (
            line_of(path, "<UPN>"),
            "/Message/Children/Child[1]/ChildIdentifiers/UPN",
            "UPN",
            "[facet 'pattern'] does not match '[A-Za-z]\\d{11}(\\d|[A-Za-z])'",
        ),
        (
            line_of(path, "<PersonBirthDate>"),
            "/Message/Children/Child[1]/ChildIdentifiers/PersonBirthDate",
            "PersonBirthDate",
            "not a valid value of the atomic type 'xs:date'",
        ),
        (
            line_of(path, "<Sex>"),
            "/Message/Children/Child[1]/ChildIdentifiers/Sex",
            "Sex",
            "[facet 'enumeration'] not one of {'M', 'F', 'U'}",
        ),
        (
            line_of(path, "<Ethnicity>"),
            "/Message/Children/Child[1]/ChildCharacteristics/Ethnicity",
            "Ethnicity",
            issues["problem"][3],
        ),
        (
            line_of(path, "<NumberOfPreviousCPP>", 2),
            "/Message/Children/Child[1]/CINdetails[1]/ChildProtectionPlans[2]/NumberOfPreviousCPP",
            "NumberOfPreviousCPP",
            "less than the minimum value allowed (0)",
        ),
    ]
    assert issues["problem"][3].startswith("[facet 'enumeration'] not one of {'WBRI', ")
    assert issues.height == 10  # the same five in the second child, on its own lines
    assert issues["line"].n_unique() == 10
    text = issues.write_csv()
    for value in (PLANTED_ID, PLANTED_DOB, "O'Neil", "Neil"):
        assert value not in text
    # what is not a date is NULL, not a guess
    assert read.tables["children"]["PersonBirthDate"].to_list() == [None, None]
    assert read.tables["children"]["Sex"].to_list() == [None, None]


@pytest.mark.parametrize(
    ("message", "kind", "expected"),
    [
        (
            "Element 'ReferralNFA': [facet 'enumeration'] The value 'true' is not an element of the set {'0', '1'}.",
            "SCHEMAV_CVC_ENUMERATION_VALID",
            "[facet 'enumeration'] not one of {'0', '1'}",
        ),
        (
            "Element 'PersonBirthDate': 'ABC123' is not a valid value of the atomic type 'xs:date'.",
            "SCHEMAV_CVC_DATATYPE_VALID_1_2_1",
            "not a valid value of the atomic type 'xs:date'",
        ),
        (
            "Element 'SerialNo': [facet 'minLength'] The value '' has a length of '0'; this underruns the allowed minimum length of '1'.",
            "SCHEMAV_CVC_MINLENGTH_VALID",
            "underruns the allowed minimum length of 1",
        ),
        (
            "Element 'X': The element content 'ABC123' is not the fixed value 'Y'.",
            "SCHEMAV_CVC_ELT_5_2_2_2_2",
            "not valid against the schema (SCHEMAV_CVC_ELT_5_2_2_2_2)",
        ),
        (
            "Element 'CINdetails': Missing child element(s). Expected is ( ReferralNFA ).",
            "SCHEMAV_ELEMENT_CONTENT",
            "Missing child element(s). Expected is ( ReferralNFA ).",
        ),
    ],
)
def test_problem_keeps_the_expectation_and_drops_the_value(message, kind, expected):
    assert cin_census.problem(message, kind) == expected
    assert "ABC123" not in cin_census.problem(message, kind)


def test_stray_and_missing_structure_are_schema_issues(tmp_path):
    path = census(tmp_path, 2025, "    <Note>kept by hand</Note>")
    read = read_file(path, 2025)
    assert read.tables["children"].height == 0
    assert read.schema_issues.select("line", "element").rows() == [
        (line_of(path, "<Note>"), "Note"),
        (line_of(path, "<Message>"), "Children"),
    ]


SSDA903_XML = """<?xml version="1.0" encoding="UTF-8"?>
<EXPSSDA903>
  <CHILDREN>
    <CHILD>
      <HEADER><CHILDID>{id}</CHILDID><DOB>{dob}</DOB></HEADER>
    </CHILD>
  </CHILDREN>
</EXPSSDA903>
"""


def refusal(path: Path, year: int) -> str:
    with pytest.raises(CinFileError) as raised:
        read_file(path, year)
    message = str(raised.value)
    assert isinstance(raised.value, ReturnFileError)
    assert message.startswith(f"{path.name}: ")
    for value in (PLANTED_ID, PLANTED_DOB):
        assert value not in message
    return message


def test_wrong_year_is_refused(tmp_path):
    path = census(tmp_path, 2024, CHILDREN_2025)
    assert header_year(path) == 2024
    assert refusal(path, 2025) == (
        "cin.xml: a CIN census for collection year 2024 (its header's <Year>); expected 2025"
    )


def test_not_a_census_is_refused(tmp_path):
    ssda903 = tmp_path / "903.xml"
    ssda903.write_text(SSDA903_XML.format(id=PLANTED_ID, dob=PLANTED_DOB), encoding="utf-8")
    other = tmp_path / "other.xml"
    other.write_text(f"<catalogue><item>{PLANTED_ID}</item></catalogue>", encoding="utf-8")
    school = census(tmp_path, 2025, CHILDREN_2025, collection="SCHOOL", name="school.xml")
    csv = tmp_path / "header.csv"
    csv.write_text(f"CHILD,DOB\n{PLANTED_ID},{PLANTED_DOB}\n", encoding="utf-8")
    for path in (ssda903, other, school, csv):
        assert not is_cin_census(path)
        assert header_year(path) is None or path == school
    assert "not a CIN census (its root element is <EXPSSDA903>)" in refusal(ssda903, 2025)
    assert "not a CIN census (its root element is <catalogue>)" in refusal(other, 2025)
    assert "not a CIN census (no <Collection>CIN</Collection> in its header)" in refusal(school, 2025)
    assert "not XML; expected a CIN census" in refusal(csv, 2025)


def test_truncated_file_is_refused_naming_the_line(tmp_path):
    whole = census(tmp_path, 2025, CHILDREN_2025.replace("LA0002", PLANTED_ID)).read_text(encoding="utf-8")
    cut = whole[: whole.index(PLANTED_ID) + len(PLANTED_ID) + 30]
    path = tmp_path / "cut.xml"
    path.write_text(cut, encoding="utf-8")
    assert is_cin_census(path)  # recognised from its header, then refused as truncated
    last_line = cut.count("\n") + 1
    assert refusal(path, 2025) == (
        f"cut.xml: not well-formed XML at line {last_line} (broken or truncated there); "
        "expected a complete CIN census XML file"
    )
    broken = tmp_path / "broken.xml"
    broken.write_text(whole.replace("</Sex>", "</Sx>", 1), encoding="utf-8")
    assert f"at line {line_of(broken, '</Sx>')} " in refusal(broken, 2025)


@pytest.mark.parametrize("year", [2016, 2028])
def test_year_without_a_schema_is_refused(tmp_path, year):
    path = census(tmp_path, year, CHILDREN_2025)
    assert refusal(path, year) == (
        f"cin.xml: no CIN census schema for collection year {year} (held: the years ending 31 March 2017 to 2027)"
    )


def test_schema_years_are_the_schemas_held():
    held = sorted(int(p.stem.rsplit("_", 1)[1]) for p in cin_census.SPECS.glob("CIN_schema_*.xsd"))
    assert tuple(held) == cin_census.SCHEMA_YEARS == tuple(range(2017, 2028))


def test_many_children_stream_in_file_order(tmp_path):
    one = CHILDREN_2025.split("    <Child>\n      <ChildIdentifiers>\n        <LAchildID>LA0002")[0].rstrip()
    path = census(tmp_path, 2025, "\n".join(one.replace("LA0001", f"LA{i:05d}") for i in range(500)))
    read = read_file(path, 2025)
    children = read.tables["children"]
    assert children["child_index"].to_list() == list(range(1, 501))
    assert children["LAchildID"].to_list() == [f"LA{i:05d}" for i in range(500)]
    assert children["line"].is_sorted()
    assert read.tables["cpp_reviews"].height == 1000
    assert read.schema_issues.height == 0


# The shared samples at their header's year, with counts read from the files: children, episodes
# (<CINdetails>), assessments, CIN plans, section 47 enquiries, plans, reviews (<CPPreviewDate>),
# pre-proceedings blocks, and how many schema issues the year's schema finds in them.
SAMPLE_COUNTS = {
    "fake_CIN_data.xml": (2022, (332, 402, 0, 0, 0, 0, 0, 0), 402),  # a true/false per episode
    "CIN2rows.xml": (2023, (1, 1, 1, 1, 1, 2, 2, 0), 2),
    "CIN_Census_2021.xml": (2023, (1, 1, 1, 1, 1, 1, 1, 0), 2),
    "CIN_Census_2021_no_assessment_factors.xml": (2023, (1, 1, 1, 1, 1, 1, 1, 0), 2),
    "CIN_Census_2024.xml": (2023, (2, 2, 2, 1, 1, 1, 1, 0), 7),
    "CIN_Census_2026.xml": (2023, (2, 2, 2, 1, 1, 1, 1, 1), 8),
    "CIN_header_issues_100.xml": (2023, (1, 1, 1, 1, 1, 1, 1, 0), 2),
    "CIN_la_issues_2887Q.xml": (2023, (1, 1, 1, 1, 1, 1, 1, 0), 2),
}


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/returns/cin_census_fake is not beside the repository")
@pytest.mark.parametrize("name", sorted(SAMPLE_COUNTS))
def test_shared_sample_reads_at_its_header_year(name):
    path = SAMPLES / name
    year, counts, issues = SAMPLE_COUNTS[name]
    assert is_cin_census(path)
    assert header_year(path) == year
    read = read_file(path, year)
    assert tuple(read.tables[t].height for t in TABLES) == counts
    assert read.schema_issues.height == issues
    assert read.schema_issues["line"].null_count() == 0
    ids = set(read.tables["children"]["LAchildID"].drop_nulls())
    issues_text = read.schema_issues.write_csv()
    assert ids and not any(i in issues_text for i in ids)


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/returns/cin_census_fake is not beside the repository")
def test_shared_samples_are_all_counted():
    assert sorted(p.name for p in SAMPLES.glob("*.xml")) == sorted(SAMPLE_COUNTS)
