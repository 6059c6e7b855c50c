"""Matching: a question's text to ranked, scored, explained topics.

``features`` turns text into weighted features; ``lexical`` is the centroid matcher; ``scorers``
and ``fusion`` learn and fuse the lexical and semantic scorers (``encoder``, ``modelfiles``,
``modelhub`` and ``embedcache`` serve the sentence encoder); ``entities`` finds the networks and
apps a question names; ``build`` is the one place a matcher of a given kind is put together.
"""
