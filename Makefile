# Shortcuts for contributors; each target is one line you can also type.
#   make run    start the server (SQLite under ./data, 127.0.0.1:50051)
#   make test   the test suite (scripts/test: cargo nextest, or cargo test)
#   make lint   rustfmt, clippy and buf lint, as CI runs them
#   make ci     the whole CI run (.ci/run), including the PostgreSQL tests

.PHONY: run test lint ci

run:
	cargo run -p eiso-server

test:
	scripts/test

lint: node_modules/.package-lock.json
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --locked -- -D warnings
	npx --no-install buf lint

ci:
	bash .ci/run

# buf comes from npm (package.json); install it when the lock file changes.
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
