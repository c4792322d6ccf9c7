//go:build !windows

package testenv

// isSharingViolation is false: only Windows has sharing modes.
func isSharingViolation(err error) bool { return false }

const symlinksOptional = false

// letGo is 0: a reader that holds a file does not hold off its rename
// here.
const letGo = 0
