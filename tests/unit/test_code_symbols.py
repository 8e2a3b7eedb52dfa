"""specls.code: symbols, spans and replacement over tree-sitter trees."""

from __future__ import annotations

import sys
import textwrap
import threading

import pytest
from specls.code import (
    KINDS,
    MAX_PARSE_CHARS,
    SUPPORTED_LANGUAGES,
    Symbol,
    SymbolNotFound,
    find_symbol,
    language_for_path,
    list_symbols,
    replace_symbol,
    symbol_hash,
    symbol_text,
)
from specls.text import LineIndex, Range


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def table(text: str, language: str) -> list[tuple[str, str, str, str]]:
    """(name, kind, range, selection range) per symbol; also checks offsets agree with ranges."""
    rows = []
    index = LineIndex(text)
    for s in list_symbols(text, language):
        assert index.range(s.start, s.end) == s.range
        assert s.kind in KINDS
        assert (
            text[index.offset(s.selection_range.start) : index.offset(s.selection_range.end)]
            == (s.name.rsplit(".", 1)[-1])
        )
        rows.append((s.name, s.kind, str(s.range), str(s.selection_range)))
    return rows


def spans(text: str, language: str) -> dict[str, str]:
    return {s.name: symbol_text(text, s) for s in list_symbols(text, language)}


# --------------------------------------------------------------------------- languages


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("a.py", "python"),
        ("stubs/a.pyi", "python"),
        ("a.ts", "typescript"),
        ("a.mts", "typescript"),
        ("a.cts", "typescript"),
        ("a.tsx", "tsx"),
        ("a.js", "javascript"),
        ("a.mjs", "javascript"),
        ("a.cjs", "javascript"),
        ("a.jsx", "javascript"),
        ("cmd/main.go", "go"),
        ("src/lib.rs", "rust"),
        ("A.java", "java"),
        ("C:\\src\\A.PY", "python"),
        ("src/x.py#Session", "python"),
        ("README.md", None),
        ("Makefile", None),
        ("a.c", None),
        (".py", None),
    ],
)
def test_language_for_path(path: str, language: str | None) -> None:
    assert language_for_path(path) == language


def test_unknown_language_and_huge_input_give_nothing() -> None:
    assert list_symbols("def f(): pass\n", "cobol") == []
    assert find_symbol("def f(): pass\n", "cobol", "f") is None
    assert symbol_hash("def f(): pass\n", "cobol", "f") is None
    huge = "def f(): pass\n" + " " * MAX_PARSE_CHARS
    assert list_symbols(huge, "python") == []
    assert {
        "python",
        "typescript",
        "tsx",
        "javascript",
        "go",
        "rust",
        "java",
    } == SUPPORTED_LANGUAGES


def test_import_is_cheap() -> None:
    import subprocess

    code = "import sys, specls.code; print(any('tree_sitter' in m for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- Python

PY = src(
    '''
    import os


    @decorator
    @other(1)
    def decorated(a, b):
        return a + b


    async def fetch():
        def local():
            pass


    class Outer(Base):
        """Doc."""

        x = 1

        def method(self):
            return 1

        @property
        async def prop(self):
            return 2

        class Inner:
            def deep(self):
                pass
    '''
)


def test_python_symbols() -> None:
    assert table(PY, "python") == [
        ("decorated", "function", "3:0-6:16", "5:4-5:13"),
        ("fetch", "function", "9:0-11:12", "9:10-9:15"),
        ("Outer", "class", "14:0-28:16", "14:6-14:11"),
        ("Outer.method", "method", "19:4-20:16", "19:8-19:14"),
        ("Outer.prop", "method", "22:4-24:16", "23:14-23:18"),
        ("Outer.Inner", "class", "26:4-28:16", "26:10-26:15"),
        ("Outer.Inner.deep", "method", "27:8-28:16", "27:12-27:16"),
    ]


def test_python_spans_include_decorators() -> None:
    s = spans(PY, "python")
    assert s["decorated"] == "@decorator\n@other(1)\ndef decorated(a, b):\n    return a + b"
    assert s["Outer.prop"] == "@property\n    async def prop(self):\n        return 2"
    assert s["Outer.Inner.deep"] == "def deep(self):\n            pass"
    assert "local" not in s and "fetch.local" not in s


# --------------------------------------------------------------------------- TypeScript

TS = src(
    """
    import { x } from "./x";

    // a plain comment is not part of the symbol
    /** Adds. */
    export function add(a: number, b: number): number {
      return a + b;
    }

    @Component({})
    export class Greeter<T> extends Base implements Named {
      /** The greeting. */
      @Input() name = "x";

      constructor(private readonly prefix: string) {
        super();
      }

      @log
      greet(who: string): string {
        return `${this.prefix} ${who}`;
      }

      handler = () => 1;
    }

    export interface Named {
      name: string;
      rename(to: string): void;
    }

    export type Id = string | number;

    enum Color { Red, Green }

    export const double = (n: number) => n * 2;
    const a = 1, triple = (n: number) => n * 3;
    """
)


def test_typescript_symbols() -> None:
    assert table(TS, "typescript") == [
        ("add", "function", "3:0-6:1", "4:16-4:19"),
        ("Greeter", "class", "8:0-23:1", "9:13-9:20"),
        ("Greeter.constructor", "constructor", "13:2-15:3", "13:2-13:13"),
        ("Greeter.greet", "method", "17:2-20:3", "18:2-18:7"),
        ("Greeter.handler", "method", "22:2-22:20", "22:2-22:9"),
        ("Named", "interface", "25:0-28:1", "25:17-25:22"),
        ("Named.rename", "method", "27:2-27:27", "27:2-27:8"),
        ("Id", "type", "30:0-30:33", "30:12-30:14"),
        ("Color", "enum", "32:0-32:25", "32:5-32:10"),
        ("double", "function", "34:0-34:43", "34:13-34:19"),
        ("triple", "function", "35:13-35:42", "35:13-35:19"),
    ]


def test_typescript_spans_include_export_decorators_and_doc_comments() -> None:
    s = spans(TS, "typescript")
    assert s["add"].startswith("/** Adds. */\nexport function add(")
    assert s["Greeter"].startswith("@Component({})\nexport class Greeter<T>")
    assert s["Greeter.greet"].startswith("@log\n  greet(who: string)")
    assert s["Greeter.handler"] == "handler = () => 1;"
    assert s["double"] == "export const double = (n: number) => n * 2;"
    assert s["triple"] == "triple = (n: number) => n * 3"


TSX = src(
    """
    import React from "react";

    export function App({ title }: Props) {
      return <h1 className="t">{title}</h1>;
    }

    export const Button = ({ label }: { label: string }) => <button>{label}</button>;

    interface Props { title: string }
    """
)


def test_tsx_symbols() -> None:
    assert table(TSX, "tsx") == [
        ("App", "function", "2:0-4:1", "2:16-2:19"),
        ("Button", "function", "6:0-6:81", "6:13-6:19"),
        ("Props", "interface", "8:0-8:33", "8:10-8:15"),
    ]


JS = src(
    """
    /**
     * Sums.
     */
    export function sum(xs) {
      return xs.reduce((a, b) => a + b, 0);
    }

    export default class Store {
      #items = [];
      add(item) { this.#items.push(item); }
      static create = () => new Store();
      *[Symbol.iterator]() { yield* this.#items; }
    }

    function* ids() { yield 1; }
    export const view = () => <div />;
    var legacy = function () {};
    """
)


def test_javascript_symbols() -> None:
    assert table(JS, "javascript") == [
        ("sum", "function", "0:0-5:1", "3:16-3:19"),
        ("Store", "class", "7:0-12:1", "7:21-7:26"),
        ("Store.add", "method", "9:2-9:39", "9:2-9:5"),
        ("Store.create", "method", "10:2-10:36", "10:9-10:15"),
        ("ids", "function", "14:0-14:28", "14:10-14:13"),
        ("view", "function", "15:0-15:34", "15:13-15:17"),
        ("legacy", "function", "16:0-16:28", "16:4-16:10"),
    ]


# --------------------------------------------------------------------------- Go

GO = src(
    """
    package store

    import "fmt"

    // Store keeps items.
    // It is safe for one goroutine.
    type Store struct {
    \titems []string
    }

    // NewStore makes a Store.
    func NewStore() *Store {
    \treturn &Store{}
    }

    func (s *Store) Add(item string) {
    \ts.items = append(s.items, item)
    }

    func (s Store) Len() int { return len(s.items) }

    func (l *List[T]) Push(v T) {}

    type (
    \tReader interface {
    \t\tRead() string
    \t}
    \tID = string
    )
    """
)


def test_go_symbols() -> None:
    assert table(GO, "go") == [
        ("Store", "struct", "4:0-8:1", "6:5-6:10"),
        ("NewStore", "function", "10:0-13:1", "11:5-11:13"),
        ("Store.Add", "method", "15:0-17:1", "15:16-15:19"),
        ("Store.Len", "method", "19:0-19:48", "19:15-19:18"),
        ("List.Push", "method", "21:0-21:30", "21:18-21:22"),
        ("Reader", "interface", "24:1-26:2", "24:1-24:7"),
        ("Reader.Read", "method", "25:2-25:15", "25:2-25:6"),
        ("ID", "type", "27:1-27:12", "27:1-27:3"),
    ]


# --------------------------------------------------------------------------- Rust

RUST = src(
    """
    //! Crate docs are not attached.

    use std::fmt;

    /// A point.
    #[derive(Debug, Clone)]
    pub struct Point {
        x: i32,
    }

    pub enum Shape { Dot(Point) }

    pub trait Area {
        fn area(&self) -> f64;
        fn describe(&self) -> String { String::new() }
    }

    impl Point {
        /// Makes one.
        pub fn new(x: i32) -> Self { Point { x } }
    }

    impl<T> fmt::Display for Wrapper<T> {
        fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result { Ok(()) }
    }

    // not a doc comment
    pub async fn run() {}

    mod inner {
        pub fn helper() {}
    }
    """
)


def test_rust_symbols() -> None:
    assert table(RUST, "rust") == [
        ("Point", "struct", "4:0-8:1", "6:11-6:16"),
        ("Shape", "enum", "10:0-10:29", "10:9-10:14"),
        ("Area", "trait", "12:0-15:1", "12:10-12:14"),
        ("Area.area", "method", "13:4-13:26", "13:7-13:11"),
        ("Area.describe", "method", "14:4-14:50", "14:7-14:15"),
        ("Point.new", "method", "18:4-19:46", "19:11-19:14"),
        ("Wrapper.fmt", "method", "23:4-23:67", "23:7-23:10"),
        ("run", "function", "27:0-27:21", "27:13-27:16"),
        ("inner", "module", "29:0-31:1", "29:4-29:9"),
        ("inner.helper", "function", "30:4-30:22", "30:11-30:17"),
    ]


# --------------------------------------------------------------------------- Java

JAVA = src(
    """
    package demo;

    import java.util.List;

    /** A greeter. */
    @Deprecated
    public class Greeter {
        private final String prefix;

        /** Makes one. */
        public Greeter(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public String toString() { return prefix; }

        static class Inner {
            void run() {}
        }
    }

    interface Named { String name(); }

    enum Color { RED; Color next() { return RED; } }
    """
)


def test_java_symbols() -> None:
    assert table(JAVA, "java") == [
        ("Greeter", "class", "4:0-20:1", "6:13-6:20"),
        ("Greeter.Greeter", "constructor", "9:4-12:5", "10:11-10:18"),
        ("Greeter.toString", "method", "14:4-15:47", "15:18-15:26"),
        ("Greeter.Inner", "class", "17:4-19:5", "17:17-17:22"),
        ("Greeter.Inner.run", "method", "18:8-18:21", "18:13-18:16"),
        ("Named", "interface", "22:0-22:34", "22:10-22:15"),
        ("Named.name", "method", "22:18-22:32", "22:25-22:29"),
        ("Color", "enum", "24:0-24:48", "24:5-24:10"),
        ("Color.next", "method", "24:18-24:46", "24:24-24:28"),
    ]


# --------------------------------------------------------------------------- non-ASCII


@pytest.mark.parametrize(
    ("language", "text", "name", "rng", "sel", "body"),
    [
        (
            "typescript",
            'const s = "😀漢字"; /* 🎉 */ export function f() { return "😀"; }\n',
            "f",
            "0:27-0:63",
            "0:43-0:44",
            'export function f() { return "😀"; }',
        ),
        (
            "go",
            'package p\n\nvar s = "😀漢字"; func F() string { return "🎉" }\n',
            "F",
            "2:16-2:47",
            "2:21-2:22",
            'func F() string { return "🎉" }',
        ),
        (
            "rust",
            'const S: &str = "漢字😀"; fn f() -> &\'static str { "🎉" }\n',
            "f",
            "0:24-0:55",
            "0:27-0:28",
            'fn f() -> &\'static str { "🎉" }',
        ),
        (
            "java",
            '/* 😀 */ class A { String s = "漢字"; void m() {} }\n',
            "A.m",
            "0:36-0:47",
            "0:41-0:42",
            "void m() {}",
        ),
        (
            "python",
            '# 😀 漢字\ndef 名字():\n    return "😀😀"\n',
            "名字",
            "1:0-2:17",
            "1:4-1:6",
            'def 名字():\n    return "😀😀"',
        ),
        (
            "javascript",
            'let s = "😀"; const g = () => "漢";\n',
            "g",
            "0:14-0:34",
            "0:20-0:21",
            'const g = () => "漢";',
        ),
    ],
)
def test_non_ascii_utf16_columns_and_codepoint_offsets(
    language: str, text: str, name: str, rng: str, sel: str, body: str
) -> None:
    symbol = find_symbol(text, language, name)
    assert symbol is not None
    assert (str(symbol.range), str(symbol.selection_range)) == (rng, sel)
    assert symbol_text(text, symbol) == body
    assert symbol.start == text.index(body)


def test_non_ascii_offsets_stay_right_across_many_symbols() -> None:
    text = "".join(f'def f{i}():\n    return "😀{"漢" * i}"\n\n' for i in range(50))
    symbols = list_symbols(text, "python")
    assert [s.name for s in symbols] == [f"f{i}" for i in range(50)]
    for i, s in enumerate(symbols):
        assert symbol_text(text, s) == f'def f{i}():\n    return "😀{"漢" * i}"'
        assert s.range == Range.of(3 * i, 0, 3 * i + 1, 15 + i)


# --------------------------------------------------------------------------- replace

CLASS = src(
    """
    import os


    class Service:
        def first(self):
            return 1

        @cached
        def second(self):
            return "😀"

        def third(self):
            return 3


    def tail():
        pass
    """
)


def test_replace_method_leaves_everything_else_byte_for_byte() -> None:
    old = find_symbol(CLASS, "python", "Service.second")
    assert old is not None
    new = replace_symbol(CLASS, "python", "Service.second", "def second(self):\n    return 2\n")
    assert new[: old.start] == CLASS[: old.start]
    assert new.endswith(CLASS[old.end :])
    assert new == CLASS.replace(
        '@cached\n    def second(self):\n        return "😀"', "def second(self):\n        return 2"
    )
    before, after = spans(CLASS, "python"), spans(new, "python")
    assert list(before) == list(after)
    for name in ("Service.first", "Service.third", "tail"):
        assert before[name] == after[name]
    assert after["Service.second"] == "def second(self):\n        return 2"


def test_replace_accepts_text_already_at_the_symbols_indentation() -> None:
    dedented = replace_symbol(CLASS, "python", "Service.third", "def third(self):\n    return 33\n")
    indented = replace_symbol(
        CLASS, "python", "Service.third", "    def third(self):\n        return 33\n"
    )
    assert dedented == indented
    assert "    def third(self):\n        return 33\n\n\ndef tail" in dedented


def test_replace_is_idempotent_and_keeps_line_structure() -> None:
    block = "def tail():\n    return None\n"
    once = replace_symbol(CLASS, "python", "tail", block)
    assert once.endswith("\n\n\ndef tail():\n    return None\n")
    assert replace_symbol(once, "python", "tail", block) == once
    # without a trailing newline in the new text the file keeps its own
    assert replace_symbol(CLASS, "python", "tail", block.rstrip("\n")) == once
    # a symbol at the very end of a file without a final newline
    assert replace_symbol("def f(): pass", "python", "f", "def f(): return 1\n") == (
        "def f(): return 1\n"
    )


def test_replace_in_crlf_file_uses_crlf() -> None:
    crlf = CLASS.replace("\n", "\r\n")
    new = replace_symbol(crlf, "python", "Service.first", "def first(self):\n    return 11\n")
    assert new == crlf.replace("return 1\r\n", "return 11\r\n", 1)
    assert "\n" not in new.replace("\r\n", "")


def test_replace_typescript_method_and_exported_function() -> None:
    new = replace_symbol(TS, "typescript", "Greeter.greet", "greet(): string {\n  return 'hi';\n}")
    assert "  greet(): string {\n    return 'hi';\n  }\n\n  handler = () => 1;" in new
    assert (
        spans(new, "typescript")["Greeter.constructor"]
        == spans(TS, "typescript")["Greeter.constructor"]
    )
    new = replace_symbol(TS, "typescript", "add", "export function add() { return 0; }\n")
    assert (
        "// a plain comment is not part of the symbol\nexport function add() { return 0; }\n\n@"
        in (new)
    )


def test_replace_go_method_with_pointer_receiver() -> None:
    new = replace_symbol(GO, "go", "Store.Add", "func (s *Store) Add(item string) {}\n")
    assert new == GO.replace(
        "func (s *Store) Add(item string) {\n\ts.items = append(s.items, item)\n}",
        "func (s *Store) Add(item string) {}",
    )


def test_replace_missing_symbol_raises() -> None:
    with pytest.raises(SymbolNotFound) as info:
        replace_symbol(CLASS, "python", "Service.fourth", "def fourth(self): pass\n")
    assert (info.value.name, info.value.language) == ("Service.fourth", "python")
    assert "Service.fourth" in str(info.value)
    assert isinstance(info.value, LookupError)
    with pytest.raises(SymbolNotFound):
        replace_symbol(CLASS, "cobol", "tail", "")


# --------------------------------------------------------------------------- hashing


def test_symbol_hash_ignores_line_endings_and_trailing_blanks() -> None:
    lf = symbol_hash(CLASS, "python", "Service.second")
    assert lf is not None and lf.startswith("sha256:")
    assert symbol_hash(CLASS.replace("\n", "\r\n"), "python", "Service.second") == lf
    assert symbol_hash(CLASS.replace("return 1", "return 1   "), "python", "Service.first") == (
        symbol_hash(CLASS, "python", "Service.first")
    )
    # the rest of the file does not matter, the symbol's own text does
    assert symbol_hash("x = 1\n" + CLASS, "python", "Service.second") == lf
    assert symbol_hash(CLASS.replace('"😀"', '"🎉"'), "python", "Service.second") != lf
    # not dedented: the same method at another depth is another text
    assert symbol_hash(CLASS, "python", "Service.first") != symbol_hash(
        "def first(self):\n    return 1\n", "python", "first"
    )
    assert symbol_hash(CLASS, "python", "Service.nope") is None


def test_symbols_are_frozen_values() -> None:
    s = find_symbol(CLASS, "python", "tail")
    assert isinstance(s, Symbol)
    with pytest.raises(AttributeError):
        s.name = "other"  # type: ignore[misc]
    assert find_symbol(CLASS, "python", "tail") == s


# --------------------------------------------------------------------------- robustness


def test_python_syntax_error_still_yields_recovered_symbols() -> None:
    text = src(
        """
        def ok():
            pass

        def broken(:
            pass

        def after():
            return 1
        """
    )
    names = [s.name for s in list_symbols(text, "python")]
    assert "ok" in names and "after" in names


def test_typescript_and_go_syntax_errors_still_yield_recovered_symbols() -> None:
    ts = "export function ok() {}\nfunction bad( {\n\nclass K {}\nexport interface I {}\n"
    assert {"ok", "I"} <= {s.name for s in list_symbols(ts, "typescript")}
    go = "package p\nfunc ok() {}\nfunc bad( {\n}\ntype S struct{}\nfunc (s *S) M() {}\n"
    assert [s.name for s in list_symbols(go, "go")] == ["ok", "bad", "S", "S.M"]


@pytest.mark.parametrize("language", sorted(SUPPORTED_LANGUAGES))
@pytest.mark.parametrize(
    "text", ["", "}}}{{{ ((( class def fn func", "\x00\ud800 lone surrogate 😀", "\r\r\n\n"]
)
def test_garbage_never_raises(language: str, text: str) -> None:
    for s in list_symbols(text, language):
        assert 0 <= s.start <= s.end <= len(text)


def test_parsers_are_per_thread() -> None:
    texts = [f"class C{i}:\n    def m(self):\n        return {i}\n" for i in range(16)]
    expected = [[(s.name, s.range) for s in list_symbols(t, "python")] for t in texts]
    results: dict[int, list[tuple[str, Range]]] = {}
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            for round_ in range(20):
                # a fresh text each round defeats the result cache
                text = texts[i] + "\n" * (round_ + 1)
                results[i] = [(s.name, s.range) for s in list_symbols(text, "python")]
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert [results[i] for i in range(16)] == expected


def test_a_parse_that_runs_too_long_is_abandoned(monkeypatch: pytest.MonkeyPatch) -> None:
    """tree-sitter-python goes quadratic on a long run of comments; the budget bounds it."""
    from specls.code import symbols

    monkeypatch.setattr(symbols, "PARSE_BUDGET", 0.05)
    symbols._symbols.cache_clear()
    slow = "def f():\n    pass\n" + ("# " + "x" * 98 + "\n") * 20_000
    assert list_symbols(slow, "python") == []
    assert [s.name for s in list_symbols("def g():\n    pass\n", "python")] == ["g"]
