"""Tickets: questions put to the policy owner and their answers (``records``: the types and the
:class:`~bot.tickets.records.TicketStore` port; ``memory`` and ``sql``: its stores;
``lifecycle``: what each action does; ``desk``: what the channels call)."""
