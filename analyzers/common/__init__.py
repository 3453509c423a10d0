"""Language-neutral helpers that rules of every language share.

A rule family (SQL injection, command injection, XSS, ...) is written once
against these helpers and a per-language `Syntax` description; the language
packages (`analyzers/javascript`, `analyzers/python`) only say how their
grammar spells calls, members, strings and definitions.

    syntax.py   node-type vocabulary per language family
    names.py    dotted names, import-resolved names, call/attribute matching
    strings.py  strings built at run time as Literal/Hole segments
    taint.py    intra-procedural taint with sources, sanitisers and sinks as data
    guards.py   "is this value checked before the sink?" questions
"""
