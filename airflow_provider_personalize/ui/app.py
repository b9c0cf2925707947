"""The view's FastAPI app, mounted by Airflow's api-server under ``/personalize``.

``GET /`` is the page: static, like the index of Airflow's own UI, it holds no data. Its script reads
the data from the endpoints below, which are behind Airflow's authentication and authorization:

- ``GET /dataset-groups?conn_id=&region=&next_token=``: a page of the region's dataset groups;
- ``GET /dataset-groups/overview?arn=&conn_id=&region=``: one dataset group's datasets, solutions
  (with their versions' metrics), campaigns and recent jobs.

Each answers JSON to ``Accept: application/json`` (the read model of :mod:`.overview`) and an HTML
fragment otherwise (what the page shows). The caller must be signed in to Airflow (its JWT, as a
bearer token or Airflow's ``_token`` cookie, checked by the api-server's own ``get_user``) and may
read the Airflow connection the view borrows (the auth manager's ``is_authorized_connection``): the
view acts with that connection's AWS identity, so whoever may not read the connection may not use it.
A slow, throttled or refusing Personalize answers with a message, never a blank page.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Annotated, Any, TypeVar

import jinja2
from airflow.api_fastapi.app import get_auth_manager
from airflow.api_fastapi.auth.managers.models.resource_details import ConnectionDetails
from airflow.api_fastapi.core_api.security import GetUserDep
from fastapi import Depends, FastAPI, HTTPException, Query, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from airflow_provider_personalize.ui import overview
from airflow_provider_personalize.ui.charts import metric_label, metrics_chart
from airflow_provider_personalize.ui.reader import ANSWER_TTL_SECONDS, PersonalizeReader, ViewError

# A page's answer never waits longer than this: requests still running go on, and fill the cache.
PAGE_DEADLINE_SECONDS = 20
DEFAULT_CONN_ID = "aws_default"
_HERE = Path(__file__).parent
_T = TypeVar("_T")

templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(_HERE / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, seconds = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _status_class(status: str) -> str:
    """A CSS class for a status badge: ok, failed or pending (anything else: in progress, deleting)."""
    if status in ("ACTIVE", "COMPLETED"):
        return "ok"
    if "FAILED" in status or "STOPPED" in status:
        return "failed"
    return "pending"


templates.filters.update(
    duration=_duration,
    when=lambda moment: moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
    status_class=_status_class,
    metric_label=metric_label,
)
templates.globals.update(metrics_chart=metrics_chart, answer_ttl_seconds=ANSWER_TTL_SECONDS)


def authorized_reader(
    user: GetUserDep,
    conn_id: Annotated[str, Query(min_length=1, max_length=250)] = DEFAULT_CONN_ID,
    region: Annotated[str | None, Query(pattern=r"^([a-z]{2}(-[a-z]+)+-\d{1,2})?$")] = None,
) -> PersonalizeReader:
    """The reader for the requested connection and region, once the caller may read that connection."""
    allowed = get_auth_manager().is_authorized_connection(
        method="GET", details=ConnectionDetails(conn_id=conn_id), user=user
    )
    if not allowed:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"You may not read the Airflow connection {conn_id!r}, which the view uses.",
        )
    return PersonalizeReader(conn_id, region or None)


ReaderDep = Annotated[PersonalizeReader, Depends(authorized_reader)]


async def _read(reader: PersonalizeReader, read: Callable[..., _T], *args: Any) -> _T:
    """``read(reader, *args)`` in a worker thread, within the page's deadline."""

    def checked_read() -> _T:
        reader.require_connection()
        return read(reader, *args)

    try:
        return await asyncio.wait_for(asyncio.to_thread(checked_read), PAGE_DEADLINE_SECONDS)
    except TimeoutError:
        raise ViewError(
            status.HTTP_504_GATEWAY_TIMEOUT,
            f"Amazon Personalize has not answered within {PAGE_DEADLINE_SECONDS} s for connection "
            f"{reader.conn_id!r}. The answers still coming are kept for {ANSWER_TTL_SECONDS} s: reload in a "
            "moment.",
        ) from None


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _answer(request: Request, template: str, model: Any, status_code: int = 200) -> Response:
    if _wants_json(request):
        return JSONResponse(jsonable_encoder(model), status_code=status_code)
    return HTMLResponse(templates.get_template(template).render(model=model), status_code=status_code)


app = FastAPI(
    title="Amazon Personalize view",
    description="Read-only Personalize dataset groups, models and jobs, for the Airflow UI.",
    docs_url=None,
    redoc_url=None,
)
app.mount("/static", StaticFiles(directory=_HERE / "static"), name="static")


@app.exception_handler(ViewError)
async def _view_error(request: Request, error: ViewError) -> Response:
    return _answer(request, "message.html", {"detail": error.message}, error.status_code)


@app.get("/", include_in_schema=False)
async def page() -> FileResponse:
    return FileResponse(_HERE / "static" / "index.html", media_type="text/html")


@app.get("/dataset-groups")
async def dataset_groups(
    request: Request,
    reader: ReaderDep,
    next_token: Annotated[str | None, Query(max_length=1500)] = None,
) -> Response:
    groups = await _read(reader, overview.dataset_groups_page, next_token)
    return _answer(request, "dataset_groups.html", groups)


@app.get("/dataset-groups/overview")
async def dataset_group_overview(
    request: Request,
    reader: ReaderDep,
    arn: Annotated[str, Query(min_length=1, max_length=256, pattern=r"^arn:[\w-]+:personalize:")],
) -> Response:
    group = await _read(reader, overview.dataset_group_overview, arn)
    return _answer(request, "dataset_group.html", group)
