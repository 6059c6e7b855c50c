"""The query log: what is recorded of each question, and where it goes.

``records`` holds the record types and the :class:`~bot.querylog.records.QueryLog` port with its
in-memory twin; ``recording`` builds records (``pseudonyms``, ``redaction``) before they leave
the core; ``writer`` hands them to the store (``sql``, its tables in ``schema``, alembic
``migrations``) in the background, with ``spool`` and ``deadletters`` for when the store fails;
``report`` and ``csvexport`` are what the policy owner reads.
"""
