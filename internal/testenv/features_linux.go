//go:build !atomicwrite_bsd

package testenv

// UnnamedTemps says whether content that streams in goes to an unnamed
// temp (O_TMPFILE) on the filesystems the tests use.
const UnnamedTemps = true
