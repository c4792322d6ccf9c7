//go:build !linux || atomicwrite_bsd

package testenv

// UnnamedTemps says whether content that streams in goes to an unnamed
// temp (O_TMPFILE): only on Linux.
const UnnamedTemps = false
