#!/usr/bin/env bash
# Builds and lints every .bicep file under infra/ with the real Bicep CLI and fails on any error
# or warning (bicep itself exits non-zero on errors only, so warnings are read from its output).
#
# The CLI comes from the NuGet package Azure.Bicep.CommandLine.linux-x64, restored by a tiny
# project with a PackageDownload into tools/bicep/ (git-ignored), from the package sources this
# machine's NuGet configuration names. When the CLI cannot be obtained (no dotnet, not Linux x64,
# or NuGet does not serve the package) the script prints one line saying the check could not run
# here and exits 0, or 1 when BICEP_REQUIRED=1. It never reports a pass it did not run.
#
# Environment: BICEP_VERSION (default below), BICEP_REQUIRED=1 to make "could not run" a failure.
set -euo pipefail

readonly package_id='Azure.Bicep.CommandLine.linux-x64'
readonly version="${BICEP_VERSION:-0.46.1}"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly repo_root
readonly infra_dir="$repo_root/infra"
readonly tools_dir="$repo_root/tools/bicep"
readonly restore_dir="$tools_dir/restore"
readonly packages_dir="$tools_dir/packages"
readonly bicep="$packages_dir/${package_id,,}/$version/tools/bicep"

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

  local log="$restore_dir/restore.log"
  if ! DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 \
    dotnet restore "$restore_dir/bicep-cli.proj" --packages "$packages_dir" >"$log" 2>&1; then
    # NU1101/NU1102/NU1103: the sources do not have the package or version;
    # NU1301: a source could not be reached at all.
    if grep -qE 'NU1101|NU1102|NU1103|NU1301' "$log"; then
      could_not_run "NuGet does not serve $package_id $version from this machine's package sources (details: tools/bicep/restore/restore.log)"
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

[[ -x "$bicep" ]] || restore_bicep

# The self-contained CLI needs ICU unless globalization-invariant mode is on.
if ! ldconfig -p 2>/dev/null | grep -q 'libicuuc'; then
  export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
fi

mapfile -t files < <(find "$infra_dir" -name '*.bicep' -type f | sort)
if [[ ${#files[@]} -eq 0 ]]; then
  echo "infra/check.sh: no .bicep files under infra/" >&2
  exit 1
fi

out_dir="$(mktemp -d)"
trap 'rm -rf "$out_dir"' EXIT

echo "infra/check.sh: $("$bicep" --version)"
failed=0
for file in "${files[@]}"; do
  rel="${file#"$repo_root/"}"
  for command in build lint; do
    args=("$command" "$file")
    if [[ "$command" == build ]]; then
      mkdir -p "$out_dir/$(dirname "$rel")"
      args+=(--outdir "$out_dir/$(dirname "$rel")")
    fi
    status=0
    output="$("$bicep" "${args[@]}" 2>&1)" || status=$?
    # Diagnostics look like: <file>(line,col) : Warning <code>: <message>
    if [[ $status -ne 0 ]] || grep -qE '\) : (Error|Warning) ' <<<"$output"; then
      failed=1
      printf '%s\n' "$output"
      echo "FAIL bicep $command $rel"
    else
      echo "ok   bicep $command $rel"
    fi
  done
done

if [[ $failed -ne 0 ]]; then
  echo "infra/check.sh: Bicep reported errors or warnings"
  exit 1
fi
echo "infra/check.sh: bicep build and lint clean for ${#files[@]} files"
