#!/usr/bin/env bash
# Builds and lints every .bicep file under infra/ with the real Bicep CLI and fails on any error
# or warning (bicep itself exits non-zero on errors only, so warnings are read from its output).
# Then compiles the template once per parameter combination in infra/params/*.bicepparam with
# `bicep snapshot`, which evaluates the conditions and loops for those parameters and lists the
# resources a deployment would create; test/infra/posture.test.ts reads those snapshots.
#
# The CLI comes from the NuGet package Azure.Bicep.CommandLine.linux-x64, restored by a tiny
# project with a PackageDownload into .work/bicep/ (git-ignored, kept between runs), from the
# package sources this machine's NuGet configuration names. When the CLI cannot be obtained (no
# dotnet, not Linux x64, or NuGet does not serve the package) the script prints one line saying the
# check could not run here and exits 0, or 1 when BICEP_REQUIRED=1 (CI). It never reports a pass it
# did not run.
#
# infra/main.bicepparam (the parameters of `azd up`) is built too.
#
# Outputs, in .work/infra/: main.json (the compiled ARM template), snapshots/<combination>.json and
# check.json (the Bicep version and the hash of every input under infra/). When that hash equals
# the one of the last clean run and the outputs are there, nothing is recompiled.
#
# Environment: BICEP_VERSION (default below), BICEP_REQUIRED=1 to make "could not run" a failure,
# BICEP_JOBS (parallel Bicep processes, default 3), BICEP_FORCE=1 to ignore the cache.
set -euo pipefail

readonly package_id='Azure.Bicep.CommandLine.linux-x64'
readonly version="${BICEP_VERSION:-0.49.2}"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly repo_root
readonly infra_dir="$repo_root/infra"
readonly tools_dir="$repo_root/.work/bicep"
readonly restore_dir="$tools_dir/restore"
readonly packages_dir="$tools_dir/packages"
readonly bicep="$packages_dir/${package_id,,}/$version/tools/bicep"
readonly out_dir="$repo_root/.work/infra"
readonly jobs="${BICEP_JOBS:-3}"

could_not_run() {
  echo "infra/check.sh: Bicep check NOT run: $1"
  if [[ "${BICEP_REQUIRED:-0}" == "1" ]]; then
    exit 1
  fi
  exit 0
}

restore_bicep() {
  if [[ "$(uname -s)/$(uname -m)" != "Linux/x86_64" ]]; then
    could_not_run "$package_id runs on Linux x86_64 only, this is $(uname -s)/$(uname -m)"
  fi
  if ! command -v dotnet >/dev/null 2>&1; then
    could_not_run "the dotnet CLI is not installed, so $package_id $version cannot be restored"
  fi

  local sdk_major
  sdk_major="$(dotnet --version 2>/dev/null | cut -d. -f1)"
  if [[ ! "$sdk_major" =~ ^[0-9]+$ ]]; then
    could_not_run "no .NET SDK is available to restore $package_id $version"
  fi

  mkdir -p "$restore_dir" "$packages_dir"
  # The SDK's own target framework and no implicit framework reference: restoring this project
  # downloads the one package and nothing else.
  cat >"$restore_dir/bicep-cli.proj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net${sdk_major}.0</TargetFramework>
    <DisableImplicitFrameworkReferences>true</DisableImplicitFrameworkReferences>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="$package_id" Version="[$version]" />
  </ItemGroup>
</Project>
EOF

  echo "infra/check.sh: restoring $package_id $version from NuGet into .work/bicep/"
  local log="$restore_dir/restore.log"
  if ! DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 \
    dotnet restore "$restore_dir/bicep-cli.proj" --packages "$packages_dir" >"$log" 2>&1; then
    # NU1101/NU1102/NU1103: the sources do not have the package or version;
    # NU1301: a source could not be reached at all.
    if grep -qE 'NU1101|NU1102|NU1103|NU1301' "$log"; then
      could_not_run "NuGet does not serve $package_id $version from this machine's package sources (details: .work/bicep/restore/restore.log)"
    fi
    cat "$log" >&2
    echo "infra/check.sh: dotnet restore of $package_id $version failed" >&2
    exit 1
  fi

  if [[ ! -f "$bicep" ]]; then
    echo "infra/check.sh: $package_id $version restored, but $bicep is missing" >&2
    exit 1
  fi
  # NuGet does not keep the executable bit.
  chmod +x "$bicep"
}

# The hash of everything the outputs depend on: the CLI version and every file under infra/
# (templates, parameter sets, bicepconfig.json, the cloud table, this script; not the leftovers of
# an interrupted snapshot). The same computation is in test/infra/compiled-templates.ts, which
# refuses stale outputs.
inputs_hash() {
  (
    cd "$repo_root"
    echo "bicep $version"
    find infra -type f ! -name '*.snapshot.json' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
  ) | sha256sum | cut -d' ' -f1
}

[[ -x "$bicep" ]] || restore_bicep

# The self-contained CLI needs ICU unless globalization-invariant mode is on.
if ! ldconfig -p 2>/dev/null | grep -q 'libicuuc'; then
  export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

mapfile -t files < <(find "$infra_dir" -name '*.bicep' -type f | sort)
mapfile -t param_sets < <(find "$infra_dir/params" -name '*.bicepparam' -type f 2>/dev/null | sort)
if [[ ${#files[@]} -eq 0 ]]; then
  echo "infra/check.sh: no .bicep files under infra/" >&2
  exit 1
fi

hash="$(inputs_hash)"
if [[ "${BICEP_FORCE:-0}" != "1" && -f "$out_dir/check.json" && -f "$out_dir/main.json" ]] &&
  grep -q "\"inputsSha256\": \"$hash\"" "$out_dir/check.json"; then
  echo "infra/check.sh: Bicep $version build, lint and ${#param_sets[@]} parameter sets clean; infra/ unchanged since (input hash ${hash:0:12}), not recompiled"
  exit 0
fi

rm -rf "$out_dir"
mkdir -p "$out_dir/snapshots" "$out_dir/logs"
echo "infra/check.sh: $("$bicep" --version)"

names=()
running=0
# Runs one Bicep command in the background, at most $jobs at a time; its output goes to
# logs/<name>.log and its exit status to logs/<name>.status.
launch() {
  local name="$1"
  shift
  names+=("$name")
  (
    status=0
    (cd "$repo_root" && "$bicep" "$@") >"$out_dir/logs/$name.log" 2>&1 || status=$?
    echo "$status" >"$out_dir/logs/$name.status"
  ) &
  running=$((running + 1))
  if ((running >= jobs)); then
    wait -n || true
    running=$((running - 1))
  fi
}

launch lint lint --pattern 'infra/**/*.bicep'
launch build-main build infra/main.bicep --outfile "$out_dir/main.json"
# The azd parameter file reads the azd environment; GRAPH_CLIENT_ID is the one it requires.
GRAPH_CLIENT_ID='11111111-2222-4333-8444-555555555555' \
  launch build-params-azd build-params infra/main.bicepparam --outfile "$out_dir/main.parameters.azd.json"
# Fixed subscription, group, tenant and region: snapshots are comparable between runs and the
# names derived from uniqueString() are stable. environment() stays unevaluated in a snapshot.
for params in "${param_sets[@]}"; do
  launch "snapshot-$(basename "$params" .bicepparam)" snapshot "${params#"$repo_root/"}" --mode overwrite \
    --subscription-id '00000000-0000-4000-8000-000000000001' --resource-group 'rg-archiver' \
    --location 'westeurope' --tenant-id '00000000-0000-4000-8000-0000000000aa'
done
wait

failed=0
for name in "${names[@]}"; do
  status="$(cat "$out_dir/logs/$name.status" 2>/dev/null || echo 1)"
  log="$out_dir/logs/$name.log"
  # Diagnostics look like: <file>(line,col) : Warning <code>: <message>
  if [[ "$status" -ne 0 ]] || grep -qE '\) : (Error|Warning) ' "$log"; then
    failed=1
    sed "s|$repo_root/||g" "$log"
    echo "FAIL bicep $name"
  else
    echo "ok   bicep $name"
  fi
done

for params in "${param_sets[@]}"; do
  snapshot="${params%.bicepparam}.snapshot.json"
  if [[ -f "$snapshot" ]]; then
    mv "$snapshot" "$out_dir/snapshots/$(basename "$params" .bicepparam).json"
  fi
done

if [[ $failed -ne 0 ]]; then
  echo "infra/check.sh: Bicep reported errors or warnings"
  exit 1
fi
printf '{\n  "bicepVersion": "%s",\n  "inputsSha256": "%s"\n}\n' "$version" "$hash" >"$out_dir/check.json"
echo "infra/check.sh: bicep build and lint clean for ${#files[@]} files, ${#param_sets[@]} parameter sets compiled into .work/infra/snapshots/"
