// Package crashsuite proves the write contract against real crashes, power
// cuts, injected errors and concurrent load, on loop-mounted ext4, xfs and
// btrfs images and a tmpfs. It has no code of its own: everything is in its
// tests, run by `go test ./...` as root (see docs/crash-testing.md). Without
// root, or without mkfs.xfs and mkfs.btrfs, it skips and says why; -short
// skips it too.
package crashsuite
