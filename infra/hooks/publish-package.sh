#!/usr/bin/env bash
# Publishes the code to the Dedicated plan (Azure Government, Azure China) with identity-based
# run-from-package: builds the deployment package (npm run package: the bundled app, host.json and
# a minimal package.json, .work/package.zip), uploads it as the package blob into the deployment account's app-package container with your Entra sign-in
# (Storage Blob Data Contributor on that container), and restarts the app, which mounts the blob
# as its managed identity (WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID). No publishing password,
# no SAS. On Flex Consumption use `func azure functionapp publish` or `azd deploy` instead.
#
# Usage: infra/hooks/publish-package.sh [resource group]   (default: $AZURE_RESOURCE_GROUP)
set -euo pipefail

resource_group="${1:-${AZURE_RESOURCE_GROUP:-}}"
if [[ -z "$resource_group" ]]; then
  echo "usage: $0 <resource group> (or set AZURE_RESOURCE_GROUP)" >&2
  exit 2
fi
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"

app="$(az functionapp list --resource-group "$resource_group" --query "[?tags.application=='telemessage-m365-archiver'].name | [0]" --output tsv)"
package_url="$(az functionapp config appsettings list --resource-group "$resource_group" --name "$app" \
  --query "[?name=='WEBSITE_RUN_FROM_PACKAGE'].value | [0]" --output tsv)"
if [[ ! "$package_url" =~ ^https:// ]]; then
  echo "publish-package: $app does not run from a package URL (Flex Consumption?): use func azure functionapp publish" >&2
  exit 1
fi
# https://<account>.blob.<suffix>/<container>/<blob>
account="$(sed -E 's#^https://([^.]+)\..*#\1#' <<<"$package_url")"
container="$(sed -E 's#^https://[^/]+/([^/]+)/.*#\1#' <<<"$package_url")"
blob="${package_url##*/}"

npm ci --no-audit --no-fund
npm run package

az storage blob upload --auth-mode login --account-name "$account" --container-name "$container" \
  --name "$blob" --file .work/package.zip --overwrite --output none
az functionapp restart --resource-group "$resource_group" --name "$app"
echo "publish-package: $app restarted on $package_url"
