"""Go to definition, implementation and references through the protocol.

Both client profiles announce `linkSupport`, so definitions come back as
`LocationLink`s here; the `Location` path is covered in
tests/unit/test_lsp_navigation.py.
"""

from __future__ import annotations

from fixture import fixture
from lsp_helpers import change_doc, line_of, open_doc, root_of, uri
from lsprotocol import types
from pytest_lsp import LanguageClient


def at(line: int, start: int, end_line: int, end: int) -> types.Range:
    return types.Range(
        start=types.Position(line=line, character=start),
        end=types.Position(line=end_line, character=end),
    )


async def definition(
    client: LanguageClient, doc_uri: str, line: int, character: int
) -> list[types.LocationLink]:
    result = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=doc_uri),
            position=types.Position(line=line, character=character),
        )
    )
    if result is None:
        return []
    links = result if isinstance(result, list) else [result]
    assert all(isinstance(link, types.LocationLink) for link in links), links
    return links  # type: ignore[return-value]


async def references(
    client: LanguageClient, doc_uri: str, line: int, character: int, declaration: bool
) -> list[tuple[str, types.Range]]:
    result = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri=doc_uri),
            position=types.Position(line=line, character=character),
            context=types.ReferenceContext(include_declaration=declaration),
        )
    )
    return [(loc.uri, loc.range) for loc in result or []]


async def test_directive_to_the_generated_symbol(client: LanguageClient) -> None:
    root = root_of(client)
    auth = root / "specs" / "auth.spec.md"
    doc_uri = open_doc(client, auth)
    line = line_of(auth, "[@generate](../src/shop/auth.py)")
    col = auth.read_text("utf-8").splitlines()[line].index("app.py#create_session")
    (link,) = await definition(client, doc_uri, line, col)
    app = root / "src" / "shop" / "app.py"
    def_line = line_of(app, "def create_session")
    assert link.target_uri == uri(app)
    assert link.target_selection_range == at(def_line, 4, def_line, 18)  # the name
    assert link.target_range == at(def_line, 0, def_line + 3, 16)  # the whole function
    assert link.origin_selection_range == at(line, 33, line, 79)  # the whole directive

    # a whole-file output lands at the top of the file
    (link,) = await definition(client, doc_uri, line, 20)
    assert link.target_uri == uri(root / "src" / "shop" / "auth.py")
    assert link.target_range == at(0, 0, 0, 0)


async def test_heading_to_every_output(client: LanguageClient) -> None:
    root = root_of(client)
    catalog = root / "specs" / "catalog.spec.md"
    doc_uri = open_doc(client, catalog)
    links = await definition(client, doc_uri, line_of(catalog, "## Product model"), 5)
    assert [link.target_uri for link in links] == [
        uri(root / "src" / "shop" / "catalog.py"),
        uri(root / "tests" / "test_catalog.py"),
    ]
    heading = line_of(catalog, "## Product model")
    assert links[0].origin_selection_range == at(heading, 0, heading, 27)


async def test_use_to_the_section_heading_across_emoji(client: LanguageClient) -> None:
    root = root_of(client)
    cart = root / "specs" / "cart.spec.md"
    original = cart.read_text("utf-8")
    # An unsaved edit puts emoji before the directive: its column is in UTF-16 units.
    f = fixture(
        original.replace("[@use](#pricing)", "🛒🛒 [@use](#pri$0cing)"), "specs/cart.spec.md"
    )
    doc_uri = open_doc(client, cart, original)
    change_doc(client, doc_uri, f.text, 2)
    (link,) = await definition(client, doc_uri, f.cursor.line, f.cursor.character)
    assert f.cursor.character == 16
    heading = line_of(cart, "## Pricing rules")
    assert link.target_uri == doc_uri
    assert link.target_selection_range == at(heading, 0, heading, 27)
    assert link.origin_selection_range == at(f.cursor.line, 5, f.cursor.line, 21)

    # across documents: users.spec.md#user-model
    auth = root / "specs" / "auth.spec.md"
    auth_uri = open_doc(client, auth)
    (link,) = await definition(client, auth_uri, line_of(auth, "[@use](users"), 10)
    users = root / "specs" / "users.spec.md"
    assert link.target_uri == uri(users)
    assert link.target_selection_range.start == types.Position(
        line=line_of(users, "## User model"), character=0
    )


async def test_requirement_reference_to_its_definition(client: LanguageClient) -> None:
    root = root_of(client)
    cart = root / "specs" / "cart.spec.md"
    doc_uri = open_doc(client, cart)
    line = line_of(cart, "(covers: FR-003")
    col = cart.read_text("utf-8").splitlines()[line].index("FR-003")
    (link,) = await definition(client, doc_uri, line, col + 2)
    reqs = root / "specs" / "requirements.spec.md"
    def_line = line_of(reqs, "**FR-003**")
    assert link.target_uri == uri(reqs)
    assert link.target_selection_range == at(def_line, 4, def_line, 10)
    assert link.origin_selection_range == at(line, col, line, col + 6)


async def test_task_path_to_the_file(client: LanguageClient) -> None:
    root = root_of(client)
    tasks = root / "specs" / "tasks.spec.md"
    text = "# Tasks\n\n- [ ] T001 [P] 🛒 買い物 in src/shop/cart.py\n"
    tasks.write_text(text, encoding="utf-8")
    doc_uri = open_doc(client, tasks)
    (link,) = await definition(client, doc_uri, 2, 30)
    assert link.target_uri == uri(root / "src" / "shop" / "cart.py")
    assert link.origin_selection_range == at(2, 25, 2, 41)  # UTF-16: 🛒 counts twice


async def test_generated_code_back_to_its_section(client: LanguageClient) -> None:
    root = root_of(client)
    app = root / "src" / "shop" / "app.py"
    app_uri = open_doc(client, app)
    auth = root / "specs" / "auth.spec.md"
    # inside the generated `create_session` → the section that generates it
    (link,) = await definition(client, app_uri, line_of(app, "token = secrets"), 8)
    assert link.target_uri == uri(auth)
    login = line_of(auth, "## Login {#login}")
    assert link.target_selection_range == at(login, 0, login, 17)
    # inside the hand-written `main` → the section that describes it
    (link,) = await definition(client, app_uri, line_of(app, "cart.add("), 8)
    entry = line_of(auth, "## Application entry point")
    assert link.target_selection_range == at(entry, 0, entry, 33)
    # a whole generated file: anywhere in it
    cart_uri = open_doc(client, root / "src" / "shop" / "cart.py")
    (link,) = await definition(client, cart_uri, line_of(root / "src/shop/cart.py", "def add"), 10)
    cart_spec = root / "specs" / "cart.spec.md"
    assert link.target_uri == uri(cart_spec)
    assert link.target_selection_range.start.line == line_of(cart_spec, "## Cart model")


async def test_implementation_of_a_section(client: LanguageClient) -> None:
    root = root_of(client)
    auth = root / "specs" / "auth.spec.md"
    doc_uri = open_doc(client, auth)
    result = await client.text_document_implementation_async(
        types.ImplementationParams(
            text_document=types.TextDocumentIdentifier(uri=doc_uri),
            position=types.Position(line=line_of(auth, "## Login"), character=4),
        )
    )
    assert isinstance(result, list)
    targets = [(r.target_uri, r.target_selection_range.start.line) for r in result]  # type: ignore[union-attr]
    app = root / "src" / "shop" / "app.py"
    assert targets == [
        (uri(root / "src" / "shop" / "auth.py"), 0),
        (uri(app), line_of(app, "def create_session")),
    ]


async def test_references_of_a_section(client: LanguageClient) -> None:
    root = root_of(client)
    users = root / "specs" / "users.spec.md"
    doc_uri = open_doc(client, users)
    heading = line_of(users, "## User model")
    auth = root / "specs" / "auth.spec.md"
    lines = [i for i, t in enumerate(auth.read_text("utf-8").splitlines()) if "[@use](users" in t]
    uses = [(uri(auth), at(n, 7, n, 31)) for n in lines]
    assert len(uses) == 2
    output = (uri(root / "src" / "shop" / "users.py"), at(0, 0, 0, 0))
    # from the `{#user-model}` suffix, without the declaration: the uses, then the output
    assert await references(client, doc_uri, heading, 20, False) == [*uses, output]
    # with it: the heading first
    assert await references(client, doc_uri, heading, 3, True) == [
        (doc_uri, at(heading, 0, heading, 27)),
        *uses,
        output,
    ]
    # from a `@use` that names the section: the same list
    auth_uri = open_doc(client, auth)
    assert await references(client, auth_uri, uses[0][1].start.line, 12, False) == [
        *uses,
        output,
    ]


async def test_references_of_a_requirement(client: LanguageClient) -> None:
    root = root_of(client)
    reqs = root / "specs" / "requirements.spec.md"
    doc_uri = open_doc(client, reqs)
    line = line_of(reqs, "**FR-003**")
    cart = root / "specs" / "cart.spec.md"
    cart_line = line_of(cart, "(covers: FR-003")
    sc_line = line_of(reqs, "**SC-001**")
    traces = [
        (uri(cart), at(cart_line, 18, cart_line, 24)),
        (doc_uri, at(sc_line, 57, sc_line, 63)),
    ]
    assert await references(client, doc_uri, line, 6, False) == traces
    assert await references(client, doc_uri, line, 6, True) == [
        (doc_uri, at(line, 4, line, 10)),
        *traces,
    ]


async def test_references_of_a_generated_file(client: LanguageClient) -> None:
    root = root_of(client)
    app_uri = open_doc(client, root / "src" / "shop" / "app.py")
    auth = root / "specs" / "auth.spec.md"
    found = await references(client, app_uri, 0, 0, True)
    gen = line_of(auth, "[@generate](../src/shop/auth.py)")
    desc = line_of(auth, "[@describe]")
    assert found == [
        (uri(auth), at(gen, 45, gen, 78)),
        (uri(auth), at(desc, 12, desc, 35)),
    ]


async def test_nothing_under_the_cursor(client: LanguageClient) -> None:
    root = root_of(client)
    cart = root / "specs" / "cart.spec.md"
    doc_uri = open_doc(client, cart)
    assert await definition(client, doc_uri, line_of(cart, "Prices are integers"), 3) == []
    assert await references(client, doc_uri, line_of(cart, "Prices are integers"), 3, True) == []
