#!/usr/bin/env python3
"""Schema fuzzing of the whole HTTP API with schemathesis.

Every operation of the OpenAPI document gets positive (schema-valid) and negative
(schema-violating) cases, and a stateful run follows the links schemathesis infers between
operations (an id returned by one call fed to the next). Each response must:

* never be a 5xx;
* match its documented status code, content type and schema;
* for a 4xx, carry the one problem body (``type, title, status, detail, instance,
  errors[{field, message, location}]``) as ``application/problem+json``.

The same harness runs in the test suite with a few examples per operation
(``tests/reliability/test_schema_fuzz.py``); this script is the long run::

    .venv/bin/python scripts/fuzz_api.py --examples 300 --stateful 100 --seed 7
    .venv/bin/python scripts/fuzz_api.py --database-url postgresql+psycopg://postgres@127.0.0.1/x

It talks to the app in-process (ASGI), on a fresh temporary SQLite database unless
``--database-url`` names an (empty or disposable) database.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import ignored_auth
from schemathesis.core.errors import NoLinksFound
from schemathesis.core.parameters import ParameterLocation
from schemathesis.core.result import Ok

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_KEYS = ("type", "title", "status", "detail", "instance", "errors")
FIELD_ERROR_KEYS = ("field", "message", "location")

WRONG_TOKEN_IS_NOT_FOUND = frozenset(
    {"GET /api/v1/submissions/{submission_id}", "GET /api/v1/inquiries/{inquiry_id}"}
)
"""Operations that answer a wrong token with the same 404 as an unknown id, so that ids
cannot be probed (``docs/submissions.md``, ``docs/owners.md``). schemathesis'
``ignored_auth`` check wants 401 or 403 there, so it is skipped for them;
``tests/security`` checks their tokens."""

AnyCase = Case[Any]
HeadersFor = Callable[[str], Mapping[str, str]]
"""Extra request headers (credentials) for an operation, given its label."""


@dataclass(frozen=True, slots=True)
class FuzzFailure:
    """One distinct failure: which operation, in which mode, and schemathesis' account."""

    operation: str
    mode: str
    message: str

    def __str__(self) -> str:
        return f"{self.operation} [{self.mode}]\n{self.message}"


@dataclass
class FuzzReport:
    """What a fuzzing run did: examples sent per operation, statuses seen, failures."""

    examples: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[FuzzFailure] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total_examples(self) -> int:
        return sum(self.examples.values())

    def summary(self) -> str:
        """A few lines for a terminal or a pytest failure message."""
        codes = ", ".join(f"{code}: {n}" for code, n in sorted(self.statuses.items()))
        stateful = sum(n for label, n in self.examples.items() if label.startswith("stateful "))
        operations = {label.removeprefix("stateful ") for label in self.examples}
        lines = [
            f"{self.total_examples} requests ({stateful} of them in stateful scenarios) over "
            f"{len(operations)} operations in {self.seconds:.1f} s; statuses {{{codes}}}; "
            f"{len(self.failures)} failures"
        ]
        lines.extend(str(f) for f in self.failures)
        return "\n".join(lines)


def problem_body_violation(status: int, content_type: str, body: bytes) -> str | None:
    """Why an error response is not the one problem body, or None when it is."""
    if status < 400:
        return None
    if status >= 500:
        return f"server error {status}"
    if not content_type.startswith(PROBLEM_MEDIA_TYPE):
        return f"{status} with Content-Type {content_type!r}, not {PROBLEM_MEDIA_TYPE}"
    try:
        doc = json.loads(body)
    except ValueError:
        return f"{status} body is not JSON: {body[:200]!r}"
    if not isinstance(doc, dict):
        return f"{status} body is not an object"
    missing = [k for k in PROBLEM_KEYS if k not in doc]
    if missing:
        return f"{status} problem body lacks {missing}"
    if doc["status"] != status:
        return f"problem status {doc['status']!r} differs from HTTP status {status}"
    if not all(isinstance(doc[k], str) for k in ("type", "title", "detail", "instance")):
        return "problem type/title/detail/instance must be strings"
    errors = doc["errors"]
    if not isinstance(errors, list):
        return "problem errors must be a list"
    for item in errors:
        if not isinstance(item, dict) or any(
            not isinstance(item.get(k), str) for k in FIELD_ERROR_KEYS
        ):
            return f"problem errors item {item!r} lacks field/message/location strings"
    return None


def check_problem_body(ctx: Any, response: schemathesis.Response, case: AnyCase) -> bool | None:
    """schemathesis check: every 4xx is a problem body; nothing is a 5xx."""
    del ctx, case
    reason = problem_body_violation(
        response.status_code, _content_type(response.headers), response.content
    )
    if reason is not None:
        raise AssertionError(reason)
    return True


def _content_type(headers: Mapping[str, Any]) -> str:
    value = headers.get("content-type", "")
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return str(value)


def load_schema(app: Any, *, seed: int, strict: bool = False) -> schemathesis.BaseSchema:
    """The app's own OpenAPI document, bound to the app for in-process calls.

    ``strict`` adds schemathesis' ``positive_data_acceptance`` check: every schema-valid
    request must succeed. It flags parameters whose real constraints the document does not
    state (a ``bbox`` format, a price range); useful advice, but a 422 for a well-typed yet
    meaningless value (an unknown cursor) is correct, so it is off by default.
    """
    config = schemathesis.Config.from_dict(
        {"seed": seed, "checks": {"positive_data_acceptance": {"enabled": strict}}}
    )
    # The complete document: the public /openapi.json leaves out the admin operations,
    # which must be fuzzed too (editors get it at /api/v1/admin/openapi.json).
    schema = schemathesis.openapi.from_dict(app.openapi(), config=config)
    schema.app = app
    schema.location = "/openapi.json"
    return schema


def operation_labels(schema: schemathesis.BaseSchema) -> list[str]:
    """``"GET /api/v1/businesses/{business_id}"`` for every operation."""
    return [r.ok().label for r in schema.get_all_operations() if isinstance(r, Ok)]


def schema_errors(schema: schemathesis.BaseSchema) -> list[str]:
    """Operations whose definition schemathesis cannot use (they would go untested)."""
    return [str(r.err()) for r in schema.get_all_operations() if not isinstance(r, Ok)]


def _settings(max_examples: int, *, shrink: bool) -> hypothesis.settings:
    phases = [Phase.explicit, Phase.generate] + ([Phase.shrink] if shrink else [])
    return hypothesis.settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        phases=phases,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
        report_multiple_bugs=True,
    )


def fuzz_operation(
    schema: schemathesis.BaseSchema,
    label: str,
    *,
    report: FuzzReport,
    max_examples: int,
    seed: int,
    headers_for: HeadersFor | None = None,
    owned: Mapping[str, Any] | None = None,
    modes: Iterable[GenerationMode] = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE),
    shrink: bool = False,
) -> None:
    """Send ``max_examples`` positive and negative cases to one operation; record failures.

    ``headers_for`` gives the credentials an operation needs; ``owned`` the path values
    the owner's token owns (``{"business_id": 12}``), which every other positive case of
    an owner operation uses, so that the fuzzer gets past the 403 into the edit itself.
    """
    operation = schema.find_operation_by_label(label)
    if operation is None:
        report.failures.append(FuzzFailure(label, "-", "operation not found in the schema"))
        return
    headers = dict(headers_for(label)) if headers_for else {}
    # Operations that get credentials but not the editor's are the owner's.
    owns = dict(owned or {}) if headers and "/admin/" not in label else {}
    for mode in modes:
        try:
            _fuzz_mode(
                operation,
                label,
                mode,
                report=report,
                max_examples=max_examples,
                seed=seed,
                headers=headers,
                owned=owns,
                shrink=shrink,
            )
        except Unsatisfiable:
            continue  # e.g. no negative case exists for an operation without inputs
        except BaseExceptionGroup as exc:
            report.failures.append(FuzzFailure(label, mode.value, str(exc)))
        except Exception as exc:
            report.failures.append(FuzzFailure(label, mode.value, f"{type(exc).__name__}: {exc}"))


def _fuzz_mode(
    operation: Any,
    label: str,
    mode: GenerationMode,
    *,
    report: FuzzReport,
    max_examples: int,
    seed: int,
    headers: Mapping[str, str],
    owned: Mapping[str, Any],
    shrink: bool,
) -> None:
    positive = mode is GenerationMode.POSITIVE
    sent_so_far = [0]

    @hypothesis.seed(seed)
    @_settings(max_examples, shrink=shrink)
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: AnyCase) -> None:
        # The credentials replace whatever ``Authorization`` schemathesis made up from the
        # security scheme (a random "Bearer …" that would only ever meet a 401); they go in
        # as *explicit* auth, so that the ``ignored_auth`` check probes the same request
        # without them and with broken ones. A negative case whose headers are broken on
        # purpose keeps them.
        broken_headers = case.meta is not None and case.meta.is_negative_at(
            ParameterLocation.HEADER
        )
        sent = {} if broken_headers else dict(headers)
        sent_so_far[0] += 1
        if positive and owned and case.path_parameters and sent_so_far[0] % 2 == 0:
            for name, value in owned.items():
                if name in case.path_parameters:
                    case.path_parameters[name] = value
        response = case.call(headers=sent)
        report.examples[label] += 1
        report.statuses[response.status_code] += 1
        case.validate_response(
            response,
            headers=sent,
            additional_checks=[check_problem_body],
            excluded_checks=excluded,
        )

    excluded = [ignored_auth] if label in WRONG_TOKEN_IS_NOT_FOUND else []
    run()


def fuzz_stateful(
    schema: schemathesis.BaseSchema,
    *,
    report: FuzzReport,
    max_examples: int,
    step_count: int,
    headers_for: HeadersFor | None = None,
) -> bool:
    """Run the inferred-links state machine; False when the schema has no links yet."""
    base = schema.as_state_machine()

    class Machine(base):  # type: ignore[valid-type, misc]
        def get_call_kwargs(self, case: AnyCase) -> dict[str, Any]:
            if headers_for is None:
                return {}
            return {"headers": dict(headers_for(case.operation.label))}

        def validate_response(
            self, response: Any, case: AnyCase, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            report.examples[f"stateful {case.operation.label}"] += 1
            report.statuses[response.status_code] += 1
            super().validate_response(
                response, case, additional_checks=[check_problem_body], **kwargs
            )

    try:
        Machine.run(
            settings=hypothesis.settings(
                max_examples=max_examples,
                stateful_step_count=step_count,
                deadline=None,
                database=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
        )
    except NoLinksFound:
        return False
    except BaseExceptionGroup as exc:
        report.failures.append(FuzzFailure("stateful", "links", str(exc)))
    except Exception as exc:
        report.failures.append(FuzzFailure("stateful", "links", f"{type(exc).__name__}: {exc}"))
    return True


def fuzz_app(
    app: Any,
    *,
    max_examples: int = 25,
    stateful_examples: int = 0,
    step_count: int = 10,
    seed: int = 20261128,
    headers_for: HeadersFor | None = None,
    owned: Mapping[str, Any] | None = None,
    shrink: bool = False,
    strict: bool = False,
) -> FuzzReport:
    """Fuzz every operation of ``app`` (and, if asked, its inferred links)."""
    report = FuzzReport()
    started = time.perf_counter()
    schema = load_schema(app, seed=seed, strict=strict)
    report.failures.extend(FuzzFailure("schema", "-", e) for e in schema_errors(schema))
    for label in operation_labels(schema):
        fuzz_operation(
            schema,
            label,
            report=report,
            max_examples=max_examples,
            seed=seed,
            headers_for=headers_for,
            owned=owned,
            shrink=shrink,
        )
    if stateful_examples > 0:
        fuzz_stateful(
            schema,
            report=report,
            max_examples=stateful_examples,
            step_count=step_count,
            headers_for=headers_for,
        )
    report.seconds = time.perf_counter() - started
    return report


def credential_headers(
    admin_token: str, owner_token: str, writer_key: str | None = None
) -> HeadersFor:
    """Admin operations get the editor's token, owner operations the owner's, and
    ``POST /interactions`` an API key with the scope ``interactions:write``."""

    def headers_for(label: str) -> dict[str, str]:
        path = label.split(" ", 1)[1]
        if "/admin/" in path:
            return {"Authorization": f"Bearer {admin_token}"}
        if path.endswith("/interactions") and writer_key:
            return {"Authorization": f"Bearer {writer_key}"}
        if "/owner/" in path or path.startswith("/api/v1/submissions/{"):
            return {"Authorization": f"Bearer {owner_token}"}
        return {}

    return headers_for


def make_credentials(app: Any) -> tuple[HeadersFor, dict[str, Any]]:
    """An editor's token and an owner's token for a freshly approved listing; and the
    path values the owner's token owns (its business and submission)."""
    from fastapi.testclient import TestClient

    from directory.accounts.admins import create_admin_token
    from directory.accounts.apikeys import INTERACTIONS_WRITE, create_api_key

    with app.state.sessions() as session:
        admin = create_admin_token(session, f"fuzz-editor-{time.time_ns()}")
        writer = create_api_key(session, f"fuzz-writer-{time.time_ns()}", [INTERACTIONS_WRITE])
        session.commit()
    with TestClient(app) as client:
        created = client.post(
            "/api/v1/submissions",
            json={
                "name": "Kopi Fuzz Pemilik",
                "category": "kafe-kopi",
                "lat": -6.3016,
                "lon": 106.6527,
                "address": "Jl. Fuzz 1",
            },  # fmt: skip
        )
        created.raise_for_status()
        submission = created.json()
        approved = client.post(
            f"/api/v1/admin/submissions/{submission['id']}/approve",
            headers={"Authorization": f"Bearer {admin}"},
        )
        approved.raise_for_status()
    owned = {"business_id": approved.json()["business_id"], "submission_id": submission["id"]}
    return credential_headers(admin, str(submission["edit_token"]), writer), owned


def _prepare(url: str, *, businesses: int) -> None:
    from directory.bootstrap import prepare_database, seed_demo_data
    from directory.settings import Settings

    settings = Settings(database_url=url, demo_count=max(businesses, 1))
    prepare_database(settings, demo=False)
    if businesses:
        seed_demo_data(settings, count=businesses)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; exits 1 when any failure was found."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=200, help="cases per operation and mode")
    parser.add_argument("--stateful", type=int, default=50, help="stateful scenarios (0: off)")
    parser.add_argument("--steps", type=int, default=12, help="steps per stateful scenario")
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100_000)
    parser.add_argument("--database-url", help="a disposable database (default: temp SQLite)")
    parser.add_argument("--businesses", type=int, default=300, help="demo businesses to load")
    parser.add_argument("--shrink", action="store_true", help="shrink failing examples")
    parser.add_argument(
        "--strict", action="store_true", help="also require every schema-valid request to succeed"
    )
    args = parser.parse_args(argv)

    from directory.app import create_app
    from directory.settings import Settings

    with tempfile.TemporaryDirectory(prefix="dekat-fuzz-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'fuzz.db'}"
        _prepare(url, businesses=args.businesses)
        settings = Settings(
            database_url=url,
            media_dir=Path(tmp) / "media",
            demo_count=0,
            rate_limit_submissions_per_hour=1_000_000,
            rate_limit_reviews_per_hour=1_000_000,
            rate_limit_matches_per_minute=1_000_000,
        )
        app = create_app(settings)
        try:
            headers_for, owned = make_credentials(app)
            report = fuzz_app(
                app,
                headers_for=headers_for,
                owned=owned,
                max_examples=args.examples,
                stateful_examples=args.stateful,
                step_count=args.steps,
                seed=args.seed,
                shrink=args.shrink,
                strict=args.strict,
            )
        finally:
            app.state.engine.dispose()
    sys.stdout.write(f"seed {args.seed}\n{report.summary()}\n")
    return 1 if report.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
