"""The ASGI application: routers, error mapping, request ids, health checks."""

import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bastion import __version__
from bastion.alerts.router import metrics_router
from bastion.alerts.router import router as alerts_router
from bastion.api import problems
from bastion.cards.router import router as cards_router
from bastion.compliance.router import catalogs as catalogs_router
from bastion.compliance.router import router as compliance_router
from bastion.dataprotection.router import router as dataprotection_router
from bastion.errors import StorageUnavailable
from bastion.evidence.router import router as evidence_router
from bastion.gates.router import router as gates_router
from bastion.iam.router import router as iam_router
from bastion.incidents.router import router as incidents_router
from bastion.inventory.router import router as inventory_router
from bastion.ledger.router import router as ledger_router
from bastion.logs import request_id_var
from bastion.monitoring.router import router as monitoring_router
from bastion.privacy_budget.router import router as privacy_budget_router
from bastion.reports.router import router as reports_router
from bastion.risks.router import router as risks_router
from bastion.runs.router import router as runs_router
from bastion.runtime import Runtime
from bastion.settings import Settings
from bastion.storage.database import check_connection

logger = logging.getLogger("bastion.api")

_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContext:
    """Gives every request an id (the caller's X-Request-ID if sane) and logs its outcome.

    Only method, path and status are logged: query strings and bodies may hold personal data.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = offered if _CLIENT_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started, status, responded = time.perf_counter(), 500, False

        async def send_with_id(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                status, responded = message["status"], True
                message.setdefault("headers", []).append(
                    (b"x-request-id", request_id.encode("latin-1"))
                )
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            # Answered here, inside the request's context, so that the problem body and
            # the X-Request-ID header carry the id; re-raised for the server's own handling.
            if not responded:
                response = await problems.unexpected_error(Request(scope), exc)
                await response(scope, receive, send_with_id)
            raise
        finally:
            logger.info(
                "%s %s -> %s in %.1f ms",
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
            )
            request_id_var.reset(token)


Announce = Callable[[Runtime], None]


def create_app(settings: Settings | None = None, *, on_start: Announce | None = None) -> FastAPI:
    """Build the app; the database is checked and migrated when it starts serving.

    ``on_start`` runs once the runtime is ready (``bastion serve`` prints the URL and the
    bootstrap credential there).
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await run_in_threadpool(Runtime.start, settings)
        app.state.runtime = runtime
        if on_start is not None:
            on_start(runtime)
        runtime.start_checkpoint_schedule()
        runtime.start_monitor_schedule()
        try:
            yield
        finally:
            # A last checkpoint, so that what this process recorded is signed.
            try:
                await run_in_threadpool(runtime.sign_checkpoint)
            except Exception:
                logger.exception("final checkpoint failed")
            runtime.close()

    app = FastAPI(
        title="Bastion",
        version=__version__,
        summary="AI governance and security platform",
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    problems.install(app)
    app.include_router(inventory_router)
    app.include_router(evidence_router)
    app.include_router(cards_router)
    app.include_router(runs_router)
    app.include_router(privacy_budget_router)
    app.include_router(risks_router)
    app.include_router(dataprotection_router)
    app.include_router(catalogs_router)
    app.include_router(compliance_router)
    app.include_router(reports_router)
    app.include_router(gates_router)
    app.include_router(iam_router)
    app.include_router(ledger_router)
    app.include_router(monitoring_router)
    app.include_router(alerts_router)
    app.include_router(incidents_router)
    app.include_router(metrics_router)

    @app.get("/healthz", tags=["health"], operation_id="health")
    def healthz() -> dict[str, str]:
        """Liveness: the process answers. Public."""
        return {"status": "ok", "version": __version__}

    @app.get(
        "/readyz",
        tags=["health"],
        operation_id="readiness",
        responses={503: {"description": "The database cannot be reached."}},
    )
    def readyz(request: Request) -> JSONResponse:
        """Readiness: the database answers. Public."""
        # The app from the request, not from this closure: FastAPI caches endpoints
        # process-wide, and a closure over the app would keep every app ever built alive.
        try:
            check_connection(request.app.state.runtime.engine)
        except StorageUnavailable as exc:
            logger.error("readiness check failed: %s", exc.detail)
            return problems.problem(503, exc.title, "the database cannot be reached", slug=exc.slug)
        return JSONResponse({"status": "ready"})

    app.add_middleware(RequestContext)
    return app
