# What the bench scripts share, sourced from the repository root:
# `build_release PACKAGE...` builds eiso-server and the packages (release,
# locked; CARGO_TARGET_DIR defaults to /var/tmp/eiso-target), then sets BIN to
# the directory of the binaries and T to a fresh temporary directory.
build_release() {
    export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/eiso-target}"
    local packages=(-p eiso-server) package
    for package in "$@"; do packages+=(-p "$package"); done
    cargo build --release --locked "${packages[@]}" >&2
    BIN="$CARGO_TARGET_DIR/release"
    T=$(mktemp -d)
}
