package testenv

import (
	"errors"

	"golang.org/x/sys/windows"
)

func isSharingViolation(err error) bool { return errors.Is(err, windows.ERROR_SHARING_VIOLATION) }

// symlinksOptional: making a link needs a privilege on Windows.
const symlinksOptional = true

// letGo is how many times as long as a read held a file ReadFile lets go
// of it after: a reader on Windows that never lets go holds off every
// rename for good.
const letGo = 4
