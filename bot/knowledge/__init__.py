"""The knowledge base as validated data: topics and phrases (``knowledge``), checklists, the
organization's policy, bilingual text (``localized``), YAML loading with the file and field named
in errors (``loading``) and the quality checks beyond loading (``kbcheck``).
"""
