"""The ``advisor`` command: ask, chat, check the knowledge base, evaluate."""

from __future__ import annotations

import asyncio
import gc
import getpass
import json
import logging
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from bot import Advisor, AdvisorError, Query, Settings, load_settings
from bot.delivery.sql import SqlDeliveryClaims
from bot.evaluation import evaluate, read_labelled
from bot.knowledge.kbcheck import check_knowledge
from bot.querylog.deadletters import DeadLetters, dead_letters_beside
from bot.querylog.pseudonyms import Pseudonymizer
from bot.querylog.records import LogRecord, QuestionRecord
from bot.querylog.report import build_report
from bot.querylog.spool import Spool
from bot.querylog.sql import SqlQueryLog
from bot.service import Service, pseudonym_key

from .console import Console, to_text
from .slack.journal import SLACK_JOURNAL, Journal

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
app.add_typer(bench_app, name="bench")
app.add_typer(model_app, name="model")
app.add_typer(kb_app, name="kb")
app.add_typer(log_app, name="log")
app.add_typer(db_app, name="db")

DURATION_UNITS = {"h": 3600, "d": 86400, "w": 7 * 86400}


def _fail(exc: Exception) -> typer.Exit:
    typer.secho(f"advisor: {exc}", err=True, fg="red")
    return typer.Exit(2)


def _settings() -> Settings:
    try:
        return load_settings()
    except AdvisorError as exc:
        raise _fail(exc) from exc


def _advisor() -> Advisor:
    try:
        return Advisor.from_settings(_settings())
    except AdvisorError as exc:
        raise _fail(exc) from exc


def _service() -> Service:
    """The advisor with its query log; the command line may create a local pseudonym key."""
    try:
        return Service.start(_settings(), allow_generated_key=True)
    except AdvisorError as exc:
        raise _fail(exc) from exc


def _store(settings: Settings) -> SqlQueryLog:
    store = SqlQueryLog(settings.log_url)
    if settings.is_sqlite:
        store.upgrade()
    return store


def parse_duration(text: str) -> timedelta:
    """``90d``, ``12h``, ``2w`` (a bare number is days)."""
    value = text.strip().lower()
    unit = value[-1] if value and value[-1] in DURATION_UNITS else "d"
    number = value[:-1] if value and value[-1] in DURATION_UNITS else value
    if not number.isdigit() or int(number) <= 0:
        raise typer.BadParameter(f"{text!r} is not a duration such as 90d, 12h or 2w")
    return timedelta(seconds=int(number) * DURATION_UNITS[unit])


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _stdin_lines() -> list[str | None]:
    """Lines of standard input; a line that is not UTF-8 becomes None and is reported."""
    lines: list[str | None] = []
    for raw in sys.stdin.buffer:
        try:
            lines.append(raw.decode("utf-8").rstrip("\r\n"))
        except UnicodeDecodeError:
            lines.append(None)
    return lines


@app.command()
def ask(
    question: Annotated[
        str | None, typer.Argument(help="The question; omit with --json to read lines from stdin.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per question.")] = False,
    user: Annotated[str | None, typer.Option("--user", help="Who asks (logged as a pseudonym).")] = None,
) -> None:
    """Answer a question (or, with --json and no question, every line of standard input)."""
    if question is None and not as_json:
        typer.secho("advisor: give a question, or use --json to read questions from stdin", err=True)
        raise typer.Exit(2)
    who = user or _os_user()
    with _service() as service:
        if question is not None:
            answer = service.advisor.handle(Query(question, channel="cli", user_id=who))
            text = (
                json.dumps(answer.to_dict(), ensure_ascii=False)
                if as_json
                else to_text(answer, sys.stdout.isatty())
            )
            typer.echo(text)
            return
        for number, line in enumerate(_stdin_lines(), 1):
            if line is None:
                record: dict[str, object] = {"line": number, "error": "this line is not valid UTF-8 text"}
            else:
                record = service.advisor.handle(Query(line, channel="cli", user_id=who)).to_dict()
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            sys.stdout.flush()


@app.command()
def chat() -> None:
    """Talk to the advisor in the terminal (type a number to pick an offered option)."""
    with _service() as service:
        Console(service.advisor, input, sys.stdout, color=sys.stdout.isatty(), user=_os_user()).run()


@app.command()
def checklist(
    name: Annotated[str, typer.Argument(help="A checklist's id, name or alias, in either language.")] = "",
    list_all: Annotated[bool, typer.Option("--list", help="List the checklists.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the checklist as data.")] = False,
    tick: Annotated[bool, typer.Option("--tick", help="Tick through it item by item.")] = False,
) -> None:
    """Print a checklist (or tick through it); an unknown name lists the checklists."""
    advisor = _advisor()
    answer = advisor.handle(Query("", channel="cli", checklist="" if list_all else name))
    if as_json:
        if answer.steps:
            typer.echo(json.dumps(answer.steps.to_dict(), ensure_ascii=False, indent=2))
        else:
            options = [{"id": o.id, "title": o.title} for o in answer.options]
            typer.echo(json.dumps({"checklists": options}, ensure_ascii=False, indent=2))
    elif tick and answer.steps:
        console = Console(advisor, input, sys.stdout, color=sys.stdout.isatty())
        typer.echo(to_text(console.tick_through(answer.steps), sys.stdout.isatty()))
    else:
        typer.echo(to_text(answer, sys.stdout.isatty()))
    if answer.steps is None and name and not list_all:
        raise typer.Exit(1)


@kb_app.command("check")
def kb_check() -> None:
    """Validate the knowledge base and policy file; warn about near-identical examples."""
    advisor = _advisor()
    findings = check_knowledge(advisor.knowledge)
    for finding in findings:
        typer.echo(str(finding), err=finding.level == "error")
    errors = sum(f.level == "error" for f in findings)
    knowledge = advisor.knowledge
    typer.echo(
        f"{len(knowledge.topics)} topics, {len(knowledge.checklists)} checklists, "
        f"{errors} error(s), {len(findings) - errors} warning(s)"
    )
    if errors:
        raise typer.Exit(1)


@app.command("eval")
def eval_(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="JSON lines: q, topic (or null), lang.")
    ],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Score the advisor on a labelled question set."""
    advisor = _advisor()
    try:
        rows = read_labelled(file)
    except ValueError as exc:
        typer.secho(f"advisor: {exc}", err=True, fg="red")
        raise typer.Exit(2) from exc
    report = evaluate(advisor, rows)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return
    for lang in sorted(report.total):
        typer.echo(
            f"topic accuracy ({lang}): {report.accuracy(lang):.1%} of {report.total[lang]}"
            f" (asked back on {report.clarified[lang]})"
        )
    typer.echo(
        f"decline precision: {report.decline_precision:.1%}  recall: {report.decline_recall:.1%}"
        f" of {report.should_decline}"
    )
    typer.echo(f"in-scope questions wrongly declined: {report.wrongly_declined_rate:.1%}")
    if report.confusions:
        typer.echo("confusions (expected -> got):")
        for (expected, got), count in report.confusions.most_common():
            typer.echo(f"  {count} x {expected} -> {got}")


@app.command("tune")
def tune_(
    files: Annotated[
        list[Path],
        typer.Argument(exists=True, dir_okay=False, help="Labelled JSON lines (q, topic or null, lang)."),
    ],
    max_wrongly_declined: Annotated[
        float, typer.Option("--max-wrongly-declined", help="Share of in-scope questions allowed to decline.")
    ] = 0.02,
) -> None:
    """Choose the answer / ask-back / decline thresholds on labelled questions and print them
    with their effect (the procedure: README, "Tuning")."""
    from bot.tuning import rank_all, tune

    advisor = _advisor()
    try:
        rows = [row for file in files for row in read_labelled(file)]
    except ValueError as exc:
        raise _fail(exc) from exc
    result = tune(advisor, rank_all(advisor, rows), max_wrongly_declined)
    typer.echo(f"{len(rows)} labelled questions, matcher {_settings().matcher}")
    typer.echo(f"{'':18}{'accuracy':>10}{'declined right':>16}{'wrongly declined':>18}")
    for name, e in (("current", result.before), ("chosen", result.after)):
        typer.echo(f"{name:18}{e.accuracy:>10.1%}{e.decline_recall:>16.1%}{e.wrongly_declined_rate:>18.1%}")
    typer.echo("chosen thresholds (environment variables):")
    for field in ("decline_below", "decline_below_in_domain", "decline_ratio", "clarify_ratio", "sure_above"):
        typer.echo(f"  ADVISOR_THRESHOLDS__{field.upper()}={getattr(result.chosen, field)}")
    weights = getattr(advisor.matcher, "weights", None)
    if weights:
        typer.echo(f"fusion weights by language group: {json.dumps(weights)}")


@log_app.command("purge")
def log_purge(
    older_than: Annotated[
        str | None, typer.Option("--older-than", help="Age such as 90d (default: retention).")
    ] = None,
) -> None:
    """Delete log rows (and spooled records) older than the retention period."""
    settings = _settings()
    age = parse_duration(older_than) if older_than else timedelta(days=settings.retention_days)
    cutoff = datetime.now(UTC) - age
    try:
        store = _store(settings)
        removed = store.purge(cutoff)
        SqlDeliveryClaims(store.engine, store.write_lock).purge(cutoff)
    except Exception as exc:  # noqa: BLE001 - report a database problem in one line
        raise _fail(RuntimeError(f"the query log could not be purged: {type(exc).__name__}")) from exc
    spooled = _discard_waiting(
        settings, lambda r: (r.asked_at if isinstance(r, QuestionRecord) else r.at) < cutoff
    )
    journaled = _discard_journaled(settings, lambda e: float(e["at"]) < cutoff.timestamp())
    typer.echo(
        f"removed {removed} row(s), {spooled} spooled record(s) and {journaled} journaled "
        f"question(s) older than {cutoff:%Y-%m-%d %H:%M} UTC"
    )


def _discard_waiting(settings: Settings, drop: Callable[[LogRecord], bool]) -> int:
    """Remove what ``drop`` picks from the records waiting beside the database: the spool and
    the dead letters (records the database refused)."""
    spool = settings.data_dir / "spool.jsonl"
    return Spool(spool).discard(drop) + DeadLetters(dead_letters_beside(spool)).discard(drop)


def _discard_journaled(settings: Settings, drop: Callable[[dict[str, Any]], bool]) -> int:
    """Remove what ``drop`` picks from the Slack journal files of stopped processes on this data
    directory (questions taken but not yet claimed when their process died, which its next start
    would answer and log)."""
    directory = settings.data_dir / SLACK_JOURNAL
    try:
        return Journal(directory).discard(drop)
    except OSError as exc:
        raise _fail(RuntimeError(f"the message journal in {directory} could not be cleaned: {exc}")) from exc


@log_app.command("forget")
def log_forget(
    user: Annotated[str, typer.Argument(help="The person's raw platform id (Slack, Teams, ...).")],
) -> None:
    """Delete every row of one person; the id is pseudonymized the same way the log does."""
    settings = _settings()
    try:
        pseudonym = Pseudonymizer(pseudonym_key(settings, allow_generated=True))("user", user)
        removed = _store(settings).forget(pseudonym or "")
    except AdvisorError as exc:
        raise _fail(exc) from exc
    except Exception as exc:  # noqa: BLE001 - report a database problem in one line
        raise _fail(RuntimeError(f"the query log could not be changed: {type(exc).__name__}")) from exc
    spooled = _discard_waiting(settings, lambda r: r.user == pseudonym)
    journaled = _discard_journaled(settings, lambda e: (e.get("event") or {}).get("user") == user)
    # The audit line names the pseudonym only, never the raw id it came from.
    typer.echo(
        f"removed {removed} row(s), {spooled} spooled record(s) and {journaled} journaled "
        f"question(s) of pseudonym {pseudonym}"
    )


@app.command()
def report(
    since: Annotated[str, typer.Option("--since", help="How far back, such as 7d, 24h or 4w.")] = "7d",
    fmt: Annotated[str, typer.Option("--format", help="text, json or csv.")] = "text",
    suggest: Annotated[
        bool, typer.Option("--suggest", help="Print YAML snippets for unanswered questions.")
    ] = False,
) -> None:
    """What people asked, what helped and what went unanswered."""
    if fmt not in ("text", "json", "csv"):
        raise typer.BadParameter("--format must be text, json or csv")
    settings = _settings()
    until = datetime.now(UTC)
    try:
        start = until - parse_duration(since)
    except OverflowError as exc:
        raise typer.BadParameter(f"--since {since} reaches before the calendar's first year") from exc
    built = build_report(_store(settings), start, until)
    if suggest:
        typer.echo(built.suggestions() or "# nothing went unanswered in this period")
    elif fmt == "json":
        typer.echo(json.dumps(built.to_dict(), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        typer.echo(built.to_csv(), nl=False)
    else:
        typer.echo(built.to_text())


def _event_loop(choice: str) -> asyncio.AbstractEventLoop:
    """uvloop when chosen and installed, else Python's own loop (said once on stderr)."""
    if choice == "uvloop":
        try:
            import uvloop
        except ImportError:
            typer.echo("uvloop is not installed here: using asyncio's event loop", err=True)
        else:
            return uvloop.new_event_loop()
    return asyncio.new_event_loop()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 3978,
) -> None:
    """Start the server: Slack at /slack/events when configured, health at /healthz and /readyz."""
    from aiohttp import web

    from .server import STATE, build_app, check_channels, graceful, server_options

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    settings = _settings()
    try:
        check_channels(settings)
        service = Service.start(settings)
        application = build_app(service, settings, metrics_host=host)
    except AdvisorError as exc:
        raise _fail(exc) from exc
    channels = application[STATE].channels
    for name in ("slack", "teams"):
        if name not in channels:
            typer.echo(f"{name}: not configured, its route is off")
    application.on_cleanup.append(lambda _app: asyncio.to_thread(service.close))
    graceful(application)
    # The knowledge base and its index live as long as the process: keep their objects out of
    # the garbage collector's full passes, which would otherwise walk them all now and then.
    gc.collect()
    gc.freeze()
    loop = _event_loop(settings.event_loop)
    typer.echo(
        f"Advisor listening on http://{host}:{port} ({', '.join(channels) or 'no chat channels'}; "
        f"{type(loop).__module__.partition('.')[0]} event loop)"
    )
    if settings.web_enabled:
        typer.echo(f"Open http://{host}:{port}/ in a browser to ask the advisor")
    if settings.metrics_port is not None:
        typer.echo(f"Metrics at http://{host}:{settings.metrics_port}/metrics")
    web.run_app(
        application,
        loop=loop,
        host=host,
        port=port,
        print=None,
        handle_signals=False,
        shutdown_timeout=settings.shutdown_seconds,
        **server_options(settings),
        access_log=logging.getLogger("aiohttp.access") if settings.access_log else None,
    )
    typer.echo("Advisor stopped")


DATASETS_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"


@bench_app.command("intents")
def bench_intents(
    name: Annotated[str, typer.Argument(help="clinc150-full, clinc150-small, banking77 or hwu64.")],
    shots: Annotated[
        int | None, typer.Option("--shots", help="Train on fewshot/train_K.csv (5, 10 or 30).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    root: Annotated[Path, typer.Option("--root", help="The datasets folder.")] = DATASETS_DIR,
    matcher: Annotated[
        str, typer.Option("--matcher", help="hybrid (default), lexical (the light mode) or centroid.")
    ] = "hybrid",
) -> None:
    """Accuracy, out-of-scope recall and latency of the matcher on a public intent benchmark."""
    from adapters.intents import MATCHERS, load_dataset, run_benchmark

    try:
        matcher = "hybrid" if matcher == "semantic" else matcher
        if matcher not in MATCHERS:
            raise ValueError(f"unknown matcher {matcher!r}; choose one of {', '.join(MATCHERS)}")
        dataset = load_dataset(name, root, shots)
    except (ValueError, OSError, KeyError, AdvisorError) as exc:
        raise _fail(exc) from exc
    if as_json:
        result = run_benchmark(dataset, matcher_kind=matcher, cache_dir=_settings().embedding_cache_dir)
        typer.echo(json.dumps(result))
        return
    with typer.progressbar(length=len(dataset.test), label=f"{dataset.name}", file=sys.stderr) as bar:

        def progress(pairs):  # type: ignore[no-untyped-def]
            for pair in pairs:
                bar.update(1)
                yield pair

        result = run_benchmark(
            dataset, progress, matcher_kind=matcher, cache_dir=_settings().embedding_cache_dir
        )
    oos = "n/a (in-scope only)" if result["oos_recall"] is None else f"{result['oos_recall']:.1%}"
    typer.echo(
        f"{result['dataset']} ({matcher} matcher): {result['topics']} topics, "
        f"{result['train_size']} training and {result['test_size']} test questions"
    )
    typer.echo(
        f"in-scope accuracy {result['in_scope_accuracy']:.1%}, out-of-scope recall {oos}, "
        f"threshold {result['threshold']}"
    )
    typer.echo(
        f"build {result['build_seconds']} s, latency p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms"
    )


@model_app.command("fetch")
def model_fetch(
    name: Annotated[str, typer.Argument(help="A model on the hub, e.g. intfloat/multilingual-e5-small.")],
    revision: Annotated[
        str | None, typer.Option("--revision", help="A branch, tag or commit (default: main).")
    ] = None,
    to: Annotated[
        Path | None, typer.Option("--to", help="Put the files here instead of the model cache.")
    ] = None,
    onnx: Annotated[
        str | None, typer.Option("--onnx", help="Which ONNX file, such as onnx/model_qint8_avx512.onnx.")
    ] = None,
    prefix: Annotated[
        str | None, typer.Option("--prefix", help='Put before every text, such as "query: " for e5 models.')
    ] = None,
) -> None:
    """Download a sentence-embedding model exported to ONNX (HF_ENDPOINT, HF_HUB_OFFLINE apply)."""
    from bot.matching.modelhub import fetch_model

    settings = _settings()
    try:
        fetched = fetch_model(
            name, settings.model_cache_dir, revision=revision, to=to, onnx=onnx, prefix=prefix
        )
    except AdvisorError as exc:
        raise _fail(exc) from exc
    typer.echo(f"fetched {name} ({fetched.onnx}) into {fetched.directory}")
    for path, digest in fetched.sha256.items():
        typer.echo(f"  sha256 {digest}  {path}")
    typer.echo(f"use it: ADVISOR_MODEL_DIR={fetched.directory}")


@model_app.command("show")
def model_show(
    directory: Annotated[
        Path | None,
        typer.Argument(help="A model directory (default: ADVISOR_MODEL_DIR, else the shipped model)."),
    ] = None,
) -> None:
    """Print what the encoder would load: files, sha256, tokenizer, inputs, dimensions."""
    from bot.matching.encoder import Encoder
    from bot.matching.modelfiles import find_model

    settings = _settings()
    try:
        files = find_model(directory or settings.model_dir)
        encoder = Encoder(files, threads=1)
    except AdvisorError as exc:
        raise _fail(exc) from exc
    pinned = "pinned sha256, checked" if files.pinned else "not pinned (a directory you supplied)"
    typer.echo(f"model: {files.name}, {pinned}")
    typer.echo(f"  {encoder.sha256['model']}  {files.onnx}")
    typer.echo(f"  {encoder.sha256['tokenizer']}  {files.tokenizer}")
    for path in files.data_files:
        typer.echo(f"  {encoder.sha256[f'data:{path.name}']}  {path}")
    typer.echo(f"tokenizer: {encoder.tokenizer_kind}, texts cut at {encoder.max_tokens} tokens")
    typer.echo(f"inputs: {', '.join(encoder.inputs)}")
    pooling = "already pooled" if encoder.pooled else f"{files.pooling} pooling"
    typer.echo(f"output: {encoder.output} ({pooling}), {encoder.dim} dimensions, normalized")
    typer.echo(f"prefix: {files.prefix!r}" if files.prefix else "prefix: none")
    typer.echo(f"identity: {encoder.identity}")


@app.command("teams-package")
def teams_package(
    app_id: Annotated[str, typer.Option("--app-id", help="The bot's Microsoft App ID (a GUID).")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the zip.")] = Path("advisor-teams.zip"),
) -> None:
    """Write the Teams app package (manifest and icons, zipped) ready for upload."""
    from .teams.package import build_package

    try:
        written = build_package(app_id, out)
    except ValueError as exc:
        raise _fail(exc) from exc
    typer.echo(f"wrote {written}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or update the query log's tables (run before starting new replicas)."""
    settings = _settings()
    SqlQueryLog(settings.log_url).upgrade()
    typer.echo("the query log schema is up to date")


def main() -> None:
    """The command's one boundary: anything unexpected is reported in a line, not a traceback.

    Files it creates are its user's alone (the log database and its WAL, the spool, the
    journal, dead letters, keys): they hold questions and secrets."""
    os.umask(0o077)
    try:
        app()
    except Exception as exc:  # noqa: BLE001 - the adapter's single catch-all
        print(f"advisor: internal error ({type(exc).__name__}): {exc}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
