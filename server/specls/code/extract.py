"""Per-language walks from a tree-sitter tree to symbols with UTF-8 byte offsets.

A symbol's span is its whole definition as a unit that can be cut out and
replaced: the definition node plus what syntactically or conventionally
belongs to it right before it —

- decorators (Python `decorated_definition`, TS/JS member decorators),
  Rust `#[...]` attributes; Java annotations are already inside the node;
- wrappers: TS/JS `export` / `export default` / `declare`, and the whole
  `const f = () => ...;` statement (or `type T struct{}` declaration in Go)
  when it declares only that one name;
- doc comments directly attached (no blank line between, starting their own
  line): `/** ... */` in TS/JS/Java, `///` and `/** */` in Rust, any comment
  block in Go (Go's doc-comment convention). Plain comments are not part of
  a symbol; Python has no doc comments (its docstrings are in the body).

The span never includes the indentation before its first line nor the line
break after its last.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Node


@dataclass(frozen=True, slots=True)
class RawSymbol:
    name: str
    kind: str
    start: int  # UTF-8 byte offsets into the parsed text
    end: int
    name_start: int
    name_end: int


class _Walker:
    """Collects symbols in source order; subclasses know one grammar."""

    always_attached: frozenset[str] = frozenset()

    def __init__(self, src: bytes) -> None:
        self.src = src
        self.out: list[RawSymbol] = []

    def run(self, root: Node) -> list[RawSymbol]:
        self.walk(root, "")
        return self.out

    def walk(self, node: Node, prefix: str) -> None:
        raise NotImplementedError

    def is_doc_comment(self, node: Node) -> bool:
        return False

    def text(self, node: Node) -> str:
        return self.src[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def add(
        self, name: str, kind: str, outer: Node, name_node: Node, *, member: bool = False
    ) -> None:
        end = outer.end_byte
        following = outer.next_sibling
        if member and following is not None and following.type == ";":
            end = following.end_byte  # a TS/JS class member's `;` is a sibling node
        self.out.append(
            RawSymbol(
                name,
                kind,
                self._start_with_attached(outer),
                end,
                name_node.start_byte,
                name_node.end_byte,
            )
        )

    def _start_with_attached(self, node: Node) -> int:
        start_node = node
        prev = node.prev_sibling
        while prev is not None:
            if prev.type in self.always_attached or (
                self.is_doc_comment(prev) and self._directly_above(prev, start_node)
            ):
                start_node = prev
            else:
                break
            prev = prev.prev_sibling
        return start_node.start_byte

    def _directly_above(self, comment: Node, below: Node) -> bool:
        end_row, end_col = comment.end_point
        if end_col == 0 and comment.end_byte > comment.start_byte:
            end_row -= 1  # a line comment that includes its newline (Rust)
        if end_row < below.start_point.row - 1 or end_row >= below.start_point.row:
            return False
        line_start = comment.start_byte - comment.start_point.column
        return not self.src[line_start : comment.start_byte].strip()


# --------------------------------------------------------------------------- Python


class _PythonWalker(_Walker):
    def walk(self, node: Node, prefix: str, in_class: bool = False) -> None:
        for child in node.named_children:
            definition: Node | None = child
            if child.type == "decorated_definition":
                definition = child.child_by_field_name("definition")
            elif child.type == "ERROR":
                self.walk(child, prefix, in_class)
                continue
            if definition is None:
                continue
            name_node = definition.child_by_field_name("name")
            if name_node is None:
                continue
            name = prefix + self.text(name_node)
            if definition.type == "function_definition":
                self.add(name, "method" if in_class else "function", child, name_node)
            elif definition.type == "class_definition":
                self.add(name, "class", child, name_node)
                body = definition.child_by_field_name("body")
                if body is not None:
                    self.walk(body, name + ".", in_class=True)


# --------------------------------------------------------------------------- TS / JS

_TS_DECLARATIONS = {
    "function_declaration": "function",
    "generator_function_declaration": "function",
    "class_declaration": "class",
    "abstract_class_declaration": "class",
    "interface_declaration": "interface",
    "type_alias_declaration": "type",
    "enum_declaration": "enum",
    "internal_module": "module",
    "module": "module",
}
_TS_FUNCTION_VALUES = frozenset(
    {"arrow_function", "function_expression", "function", "generator_function"}
)
_TS_NAME_NODES = frozenset(
    {
        "identifier",
        "type_identifier",
        "property_identifier",
        "private_property_identifier",
        "nested_identifier",
    }
)


class _TypeScriptWalker(_Walker):
    always_attached = frozenset({"decorator"})

    def is_doc_comment(self, node: Node) -> bool:
        return node.type == "comment" and self.src.startswith(b"/**", node.start_byte)

    def walk(self, node: Node, prefix: str) -> None:
        for child in node.named_children:
            self._statement(child, child, prefix)

    def _member_name(self, node: Node | None) -> str | None:
        if node is None:
            return None
        if node.type in _TS_NAME_NODES:
            return self.text(node)
        if node.type == "string":
            return self.text(node)[1:-1]
        return None  # computed names

    def _statement(self, node: Node, outer: Node, prefix: str) -> None:
        kind_of = node.type
        if kind_of in ("export_statement", "ambient_declaration", "expression_statement"):
            for child in node.named_children:
                if child.type not in ("decorator", "comment"):
                    self._statement(child, outer, prefix)
        elif kind_of == "ERROR":
            self.walk(node, prefix)
        elif kind_of in ("lexical_declaration", "variable_declaration"):
            declarators = [c for c in node.named_children if c.type == "variable_declarator"]
            for declarator in declarators:
                name_node = declarator.child_by_field_name("name")
                value = declarator.child_by_field_name("value")
                if (
                    name_node is not None
                    and name_node.type == "identifier"
                    and value is not None
                    and value.type in _TS_FUNCTION_VALUES
                ):
                    span = outer if len(declarators) == 1 else declarator
                    self.add(prefix + self.text(name_node), "function", span, name_node)
        elif kind_of in _TS_DECLARATIONS:
            kind = _TS_DECLARATIONS[kind_of]
            name_node = node.child_by_field_name("name")
            name = self._member_name(name_node)
            if name_node is None or name is None:
                return  # anonymous default export, `declare module "x"`, `declare global`
            name = prefix + name
            self.add(name, kind, outer, name_node)
            body = node.child_by_field_name("body")
            if body is None:
                return
            if kind == "class":
                self._class_body(body, name + ".")
            elif kind == "interface":
                self._interface_body(body, name + ".")
            elif kind == "module":
                self.walk(body, name + ".")

    def _class_body(self, body: Node, prefix: str) -> None:
        for member in body.named_children:
            kind_of = member.type
            if kind_of == "ERROR":
                self._class_body(member, prefix)
            elif kind_of in ("method_definition", "abstract_method_signature"):
                name_node = member.child_by_field_name("name")
                name = self._member_name(name_node)
                if name_node is None or name is None:
                    continue
                is_ctor = name == "constructor" and kind_of == "method_definition"
                kind = "constructor" if is_ctor else "method"
                self.add(prefix + name, kind, member, name_node, member=True)
            elif kind_of in ("public_field_definition", "field_definition"):
                name_node = member.child_by_field_name("name") or member.child_by_field_name(
                    "property"
                )
                value = member.child_by_field_name("value")
                name = self._member_name(name_node)
                if name_node is None or name is None or value is None:
                    continue
                if value.type in _TS_FUNCTION_VALUES:
                    self.add(prefix + name, "method", member, name_node, member=True)

    def _interface_body(self, body: Node, prefix: str) -> None:
        for member in body.named_children:
            if member.type == "method_signature":
                name_node = member.child_by_field_name("name")
                name = self._member_name(name_node)
                if name_node is not None and name is not None:
                    self.add(prefix + name, "method", member, name_node, member=True)


# --------------------------------------------------------------------------- Go


class _GoWalker(_Walker):
    def is_doc_comment(self, node: Node) -> bool:
        return node.type == "comment"

    def walk(self, node: Node, prefix: str) -> None:
        for child in node.named_children:
            kind_of = child.type
            if kind_of == "ERROR":
                self.walk(child, prefix)
            elif kind_of == "function_declaration":
                name_node = child.child_by_field_name("name")
                if name_node is not None:
                    self.add(prefix + self.text(name_node), "function", child, name_node)
            elif kind_of == "method_declaration":
                name_node = child.child_by_field_name("name")
                receiver = self._receiver_type(child.child_by_field_name("receiver"))
                if name_node is not None:
                    qualified = (
                        f"{receiver}.{self.text(name_node)}" if receiver else self.text(name_node)
                    )
                    self.add(prefix + qualified, "method", child, name_node)
            elif kind_of == "type_declaration":
                self._type_declaration(child, prefix)

    def _receiver_type(self, receiver: Node | None) -> str | None:
        if receiver is None:
            return None
        params = [c for c in receiver.named_children if c.type == "parameter_declaration"]
        if not params:
            return None
        node = params[0].child_by_field_name("type")
        while node is not None and node.type not in ("type_identifier", "identifier"):
            inner = node.child_by_field_name("type")
            if inner is None:
                inner = node.named_children[0] if node.named_children else None
            node = inner
        return None if node is None else self.text(node)

    def _type_declaration(self, declaration: Node, prefix: str) -> None:
        specs = [c for c in declaration.named_children if c.type in ("type_spec", "type_alias")]
        for spec in specs:
            name_node = spec.child_by_field_name("name")
            if name_node is None:
                continue
            type_node = spec.child_by_field_name("type")
            type_of = type_node.type if type_node is not None else ""
            kind = {"struct_type": "struct", "interface_type": "interface"}.get(type_of, "type")
            if spec.type == "type_alias":
                kind = "type"
            name = prefix + self.text(name_node)
            self.add(name, kind, declaration if len(specs) == 1 else spec, name_node)
            if kind == "interface" and type_node is not None:
                for elem in type_node.named_children:
                    elem_name = elem.child_by_field_name("name")
                    if elem.type == "method_elem" and elem_name is not None:
                        self.add(f"{name}.{self.text(elem_name)}", "method", elem, elem_name)


# --------------------------------------------------------------------------- Rust

_RUST_ITEMS = {
    "struct_item": "struct",
    "union_item": "struct",
    "enum_item": "enum",
    "trait_item": "trait",
    "type_item": "type",
    "mod_item": "module",
}


class _RustWalker(_Walker):
    always_attached = frozenset({"attribute_item"})

    def is_doc_comment(self, node: Node) -> bool:
        if node.type not in ("line_comment", "block_comment"):
            return False
        return any(c.type == "outer_doc_comment_marker" for c in node.children)

    def walk(self, node: Node, prefix: str, owner: str = "") -> None:
        for child in node.named_children:
            kind_of = child.type
            if kind_of == "ERROR":
                self.walk(child, prefix, owner)
            elif kind_of == "function_item" or (
                kind_of == "function_signature_item" and owner == "trait"
            ):
                name_node = child.child_by_field_name("name")
                if name_node is not None:
                    kind = "method" if owner else "function"
                    self.add(prefix + self.text(name_node), kind, child, name_node)
            elif kind_of == "impl_item":
                type_name = self._type_name(child.child_by_field_name("type"))
                body = child.child_by_field_name("body")
                if type_name and body is not None:
                    self.walk(body, f"{prefix}{type_name}.", "impl")
            elif kind_of in _RUST_ITEMS:
                name_node = child.child_by_field_name("name")
                if name_node is None:
                    continue
                kind = _RUST_ITEMS[kind_of]
                name = prefix + self.text(name_node)
                self.add(name, kind, child, name_node)
                body = child.child_by_field_name("body")
                if body is None and kind == "module":
                    body = next(
                        (c for c in child.named_children if c.type == "declaration_list"), None
                    )
                if body is not None and kind in ("trait", "module"):
                    self.walk(body, name + ".", "trait" if kind == "trait" else "")

    def _type_name(self, node: Node | None) -> str | None:
        while node is not None:
            if node.type in ("type_identifier", "primitive_type"):
                return self.text(node)
            if node.type == "scoped_type_identifier":
                node = node.child_by_field_name("name")
            elif node.type in ("generic_type", "reference_type", "pointer_type"):
                node = node.child_by_field_name("type")
            elif node.type == "dynamic_type":
                node = node.child_by_field_name("trait")
            else:
                return self.text(node)
        return None


# --------------------------------------------------------------------------- Java

_JAVA_TYPES = {
    "class_declaration": "class",
    "record_declaration": "class",
    "interface_declaration": "interface",
    "enum_declaration": "enum",
    "annotation_type_declaration": "interface",
}
_JAVA_MEMBERS = {
    "method_declaration": "method",
    "constructor_declaration": "constructor",
    "compact_constructor_declaration": "constructor",
}


class _JavaWalker(_Walker):
    def is_doc_comment(self, node: Node) -> bool:
        return node.type == "block_comment" and self.src.startswith(b"/**", node.start_byte)

    def walk(self, node: Node, prefix: str) -> None:
        for child in node.named_children:
            kind_of = child.type
            if kind_of in ("ERROR", "enum_body_declarations"):
                self.walk(child, prefix)
            elif kind_of in _JAVA_TYPES or kind_of in _JAVA_MEMBERS:
                name_node = child.child_by_field_name("name")
                if name_node is None:
                    continue
                name = prefix + self.text(name_node)
                if kind_of in _JAVA_MEMBERS:
                    self.add(name, _JAVA_MEMBERS[kind_of], child, name_node)
                    continue
                self.add(name, _JAVA_TYPES[kind_of], child, name_node)
                body = child.child_by_field_name("body")
                if body is not None:
                    self.walk(body, name + ".")


_WALKERS: dict[str, Callable[[bytes], _Walker]] = {
    "python": _PythonWalker,
    "typescript": _TypeScriptWalker,
    "tsx": _TypeScriptWalker,
    "javascript": _TypeScriptWalker,
    "go": _GoWalker,
    "rust": _RustWalker,
    "java": _JavaWalker,
}


def extract(root: Node, src: bytes, language: str) -> list[RawSymbol]:
    """Symbols under `root` (parsed from `src`) in source order, outer before inner."""
    return _WALKERS[language](src).run(root)
