#!/bin/bash
# Set up a calf build on Debian 12: install the packages that are missing,
# configure the build directory, build everything.
#
#   tools/setup.sh            # packages + build/ configured and built
#   tools/setup.sh --gdb      # also gdb-multiarch, for ninja debug-qemu
#   BUILD=/tmp/b tools/setup.sh   # another build directory
#
# Safe to run again: it installs only what is missing and reconfigures only
# when the build directory is not configured yet.
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}

packages=(
	gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu
	qemu-system-misc opensbi u-boot-qemu
	meson ninja-build device-tree-compiler gnuplot-nox
	mtools dosfstools fdisk
	python3 gcc libc6-dev
)
for arg in "$@"; do
	case "$arg" in
	--gdb) packages+=(gdb-multiarch) ;;
	*) echo "usage: $0 [--gdb]" >&2; exit 2 ;;
	esac
done

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]})); then
	echo "setup: installing ${missing[*]}"
	sudo=()
	if ((EUID != 0)); then
		command -v sudo >/dev/null || {
			echo "setup: need root (or sudo) to install ${missing[*]}" >&2
			exit 1
		}
		sudo=(sudo)
	fi
	export DEBIAN_FRONTEND=noninteractive
	"${sudo[@]}" apt-get update -q
	"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [[ ! -f $BUILD/build.ninja ]]; then
	meson setup "$BUILD" --cross-file cross-riscv64.txt
fi
ninja -C "$BUILD"
echo "setup: built in $BUILD/ (boot it: ninja -C $BUILD run-qemu)"
