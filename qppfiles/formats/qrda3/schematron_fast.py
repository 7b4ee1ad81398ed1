"""Make a compiled ISO schematron stylesheet select its rule contexts instead of walking for them.

lxml's ``isoschematron`` compiles each schematron pattern to an XSLT mode ``M<n>``: the root template
applies ``select="/" mode="M<n>"``, and every template of that mode recurses into
``@*|*|comment()|processing-instruction()``, so the whole document, attributes included, is walked
once per pattern (about 70 in the CMS QRDA III guides).  Each ``svrl:active-pattern`` also holds a
bare ``apply-templates`` in the default mode that walks the document once more and writes nothing.
Together these walks are nearly all of the run time.

:func:`speed_up` rewrites that stylesheet, in place, so that each pattern is given only its candidate
nodes: the elements whose local name is the last step of one of the pattern's rule contexts, found
through one ``xsl:key`` over the document's elements.  The templates of the pattern's mode stay as
they are (only their recursion is dropped), so the XSLT processor still picks, for each candidate,
the first rule of the pattern that matches it (by priority), and a candidate no rule matches falls
to the mode's default template, which now writes nothing.  Candidates are processed in document
order, as the walk met them, so the SVRL report is the same, fired rules and failed asserts in the
same order.

A pattern is left walking when a context of it could match something other than a named element
(``*``, ``node()``, an attribute, the root, a ``key()`` or ``id()`` call) or when its rules read
``position()`` or ``last()`` (which would count candidates instead of siblings), and the no-op walks
stay when the default mode has templates of its own; correctness never depends on the rewrite applying.

:data:`VERSION` names this rewrite in the cache key of compiled stylesheets; change it whenever
the rewrite changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

XSL = "http://www.w3.org/1999/XSL/Transform"
VERSION = "select-contexts-2"
NAME_KEY = "qppfiles-schematron-elements"
TEMPLATE_KEY = "qppfiles-schematron-templateIds"
_RECURSE = "@*|*|comment()|processing-instruction()"
_NAME = re.compile(r"^(?:child::)?(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)$")
_MODE = re.compile(r"^M\d+$")
_TEMPLATE_ID = re.compile(r"""^(?:[A-Za-z_][\w.-]*:)?templateId\[\s*@root\s*=\s*(['"])([^'"]*)\1\s*\]""")


def _top_level(text: str, separator: str) -> Iterator[int]:
    """Indexes of ``separator`` in ``text`` outside brackets, parentheses and quotes."""
    depth, quote = 0, ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif ch == separator and depth == 0:
            yield i


def _split(text: str, separator: str) -> list[str]:
    parts, start = [], 0
    for i in _top_level(text, separator):
        parts.append(text[start:i])
        start = i + 1
    parts.append(text[start:])
    return parts


def _groups(text: str) -> list[str] | None:
    """The bodies of ``[a][b]...``, or None when ``text`` is anything else."""
    bodies, start = [], 0
    while start < len(text):
        if text[start] != "[":
            return None
        depth, quote, end = 0, "", None
        for i in range(start, len(text)):
            ch = text[i]
            if quote:
                quote = "" if ch == quote else quote
            elif ch in "'\"":
                quote = ch
            elif ch == "[":
                depth += 1
            elif ch == "]":
                depth -= 1
                if depth == 0:
                    end = i
                    break
        if end is None:
            return None
        bodies.append(text[start + 1:end])
        start = end + 1
    return bodies


def _template_root(step: str) -> str | None:
    """R when ``step`` is ``p:templateId[@root='R']...``: a templateId element with that root."""
    found = _TEMPLATE_ID.match(step)
    if not found or _groups(step[found.end():]) is None:
        return None
    return found.group(2)


def _candidates(alternative: str) -> str | None:
    """An XPath selecting at least every element the pattern ``alternative`` matches, or None.

    With a step ``p:X[p:templateId[@root='R']...]`` (or a step ``p:templateId[@root='R']...``)
    the candidates are reached from the templateId key and the steps after it; otherwise they
    are the elements named like the last step.
    """
    steps = _split(alternative.strip(), "/")
    last = steps[-1].strip()
    name = _NAME.match(last.split("[", 1)[0].strip())  # a name holds no "[": the first one opens predicates
    if not name or last.startswith(("key(", "id(")):
        return None
    for i, step in enumerate(steps):
        step = step.strip()
        after = [s.strip() for s in steps[i + 1:]]
        if not step or any(not s or "$" in s or "current()" in s for s in after):
            continue
        root = _template_root(step)
        if root is not None:
            start = f"key('{TEMPLATE_KEY}', '{root}')"
        else:
            head, _, rest = step.partition("[")
            predicates = _groups("[" + rest) if rest else None
            root = _template_root(predicates[0].strip()) if predicates else None
            if root is None or not _NAME.match(head.strip()):
                continue
            start = f"key('{TEMPLATE_KEY}', '{root}')/parent::*"
        return "/".join([start] + after)
    return f"key('{NAME_KEY}', '{name.group(1)}')"


def context_candidates(match: str) -> list[str] | None:
    """XPaths that together select at least every element a rule context can match, or None.

    None means the context may match something other than a named element (``*``, ``node()``,
    an attribute, the root), so the pattern must keep walking.
    """
    found = []
    for alternative in _split(match, "|"):
        candidates = _candidates(alternative)
        if candidates is None:
            return None
        found.append(candidates)
    return found


def _q(tag: str) -> str:
    return f"{{{XSL}}}{tag}"


def speed_up(xslt_doc) -> dict:
    """Rewrite a stylesheet compiled by ``isoschematron`` in place; returns what was rewritten.

    The result counts ``patterns`` (given their candidates), ``walking`` (left to walk) and
    ``idle_walks`` (no-op default-mode walks removed).
    """
    root = xslt_doc.getroot() if hasattr(xslt_doc, "getroot") else xslt_doc
    templates = root.findall(_q("template"))
    by_mode: dict[str, list[Any]] = {}
    for template in templates:
        mode = template.get("mode")
        if mode and _MODE.match(mode):
            by_mode.setdefault(mode, []).append(template)
    done = {"patterns": 0, "walking": 0, "idle_walks": 0}

    starts: dict[str, list[Any]] = {}
    for apply in root.iter(_q("apply-templates")):
        if apply.get("select") == "/" and apply.get("mode") in by_mode:
            starts.setdefault(apply.get("mode"), []).append(apply)

    for mode, mode_templates in by_mode.items():
        selects: list[str] = []
        for template in mode_templates:
            priority = template.get("priority")
            match = template.get("match", "")
            if priority in ("-1", "-2") and match in ("text()", "@*|node()"):
                continue  # the mode's own defaults
            found = context_candidates(match)
            if found is None:
                selects = []
                break
            selects += [x for x in found if x not in selects]
        start = starts.get(mode, ())
        if (not selects or len(start) != 1 or not _same_prefixes(mode_templates, start[0])
                or _uses_context_position(mode_templates)):
            done["walking"] += 1
            continue
        for template in mode_templates:
            for child in template.findall(_q("apply-templates")):
                if child.get("select") == _RECURSE and child.get("mode") == mode:
                    template.remove(child)
        starts[mode][0].set("select", " | ".join(selects))
        done["patterns"] += 1

    if done["patterns"]:
        # xsl:key is a top-level element; it goes before the first template.
        at = root.index(templates[0]) if templates else len(root)
        for name, match, use in ((NAME_KEY, "*", "local-name()"),
                                 (TEMPLATE_KEY, "*[local-name()='templateId']", "@root")):
            root.insert(at, root.makeelement(_q("key"), {"name": name, "match": match, "use": use}))

    if _default_mode_writes_nothing(templates):
        for pattern in root.iter("{http://purl.oclc.org/dsdl/svrl}active-pattern"):
            for child in pattern.findall(_q("apply-templates")):
                if child.get("select") is None and child.get("mode") is None:
                    pattern.remove(child)
                    done["idle_walks"] += 1
    return done


def _uses_context_position(templates) -> bool:
    """True when a rule may read position() or last(), which count the walk's siblings, not candidates."""
    return any("position()" in value or "last()" in value
               for t in templates for el in t.iter() for value in el.attrib.values())


def _same_prefixes(templates, apply) -> bool:
    """The rule contexts' prefixes mean the same where their candidates are selected."""
    return all(apply.nsmap.get(prefix) == uri for t in templates for prefix, uri in t.nsmap.items())


def _default_mode_writes_nothing(templates) -> bool:
    """True when the default mode has only the root template and the text-stripping one.

    Then ``<apply-templates/>`` from the root runs XSLT's built-in rules over the elements and
    the stripping template over text: it writes nothing.
    """
    for template in templates:
        if template.get("mode") is not None or template.get("name") is not None and not template.get("match"):
            continue
        if template.get("match") == "text()" and (len(template) or (template.text or "").strip()):
            return False
        if template.get("match") not in ("/", "text()"):
            return False
    return True


__all__ = ["speed_up", "context_candidates", "VERSION"]
