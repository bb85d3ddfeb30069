"""Properties, checked with hypothesis: no value breaks out of a search filter, and no name
breaks out of the stored corpus.

The filters are evaluated by the OData parser of the Azure Search fake (tests/fakes/odata.py),
which reads them as the service does; the paths by the real LocalContentStore on a real folder
with a secret file beside it and a symlink inside it pointing out.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.odata import parse_filter
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.auth import User
from app.content.local import LocalContentStore
from app.errors import NotFoundError
from app.search.access import odata_filter
from app.search.odata import category_filter

# Any text, with OData's own syntax characters made common.
hostile = st.text(
    alphabet=st.one_of(st.sampled_from("'\"(), /:=\\|;-_eqnotandor"), st.characters()),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(
    oid=hostile.filter(str.strip),  # tokens always carry an id
    groups=st.lists(hostile.filter(bool), max_size=4),
    other=hostile,
)
@example(oid="x') or true or ('", groups=[], other="y")
@example(oid="a", groups=["g1, g2", "' or 1 eq 1 or '"], other="g1")
def test_an_access_filter_lets_through_exactly_what_the_user_may_read(
    oid: str, groups: list[str], other: str
) -> None:
    user = User(oid=oid, groups=tuple(groups))
    access = parse_filter(odata_filter(user))
    public = {"id": "public"}
    own = {"id": "own", "oids": [oid], "groups": []}
    for group in groups:
        assert access.matches({"id": "group", "oids": [], "groups": [group]})
    stranger = {"id": "other", "oids": [other], "groups": [other]}
    assert access.matches(public)
    assert access.matches(own)
    assert access.matches(stranger) == (other == oid or other in groups)
    anonymous = parse_filter(odata_filter(None))
    assert anonymous.matches(public)
    assert not anonymous.matches(own)


@settings(max_examples=300, deadline=None)
@given(include=hostile, exclude=hostile, stored=hostile)
@example(include="x' or category ne '", exclude="", stored="y")
def test_a_category_filter_compares_the_whole_value(
    include: str, exclude: str, stored: str
) -> None:
    text = category_filter(include or None, exclude or None)
    if text is None:
        return
    document = {"category": stored}
    expected = (not include or stored == include) and (not exclude or stored != exclude)
    assert parse_filter(text).matches(document) == expected


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("jail")
    (root / "secret.txt").write_text("outside the corpus")
    content = root / "content"
    (content / "docs").mkdir(parents=True)
    (content / "docs" / "plan.md").write_text("inside")
    (content / "escape").symlink_to(root)  # a link inside, pointing out
    return content


segment = st.one_of(
    st.sampled_from(["..", ".", "", "docs", "plan.md", "escape", "secret.txt", "%2e%2e", "~"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
)


@settings(
    max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(parts=st.lists(segment, min_size=1, max_size=6), lead=st.sampled_from(["", "/", "\\", "//"]))
@example(parts=["escape", "secret.txt"], lead="")
@example(parts=["..", "secret.txt"], lead="")
@example(parts=["docs", "..", "..", "secret.txt"], lead="/")
async def test_no_name_opens_a_file_outside_the_corpus(
    corpus: Path, parts: list[str], lead: str
) -> None:
    store = LocalContentStore(corpus)
    name = lead + "/".join(parts)
    try:
        stored = await store.open(name)
    except (NotFoundError, OSError, ValueError):
        return  # refused, or no such file: nothing read
    body = b"".join([chunk async for chunk in stored.chunks])
    assert body == b"inside", name
