"""What the policy owner taught the advisor from tickets: examples added to topics and the
owner's own entries, kept in the database and served by every replica (docs/tickets.md)."""
