"""Conversations: the context a follow-up leans on ("and on Instagram?", "why?").

``cues`` reads a message for what it leans on; ``followups`` resolves it against the
conversation's context; ``replies`` says the reasoning, the alternative or an ask-back;
``store`` (the port and its in-memory twin) and ``sql`` keep the context between turns;
``context`` binds a store to the advisor, keyed by a pseudonym, with a time-to-live;
``scoring`` scores labelled conversations.
"""
