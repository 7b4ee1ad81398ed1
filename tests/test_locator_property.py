"""The JSON locator agrees with a plain ``json.loads`` and a pointer walk, on random documents.

For every pointer that resolves in the parsed document, the locator must find it, and the text at the
offset it gives must be that member's key (followed by the member's value) or that element's value.
For a pointer that does not resolve, it must say so. Asked for all pointers at once, in one pass over
the text, it must give the same answers as one by one.
"""

from __future__ import annotations

import json
import random

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from qppfiles.formats.qppjson import JsonLocator
from qppfiles.formats.qppjson import escape_token

KEYS = st.sampled_from(["a", "key", "x", "measureId", "value", "b c", "~0", "k/1", "é", "\"q\"", "}", "[", ""])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                    st.sampled_from(["", "}", "{", "key", "\"key\":", "[1]", "\\"]))
DOCUMENTS = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                          st.dictionaries(KEYS, inner, max_size=4)),
                         max_leaves=25)


def pointers(doc, prefix=""):
    """Every pointer of the document, and for each object a few that do not resolve."""
    yield prefix
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from pointers(value, f"{prefix}/{escape_token(key)}")
        for missing in ("key", "x", "nope"):
            if missing not in doc:
                yield f"{prefix}/{missing}"
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield from pointers(value, f"{prefix}/{i}")
        yield f"{prefix}/{len(doc)}"


class OnePass(JsonLocator):
    """The locator with every batch of pointers placed in one pass, however few."""

    ONE_PASS_ABOVE = 0


def find(text, pointer):
    return JsonLocator(text).find(pointer)


def walk(doc, pointer):
    """(True, parent, token) when the pointer resolves in the parsed document."""
    node, parent, token = doc, None, None
    for raw in pointer.split("/")[1:] if pointer else []:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            parent, node = node, node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            parent, node = node, node[int(token)]
        else:
            return False, None, None
    return True, parent, token


def value_at(text, offset):
    return json.JSONDecoder().raw_decode(text, offset)


def check(doc, text):
    locator = JsonLocator(text, json.loads(text))
    asked = list(pointers(doc))
    assert OnePass(text).find_all(asked) == {pointer: locator.find(pointer) for pointer in asked}
    for pointer in asked:
        exists, parent, token = walk(doc, pointer)
        offset, found = locator.find(pointer)
        assert found == exists, (pointer, text)
        assert find(text, pointer) == (offset, found)      # a fresh locator agrees with the remembering one
        if not exists or not pointer:
            continue
        if isinstance(parent, dict):
            key, end = value_at(text, offset)
            assert key == token, (pointer, text)
            start = text.index(":", end) + 1
            start += len(text[start:]) - len(text[start:].lstrip())
            assert value_at(text, start)[0] == parent[token], (pointer, text)
        else:
            assert value_at(text, offset)[0] == parent[int(token)], (pointer, text)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(DOCUMENTS.filter(lambda d: isinstance(d, (dict, list))), st.integers(0, 3))
def test_locator_agrees_with_json_loads_on_random_documents(doc, layout):
    indent = [None, 2, 0, 1][layout]
    separators = (",", ":") if layout == 0 else None
    text = json.dumps(doc, indent=indent, separators=separators, ensure_ascii=bool(layout % 2))
    check(json.loads(text), text)


def test_a_key_of_an_outer_object_is_not_taken_for_a_member_of_an_inner_one():
    text = '{"a":{"x":1},"key":2}'
    assert find(text, "/a/key") == (text.index('"a"'), False)     # the deepest node found: member a
    assert find(text, "/key") == (text.index('"key"'), True)
    check(json.loads(text), text)


def spaced_out(compact: str, rng: random.Random) -> str:
    """The JSON text with random white space after structural characters outside strings."""
    out, in_string, escaped = [], False, False
    for c in compact:
        out.append(c)
        if in_string:
            in_string = escaped or c != '"'
            escaped = not escaped and c == "\\"
        elif c == '"':
            in_string = True
        elif c in ",:{}[]":
            out.append("".join(rng.choice(" \n\t\r") for _ in range(rng.randrange(3))))
    return "".join(out)


def test_random_whitespace_between_tokens():
    rng = random.Random(5)
    doc = {"a": {"x": 1, "b": [1, {"key": "}"}]}, "key": 2, "q": "\\\"key\\\":",
           "measurementSets": [{"measureId": "001"}]}
    compact = json.dumps(doc, separators=(",", ":"))
    for _ in range(50):
        spaced = spaced_out(compact, rng)
        assert json.loads(spaced) == doc
        check(doc, spaced)
