"""The product brief's service registry API over a local Rumor agent.

Standard library only (Python 3.9+). Every call asks the agent's HTTP API
(`rumor agent` serves it on 127.0.0.1:7947 by default; set RUMOR_AGENT to
HOST:PORT to ask another):

    from service_registry import get_service_url, get_service_registry, ServiceStatus

    redis_url = get_service_url("redis")                    # GET /v1/resolve/redis
    ai_endpoint = get_service_url("ai-stack", "/api/process")

    registry = get_service_registry()
    health = await registry.check_service_health("redis")  # GET /v1/health/redis
    if health.status == ServiceStatus.HEALTHY:
        ...
    else:
        print(f"Redis unavailable: {health.status.value}")

    report = await registry.check_all_services_health()     # GET /v1/health

Run it as a script to print the brief's report:  python3 service_registry.py
"""

import asyncio
import enum
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Dict, Optional

DEFAULT_AGENT = "127.0.0.1:7947"

# The agent is near (loopback by default): never through an HTTP proxy
# that the environment may name.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ServiceStatus(enum.Enum):
    """A service's status, in the brief's words."""

    HEALTHY = "healthy"
    UNHEALTHY = "unhealthy"
    CIRCUIT_OPEN = "circuit_open"
    UNKNOWN = "unknown"


@dataclass
class ServiceHealth:
    """What checking one service found."""

    service: str
    status: ServiceStatus
    response_time: Optional[float] = None  # seconds
    error: Optional[str] = None
    url: Optional[str] = None
    node: Optional[str] = None
    source: Optional[str] = None


class AgentUnavailable(RuntimeError):
    """No agent answered at the address."""


class ServiceNotFound(LookupError):
    """The agent found no URL for the service; the message says what it tried."""


def _agent() -> str:
    return os.environ.get("RUMOR_AGENT") or DEFAULT_AGENT


def _get(path: str, timeout: float = 5.0):
    """GETs path from the agent: (status, decoded JSON)."""
    agent = _agent()
    url = f"http://{agent}{path}"
    try:
        with _opener.open(url, timeout=timeout) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        raise AgentUnavailable(
            f"no Rumor agent answers at {agent} ({error}); start one with `rumor agent`"
            " or set RUMOR_AGENT=HOST:PORT"
        ) from None


def _quote(name: str) -> str:
    return urllib.parse.quote(name, safe="")


def get_service_url(name: str, path: str = "") -> str:
    """The URL of a healthy instance of `name` with `path` appended.

    Raises ServiceNotFound (naming what was tried) when there is none.
    """
    query = f"?path={urllib.parse.quote(path, safe='')}" if path else ""
    status, body = _get(f"/v1/resolve/{_quote(name)}{query}")
    if status != 200:
        raise ServiceNotFound(body.get("error", f"no URL for {name!r}"))
    return body["url"]


def _health(name: str, body: dict) -> ServiceHealth:
    milliseconds = body.get("response_time_ms")
    try:
        status = ServiceStatus(body.get("status"))
    except ValueError:
        status = ServiceStatus.UNKNOWN
    return ServiceHealth(
        service=name,
        status=status,
        response_time=None if milliseconds is None else milliseconds / 1000,
        error=body.get("error"),
        url=body.get("url"),
        node=body.get("node"),
        source=body.get("source"),
    )


class ServiceRegistry:
    """The brief's registry: health checks with circuit breakers, run by the agent."""

    async def check_service_health(self, name: str) -> ServiceHealth:
        """Checks `name` now (the agent probes the instance it resolves)."""
        _, body = await asyncio.to_thread(_get, f"/v1/health/{_quote(name)}", 35.0)
        return _health(name, body)

    async def check_all_services_health(self) -> Dict[str, ServiceHealth]:
        """Checks every service the agent knows, concurrently."""
        _, body = await asyncio.to_thread(_get, "/v1/health", 35.0)
        return {name: _health(name, report) for name, report in body.items()}

    def get_service_url(self, name: str, path: str = "") -> str:
        """As the module's get_service_url."""
        return get_service_url(name, path)


_registry: Optional[ServiceRegistry] = None


def get_service_registry() -> ServiceRegistry:
    """The process's registry."""
    global _registry
    if _registry is None:
        _registry = ServiceRegistry()
    return _registry


async def _main() -> int:
    registry = get_service_registry()
    names = sys.argv[1:]
    print("🔗 Service URL Resolution:")
    report = await registry.check_all_services_health()
    for name in names or list(report):
        try:
            print(f"✅ {name:<15} → {get_service_url(name)}")
        except ServiceNotFound as error:
            print(f"❌ {name:<15} → {error}")
    print()
    print("🏥 Service Health Checks:")
    healthy = True
    for name in names or list(report):
        health = report.get(name) or await registry.check_service_health(name)
        if health.status == ServiceStatus.HEALTHY:
            print(f"✅ {name:<15} → healthy ({health.response_time:.3f}s response time)")
        else:
            healthy = False
            print(f"❌ {name:<15} → {health.status.value} ({health.error})")
    return 0 if healthy else 1


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(_main()))
    except AgentUnavailable as error:
        print(error, file=sys.stderr)
        sys.exit(2)
