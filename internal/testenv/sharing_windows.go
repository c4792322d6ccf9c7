package testenv

import (
	"errors"
	"time"

	"golang.org/x/sys/windows"
)

func isSharingViolation(err error) bool { return errors.Is(err, windows.ERROR_SHARING_VIOLATION) }

// symlinksOptional: making a link needs a privilege on Windows.
const symlinksOptional = true

// readPause is how long ReadFile lets go of a file after reading it: a
// reader on Windows that never lets go holds off every rename for good.
const readPause = 5 * time.Millisecond
