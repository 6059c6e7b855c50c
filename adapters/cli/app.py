"""The ``advisor`` command and its groups; the commands themselves live one group a module."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Advisor: using social networks safely for business.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
kb_app = typer.Typer(help="Check the knowledge base.", no_args_is_help=True)
log_app = typer.Typer(help="Retention and erasure in the query log.", no_args_is_help=True)
db_app = typer.Typer(help="The query log's database.", no_args_is_help=True)
bench_app = typer.Typer(help="Measure the matcher.", no_args_is_help=True)
model_app = typer.Typer(help="The sentence encoder's model: fetch, show.", no_args_is_help=True)
tickets_app = typer.Typer(help="Questions put to the policy owner.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")
app.add_typer(model_app, name="model")
app.add_typer(kb_app, name="kb")
app.add_typer(log_app, name="log")
app.add_typer(db_app, name="db")
app.add_typer(tickets_app, name="tickets")
