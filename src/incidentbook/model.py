"""The domain model: every curated record and every value taken from a source.

Defined once here and imported everywhere. Field descriptions are published on the
methodology page (a test fails when a field has none).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

import pycountry
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .phrases import PhraseError, Reading, read_phrase

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG = re.compile(SLUG_PATTERN)


def slug_message(value: object) -> str:
    return f"{value!r} is not a lowercase slug (letters a-z, digits and single hyphens, e.g. 'ghor-2016-10-25')"


def error_message(err: dict) -> str:
    """A pydantic error in the words of this project (slugs named as such, no "Value error, ")."""
    if err.get("type") == "string_pattern_mismatch" and (err.get("ctx") or {}).get("pattern") == SLUG_PATTERN:
        return slug_message(err.get("input"))
    return err["msg"].removeprefix("Value error, ")


# Checked by pydantic's own pattern matcher (a Python validator here cost ~20 % of loading 10,000
# incidents); load._validation_problems words its error with slug_message.
Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]
Text = Annotated[str, Field(min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=True)


class Evidence(Strict):
    """A quote from a source that supports a value."""

    source: Slug = Field(description="Id of the source the quote comes from.")
    quote: Text = Field(description="Words copied from the source; the build checks that they occur in its text.")
    locator: str | None = Field(None, description="Where in the source, when it is not a running text (e.g. a dataset row).")


class Inference(Strict):
    """Mixed into values the analyst may have inferred rather than read."""

    inferred: bool = Field(False, description="True when the analyst inferred the value rather than reading it in the source.")
    reasoning: str | None = Field(None, description="How an inferred value was reached; required when inferred is true.")

    @model_validator(mode="after")
    def _reasoning_for_inference(self):
        if self.inferred and not self.reasoning:
            raise ValueError("@reasoning: an inferred value needs `reasoning` explaining how it was inferred")
        return self


Precision = Literal["day", "days", "week", "month", "year"]


class DateInterval(Inference):
    """When something happened: the earliest and latest possible day, with a precision."""

    earliest: dt.date = Field(description="Earliest possible day (YYYY-MM-DD).")
    latest: dt.date | None = Field(None, description="Latest possible day; the same as earliest when omitted.")
    precision: Precision = Field("day", description="How precisely the date is known: day, days, week, month or year.")
    time_of_day: str | None = Field(None, description="Time of day when known, as the source gives it (e.g. 'night', '21:30').")
    evidence: list[Evidence] = Field(default_factory=list, description="Quotes the date rests on.")

    @model_validator(mode="after")
    def _order(self):
        if self.latest is None:
            self.latest = self.earliest
        if self.latest < self.earliest:
            raise ValueError(f"@latest: latest ({self.latest}) is before earliest ({self.earliest})")
        if self.precision == "day" and self.latest != self.earliest:
            raise ValueError("@precision: precision 'day' needs earliest and latest to be the same day; use 'days' for a span")
        return self

    @property
    def days(self) -> int:
        return (self.latest - self.earliest).days + 1

    def label(self) -> str:
        fmt = "%-d %b %Y"
        if self.precision == "month":
            return self.earliest.strftime("%B %Y")
        if self.precision == "year":
            return str(self.earliest.year)
        a, b = self.earliest, self.latest
        if a == b:
            text = a.strftime(fmt)
        elif (a.year, a.month) == (b.year, b.month):
            text = f"{a.day}–{b.strftime(fmt)}"
        elif a.year == b.year:
            text = f"{a.strftime('%-d %b')} – {b.strftime(fmt)}"
        else:
            text = f"{a.strftime(fmt)} – {b.strftime(fmt)}"
        return f"{text}, {self.time_of_day}" if self.time_of_day else text


GeoPrecision = Literal["exact", "near", "city", "district", "province", "country"]


class PlaceRef(Inference):
    """Where an incident happened, as precisely as the sources allow."""

    id: Slug = Field(description="Gazetteer id of the place.")
    precision: GeoPrecision = Field(description="How precisely the location is known: exact, near (a place), city, district, province or country.")
    evidence: list[Evidence] = Field(default_factory=list, description="Quotes the location rests on.")


Category = Literal["killed", "wounded", "abducted", "missing"]


class CasualtyReport(Strict):
    """One source's figure for one category of casualties, in its own words."""

    category: Category = Field(description="killed, wounded, abducted or missing.")
    phrase: Text = Field(description="The figure as the source words it (e.g. 'at least 30'); must occur in the quote.")
    group: str | None = Field(None, description="Who the figure counts (e.g. civilians, police recruits, attackers).")
    said_by: Slug | None = Field(None, description="Actor who gave the figure; empty when the source gives it in its own voice.")
    evidence: Evidence = Field(description="The quote containing the figure.")
    low: int | None = Field(None, ge=0, description="Lower bound, when the analyst reads the phrase differently from the standard reading.")
    high: int | None = Field(None, ge=0, description="Upper bound, when the analyst reads the phrase differently from the standard reading.")
    note: str | None = Field(None, description="Analyst's remark on the figure.")
    draft: bool = Field(False, description="A draft entry (e.g. proposed by `incidentbook draft`) is validated, its quote verified, but not published: it counts in no figure or range until the analyst removes the mark.")

    @model_validator(mode="after")
    def _bounds(self):
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"@low: low ({self.low}) is greater than high ({self.high})")
        if self.low is None and self.high is None:
            try:
                read_phrase(self.phrase)
            except PhraseError as exc:
                raise ValueError(f"@phrase: {exc}") from None
        return self

    @property
    def reading(self) -> Reading:
        if self.low is not None or self.high is not None:
            best = self.low if self.low == self.high else None
            return Reading(self.low, self.high, best, "analyst")
        return read_phrase(self.phrase)


Stance = Literal["claimed", "denied", "attributed", "suspected"]


class Responsibility(Inference):
    """A dated statement about who is responsible: a claim, a denial, an attribution or a suspicion."""

    actor: Slug = Field(description="The actor the statement is about.")
    stance: Stance = Field(description="claimed (by the actor itself), denied (by the actor itself), attributed or suspected (by someone else).")
    named_as: str | None = Field(None, description="How the source names the actor, when it differs from the actor's name (e.g. 'IS').")
    said_by: Slug | None = Field(None, description="Actor who made the statement; for claims and denials, the actor or its spokesperson.")
    via: Slug | None = Field(None, description="Outlet through which the statement came (e.g. a group's news agency).")
    date: DateInterval | None = Field(None, description="When the statement was made.")
    evidence: list[Evidence] = Field(min_length=1, description="Quotes reporting the statement.")
    note: str | None = Field(None, description="Analyst's remark.")
    draft: bool = Field(False, description="A draft entry (e.g. proposed by `incidentbook draft`) is validated, its quotes verified, but not published until the analyst removes the mark.")


class Target(Strict):
    description: Text = Field(description="Who or what was targeted or victimised.")
    evidence: list[Evidence] = Field(default_factory=list, description="Quotes describing the targets.")


class Involvement(Strict):
    actor: Slug = Field(description="An actor involved other than as perpetrator (e.g. responders).")
    role: Text = Field(description="What the actor did.")
    evidence: list[Evidence] = Field(min_length=1, description="Quotes describing the involvement.")


class Related(Strict):
    incident: Slug = Field(description="Id of the related incident.")
    relation: Text = Field(description="How the incidents relate (e.g. 'same week, same perpetrator').")
    evidence: list[Evidence] = Field(default_factory=list, description="Quotes linking the incidents, if a source does.")


Grade = Literal["confirmed-by-perpetrator", "multiple-independent-sources", "single-source", "contested"]


class Incident(Strict):
    """One incident: what happened, when, where, to whom, how many, and who is said to be responsible."""

    id: Slug = Field(description="Stable identifier, used in the page address.")
    title: Text = Field(description="Short descriptive title written by the analyst.")
    summary: Text = Field(description="Analyst's summary of what the sources report.")
    event_type: Slug = Field(description="Event type, from the controlled vocabulary in data/vocabulary.yaml.")
    date: DateInterval = Field(description="When the incident happened.")
    place: PlaceRef = Field(description="Where the incident happened.")
    targets: list[Target] = Field(default_factory=list, description="Who or what was targeted.")
    casualties: list[CasualtyReport] = Field(default_factory=list, description="Per-source casualty figures.")
    responsibility: list[Responsibility] = Field(default_factory=list, description="Claims, denials, attributions and suspicions, dated.")
    involved: list[Involvement] = Field(default_factory=list, description="Other actors involved (responders, mediators).")
    grade: Grade = Field(description="How well the incident is sourced: confirmed-by-perpetrator, multiple-independent-sources, single-source or contested.")
    tags: list[Slug] = Field(default_factory=list, description="Free tags for grouping.")
    related: list[Related] = Field(default_factory=list, description="Related incidents.")
    context_figures: list[Slug] = Field(default_factory=list, description="Ids of context figures shown with this incident.")
    draft: bool = Field(False, description="A draft is validated but not published.")


ActorKind = Literal["armed-group", "state-force", "government", "international-organisation", "ngo", "media-outlet", "person"]
RelationType = Literal["affiliate", "ally", "merger", "rival", "split", "umbrella", "members-joined"]
Fate = Literal["active", "killed", "captured", "arrested", "resigned", "replaced", "unknown"]


class Alias(Strict):
    name: Text = Field(description="Another name or spelling of the actor.")
    evidence: list[Evidence] = Field(default_factory=list, description="Quotes where this spelling occurs.")
    note: str | None = Field(None, description="Remark on the spelling (e.g. 'misspelling in the source').")


class Relationship(Strict):
    """This actor —type→ the other: 'affiliate' = this is an affiliate of the other; 'members-joined' = members of the other joined this."""

    type: RelationType = Field(description="affiliate, ally, merger, rival, split, umbrella (Mapping Militants) or members-joined.")
    actor: Slug = Field(description="The other actor.")
    said_by: Slug | None = Field(None, description="Actor who stated the relationship.")
    date: DateInterval | None = Field(None, description="When the relationship began or was reported, if known.")
    evidence: list[Evidence] = Field(min_length=1, description="Quotes stating the relationship.")
    note: str | None = Field(None, description="Analyst's remark.")


class Leader(Strict):
    person: Slug = Field(description="Actor id of the leader (a person).")
    role: Text = Field(description="The leader's role, as the source gives it.")
    fate: Fate | None = Field(None, description="What became of the leader: active, killed, captured, arrested, resigned, replaced or unknown.")
    fate_date: DateInterval | None = Field(None, description="When the fate occurred, if known.")
    said_by: Slug | None = Field(None, description="Actor who reported the role or fate.")
    evidence: list[Evidence] = Field(min_length=1, description="Quotes about the leader.")


class Area(Strict):
    place: Slug = Field(description="Gazetteer id of a place where the actor operates.")
    evidence: list[Evidence] = Field(min_length=1, description="Quotes placing the actor there.")
    note: str | None = Field(None, description="Analyst's remark.")


class Actor(Strict):
    """An armed group, state body, organisation or person named in the sources."""

    id: Slug = Field(description="Stable identifier, used in the page address.")
    name: Text = Field(description="Name used in the publication.")
    aliases: list[Alias] = Field(default_factory=list, description="Other names and spellings, including those seen in sources.")
    kind: ActorKind = Field(description="armed-group, state-force, government, international-organisation, ngo, media-outlet or person.")
    parent: Slug | None = Field(None, description="Organisation this actor belongs to (for a person, their organisation).")
    role: str | None = Field(None, description="For a person: their role in the parent organisation.")
    parent_evidence: list[Evidence] = Field(default_factory=list, description="Quotes linking the actor to its parent.")
    description: str = Field("", description="Analyst's description.")
    relationships: list[Relationship] = Field(default_factory=list, description="Typed relationships to other actors.")
    leaders: list[Leader] = Field(default_factory=list, description="Leaders with role and fate.")
    areas: list[Area] = Field(default_factory=list, description="Areas of operation.")


PlaceKind = Literal["country", "province", "district", "city", "town", "village", "site", "region", "border"]


class Place(Strict):
    """A gazetteer entry."""

    id: Slug = Field(description="Stable identifier.")
    name: Text = Field(description="Preferred name.")
    kind: PlaceKind = Field(description="country, province, district, city, town, village, site, region or border.")
    parent: Slug | None = Field(None, description="The place this one lies in (admin hierarchy).")
    iso_code: str | None = Field(None, description="ISO 3166-1 alpha-2 (country) or ISO 3166-2 (subdivision) code.")
    lat: float | None = Field(None, ge=-90, le=90, description="WGS84 latitude.")
    lon: float | None = Field(None, ge=-180, le=180, description="WGS84 longitude.")
    coordinates_note: str | None = Field(None, description="Where the coordinates come from and how precise they are.")
    alt_names: list[str] = Field(default_factory=list, description="Alternate names and spellings.")

    @model_validator(mode="after")
    def _check(self):
        if (self.lat is None) != (self.lon is None):
            raise ValueError("@lon: give both lat and lon, or neither")
        if self.iso_code:
            code = self.iso_code.upper()
            found = pycountry.countries.get(alpha_2=code) if len(code) == 2 else pycountry.subdivisions.get(code=code)
            if found is None:
                raise ValueError(f"@iso_code: {self.iso_code!r} is not an ISO 3166 country or subdivision code")
            self.iso_code = code
        return self


class Period(Strict):
    start: dt.date = Field(description="First day of the period.")
    end: dt.date = Field(description="Last day of the period.")

    @model_validator(mode="after")
    def _order(self):
        if self.end < self.start:
            raise ValueError(f"@end: end ({self.end}) is before start ({self.start})")
        return self


class ContextFigure(Inference):
    """A statistic a source quotes for context (e.g. a UN casualty count)."""

    id: Slug = Field(description="Stable identifier.")
    metric: Text = Field(description="What is counted (e.g. 'conflict-related civilian casualties').")
    phrase: Text = Field(description="The figure as the source words it; must occur in the quote.")
    period: Period = Field(description="The period the figure covers.")
    area: Slug = Field(description="Gazetteer id of the area the figure covers.")
    said_by: Slug | None = Field(None, description="Actor who produced the figure.")
    qualifier: str | None = Field(None, description="Qualifications of the figure (e.g. 'documented cases only').")
    evidence: Evidence = Field(description="The quote containing the figure.")

    @model_validator(mode="after")
    def _readable(self):
        try:
            read_phrase(self.phrase)
        except PhraseError as exc:
            raise ValueError(f"@phrase: {exc}") from None
        return self

    @property
    def reading(self) -> Reading:
        return read_phrase(self.phrase)


SourceKind = Literal["article", "dataset"]


class Source(Strict):
    """An article or statement, kept unchanged in seeds/, or a dataset file read where it lies."""

    id: Slug = Field(description="Stable identifier, cited by evidence.")
    kind: SourceKind = Field("article", description="article (a text under seeds/; quotes are found in it) or dataset (a CSV file; evidence names a row as `locator: row N` and the quote must occur in that row, read as 'column: value; ...').")
    seed: Text = Field(description="File name of the text under seeds/; for a dataset, the path of the CSV file, relative to the publication's folder or absolute (it is not copied into the publication).")
    sha256: str | None = Field(None, description="For a dataset: SHA-256 of the file as imported; the build refuses a file that has changed since.")
    encoding: str = Field("utf-8", description="For a dataset: the file's text encoding (e.g. latin-1).")
    attribution: str | None = Field(None, description="Credit line the licence requires; shown on every page that cites the source.")
    title: Text = Field(description="Title or first line as received.")
    publisher: Text = Field(description="Who published it.")
    author: str | None = Field(None, description="Author, if given.")
    published: dt.date = Field(description="Publication date.")
    url: str | None = Field(None, description="Address of the original (http or https), if known.")
    language: str = Field("en", description="ISO 639-1 language code of the text.")
    show_text: bool = Field(False, description="Publish the full text on the source page (only when its licence allows).")
    licence: str | None = Field(None, description="Licence or copyright status of the text.")
    note: str | None = Field(None, description="Analyst's remark on the source (e.g. scraping debris).")

    @property
    def language_name(self) -> str:
        """'English (en)': the language's name in ISO 639, with the code the record gives."""
        language = pycountry.languages.get(alpha_2=self.language)
        return f"{language.name} ({self.language})" if language is not None else self.language

    @model_validator(mode="after")
    def _check(self):
        if self.url and not re.match(r"^https?://[^\s/]+", self.url):
            raise ValueError(f"@url: {self.url!r} must start with http:// or https://")
        if pycountry.languages.get(alpha_2=self.language) is None:
            raise ValueError(f"@language: {self.language!r} is not an ISO 639-1 code")
        if self.kind == "dataset" and not (self.sha256 and re.fullmatch(r"[0-9a-f]{64}", self.sha256)):
            raise ValueError("@sha256: a dataset source needs the SHA-256 of its file (64 lowercase hex digits)")
        return self


class EventType(Strict):
    id: Slug = Field(description="Identifier used by incidents.")
    label: Text = Field(description="Name shown to readers.")
    definition: Text = Field(description="What counts as this type.")


class Vocabulary(Strict):
    event_types: list[EventType] = Field(description="Controlled list of event types.")


class PublicationInfo(Strict):
    title: Text = Field(description="Title of the publication.")
    subtitle: str | None = Field(None, description="Subtitle.")
    authors: list[str] = Field(default_factory=list, description="Authors or team.")
    description: str = Field("", description="What the publication covers.")
    published: dt.date | None = Field(None, description="Date of the current edition.")
    version: str = Field("1.0", description="Edition number of the publication, shown in citations.")
    licence: str = Field("CC-BY-4.0", description="SPDX identifier of the licence of the curated records and pages.")
    site_url: str | None = Field(None, description="Address where the site is published (for permalinks in citations).")


MODEL_CLASSES = [PublicationInfo, Source, Incident, DateInterval, PlaceRef, Evidence, CasualtyReport,
                 Responsibility, Target, Involvement, Related, Actor, Alias, Relationship, Leader, Area,
                 Place, ContextFigure, Period, EventType]
