#!/bin/sh
# azd postprovision hook (POSIX): index data/ into Azure AI Search and upload the source files to
# Blob Storage with the app's own ingestion CLI, signed in as the developer (azd auth login).
# Ingestion is incremental, so running it again after every `azd provision` is cheap.
set -eu

cd "$(dirname "$0")/../.."

# The provisioned settings (AZURE_OPENAI_ENDPOINT, AZURE_SEARCH_ENDPOINT, ...), from the outputs
# of infra/main.bicep. azd passes them to hooks already; exporting them again also works when the
# script is run by hand.
azd_values=$(azd env get-values)
while IFS= read -r line; do
  key=${line%%=*}
  case $key in
    "" | *[!A-Za-z0-9_]*) continue ;;
  esac
  value=${line#*=}
  value=${value#\"}
  value=${value%\"}
  export "$key=$value"
done <<EOF
$azd_values
EOF

# A virtual environment of its own: .venv belongs to `make`, and infra/ is outside the image.
venv=infra/.venv
if [ ! -x "$venv/bin/python" ]; then
  if command -v python3 >/dev/null 2>&1; then python=python3; else python=python; fi
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "postprovision: Python 3.11 or newer is needed to index data/ (found: $("$python" --version 2>&1))." >&2
    exit 1
  fi
  echo "Creating $venv for ingestion..."
  "$python" -m venv "$venv"
fi
echo "Installing the app into $venv..."
# Editable, so that pip does not leave a build/ folder in the checkout.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --editable .

# Role assignments made by this provisioning can take a few minutes to apply: retry while the
# services still answer 403.
attempt=1
while :; do
  status=0
  "$venv/bin/python" -m app.ingest data --backend azure || status=$?
  if [ "$status" -eq 0 ]; then
    break
  fi
  # Exit code 2 is a settings or usage error: waiting does not fix it.
  if [ "$status" -eq 2 ] || [ "$attempt" -ge 5 ]; then
    echo "postprovision: ingestion failed (exit code $status). Fix the cause and run: azd hooks run postprovision" >&2
    exit "$status"
  fi
  echo "Ingestion failed (attempt $attempt of 5); new role assignments can take minutes to apply. Retrying in 60 s..."
  attempt=$((attempt + 1))
  sleep 60
done
