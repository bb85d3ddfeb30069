# azd postprovision hook (Windows, PowerShell 7): index data/ into Azure AI Search and upload the
# source files to Blob Storage with the app's own ingestion CLI, signed in as the developer
# (azd auth login). Ingestion is incremental, so running it again after every `azd provision`
# is cheap.
$ErrorActionPreference = 'Stop'

Set-Location (Join-Path $PSScriptRoot '..' '..')

# The provisioned settings (AZURE_OPENAI_ENDPOINT, AZURE_SEARCH_ENDPOINT, ...), from the outputs
# of infra/main.bicep. azd passes them to hooks already; exporting them again also works when the
# script is run by hand.
$values = azd env get-values
if ($LASTEXITCODE -ne 0) { throw 'azd env get-values failed' }
foreach ($line in $values) {
    if ($line -match '^([A-Za-z0-9_]+)=(.*)$') {
        $value = $Matches[2] -replace '^"', '' -replace '"$', ''
        [Environment]::SetEnvironmentVariable($Matches[1], $value)
    }
}

# A virtual environment of its own: .venv belongs to `make`, and infra/ is outside the image.
$venv = Join-Path 'infra' '.venv'
$venvPython = if ($IsWindows) { Join-Path $venv 'Scripts' 'python.exe' } else { Join-Path $venv 'bin' 'python' }
if (-not (Test-Path $venvPython)) {
    if (Get-Command py -ErrorAction SilentlyContinue) { $python = @('py', '-3') }
    elseif (Get-Command python3 -ErrorAction SilentlyContinue) { $python = @('python3') }
    else { $python = @('python') }
    $pythonArgs = @($python | Select-Object -Skip 1)
    & $python[0] @pythonArgs -c 'import sys; sys.exit(sys.version_info < (3, 11))'
    if ($LASTEXITCODE -ne 0) {
        Write-Error "postprovision: Python 3.11 or newer is needed to index data/ (tried: $($python -join ' '))."
    }
    Write-Host "Creating $venv for ingestion..."
    & $python[0] @pythonArgs -m venv $venv
    if ($LASTEXITCODE -ne 0) { throw "could not create $venv" }
}
Write-Host "Installing the app into $venv..."
# Editable, so that pip does not leave a build/ folder in the checkout.
& $venvPython -m pip install --quiet --disable-pip-version-check --editable .
if ($LASTEXITCODE -ne 0) { throw 'pip install failed' }

# Role assignments made by this provisioning can take a few minutes to apply: retry while the
# services still answer 403.
$attempts = 5
for ($attempt = 1; ; $attempt++) {
    & $venvPython -m app.ingest data --backend azure
    $status = $LASTEXITCODE
    if ($status -eq 0) { break }
    # Exit code 2 is a settings or usage error: waiting does not fix it.
    if ($status -eq 2 -or $attempt -ge $attempts) {
        Write-Error "postprovision: ingestion failed (exit code $status). Fix the cause and run: azd hooks run postprovision"
    }
    Write-Host "Ingestion failed (attempt $attempt of $attempts); new role assignments can take minutes to apply. Retrying in 60 s..."
    Start-Sleep -Seconds 60
}
